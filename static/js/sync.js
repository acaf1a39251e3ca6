// The outbox: submitted visits wait here until the server confirms them.
//
// Nothing is deleted before the server has answered 200/201 for the visit. Photos go first
// (idempotent by photo UUID), then the visit (idempotent by its client UUID). Network errors
// and 5xx are retried with backoff; 401 keeps everything and asks for a login; 422 reopens
// the visit as a draft with the server's field errors; 409 is kept and shown.

import * as api from './api.js';
import * as model from './model.js';
import * as store from './store.js';
import { isoNow } from './util.js';

export const OPEN = ['pending', 'sending', 'retry', 'login'];
const BACKOFF_S = [2, 4, 8, 16, 32, 60, 120, 300];
const KEEP_SENT_DAYS = 30;

export const events = new EventTarget();
const channel = 'BroadcastChannel' in self ? new BroadcastChannel('audit-app') : null;
let user = null;
let running = null;
let again = false;
let timer = null;

export function setUser(u) {
  user = u;
  schedule();
}

function emit(type, detail) {
  events.dispatchEvent(new CustomEvent(type, { detail }));
  if (type === 'change' && channel) channel.postMessage({ type: 'outbox' });
}

if (channel) {
  channel.onmessage = (e) => {
    if (e.data && e.data.type === 'outbox') {
      events.dispatchEvent(new CustomEvent('change'));
      schedule();
    }
  };
}

function note(entry, message) {
  entry.log = [...(entry.log || []).slice(-29), { at: isoNow(), message }];
}

/** The outbox entries of the current user (newest first). */
export async function entries() {
  if (!user) return [];
  const list = await store.byIndex('outbox', 'user', user.id);
  return list.sort((a, b) => (b.createdAt || '').localeCompare(a.createdAt || ''));
}

export async function pendingCount() {
  return (await entries()).filter((e) => OPEN.includes(e.status)).length;
}

/**
 * Put a finished draft in the outbox and freeze it, in one transaction; then start sending.
 * Returns false when it was already submitted (a second tap).
 */
export async function submit(draft, checklist) {
  const submittedAt = isoNow();
  const { body, photos } = model.payload(checklist, draft, submittedAt);
  const stored = await store.tx(['drafts', 'outbox'], 'readwrite', async (s) => {
    const current = await store.done(s.drafts.get(draft.uuid));
    if (!current || current.state !== 'draft') return false;
    const previous = await store.done(s.outbox.get(draft.uuid));
    const entry = {
      uuid: draft.uuid,
      userId: draft.userId,
      userEmail: user ? user.email : '',
      payload: body,
      photos,
      status: 'pending',
      attempts: 0,
      nextAt: 0,
      createdAt: (previous && previous.createdAt) || submittedAt,
      submittedAt,
      locationName: draft.locationName,
      checklistTitle: draft.checklistTitle,
      startedAt: draft.startedAt,
      log: (previous && previous.log) || [],
      error: null,
    };
    note(entry, 'queued');
    current.state = 'submitted';
    current.serverErrors = null;
    current.updatedAt = submittedAt;
    s.drafts.put(current);
    s.outbox.put(entry);
    return true;
  });
  emit('change');
  if (stored) run({ force: true });
  return stored;
}

/** Send what is due (everything when forced); one run at a time, in one tab at a time. */
export function run({ force = false } = {}) {
  if (running) {
    again = again || force;
    return running;
  }
  running = (async () => {
    try {
      await exclusive(() => runOnce(force));
    } catch (error) {
      console.error('sync failed', error);
    } finally {
      running = null;
      schedule();
      if (again) {
        again = false;
        run({ force: true });
      }
    }
  })();
  return running;
}

async function exclusive(fn) {
  if (!navigator.locks) return fn();
  return navigator.locks.request('audit-sync', { ifAvailable: true }, (lock) => (lock ? fn() : null));
}

async function runOnce(force) {
  if (!user) return;
  const now = Date.now();
  const due = (await entries())
    .filter((e) => OPEN.includes(e.status) && (force || (e.nextAt || 0) <= now))
    .sort((a, b) => (a.createdAt || '').localeCompare(b.createdAt || ''));
  if (!due.length) return;
  if (!navigator.onLine) return; // certainly offline: no attempt, nothing to count
  let who;
  try {
    who = await api.me(); // also refreshes the CSRF token
  } catch (error) {
    if (!(error instanceof api.NetworkError)) throw error;
    for (const entry of due) await retryLater(entry, 'no connection', true);
    return;
  }
  if (who.status === 401 || (who.ok && who.data.id !== user.id)) {
    await needLogin(due);
    return;
  }
  if (!who.ok) {
    for (const entry of due) await retryLater(entry, `server answered ${who.status}`, true);
    return;
  }
  for (const entry of due) {
    const outcome = await sendOne(entry);
    if (outcome === 'stop') break;
  }
  await prune();
}

async function save(entry) {
  await store.put('outbox', entry);
  emit('change');
}

async function sendOne(entry) {
  entry.status = 'sending';
  entry.attempts = (entry.attempts || 0) + 1;
  entry.lastTryAt = isoNow();
  await save(entry);
  try {
    for (const ref of entry.photos || []) {
      if (ref.uploaded) continue;
      const photo = await store.get('photos', ref.uuid);
      if (photo && (photo.remote || photo.uploaded)) {
        ref.uploaded = true;
        continue;
      }
      if (!photo) {
        // not on this phone any more: the server says whether it already has it
        note(entry, `photo ${ref.uuid.slice(0, 8)} is not on this phone`);
        continue;
      }
      const form = new FormData();
      form.append('uuid', ref.uuid);
      form.append('file', photo.blob, `${ref.uuid}.jpg`);
      const r = await api.post('/api/v1/photos', { form, timeout: 120000 });
      if (r.status === 200 || r.status === 201) {
        ref.uploaded = true;
        photo.uploaded = true;
        await store.put('photos', photo);
        note(entry, `photo ${ref.uuid.slice(0, 8)} uploaded`);
        await save(entry);
        continue;
      }
      return failed(entry, r, ref);
    }
    const r = await api.post('/api/v1/visits', { json: { ...entry.payload, sent_at: isoNow() } });
    if (r.status === 200 || r.status === 201) return confirmed(entry, r.data, r.status);
    return failed(entry, r, null);
  } catch (error) {
    if (error instanceof api.NetworkError) {
      await retryLater(entry, 'no connection');
      return 'stop';
    }
    await retryLater(entry, String(error.message || error));
    return 'next';
  }
}

async function confirmed(entry, visit, status) {
  entry.status = 'sent';
  entry.sentAt = isoNow();
  entry.visitId = visit.id;
  entry.score = visit.score;
  entry.passed = visit.passed;
  entry.error = null;
  note(entry, status === 201 ? `stored as visit ${visit.id}` : `already stored as visit ${visit.id}`);
  // only now, with the server's confirmation, does the phone let go of the visit
  await store.tx(['outbox', 'drafts', 'photos'], 'readwrite', async (s) => {
    s.outbox.put(entry);
    s.drafts.delete(entry.uuid);
    const keys = await store.done(s.photos.index('visit').getAllKeys(entry.uuid));
    for (const key of keys) s.photos.delete(key);
  });
  emit('change');
  emit('sent', entry);
  return 'next';
}

async function failed(entry, r, photoRef) {
  const message = api.messageOf(r);
  if (r.status === 401) {
    await needLogin([entry]);
    return 'stop';
  }
  if (r.status === 409) {
    entry.status = 'conflict';
    entry.error = message;
    note(entry, `conflict: ${message}`);
    await save(entry);
    return 'next';
  }
  if (r.status === 422 || r.status === 413 || r.status === 400) {
    const fields = (r.data && r.data.errors && (r.data.errors.json || r.data.errors.form)) || {};
    let placed;
    if (photoRef) {
      const detail = Object.values(fields).flat().join('; ') || message;
      placed = { items: { [photoRef.itemId]: [`photo: ${detail}`] }, checkin: [], general: [] };
    } else {
      placed = model.placeErrors(fields, entry.payload);
      if (!Object.keys(fields).length) placed.general.push(message);
    }
    entry.status = 'rejected';
    entry.error = message;
    note(entry, `returned to you to fix: ${message}`);
    await store.tx(['outbox', 'drafts'], 'readwrite', async (s) => {
      const draft = await store.done(s.drafts.get(entry.uuid));
      if (draft) {
        draft.state = 'draft'; // the server stored nothing: the visit can be fixed
        draft.serverErrors = placed;
        draft.reviewed = true;
        draft.updatedAt = isoNow();
        s.drafts.put(draft);
      }
      s.outbox.put(entry);
    });
    emit('change');
    emit('rejected', entry);
    return 'next';
  }
  await retryLater(entry, `server answered ${r.status}: ${message}`);
  return r.status >= 500 || r.status === 429 ? 'stop' : 'next';
}

async function retryLater(entry, reason, counts = false) {
  if (counts) {
    entry.attempts = (entry.attempts || 0) + 1;
    entry.lastTryAt = isoNow();
  }
  const step = BACKOFF_S[Math.min(Math.max(entry.attempts || 1, 1) - 1, BACKOFF_S.length - 1)];
  entry.status = 'retry';
  entry.error = reason;
  entry.nextAt = Date.now() + step * 1000 * (0.8 + Math.random() * 0.4);
  note(entry, `${reason}; next try in ${Math.round((entry.nextAt - Date.now()) / 1000)} s`);
  await save(entry);
}

async function needLogin(list) {
  for (const entry of list) {
    entry.status = 'login';
    entry.error = 'log in again to send';
    note(entry, 'the login has ended: waiting for you to log in again');
    await save(entry);
  }
  emit('login');
}

/** Forget sent visits after KEEP_SENT_DAYS (the journal keeps recent ones). */
async function prune() {
  const limit = Date.now() - KEEP_SENT_DAYS * 86400000;
  for (const entry of await entries()) {
    if (entry.status === 'sent' && Date.parse(entry.sentAt) < limit) {
      await store.del('outbox', entry.uuid);
    }
  }
}

/** Wake up when the next retry is due (and every 30 s while anything waits). */
export async function schedule() {
  clearTimeout(timer);
  timer = null;
  if (!user) return;
  const open = (await entries()).filter((e) => OPEN.includes(e.status) && e.status !== 'login');
  if (!open.length) return;
  const next = Math.min(...open.map((e) => e.nextAt || 0));
  const wait = Math.min(30000, Math.max(500, next - Date.now()));
  timer = setTimeout(() => run(), wait);
}
