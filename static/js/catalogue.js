// What the phone keeps to work offline: assignments, locations, checklists (every version a
// draft uses), and visits a reviewer returned for correction.

import * as api from './api.js';
import * as store from './store.js';
import { isoNow } from './util.js';

const one = async (k) => (await store.get('catalogue', k)) || null;

export async function assignments(user) {
  const row = await one(`assignments:${user.id}`);
  return row ? row.list : [];
}

export async function locations() {
  const row = await one('locations');
  return row ? row.list : [];
}

export async function checklists() {
  const row = await one('checklists');
  return row ? row.list : [];
}

export async function returned(user) {
  const row = await one(`returned:${user.id}`);
  return row ? row.list : [];
}

/** A checklist version by content hash: {key, version, content_hash, title, checklist}. */
export const version = (hash) => one(`checklist:${hash}`);

export async function lastSync(user) {
  return store.getKv(`lastSync:${user.id}`);
}

async function getJson(path) {
  const r = await api.call('GET', path);
  if (r.status === 401) throw Object.assign(new Error('login'), { status: 401 });
  if (!r.ok) throw new Error(`${path}: ${api.messageOf(r)}`);
  return r;
}

async function ensureVersion(key, hash) {
  if (await version(hash)) return;
  const r = await getJson(`/api/v1/checklists/${encodeURIComponent(key)}/versions/${hash}`);
  await store.put('catalogue', { k: `checklist:${hash}`, ...r.data });
}

/**
 * Fetch everything the shopper needs from the server and keep it on the phone.
 * Throws NetworkError offline, an error with status 401 when the login has ended.
 */
export async function refresh(user) {
  const [a, l, c, r] = await Promise.all([
    getJson('/api/v1/assignments?upcoming=true'),
    getJson('/api/v1/locations'),
    getJson('/api/v1/checklists'),
    getJson('/api/v1/visits?status=returned&limit=50'),
  ]);
  const latest = Object.fromEntries(c.data.map((x) => [x.key, x]));
  const keys = new Set(a.data.map((x) => x.checklist_key));
  if (user.allow_adhoc) for (const x of c.data) keys.add(x.key);
  for (const key of keys) {
    if (latest[key]) await ensureVersion(key, latest[key].content_hash);
  }
  const details = [];
  for (const summary of r.data) {
    const d = await getJson(`/api/v1/visits/${summary.id}`);
    await ensureVersion(d.data.checklist_key, d.data.checklist_version);
    details.push({ ...d.data, location_name: summary.location_name });
  }
  await store.put('catalogue', { k: `assignments:${user.id}`, list: a.data });
  await store.put('catalogue', { k: 'locations', list: l.data });
  await store.put('catalogue', { k: 'checklists', list: c.data });
  await store.put('catalogue', { k: `returned:${user.id}`, list: details });
  const fromCache = [a, l, c, r].some((x) => x.cached);
  if (!fromCache) await store.setKv(`lastSync:${user.id}`, isoNow());
  return !fromCache;
}
