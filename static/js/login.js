// Log in. Drafts and the outbox stay on the phone whatever happens here.

import * as api from './api.js';
import { t } from './i18n.js';
import * as store from './store.js';
import { fill, h } from './util.js';

export async function renderLogin(ctx) {
  const last = await store.getKv('me');
  const lastEmail = (last && last.email) || (await store.getKv('lastEmail')) || '';
  const email = h('input', {
    id: 'email',
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    inputmode: 'email',
    required: true,
    'aria-describedby': 'login-error',
  });
  email.value = lastEmail;
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': 'login-error',
  });
  const remember = h('input', { id: 'remember', type: 'checkbox', checked: true });
  const error = h('div', { class: 'error', id: 'login-error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary block' }, t('log_in'));

  async function submit(e) {
    e.preventDefault();
    fill(error);
    if (!email.value.trim() || !password.value) {
      fill(error, h('p', {}, t('login_fill')));
      (email.value.trim() ? password : email).focus();
      return;
    }
    button.disabled = true;
    button.textContent = t('logging_in');
    let r;
    try {
      r = await api.login(email.value.trim(), password.value, remember.checked);
    } catch {
      r = null;
    }
    button.disabled = false;
    button.textContent = t('log_in');
    if (!r) {
      fill(error, h('p', {}, t('login_offline')));
      return;
    }
    if (r.status === 200) {
      if (r.data.role !== 'shopper') {
        fill(error, h('p', {}, t('not_shopper'), ' ', h('a', { href: '/' }, t('staff_pages'))));
        return;
      }
      await store.setKv('lastEmail', r.data.email);
      password.value = '';
      await ctx.loggedIn(r.data);
      return;
    }
    let message = t('login_failed');
    if (r.status === 429) message = t('login_rate');
    else if (r.status !== 401 && r.status !== 422) message = t('login_server', { status: r.status });
    fill(error, h('p', {}, message));
    password.value = '';
    password.focus();
  }

  const reason = ctx.loginReason;
  fill(
    ctx.main,
    h('h1', {}, t('log_in_title')),
    reason && h('p', { class: 'notice warn', role: 'status' }, reason),
    ctx.user && ctx.needLogin && h('p', { class: 'hint' }, t('nothing_lost')),
    h(
      'form',
      { class: 'card', novalidate: true, onsubmit: submit },
      h('div', { class: 'field' }, h('label', { for: 'email' }, t('email')), email),
      h('div', { class: 'field' }, h('label', { for: 'password' }, t('password')), password),
      h('div', { class: 'field' }, h('label', { class: 'check', for: 'remember' }, remember, t('remember'))),
      error,
      button,
    ),
    navigator.onLine ? null : h('p', { class: 'notice' }, t('login_needs_network')),
  );
}
