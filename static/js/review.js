// Review before submitting: what is still missing, the marks, the check-in; then submit.

import { fmtDateTime, fmtSeconds, fmtTime, t, tx } from './i18n.js';
import * as model from './model.js';
import * as store from './store.js';
import * as sync from './sync.js';
import { fill, h } from './util.js';
import { openDraft, saver } from './visit.js';

function confirmDialog(title, body, yesLabel, yesClass, onYes) {
  const dialog = h('dialog', { class: 'sheet', 'aria-labelledby': 'dialog-title' });
  const yes = h('button', { type: 'button', class: yesClass, onclick: async () => {
    yes.disabled = true;
    dialog.close();
    await onYes();
  } }, yesLabel);
  fill(
    dialog,
    h('h2', { id: 'dialog-title' }, title),
    body && h('p', {}, body),
    h('div', { class: 'row' }, yes, h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, t('cancel'))),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

export async function renderReview(ctx, id) {
  const opened = await openDraft(ctx, id);
  if (!opened) return;
  const { draft, version, release } = opened;
  ctx.draftOpen = true;
  const { save, settle } = saver(draft, () => {}, () => {});
  ctx.onLeave(async () => {
    await settle();
    release();
  });
  if (!draft.reviewed) {
    draft.reviewed = true; // from now on the checklist shows what is missing beside each item
    save();
  }
  const checklist = version.checklist;
  const missing = model.missing(checklist, draft);
  const p = model.progress(checklist, draft);
  const marks = model.marks(draft);
  const errors = draft.serverErrors || { items: {}, checkin: [], general: [] };
  const serverItems = Object.entries(errors.items || {});
  const c = draft.checkin || {};

  const todo = missing.length
    ? h(
        'ul',
        { class: 'todo' },
        missing.map(({ section, item, index, problems }) =>
          h(
            'li',
            {},
            h(
              'a',
              { href: `#/visit/${id}/${index}/${item.id}` },
              h('span', { class: 'muted' }, `${tx(section.title)}: `),
              tx(item.text),
            ),
            h('span', { class: 'why' }, problems.map(([key, vars]) => t(key, vars)).join(' · ')),
          ),
        ),
      )
    : h('p', { class: 'ok-text' }, t('all_done'));

  const submit = h(
    'button',
    {
      type: 'button',
      class: 'primary block big',
      disabled: missing.length > 0 || serverItems.length > 0,
      'aria-describedby': 'submit-help',
      onclick: () =>
        confirmDialog(t('submit_q'), t('submit_frozen'), t('submit'), 'primary', async () => {
          submit.disabled = true;
          await settle();
          const stored = await sync.submit(draft, checklist);
          ctx.draftOpen = false;
          ctx.go('#/outbox');
          if (!stored) ctx.notify(t('already_submitted'));
        }),
    },
    t('submit'),
  );

  fill(
    ctx.main,
    h('p', { class: 'crumb' }, h('a', { href: `#/visit/${id}/${draft.section || 0}` }, t('back_to_checklist'))),
    h('h1', {}, t('review_title', { place: draft.locationName })),
    errors.general.length || serverItems.length || errors.checkin.length
      ? h(
          'div',
          { class: 'card error-box', role: 'alert' },
          h('h2', {}, t('server_said')),
          errors.general.map((m) => h('p', {}, m)),
          errors.checkin.map((m) => h('p', {}, `${t('checkin')}: ${m}`)),
          serverItems.map(([itemId, list]) => {
            const found = model.findItem(checklist, itemId);
            const label = found ? tx(found[1].text) : itemId;
            const href = found ? `#/visit/${id}/${found[2]}/${itemId}` : `#/visit/${id}/0`;
            return h('p', {}, h('a', { href }, label), `: ${list.join('; ')}`);
          }),
        )
      : null,
    draft.returned && h('div', { class: 'card warn' }, h('h2', {}, t('returned_comment')), h('blockquote', {}, draft.returned.comment || t('no_comment'))),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'summary-title' },
      h('h2', { id: 'summary-title' }, t('summary')),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('checklist')),
        h('dd', {}, tx(draft.checklistTitle)),
        h('dt', {}, t('checkin')),
        h('dd', {}, fmtDateTime(draft.startedAt), ' · ', c.status === 'ok' ? t('location_ok', { m: Math.round(c.accuracy_m || 0) }) : t('location_none')),
        h('dt', {}, t('answered')),
        h('dd', {}, t('answered_of', { n: p.answered, total: p.total })),
        model.EVENTS.map((kind) => [
          h('dt', {}, t(`ev_${kind}`)),
          h('dd', {}, marks[kind] ? fmtTime(marks[kind], true) : t('not_marked')),
        ]),
      ),
      timedSummary(checklist, draft),
    ),
    h('h2', {}, missing.length ? t('still_to_do', { n: missing.length }) : t('ready')),
    todo,
    h(
      'p',
      { class: 'hint', id: 'submit-help' },
      missing.length ? t('submit_blocked') : serverItems.length ? t('fix_server_errors') : t('submit_help'),
    ),
    submit,
    h(
      'p',
      { class: 'discard' },
      h(
        'button',
        {
          type: 'button',
          class: 'ghost danger-text',
          onclick: () =>
            confirmDialog(t('discard_q'), t('discard_body'), t('discard'), 'danger', async () => {
              await settle();
              await store.tx(['drafts', 'photos'], 'readwrite', async (s) => {
                s.drafts.delete(id);
                const keys = await store.done(s.photos.index('visit').getAllKeys(id));
                for (const key of keys) s.photos.delete(key);
              });
              ctx.draftOpen = false;
              ctx.go('#/');
            }),
        },
        t('discard'),
      ),
    ),
  );
}

function timedSummary(checklist, draft) {
  const rows = model
    .items(checklist)
    .filter(([, item]) => item.type === 'timed')
    .map(([, item]) => {
      const v = model.effectiveValue(item, draft);
      const a = model.answerOf(draft, item.id);
      const label = tx(item.text).replace(/[.:]\s*$/, '');
      return h('li', {}, `${label}: `, h('strong', {}, a.na ? t('na') : v === null ? '—' : fmtSeconds(v)));
    });
  return rows.length ? h('ul', { class: 'timed-list' }, rows) : null;
}
