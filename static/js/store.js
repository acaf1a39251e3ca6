// IndexedDB: drafts, the outbox, photos and the cached catalogue live here, on the phone.
//
// Stores (all keyed by a string):
//   kv        {k, v}  small settings: the last user, storage persistence answer
//   catalogue {k, ...} assignments, locations, checklists, checklist snapshots by hash
//   drafts    {uuid, userId, ...} visits being filled (and frozen ones waiting for the server)
//   outbox    {uuid, userId, payload, status, ...} submitted visits until the server confirms
//   photos    {uuid, visitUuid, itemId, blob, ...} downscaled photos until the server has them

const NAME = 'audit-app';
const VERSION = 1;
let opening = null;

export function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('kv', { keyPath: 'k' });
      db.createObjectStore('catalogue', { keyPath: 'k' });
      db.createObjectStore('drafts', { keyPath: 'uuid' }).createIndex('user', 'userId');
      db.createObjectStore('outbox', { keyPath: 'uuid' }).createIndex('user', 'userId');
      db.createObjectStore('photos', { keyPath: 'uuid' }).createIndex('visit', 'visitUuid');
    };
    request.onsuccess = () => {
      const db = request.result;
      // a newer version of the app (another tab) wants to upgrade: let it
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
    request.onblocked = () => reject(new Error('The app is open in an older version in another tab.'));
  });
  return opening;
}

/** Promise for one IDB request. */
export function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Run fn(stores) in one transaction; resolves with fn's result once the transaction has
 * committed (so a caller never reports "saved" before the data is on disk).
 */
export async function tx(names, mode, fn) {
  const db = await open();
  const list = [].concat(names);
  return new Promise((resolve, reject) => {
    const t = db.transaction(list, mode, { durability: 'strict' });
    const stores = Object.fromEntries(list.map((n) => [n, t.objectStore(n)]));
    let result;
    let pending;
    try {
      pending = Promise.resolve(fn(stores)); // synchronously: the transaction is active now
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
        (value) => {
          result = value;
        },
        (error) => {
          try {
            t.abort();
          } catch {
            // already finished
          }
          reject(error);
        },
      );
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
  });
}

export const get = (store, key) => tx(store, 'readonly', (s) => done(s[store].get(key)));
export const put = (store, value) => tx(store, 'readwrite', (s) => done(s[store].put(value)));
export const del = (store, key) => tx(store, 'readwrite', (s) => done(s[store].delete(key)));
export const all = (store) => tx(store, 'readonly', (s) => done(s[store].getAll()));
export const byIndex = (store, index, value) =>
  tx(store, 'readonly', (s) => done(s[store].index(index).getAll(value)));

export async function getKv(key, fallback = null) {
  const row = await get('kv', key);
  return row ? row.v : fallback;
}

export const setKv = (key, value) => put('kv', { k: key, v: value });

/** Is this a "the phone's storage is full" error? */
export function isQuotaError(error) {
  return !!error && (error.name === 'QuotaExceededError' || /quota/i.test(error.message || ''));
}
