// The shopper's app: start-up, screens by URL hash, login state, sync and updates.

import * as api from './api.js';
import * as catalogue from './catalogue.js';
import { renderAdhoc, renderHome } from './home.js';
import { lang, setLang, t } from './i18n.js';
import { renderLogin } from './login.js';
import { renderOutbox } from './outbox.js';
import { renderReview } from './review.js';
import * as store from './store.js';
import * as sync from './sync.js';
import { fill, focus, h } from './util.js';
import { renderVisit } from './visit.js';

const $ = (id) => document.getElementById(id);
const main = $('main');

export const ctx = {
  main,
  user: null,
  needLogin: false,
  loginReason: '',
  draftOpen: false,
  update: null,
  reloadWhenFree: false,
  persisted: null,
  cleanups: [],
  /** Run fn when the screen is left. */
  onLeave(fn) {
    this.cleanups.push(fn);
  },
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  rerender: () => route(true),
  showLogin,
  loggedIn,
  refresh,
  notify,
};

// ---- header, language, connection -------------------------------------------------------

function paintChrome() {
  document.documentElement.lang = lang();
  $('lang').value = lang();
  $('lang-label').textContent = t('language');
  document.querySelector('.brand').textContent = t('app_name');
  document.querySelector('.skip').textContent = t('skip');
  $('tab-visits').textContent = t('tab_visits');
  $('tab-outbox').firstChild.textContent = `${t('tab_sync')} `;
  paintNet();
}

function paintNet() {
  const online = navigator.onLine;
  const net = $('net');
  net.textContent = online ? t('online') : t('offline');
  net.className = `net ${online ? 'on' : 'off'}`;
}

async function paintPending() {
  const count = await sync.pendingCount();
  const badge = $('pending');
  badge.hidden = !count;
  badge.textContent = count ? String(count) : '';
  badge.setAttribute('aria-label', t('pending_count', { n: count }));
}

/** A message in the banner under the header; `action` is [label, fn]. */
function notify(message, action, kind = 'info') {
  const banner = $('banner');
  if (!message) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  fill(
    banner,
    h('span', {}, message),
    action && h('button', { type: 'button', class: 'small', onclick: action[1] }, action[0]),
    h(
      'button',
      { type: 'button', class: 'small ghost', 'aria-label': t('dismiss'), onclick: () => notify('') },
      '×',
    ),
  );
  banner.className = `banner ${kind}`;
  banner.hidden = false;
}

$('lang').addEventListener('change', (e) => {
  setLang(e.target.value);
  paintChrome();
  route(true);
});

// ---- screens ----------------------------------------------------------------------------

const ROUTES = [
  [/^#?\/?$/, (m) => renderHome(ctx)],
  [/^#\/new$/, () => renderAdhoc(ctx)],
  [/^#\/outbox$/, () => renderOutbox(ctx)],
  [/^#\/login$/, () => renderLogin(ctx)],
  [/^#\/visit\/([\w-]+)\/review$/, (m) => renderReview(ctx, m[1])],
  [/^#\/visit\/([\w-]+)(?:\/(\d+))?(?:\/([\w-]+))?$/, (m) => renderVisit(ctx, m[1], Number(m[2] || 0), m[3])],
];

let routing = Promise.resolve();

function route(keepFocus = false) {
  routing = routing.then(() => show(keepFocus)).catch((error) => {
    console.error(error);
    fill(main, h('h1', {}, t('error_title')), h('p', { class: 'error' }, String(error.message || error)));
  });
  return routing;
}

async function show(keepFocus) {
  const scrollY = keepFocus ? window.scrollY : 0;
  for (const fn of ctx.cleanups.splice(0)) {
    try {
      await fn();
    } catch (error) {
      console.error(error);
    }
  }
  ctx.draftOpen = false;
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
  const hash = location.hash || '#/';
  const tabs = $('tabs');
  if (!ctx.user || (ctx.needLogin && !/^#\/visit\//.test(hash)) || hash === '#/login') {
    tabs.hidden = true;
    await renderLogin(ctx);
  } else {
    tabs.hidden = false;
    const found = ROUTES.find(([re]) => re.test(hash));
    if (found) await found[1](found[0].exec(hash));
    else ctx.go('#/');
    $('tab-visits').toggleAttribute('aria-current', !/^#\/outbox/.test(hash));
    if ($('tab-visits').hasAttribute('aria-current')) $('tab-visits').setAttribute('aria-current', 'page');
    $('tab-outbox').toggleAttribute('aria-current', /^#\/outbox/.test(hash));
    if ($('tab-outbox').hasAttribute('aria-current')) $('tab-outbox').setAttribute('aria-current', 'page');
  }
  tabs.classList.toggle('with-marks', ctx.draftOpen);
  if (keepFocus) window.scrollTo(0, scrollY);
  else {
    window.scrollTo(0, 0);
    focus(main.querySelector('h1'));
  }
  if (!ctx.draftOpen) {
    if (ctx.reloadWhenFree) location.reload();
    offerUpdate();
  }
  paintPending();
}

// ---- login state ------------------------------------------------------------------------

/** The login has ended (or another account is needed): keep everything, ask to log in. */
function showLogin(reason) {
  ctx.needLogin = true;
  ctx.loginReason = reason || t('login_again');
  if (ctx.draftOpen) {
    notify(ctx.loginReason, [t('log_in'), () => ctx.go('#/login')], 'warn');
  } else {
    route();
  }
}

/** After a successful login (the login screen calls this). */
async function loggedIn(me) {
  const before = await store.getKv('me');
  if (before && before.id !== me.id && 'caches' in self) {
    await caches.delete('audit-data-v1'); // the last account's cached lists
  }
  ctx.user = me;
  ctx.needLogin = false;
  ctx.loginReason = '';
  await store.setKv('me', me);
  sync.setUser(me);
  notify('');
  askPersistence();
  if (location.hash === '#/login') location.hash = '#/';
  await route();
  refresh();
  sync.run({ force: true });
}

async function askPersistence() {
  if (!navigator.storage || !navigator.storage.persist) {
    ctx.persisted = null;
    return;
  }
  try {
    ctx.persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
    await store.setKv('persisted', ctx.persisted);
  } catch {
    ctx.persisted = null;
  }
}

/** Refresh the catalogue from the server when online; re-draw the list screens. */
async function refresh() {
  if (!ctx.user || !navigator.onLine) return false;
  try {
    const fresh = await catalogue.refresh(ctx.user);
    if (!ctx.draftOpen && /^(#\/?|#\/outbox|#\/new)?$/.test(location.hash)) route(true);
    return fresh;
  } catch (error) {
    if (error.status === 401) showLogin(t('login_again'));
    return false;
  }
}

// ---- updates ----------------------------------------------------------------------------

function offerUpdate() {
  const reg = ctx.update;
  if (!reg || !reg.waiting || ctx.draftOpen) return;
  notify(t('update_ready'), [
    t('update_now'),
    () => {
      if (ctx.draftOpen) return;
      reg.waiting.postMessage({ type: 'SKIP_WAITING' });
    },
  ]);
}

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  let controlled = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!controlled) {
      controlled = true; // the first install taking control: nothing to reload
      return;
    }
    if (ctx.draftOpen) ctx.reloadWhenFree = true; // never pull a draft away from the shopper
    else location.reload();
  });
  try {
    const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    const watch = (worker) =>
      worker &&
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) {
          ctx.update = reg;
          offerUpdate();
        }
      });
    if (reg.waiting && navigator.serviceWorker.controller) {
      ctx.update = reg;
      offerUpdate();
    }
    reg.addEventListener('updatefound', () => watch(reg.installing));
    const check = () => reg.update().catch(() => {});
    setInterval(check, 30 * 60000);
    addEventListener('online', check);
  } catch (error) {
    console.warn('service worker not registered', error);
  }
}

// ---- start ------------------------------------------------------------------------------

sync.events.addEventListener('change', () => {
  paintPending();
  if (/^#\/outbox$/.test(location.hash) || (!ctx.draftOpen && /^#?\/?$/.test(location.hash))) {
    route(true);
  }
});
sync.events.addEventListener('login', () => showLogin(t('login_to_send')));
sync.events.addEventListener('sent', (e) =>
  notify(t('sent_ok', { place: e.detail.locationName || '' }), null, 'ok'),
);
sync.events.addEventListener('rejected', (e) =>
  notify(t('rejected_note', { place: e.detail.locationName || '' }), [
    t('open'),
    () => ctx.go(`#/visit/${e.detail.uuid}/review`),
  ], 'warn'),
);

addEventListener('online', () => {
  paintNet();
  refresh();
  sync.run({ force: true });
});
addEventListener('offline', paintNet);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') sync.run();
});
addEventListener('hashchange', () => route());

async function start() {
  paintChrome();
  registerWorker();
  let cached = null;
  try {
    cached = await store.getKv('me');
    ctx.persisted = await store.getKv('persisted');
  } catch (error) {
    fill(main, h('h1', {}, t('error_title')), h('p', { class: 'error' }, t('storage_blocked')));
    return;
  }
  let who = null;
  try {
    who = await api.me();
  } catch (error) {
    if (!(error instanceof api.NetworkError)) throw error;
  }
  if (who && who.status === 200) {
    if (who.data.role !== 'shopper') {
      ctx.user = null;
      ctx.loginReason = t('not_shopper');
    } else {
      if (cached && cached.id !== who.data.id && 'caches' in self) await caches.delete('audit-data-v1');
      ctx.user = who.data;
      await store.setKv('me', who.data);
    }
  } else if (who && who.status === 401) {
    ctx.user = cached; // keep showing their visits; sending waits for a new login
    if (cached) {
      ctx.needLogin = true;
      ctx.loginReason = t('login_again');
    }
  } else {
    ctx.user = cached; // offline (or the server is down): work from what the phone has
  }
  if (ctx.user) sync.setUser(ctx.user);
  await route();
  if (ctx.user && !ctx.needLogin) {
    if (ctx.persisted === null) askPersistence();
    refresh();
    sync.run({ force: true });
  }
}

start();
