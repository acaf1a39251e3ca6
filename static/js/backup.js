// Backup files: export the visits still waiting in the outbox (with their photos) to a file,
// and send such a file to the server, which imports it with the usual idempotency rules.

import * as api from './api.js';
import * as store from './store.js';
import * as sync from './sync.js';
import { dataUrl, download, isoNow } from './util.js';

export const FORMAT = 'audit-app-backup';

/** The pending visits of this user as a backup document. */
export async function build(user) {
  const pending = (await sync.entries()).filter((e) => e.status !== 'sent');
  const visits = [];
  for (const entry of pending) {
    const photos = [];
    for (const ref of entry.photos || []) {
      const photo = await store.get('photos', ref.uuid);
      if (photo && photo.blob) {
        photos.push({ uuid: ref.uuid, item_id: ref.itemId, data: await dataUrl(photo.blob) });
      }
    }
    visits.push({
      visit: entry.payload,
      photos,
      status: entry.status,
      location_name: entry.locationName,
      submitted_at: entry.submittedAt,
    });
  }
  return {
    format: FORMAT,
    version: 1,
    exported_at: isoNow(),
    app_version: document.documentElement.dataset.version || '',
    user: { id: user.id, email: user.email, name: user.name },
    visits,
  };
}

/** Download the pending visits; resolves how many visits the file holds. */
export async function exportPending(user) {
  const doc = await build(user);
  const stamp = doc.exported_at.slice(0, 16).replace(/[-:T]/g, '');
  const blob = new Blob([JSON.stringify(doc)], { type: 'application/json' });
  download(blob, `audit-backup-${stamp}.json`);
  return doc.visits.length;
}

/** Send a backup file to the server; resolves the server's report or throws. */
export async function importFile(file) {
  const form = new FormData();
  form.append('file', file, file.name || 'backup.json');
  return api.post('/api/v1/imports', { form, timeout: 300000 });
}
