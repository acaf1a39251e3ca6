// What a draft means against its checklist: answered, missing, the payload the server gets.
// Pure functions over plain objects (the checklist snapshot and the draft).

export const EVENTS = ['entered', 'greeted', 'served', 'paid', 'left'];
export const MAX_SECONDS = 24 * 3600;
export const MAX_TEXT = 5000;
export const MAX_NOTE = 2000;
export const MAX_PHOTOS = 10;

/** Every [section, item, sectionIndex] of a checklist snapshot, in order. */
export function items(checklist) {
  const out = [];
  checklist.sections.forEach((section, index) => {
    for (const item of section.items) out.push([section, item, index]);
  });
  return out;
}

export function findItem(checklist, itemId) {
  return items(checklist).find(([, item]) => item.id === itemId) || null;
}

/** The first time each event kind was marked. */
export function marks(draft) {
  const out = {};
  for (const e of [...draft.events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    if (!(e.kind in out)) out[e.kind] = e.at;
  }
  return out;
}

/** Seconds between a timed item's two marks, or null. */
export function fromMarks(item, draft) {
  if (!item.from_event || !item.to_event) return null;
  const m = marks(draft);
  const a = m[item.from_event];
  const b = m[item.to_event];
  if (!a || !b) return null;
  return Math.round((Date.parse(b) - Date.parse(a)) / 100) / 10;
}

export const answerOf = (draft, itemId) =>
  draft.answers[itemId] || { value: null, na: false, note: '', photos: [] };

/** The value that counts for an item: typed or chosen, else (timed) from the marks. */
export function effectiveValue(item, draft) {
  const a = answerOf(draft, item.id);
  if (a.na) return null;
  if (a.value !== null && a.value !== undefined && a.value !== '') return a.value;
  return item.type === 'timed' ? fromMarks(item, draft) : null;
}

export function isAnswered(item, draft) {
  return answerOf(draft, item.id).na || effectiveValue(item, draft) !== null;
}

/** What is wrong or missing for one item: a list of message keys with their values. */
export function problems(item, draft) {
  const a = answerOf(draft, item.id);
  const value = effectiveValue(item, draft);
  const out = [];
  if (!a.na && value === null) {
    if (item.required) out.push(['missing_answer']);
  } else if (!a.na) {
    if (item.type === 'timed' && !(value >= 0 && value <= MAX_SECONDS)) out.push(['bad_seconds']);
    if (item.type === 'scale' && !(value >= item.scale.min && value <= item.scale.max)) {
      out.push(['bad_scale', { min: item.scale.min, max: item.scale.max }]);
    }
    if (item.type === 'text' && String(value).length > MAX_TEXT) out.push(['too_long']);
    if (item.photo === 'required' && !(a.photos || []).length) out.push(['missing_photo']);
  }
  if ((a.note || '').length > MAX_NOTE) out.push(['too_long']);
  return out;
}

/** Items with problems, in checklist order: [{section, item, index, problems}]. */
export function missing(checklist, draft) {
  const out = [];
  for (const [section, item, index] of items(checklist)) {
    const list = problems(item, draft);
    if (list.length) out.push({ section, item, index, problems: list });
  }
  return out;
}

export function progress(checklist, draft) {
  const all = items(checklist);
  const answered = all.filter(([, item]) => isAnswered(item, draft)).length;
  return { answered, total: all.length, missing: missing(checklist, draft).length };
}

export function sectionProgress(section, draft) {
  const answered = section.items.filter((item) => isAnswered(item, draft)).length;
  const open = section.items.filter((item) => problems(item, draft).length).length;
  return { answered, total: section.items.length, open };
}

/**
 * The POST /api/v1/visits body for a draft (without sent_at, which each attempt adds).
 * Timed items measured by two marks are sent empty: the server derives them from the marks.
 */
export function payload(checklist, draft, submittedAt) {
  const answers = [];
  const photos = [];
  for (const [, item] of items(checklist)) {
    const a = answerOf(draft, item.id);
    const typed = a.value !== null && a.value !== undefined && a.value !== '';
    const note = (a.note || '').trim();
    const ids = a.photos || [];
    if (!a.na && !typed && !note && !ids.length) continue;
    const answer = { item_id: item.id, value: a.na || !typed ? null : a.value, na: !!a.na, note };
    if (ids.length) {
      answer.photos = [...ids];
      for (const id of ids) photos.push({ uuid: id, itemId: item.id });
    }
    answers.push(answer);
  }
  const m = marks(draft);
  const ended = m.left && Date.parse(m.left) >= Date.parse(draft.startedAt) ? m.left : submittedAt;
  const body = {
    client_uuid: draft.uuid,
    location_id: draft.locationId,
    checklist_version: draft.checklistHash,
    started_at: draft.startedAt,
    ended_at: Date.parse(ended) >= Date.parse(draft.startedAt) ? ended : draft.startedAt,
    submitted_at: submittedAt,
    answers,
    events: EVENTS.filter((k) => m[k]).map((kind) => ({ kind, at: m[kind] })),
  };
  if (draft.assignmentId) body.assignment_id = draft.assignmentId;
  const c = draft.checkin;
  if (c && typeof c.latitude === 'number' && typeof c.longitude === 'number') {
    body.checkin = { at: c.at, latitude: c.latitude, longitude: c.longitude };
    if (typeof c.accuracy_m === 'number') body.checkin.accuracy_m = c.accuracy_m;
  }
  return { body, photos };
}

/**
 * Place the server's 422 field errors: {items: {itemId: [msg]}, checkin: [msg], general: [msg]}.
 * Paths look like "answers[3].value", "answers.greeted", "checkin.latitude", "assignment_id".
 */
export function placeErrors(fields, body) {
  const out = { items: {}, checkin: [], general: [] };
  for (const [path, messages] of Object.entries(fields || {})) {
    const list = [].concat(messages);
    let m = /^answers\[(\d+)\]/.exec(path);
    const byIndex = m && body.answers[Number(m[1])];
    m = /^answers\.([A-Za-z0-9_-]+)$/.exec(path);
    const itemId = byIndex ? byIndex.item_id : m ? m[1] : null;
    if (itemId) (out.items[itemId] ||= []).push(...list);
    else if (path.startsWith('checkin')) out.checkin.push(...list);
    else out.general.push(...list.map((msg) => `${path}: ${msg}`));
  }
  return out;
}
