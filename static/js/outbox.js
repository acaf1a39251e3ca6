// The sync journal: what waits to be sent, what was sent, what failed and why; backups,
// storage protection, the account.

import * as api from './api.js';
import * as backup from './backup.js';
import { fmtDateTime, fmtTime, t } from './i18n.js';
import * as store from './store.js';
import * as sync from './sync.js';
import { fill, h } from './util.js';

const STATUS = {
  pending: 'st_pending',
  sending: 'st_sending',
  retry: 'st_retry',
  login: 'st_login',
  rejected: 'st_rejected',
  conflict: 'st_conflict',
  sent: 'st_sent',
};

function describe(entry) {
  switch (entry.status) {
    case 'retry':
      return t('retry_detail', {
        error: entry.error || '',
        time: fmtTime(new Date(entry.nextAt).toISOString(), true),
        n: entry.attempts,
      });
    case 'pending':
      return t('pending_detail');
    case 'sending':
      return t('sending_detail');
    case 'login':
      return t('login_detail');
    case 'rejected':
      return t('rejected_detail');
    case 'conflict':
      return t('conflict_detail', { error: entry.error || '' });
    case 'sent':
      return t('sent_detail', {
        id: entry.visitId,
        score: entry.score === null || entry.score === undefined ? '—' : `${entry.score}%`,
      });
    default:
      return '';
  }
}

function entryCard(entry) {
  const photos = (entry.photos || []).length;
  return h(
    'li',
    { class: `card entry ${entry.status}`, 'data-uuid': entry.uuid, 'data-status': entry.status },
    h('h3', {}, entry.locationName || entry.uuid.slice(0, 8)),
    h(
      'p',
      { class: 'muted' },
      t('started_at', { time: fmtDateTime(entry.startedAt || entry.payload.started_at) }),
      photos ? ` · ${t('photos_n', { n: photos })}` : '',
    ),
    h('p', {}, h('span', { class: `badge ${entry.status}` }, t(STATUS[entry.status] || entry.status)), ' ', describe(entry)),
    entry.status === 'rejected' &&
      h('p', {}, h('a', { class: 'button primary', href: `#/visit/${entry.uuid}/review` }, t('fix_visit'))),
    entry.log &&
      entry.log.length > 0 &&
      h(
        'details',
        { class: 'log' },
        h('summary', {}, t('journal')),
        h('ol', {}, entry.log.map((line) => h('li', {}, h('time', {}, fmtTime(line.at, true)), ` ${line.message}`))),
      ),
  );
}

export async function renderOutbox(ctx) {
  const list = await sync.entries();
  const waiting = list.filter((e) => sync.OPEN.includes(e.status));
  const problems = list.filter((e) => e.status === 'rejected' || e.status === 'conflict');
  const exportable = list.filter((e) => e.status !== 'sent');
  const online = navigator.onLine;

  const syncNow = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      disabled: !waiting.length || !online,
      onclick: async () => {
        syncNow.disabled = true;
        await sync.run({ force: true });
        syncNow.disabled = false;
      },
    },
    t('sync_now'),
  );

  const exportButton = h(
    'button',
    {
      type: 'button',
      class: 'secondary block',
      disabled: !exportable.length,
      onclick: async () => {
        const n = await backup.exportPending(ctx.user);
        ctx.lastExport = t('exported', { n });
        exportStatus.textContent = ctx.lastExport;
      },
    },
    t('export_pending', { n: exportable.length }),
  );
  const exportStatus = h('p', { class: 'hint', 'aria-live': 'polite' }, ctx.lastExport || '');

  const importResults = h('div', { 'aria-live': 'polite' });
  // kept on ctx: the journal re-draws whenever the outbox changes
  const showImport = (nodes) => {
    ctx.lastImport = nodes;
    fill(importResults, nodes);
  };
  if (ctx.lastImport) fill(importResults, ctx.lastImport);
  const importInput = h('input', {
    type: 'file',
    id: 'import-file',
    accept: 'application/json,.json',
    onchange: async () => {
      const file = importInput.files[0];
      if (!file) return;
      showImport([h('p', {}, t('importing'))]);
      let r;
      try {
        r = await backup.importFile(file);
      } catch (error) {
        showImport([h('p', { class: 'error' }, t('import_offline'))]);
        return;
      }
      importInput.value = '';
      if (r.status === 401) {
        ctx.showLogin(t('login_again'));
        return;
      }
      if (!r.ok) {
        const fields = (r.data && r.data.errors && r.data.errors.json) || {};
        showImport([
          h('p', { class: 'error', role: 'alert' }, api.messageOf(r)),
          Object.entries(fields).map(([k, v]) => h('p', { class: 'error' }, `${k}: ${[].concat(v).join('; ')}`)),
        ]);
        return;
      }
      showImport([
        h('p', { role: 'status' }, t('import_done', r.data.counts)),
        h(
          'ul',
          { class: 'import-results' },
          r.data.results.map((x) =>
            h(
              'li',
              { 'data-status': x.status },
              h('span', { class: `badge ${x.status}` }, t(`imp_${x.status}`)),
              ` ${x.message}`,
              Object.entries(x.errors || {}).map(([k, v]) => h('span', { class: 'why' }, `${k}: ${v.join('; ')}`)),
            ),
          ),
        ),
      ]);
      ctx.refresh();
    },
  });

  let storageLine = t('storage_unknown');
  if (ctx.persisted === true) storageLine = t('storage_persisted');
  else if (ctx.persisted === false) storageLine = t('storage_not_persisted');
  let usage = '';
  if (navigator.storage && navigator.storage.estimate) {
    try {
      const e = await navigator.storage.estimate();
      usage = t('storage_usage', { used: Math.ceil((e.usage || 0) / 1048576), quota: Math.floor((e.quota || 0) / 1048576) });
    } catch {
      usage = '';
    }
  }
  const askAgain =
    ctx.persisted !== true && navigator.storage && navigator.storage.persist
      ? h(
          'button',
          {
            type: 'button',
            class: 'small secondary',
            onclick: async () => {
              ctx.persisted = await navigator.storage.persist();
              await store.setKv('persisted', ctx.persisted);
              ctx.rerender();
            },
          },
          t('storage_ask'),
        )
      : null;

  const logout = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        if (waiting.length && !window.confirm(t('logout_pending', { n: waiting.length }))) return;
        try {
          await api.logout();
        } catch {
          // offline: the server session ends at its own time; this phone forgets it now
        }
        if ('caches' in self) await caches.delete('audit-data-v1');
        await store.setKv('me', null);
        ctx.user = null;
        ctx.go('#/');
      },
    },
    t('log_out'),
  );

  fill(
    ctx.main,
    h('h1', {}, t('sync_title')),
    h(
      'p',
      { class: 'status-line', role: 'status' },
      waiting.length ? t('waiting_to_send', { n: waiting.length }) : t('nothing_waiting'),
      online ? '' : ` · ${t('offline_wait')}`,
    ),
    problems.length ? h('p', { class: 'notice warn' }, t('problems_n', { n: problems.length })) : null,
    h('p', { class: 'row' }, syncNow),
    list.length ? h('ul', { class: 'cards journal' }, list.map(entryCard)) : h('p', { class: 'empty' }, t('journal_empty')),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'backup-title' },
      h('h2', { id: 'backup-title' }, t('backup')),
      h('p', { class: 'hint' }, t('backup_help')),
      exportButton,
      exportStatus,
      h('div', { class: 'field' }, h('label', { for: 'import-file' }, t('import_file')), importInput),
      importResults,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'storage-title' },
      h('h2', { id: 'storage-title' }, t('storage')),
      h('p', { id: 'storage-state' }, storageLine),
      usage && h('p', { class: 'hint' }, usage),
      askAgain,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'account-title' },
      h('h2', { id: 'account-title' }, t('account')),
      h('p', {}, `${ctx.user.name} · ${ctx.user.email}`),
      logout,
      h('p', { class: 'hint' }, t('app_version', { v: document.documentElement.dataset.version || '' })),
    ),
  );
}
