// A visit in progress: check-in, the checklist section by section, event marks, photos.
// Every change is saved to IndexedDB at once; the draft is locked to this tab while open.

import * as catalogue from './catalogue.js';
import { fmtDateTime, fmtSeconds, fmtTime, t, tx } from './i18n.js';
import { lockDraft } from './locks.js';
import * as model from './model.js';
import { downscale } from './photos.js';
import * as store from './store.js';
import { fill, focus, h, isoNow, uuid } from './util.js';

/** Screens for a draft that cannot be edited here; resolves true when one was shown. */
export async function unavailable(ctx, id, draft) {
  if (!draft) {
    const sent = await store.get('outbox', id);
    fill(
      ctx.main,
      h('h1', {}, t('visit_gone')),
      h('p', {}, sent ? t('visit_in_outbox') : t('visit_missing')),
      h('p', {}, h('a', { href: sent ? '#/outbox' : '#/' }, sent ? t('see_sync') : t('back'))),
    );
    return true;
  }
  if (draft.state !== 'draft') {
    fill(
      ctx.main,
      h('h1', {}, draft.locationName),
      h('p', { class: 'notice' }, t('visit_frozen')),
      h('p', {}, h('a', { class: 'button primary block', href: '#/outbox' }, t('see_sync'))),
    );
    return true;
  }
  return false;
}

export function blocked(ctx) {
  fill(
    ctx.main,
    h('h1', {}, t('open_elsewhere_title')),
    h('p', { class: 'notice' }, t('open_elsewhere')),
    h('p', {}, h('button', { type: 'button', class: 'primary block', onclick: () => ctx.rerender() }, t('try_again'))),
    h('p', {}, h('a', { href: '#/' }, t('back'))),
  );
}

/** Autosave: every change is written at once; writes never overlap or reorder. */
export function saver(draft, onSaved, onError) {
  let dirty = false;
  let running = null;
  async function flush() {
    while (dirty) {
      dirty = false;
      draft.updatedAt = isoNow();
      try {
        await store.put('drafts', draft);
        onSaved();
      } catch (error) {
        onError(error);
      }
    }
    running = null;
  }
  return {
    save() {
      dirty = true;
      running ||= flush();
      return running;
    },
    settle: () => running || Promise.resolve(),
  };
}

// The draft, its checklist version and this tab's lock on it; null when the screen now
// says why it cannot be opened (gone, checklist missing, open in another tab).
export async function openDraft(ctx, id) {
  const draft = await store.get('drafts', id);
  if (await unavailable(ctx, id, draft)) return null;
  const version = await catalogue.version(draft.checklistHash);
  if (!version) {
    fill(ctx.main, h('h1', {}, draft.locationName), h('p', { class: 'error' }, t('checklist_missing')));
    return null;
  }
  const release = await lockDraft(id);
  if (!release) {
    blocked(ctx);
    return null;
  }
  return { draft, version, release };
}

export async function renderVisit(ctx, id, sectionIndex, focusItem) {
  const opened = await openDraft(ctx, id);
  if (!opened) return;
  const { draft, version, release } = opened;
  const checklist = version.checklist;
  const sections = checklist.sections;
  const index = Math.min(Math.max(sectionIndex, 0), sections.length - 1);
  const section = sections[index];
  let alive = true;
  const urls = [];
  const timers = [];
  const cards = new Map();
  ctx.draftOpen = true;

  const savedNote = h('span', { class: 'saved muted' }, t('saved_at', { time: fmtTime(draft.updatedAt, true) }));
  const { save, settle } = saver(
    draft,
    () => {
      savedNote.textContent = t('saved_at', { time: fmtTime(draft.updatedAt, true) });
    },
    (error) => {
      savedNote.textContent = store.isQuotaError(error) ? t('storage_full') : t('save_failed');
      savedNote.className = 'saved error';
    },
  );
  ctx.onLeave(async () => {
    alive = false;
    timers.forEach(clearInterval);
    await settle();
    urls.forEach((u) => URL.revokeObjectURL(u));
    release();
  });
  if (draft.section !== index) {
    draft.section = index;
    save();
  }

  const answer = (itemId) => (draft.answers[itemId] ||= { value: null, na: false, note: '', photos: [] });

  function changed(itemId) {
    const errors = draft.serverErrors;
    if (errors && errors.items && errors.items[itemId]) delete errors.items[itemId];
    save();
    const card = cards.get(itemId);
    if (card) card.update();
    paintProgress();
  }

  // ---- progress ---------------------------------------------------------------------
  const bar = h('progress', { max: '1', value: '0', 'aria-labelledby': 'progress-label' });
  const barLabel = h('span', { id: 'progress-label' });
  function paintProgress() {
    const p = model.progress(checklist, draft);
    bar.max = p.total;
    bar.value = p.answered;
    barLabel.textContent = t('progress', { n: p.answered, total: p.total, left: p.missing });
    for (const [i, option] of [...select.options].entries()) {
      const sp = model.sectionProgress(sections[i], draft);
      option.textContent = `${i + 1}. ${tx(sections[i].title)} (${sp.answered}/${sp.total})`;
    }
  }
  const select = h(
    'select',
    { id: 'section-select', onchange: (e) => ctx.go(`#/visit/${id}/${e.target.value}`) },
    sections.map((s, i) => h('option', { value: String(i), selected: i === index }, tx(s.title))),
  );

  // ---- check-in ---------------------------------------------------------------------
  const checkinText = h('p', { 'aria-live': 'polite' });
  const checkinErrors = h('div', { class: 'error' });
  const locateButton = h('button', { type: 'button', class: 'small secondary', onclick: () => locate() }, t('share_location'));
  function paintCheckin() {
    const c = draft.checkin || {};
    let where;
    if (c.status === 'ok') where = t('location_ok', { m: Math.round(c.accuracy_m || 0) });
    else if (c.status === 'pending') where = t('location_pending');
    else if (c.status === 'denied') where = t('location_denied');
    else if (c.status === 'none') where = t('location_none');
    else where = t('location_unavailable');
    checkinText.textContent = `${t('checked_in_at', { time: fmtTime(draft.startedAt) })} · ${where}`;
    locateButton.hidden = c.status === 'ok' || c.status === 'pending';
    const errors = (draft.serverErrors && draft.serverErrors.checkin) || [];
    fill(checkinErrors, errors.map((m) => h('p', {}, m)));
  }
  async function setCheckin(fields) {
    if (alive) {
      Object.assign(draft.checkin, fields);
      save();
      paintCheckin();
      return;
    }
    // the screen was left meanwhile: update the stored draft, not this copy
    await store.tx('drafts', 'readwrite', async (s) => {
      const d = await store.done(s.drafts.get(id));
      if (d && d.state === 'draft') {
        Object.assign(d.checkin, fields);
        s.drafts.put(d);
      }
    });
  }
  function locate() {
    if (!('geolocation' in navigator)) {
      setCheckin({ status: 'unavailable' });
      return;
    }
    setCheckin({ status: 'pending' });
    navigator.geolocation.getCurrentPosition(
      (pos) =>
        setCheckin({
          status: 'ok',
          latitude: Math.round(pos.coords.latitude * 1e6) / 1e6,
          longitude: Math.round(pos.coords.longitude * 1e6) / 1e6,
          accuracy_m: Math.round(pos.coords.accuracy * 10) / 10,
        }),
      (error) => setCheckin({ status: error.code === 1 ? 'denied' : 'unavailable' }),
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
    );
  }
  const checkin =
    index === 0
      ? h(
          'section',
          { class: 'card checkin', 'aria-labelledby': 'checkin-title' },
          h('h2', { id: 'checkin-title' }, t('checkin')),
          checkinText,
          checkinErrors,
          locateButton,
        )
      : null;

  // ---- event marks ------------------------------------------------------------------
  const markButtons = new Map();
  function paintMarks() {
    const m = model.marks(draft);
    for (const [kind, button] of markButtons) {
      button.setAttribute('aria-pressed', String(!!m[kind]));
      button.lastChild.textContent = m[kind] ? fmtTime(m[kind], true) : '';
    }
  }
  function mark(kind) {
    const m = model.marks(draft);
    if (m[kind]) {
      confirmClear(kind, m[kind]);
      return;
    }
    draft.events.push({ kind, at: isoNow() });
    if (navigator.vibrate) navigator.vibrate(15);
    save();
    paintMarks();
    for (const card of cards.values()) card.update();
    paintProgress();
  }
  function confirmClear(kind, at) {
    const dialog = h('dialog', { class: 'sheet', 'aria-labelledby': 'dialog-title' });
    const close = () => dialog.close();
    fill(
      dialog,
      h('h2', { id: 'dialog-title' }, t('clear_mark_q', { mark: t(`ev_${kind}`), time: fmtTime(at, true) })),
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: () => {
              draft.events = draft.events.filter((e) => e.kind !== kind);
              save();
              paintMarks();
              for (const card of cards.values()) card.update();
              paintProgress();
              close();
            },
          },
          t('clear_mark'),
        ),
        h('button', { type: 'button', class: 'secondary', onclick: close }, t('keep')),
      ),
    );
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  }
  const marksBar = h(
    'div',
    { class: 'marks', role: 'group', 'aria-label': t('marks') },
    model.EVENTS.map((kind) => {
      const button = h(
        'button',
        { type: 'button', class: 'mark', 'data-kind': kind, onclick: () => mark(kind) },
        h('span', { class: 'mark-name' }, t(`ev_${kind}`)),
        ' ',
        h('span', { class: 'mark-time' }),
      );
      markButtons.set(kind, button);
      return button;
    }),
  );

  // ---- items ------------------------------------------------------------------------
  function optionButton(label, isOn, onPick, extra = {}) {
    const button = h('button', { type: 'button', class: 'opt', onclick: onPick, ...extra }, label);
    return { button, paint: () => button.setAttribute('aria-pressed', String(isOn())) };
  }

  function pickValue(item, value) {
    const a = answer(item.id);
    a.value = a.value === value ? null : value; // a second tap on the same answer clears it
    a.na = false;
    changed(item.id);
  }

  function choices(item, list, qid, errId) {
    const buttons = list.map(([label, value]) =>
      optionButton(label, () => !answer(item.id).na && answer(item.id).value === value, () => pickValue(item, value)),
    );
    const kind = item.type === 'choice' ? 'opts stack' : item.type === 'scale' ? 'opts scale' : 'opts';
    const el = h('div', { class: kind, role: 'group', 'aria-labelledby': qid, 'aria-describedby': errId }, buttons.map((b) => b.button));
    return { el, update: () => buttons.forEach((b) => b.paint()) };
  }

  function scaleControl(item, qid, errId) {
    const { min, max } = item.scale;
    if (Number.isInteger(min) && Number.isInteger(max) && max - min <= 10) {
      const list = [];
      for (let v = min; v <= max; v += 1) list.push([String(v), v]);
      return choices(item, list, qid, errId);
    }
    return numberControl(item, qid, errId, { min, max });
  }

  function numberControl(item, qid, errId, { min, max }) {
    const input = h('input', {
      type: 'number',
      inputmode: 'decimal',
      min: String(min),
      max: String(max),
      step: 'any',
      'aria-labelledby': qid,
      'aria-describedby': errId,
      oninput: () => {
        const v = input.value === '' ? null : Number(input.value);
        const a = answer(item.id);
        a.value = Number.isFinite(v) ? v : null;
        a.na = false;
        changed(item.id);
      },
    });
    const update = () => {
      const a = answer(item.id);
      if (document.activeElement !== input) input.value = a.value === null || a.na ? '' : String(a.value);
    };
    return { el: h('div', { class: 'field' }, input), update };
  }

  function textControl(item, qid, errId) {
    const area = h('textarea', {
      rows: 3,
      maxlength: String(model.MAX_TEXT),
      'aria-labelledby': qid,
      'aria-describedby': errId,
      oninput: () => {
        const a = answer(item.id);
        a.value = area.value.trim() ? area.value : null;
        a.na = false;
        changed(item.id);
      },
    });
    area.value = answer(item.id).value || '';
    return { el: area, update: () => {} };
  }

  function timedControl(item, qid, errId) {
    const derived = !!(item.from_event && item.to_event);
    const shown = h('p', { class: 'timed-value' });
    const inputId = `s-${item.id}`;
    const input = h('input', {
      id: inputId,
      type: 'number',
      inputmode: 'decimal',
      min: '0',
      max: String(model.MAX_SECONDS),
      step: 'any',
      'aria-describedby': errId,
      oninput: () => {
        const v = input.value === '' ? null : Number(input.value);
        const a = answer(item.id);
        a.value = Number.isFinite(v) ? v : null;
        a.na = false;
        if (watch()) draft.watches[item.id] = { since: null, acc: a.value || 0 };
        changed(item.id);
      },
    });
    const manual = h(
      'div',
      { class: 'field' },
      h('label', { for: inputId }, derived ? t('seconds_instead') : t('seconds_typed')),
      input,
    );
    const watch = () => draft.watches && draft.watches[item.id];
    const elapsed = () => {
      const w = watch();
      if (!w) return 0;
      return w.acc + (w.since ? (Date.now() - w.since) / 1000 : 0);
    };
    const clock = h('span', { class: 'clock', 'aria-hidden': 'true' });
    const toggle = h('button', { type: 'button', class: 'secondary', onclick: () => (watch() && watch().since ? stop() : start()) });
    const reset = h('button', { type: 'button', class: 'ghost', onclick: () => {
      draft.watches[item.id] = { since: null, acc: 0 };
      answer(item.id).value = null;
      changed(item.id);
    } }, t('reset'));
    function start() {
      draft.watches ||= {};
      draft.watches[item.id] = { since: Date.now(), acc: watch() ? watch().acc : 0 };
      answer(item.id).na = false;
      changed(item.id);
    }
    function stop() {
      const seconds = Math.round(elapsed() * 10) / 10;
      draft.watches[item.id] = { since: null, acc: seconds };
      answer(item.id).value = seconds;
      changed(item.id);
    }
    const stopwatch = derived
      ? null
      : h('div', { class: 'stopwatch', role: 'group', 'aria-label': t('stopwatch') }, clock, toggle, reset);
    if (stopwatch) {
      timers.push(
        setInterval(() => {
          if (watch() && watch().since) clock.textContent = fmtSeconds(elapsed(), true);
        }, 200),
      );
    }
    function update() {
      const a = answer(item.id);
      const typed = a.value !== null && a.value !== undefined;
      if (derived) {
        const measured = model.fromMarks(item, draft);
        const names = { from: t(`ev_${item.from_event}`), to: t(`ev_${item.to_event}`) };
        if (a.na) shown.textContent = t('na_chosen');
        else if (typed) shown.textContent = t('typed_value', { value: fmtSeconds(a.value) });
        else if (measured !== null) shown.textContent = t('from_marks', { ...names, value: fmtSeconds(measured) });
        else shown.textContent = t('needs_marks', names);
      } else {
        const running = !!(watch() && watch().since);
        toggle.textContent = running ? t('stop') : elapsed() > 0 ? t('resume') : t('start');
        toggle.setAttribute('aria-pressed', String(running));
        clock.textContent = fmtSeconds(elapsed(), true);
        if (a.na) shown.textContent = t('na_chosen');
        else if (running) shown.textContent = t('timing');
        else shown.textContent = typed ? t('timed_value', { value: fmtSeconds(a.value) }) : t('not_timed');
      }
      if (document.activeElement !== input) input.value = typed && !a.na ? String(a.value) : '';
    }
    const el = h(
      'div',
      { class: 'timed', role: 'group', 'aria-labelledby': qid },
      shown,
      stopwatch,
      derived ? h('details', { class: 'manual', open: answer(item.id).value !== null && answer(item.id).value !== undefined }, h('summary', {}, t('type_seconds')), manual) : manual,
    );
    return { el, update };
  }

  function controlFor(item, qid, errId) {
    switch (item.type) {
      case 'yes_no':
        return choices(item, [[t('yes'), true], [t('no'), false]], qid, errId);
      case 'scale':
        return scaleControl(item, qid, errId);
      case 'choice':
        return choices(item, item.options.map((o) => [tx(o.text), o.id]), qid, errId);
      case 'timed':
        return timedControl(item, qid, errId);
      default:
        return textControl(item, qid, errId);
    }
  }

  function photoBlock(item) {
    const list = h('ul', { class: 'thumbs' });
    const status = h('p', { class: 'hint', 'aria-live': 'polite' });
    const camera = h('input', { type: 'file', accept: 'image/*', capture: 'environment', hidden: true, 'data-photo': item.id, onchange: (e) => add(e.target) });
    const gallery = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp,image/*', hidden: true, 'data-gallery': item.id, onchange: (e) => add(e.target) });
    const takeButton = h('button', { type: 'button', class: 'secondary', onclick: () => camera.click() }, t('take_photo'));
    const pickButton = h('button', { type: 'button', class: 'secondary', onclick: () => gallery.click() }, t('choose_photo'));
    async function add(input) {
      const files = [...input.files];
      input.value = '';
      for (const file of files) {
        if (answer(item.id).photos.length >= model.MAX_PHOTOS) {
          status.textContent = t('photo_limit', { n: model.MAX_PHOTOS });
          break;
        }
        status.textContent = t('photo_saving');
        try {
          const { blob, width, height } = await downscale(file);
          const photoId = uuid();
          await store.put('photos', {
            uuid: photoId,
            visitUuid: draft.uuid,
            itemId: item.id,
            blob,
            width,
            height,
            size: blob.size,
            createdAt: isoNow(),
            uploaded: false,
          });
          answer(item.id).photos.push(photoId);
          changed(item.id);
          await settle();
          status.textContent = t('photo_saved', { w: width, h: height });
        } catch (error) {
          status.textContent = store.isQuotaError(error) ? t('storage_full') : t('photo_failed');
        }
      }
      paintThumbs();
    }
    async function remove(photoId) {
      const a = answer(item.id);
      a.photos = a.photos.filter((p) => p !== photoId);
      changed(item.id);
      await settle();
      await store.del('photos', photoId);
      paintThumbs();
      status.textContent = t('photo_removed');
    }
    async function paintThumbs() {
      const ids = answer(item.id).photos || [];
      const rows = await Promise.all(ids.map((p) => store.get('photos', p)));
      const label = tx(item.text);
      fill(
        list,
        rows.map((row, i) => {
          let src = '';
          if (row && row.blob) {
            src = URL.createObjectURL(row.blob);
            urls.push(src);
          } else if (row && row.thumbUrl && navigator.onLine) {
            src = row.thumbUrl;
          }
          const alt = t('photo_n', { n: i + 1, item: label });
          return h(
            'li',
            {},
            src ? h('img', { src, alt, width: '96', height: '96' }) : h('span', { class: 'thumb-missing' }, alt),
            h('button', { type: 'button', class: 'remove', 'aria-label': t('remove_photo_n', { n: i + 1 }), onclick: () => remove(ids[i]) }, '×'),
          );
        }),
      );
    }
    paintThumbs();
    return {
      el: h('div', { class: 'photos' }, list, h('div', { class: 'row' }, takeButton, pickButton), camera, gallery, status),
    };
  }

  function itemCard(item) {
    const qid = `q-${item.id}`;
    const errId = `e-${item.id}`;
    const control = controlFor(item, qid, errId);
    const na = item.na_allowed
      ? optionButton(t('na'), () => !!answer(item.id).na, () => {
          const a = answer(item.id);
          a.na = !a.na;
          if (a.na) a.value = null;
          if (a.na && draft.watches) delete draft.watches[item.id];
          changed(item.id);
        }, { 'aria-describedby': errId, class: 'opt na' })
      : null;
    const noteId = `n-${item.id}`;
    const note = h('textarea', {
      id: noteId,
      rows: 2,
      maxlength: String(model.MAX_NOTE),
      oninput: () => {
        answer(item.id).note = note.value;
        save();
      },
    });
    note.value = answer(item.id).note || '';
    const error = h('div', { class: 'error', id: errId });
    const guidance = item.guidance && Object.keys(item.guidance).length ? tx(item.guidance) : '';
    const el = h(
      'article',
      { class: 'item', id: `item-${item.id}`, 'aria-labelledby': qid },
      h('h3', { id: qid }, tx(item.text)),
      h(
        'p',
        { class: 'badges' },
        h('span', { class: item.required ? 'badge req' : 'badge' }, item.required ? t('required') : t('optional')),
        item.critical && h('span', { class: 'badge crit' }, t('critical')),
        item.photo === 'required' && h('span', { class: 'badge req' }, t('photo_required')),
      ),
      guidance && h('details', { class: 'guide' }, h('summary', {}, t('how_to_judge')), h('p', {}, guidance)),
      control.el,
      na && na.button,
      item.photo !== 'none' && photoBlock(item).el,
      h('details', { class: 'note', open: !!note.value }, h('summary', {}, t('note')), h('label', { for: noteId, class: 'sr-only' }, t('note_for', { item: tx(item.text) })), note),
      error,
    );
    function update() {
      control.update();
      if (na) na.paint();
      const server = (draft.serverErrors && draft.serverErrors.items && draft.serverErrors.items[item.id]) || [];
      const local = draft.reviewed ? model.problems(item, draft).map(([key, vars]) => t(key, vars)) : [];
      const messages = [...server, ...local.filter((m) => !server.includes(m))];
      fill(error, messages.map((m) => h('p', {}, m)));
      el.classList.toggle('invalid', messages.length > 0);
      el.classList.toggle('done', model.isAnswered(item, draft));
    }
    update();
    cards.set(item.id, { el, update });
    return el;
  }

  // ---- the page ---------------------------------------------------------------------
  const general = (draft.serverErrors && draft.serverErrors.general) || [];
  const last = index === sections.length - 1;
  fill(
    ctx.main,
    h('p', { class: 'crumb' }, h('a', { href: '#/' }, t('back_to_visits'))),
    h('h1', {}, draft.locationName),
    h('p', { class: 'muted' }, tx(draft.checklistTitle), ' · ', t('started_at', { time: fmtDateTime(draft.startedAt) }), ' · ', savedNote),
    h('div', { class: 'progress' }, bar, barLabel),
    draft.returned && h('div', { class: 'card warn' }, h('h2', {}, t('returned_comment')), h('blockquote', {}, draft.returned.comment || t('no_comment'))),
    general.length ? h('div', { class: 'card error-box', role: 'alert' }, h('h2', {}, t('server_said')), general.map((m) => h('p', {}, m))) : null,
    checkin,
    h('div', { class: 'field section-pick' }, h('label', { for: 'section-select' }, t('section_n', { n: index + 1, total: sections.length })), select),
    h('h2', { class: 'section-title' }, tx(section.title)),
    section.items.map((item) => itemCard(item)),
    h(
      'div',
      { class: 'pager' },
      index > 0 ? h('a', { class: 'button secondary', href: `#/visit/${id}/${index - 1}` }, t('previous')) : h('span'),
      last
        ? h('a', { class: 'button primary', href: `#/visit/${id}/review` }, t('review_submit'))
        : h('a', { class: 'button primary', href: `#/visit/${id}/${index + 1}` }, t('next')),
    ),
    marksBar,
  );
  paintMarks();
  paintProgress();
  if (checkin) {
    paintCheckin();
    if (draft.checkin && draft.checkin.status === 'pending' && typeof draft.checkin.latitude !== 'number') locate();
  }
  if (focusItem) {
    const target = document.getElementById(`q-${focusItem}`);
    if (target) {
      requestAnimationFrame(() => {
        target.scrollIntoView({ block: 'center' });
        focus(target);
      });
    }
  }
}
