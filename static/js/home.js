// My visits: drafts in progress, visits returned for correction, assignments; ad-hoc visits.

import * as catalogue from './catalogue.js';
import { fmtDateTime, fmtRange, t, tx } from './i18n.js';
import * as model from './model.js';
import * as store from './store.js';
import * as sync from './sync.js';
import { fill, h, isoNow, uuid } from './util.js';

async function myDrafts(user) {
  const list = await store.byIndex('drafts', 'user', user.id);
  return list.sort((a, b) => (b.updatedAt || '').localeCompare(a.updatedAt || ''));
}

export async function renderHome(ctx) {
  const user = ctx.user;
  const [assignments, drafts, returned, last, outbox] = await Promise.all([
    catalogue.assignments(user),
    myDrafts(user),
    catalogue.returned(user),
    catalogue.lastSync(user),
    sync.entries(),
  ]);
  const open = drafts.filter((d) => d.state === 'draft');
  const waiting = outbox.filter((e) => sync.OPEN.includes(e.status));
  const byAssignment = new Map();
  for (const d of drafts) if (d.assignmentId) byAssignment.set(d.assignmentId, d);
  const sentAssignments = new Set(
    outbox.filter((e) => e.status === 'sent').map((e) => e.payload.assignment_id),
  );

  const status = h(
    'p',
    { class: 'status-line' },
    last ? t('updated_at', { time: fmtDateTime(last) }) : t('never_updated'),
    navigator.onLine ? null : ` · ${t('offline_list')}`,
  );
  const refresh = h(
    'button',
    {
      type: 'button',
      class: 'small secondary',
      onclick: async (e) => {
        e.target.disabled = true;
        e.target.textContent = t('refreshing');
        const ok = await ctx.refresh();
        if (!ok) {
          e.target.disabled = false;
          e.target.textContent = t('refresh');
          ctx.notify(navigator.onLine ? t('refresh_failed') : t('refresh_offline'), null, 'warn');
        }
      },
    },
    t('refresh'),
  );

  const sections = [];
  if (waiting.length) {
    sections.push(
      h(
        'p',
        { class: 'notice' },
        t('waiting_to_send', { n: waiting.length }),
        ' ',
        h('a', { href: '#/outbox' }, t('see_sync')),
      ),
    );
  }
  if (open.length) {
    sections.push(
      h('h2', {}, t('in_progress')),
      h('ul', { class: 'cards' }, await Promise.all(open.map((d) => draftCard(ctx, d)))),
    );
  }
  const returnedOpen = returned.filter((v) => {
    const d = drafts.find((x) => x.uuid === v.client_uuid);
    const e = outbox.find((x) => x.uuid === v.client_uuid);
    const resent = e && e.status !== 'rejected' && Date.parse(e.submittedAt) > Date.parse(v.reviewed_at || 0);
    return !(d && d.state === 'draft') && !resent;
  });
  if (returnedOpen.length) {
    sections.push(
      h('h2', {}, t('returned')),
      h('ul', { class: 'cards' }, returnedOpen.map((v) => returnedCard(ctx, v))),
    );
  }
  const todo = assignments.filter((a) => !sentAssignments.has(a.id));
  sections.push(
    h('h2', {}, t('assignments')),
    todo.length
      ? h('ul', { class: 'cards' }, todo.map((a) => assignmentCard(ctx, a, byAssignment.get(a.id))))
      : h('p', { class: 'empty' }, t('no_assignments')),
  );
  if (user.allow_adhoc) {
    sections.push(h('p', {}, h('a', { class: 'button secondary block', href: '#/new' }, t('adhoc_start'))));
  }
  fill(
    ctx.main,
    h('div', { class: 'title-row' }, h('h1', {}, t('my_visits')), refresh),
    status,
    sections,
  );
}

async function draftCard(ctx, draft) {
  const version = await catalogue.version(draft.checklistHash);
  const p = version ? model.progress(version.checklist, draft) : null;
  return h(
    'li',
    { class: 'card' },
    h('h3', {}, draft.locationName),
    h('p', { class: 'muted' }, t('started_at', { time: fmtDateTime(draft.startedAt) })),
    p && h('p', {}, t('answered_of', { n: p.answered, total: p.total })),
    draft.serverErrors && h('p', { class: 'error' }, t('needs_fixing')),
    h('a', { class: 'button primary block', href: `#/visit/${draft.uuid}/${draft.section || 0}` }, t('continue')),
  );
}

function assignmentCard(ctx, a, draft) {
  let action;
  if (draft && draft.state === 'draft') {
    action = h('a', { class: 'button primary block', href: `#/visit/${draft.uuid}/${draft.section || 0}` }, t('continue'));
  } else if (draft) {
    action = h('a', { class: 'button secondary block', href: '#/outbox' }, t('submitted_waiting'));
  } else {
    action = h(
      'button',
      {
        type: 'button',
        class: 'primary block',
        onclick: () =>
          startVisit(ctx, {
            assignmentId: a.id,
            locationId: a.location.id,
            locationName: a.location.name,
            timezone: a.location.timezone,
            checklistKey: a.checklist_key,
          }),
      },
      t('start_visit'),
    );
  }
  return h(
    'li',
    { class: 'card' },
    h('h3', {}, a.location.name),
    a.location.address && h('p', { class: 'muted' }, a.location.address),
    h('p', {}, fmtRange(a.window_start, a.window_end, a.location.timezone)),
    a.scenario && h('details', { class: 'scenario' }, h('summary', {}, t('scenario')), h('p', {}, a.scenario)),
    action,
  );
}

function returnedCard(ctx, visit) {
  return h(
    'li',
    { class: 'card warn' },
    h('h3', {}, visit.location_name || `#${visit.id}`),
    h('p', { class: 'muted' }, t('started_at', { time: fmtDateTime(visit.started_at) })),
    h('blockquote', {}, visit.review_comment || t('no_comment')),
    h(
      'button',
      { type: 'button', class: 'primary block', onclick: () => correctReturned(ctx, visit) },
      t('correct_resend'),
    ),
  );
}

/** Create a draft (check-in time now; the visit screen asks for the location) and open it. */
export async function startVisit(ctx, { assignmentId, locationId, locationName, timezone, checklistKey }) {
  const list = await catalogue.checklists();
  const latest = list.find((c) => c.key === checklistKey);
  const version = latest && (await catalogue.version(latest.content_hash));
  if (!version) {
    ctx.notify(t('checklist_missing'), null, 'warn');
    return;
  }
  const now = isoNow();
  const draft = {
    uuid: uuid(),
    userId: ctx.user.id,
    state: 'draft',
    assignmentId: assignmentId || null,
    locationId,
    locationName,
    timezone: timezone || null,
    checklistKey,
    checklistHash: version.content_hash,
    checklistTitle: version.checklist.title,
    createdAt: now,
    startedAt: now,
    updatedAt: now,
    checkin: { at: now, status: 'pending' },
    answers: {},
    events: [],
    watches: {},
    section: 0,
  };
  await store.put('drafts', draft);
  ctx.go(`#/visit/${draft.uuid}/0`);
}

/** Reopen a visit a reviewer returned: same UUID, its answers, marks and photos. */
async function correctReturned(ctx, visit) {
  const existing = await store.get('drafts', visit.client_uuid);
  if (existing && existing.state === 'draft') {
    ctx.go(`#/visit/${existing.uuid}/0`);
    return;
  }
  const version = await catalogue.version(visit.checklist_version);
  if (!version) {
    ctx.notify(t('checklist_missing'), null, 'warn');
    return;
  }
  const events = visit.events.map((e) => ({ kind: e.kind, at: e.at }));
  const answers = {};
  for (const a of visit.answers) {
    const found = model.findItem(version.checklist, a.item_id);
    const item = found && found[1];
    const derived = item && item.type === 'timed' && item.from_event && item.to_event;
    answers[a.item_id] = {
      value: derived ? null : a.value,
      na: a.na,
      note: a.note || '',
      photos: visit.photos.filter((p) => p.item_id === a.item_id).map((p) => p.uuid),
    };
  }
  const now = isoNow();
  const draft = {
    uuid: visit.client_uuid,
    userId: ctx.user.id,
    state: 'draft',
    assignmentId: visit.assignment_id || null,
    locationId: visit.location_id,
    locationName: visit.location_name || '',
    timezone: null,
    checklistKey: visit.checklist_key,
    checklistHash: visit.checklist_version,
    checklistTitle: version.checklist.title,
    createdAt: now,
    startedAt: visit.started_at,
    updatedAt: now,
    checkin: visit.checkin
      ? { at: visit.started_at, status: 'ok', ...visit.checkin }
      : { at: visit.started_at, status: 'none' },
    answers,
    events,
    watches: {},
    section: 0,
    returned: { visitId: visit.id, comment: visit.review_comment || '' },
  };
  await store.tx(['drafts', 'photos'], 'readwrite', (s) => {
    s.drafts.put(draft);
    for (const p of visit.photos) {
      s.photos.put({
        uuid: p.uuid,
        visitUuid: visit.client_uuid,
        itemId: p.item_id,
        remote: true,
        uploaded: true,
        thumbUrl: p.thumbnail_url,
        width: p.width,
        height: p.height,
      });
    }
  });
  ctx.go(`#/visit/${draft.uuid}/review`);
}

/** Start a visit without an assignment (shoppers allowed ad-hoc visits). */
export async function renderAdhoc(ctx) {
  const [locations, checklists] = await Promise.all([catalogue.locations(), catalogue.checklists()]);
  const usable = [];
  for (const c of checklists) if (await catalogue.version(c.content_hash)) usable.push(c);
  const location = h(
    'select',
    { id: 'adhoc-location', required: true },
    h('option', { value: '' }, t('choose')),
    locations.map((l) => h('option', { value: String(l.id) }, `${l.name} (${l.code})`)),
  );
  const checklist = h(
    'select',
    { id: 'adhoc-checklist', required: true },
    usable.map((c) => h('option', { value: c.key }, tx(c.title))),
  );
  const error = h('p', { class: 'error', id: 'adhoc-error', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: (e) => {
        e.preventDefault();
        const loc = locations.find((l) => String(l.id) === location.value);
        if (!loc || !checklist.value) {
          error.textContent = t('choose_both');
          return;
        }
        startVisit(ctx, {
          locationId: loc.id,
          locationName: loc.name,
          timezone: loc.timezone,
          checklistKey: checklist.value,
        });
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'adhoc-location' }, t('location')), location),
    h('div', { class: 'field' }, h('label', { for: 'adhoc-checklist' }, t('checklist')), checklist),
    error,
    h('button', { type: 'submit', class: 'primary block' }, t('start_visit')),
  );
  fill(
    ctx.main,
    h('h1', {}, t('adhoc_title')),
    locations.length && usable.length ? form : h('p', { class: 'empty' }, t('adhoc_nothing')),
    h('p', {}, h('a', { href: '#/' }, t('back'))),
  );
}
