// The server's JSON API: session cookie plus the CSRF token on every write.

let csrf = null;

/** The request never reached the server (offline, server down, timeout). */
export class NetworkError extends Error {}

export const setCsrf = (token) => {
  csrf = token || null;
};

/** Call the API; resolves {status, ok, data, cached} or throws NetworkError. */
export async function call(method, path, { json, form, timeout = 30000 } = {}) {
  const headers = { Accept: 'application/json' };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  if (method !== 'GET' && csrf) headers['X-CSRFToken'] = csrf;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
  } catch (error) {
    throw new NetworkError(error.name === 'AbortError' ? 'timeout' : error.message);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  if ((response.headers.get('Content-Type') || '').includes('json')) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  return {
    status: response.status,
    ok: response.ok,
    data,
    // the service worker answered from its cache because the network failed
    cached: response.headers.get('X-SW-Cache') === 'hit',
  };
}

/** Who is logged in (and a fresh CSRF token); {status, data}. */
export async function me() {
  const r = await call('GET', '/api/v1/auth/me');
  if (r.status === 200 && r.data) setCsrf(r.data.csrf_token);
  return r;
}

/** A CSRF check failed: the session behind the token changed. */
export const isCsrfError = (r) =>
  r.status === 400 && /csrf/i.test((r.data && r.data.message) || '');

/** POST with the CSRF token, fetching a new token once if the check fails. */
export async function post(path, options) {
  let r = await call('POST', path, options);
  if (isCsrfError(r)) {
    const who = await me();
    if (who.status !== 200) return who; // logged out: the caller handles 401
    r = await call('POST', path, options);
  }
  return r;
}

export async function login(email, password, remember) {
  if (!csrf) {
    const r = await call('GET', '/api/v1/auth/csrf');
    if (r.ok) setCsrf(r.data.csrf_token);
  }
  let r = await call('POST', '/api/v1/auth/login', { json: { email, password, remember } });
  if (isCsrfError(r)) {
    const fresh = await call('GET', '/api/v1/auth/csrf');
    if (fresh.ok) setCsrf(fresh.data.csrf_token);
    r = await call('POST', '/api/v1/auth/login', { json: { email, password, remember } });
  }
  if (r.ok) setCsrf(r.data.csrf_token); // the token changes at login
  return r;
}

export async function logout() {
  const r = await post('/api/v1/auth/logout');
  setCsrf(null);
  return r;
}

/** The server's message for a failed call, if it gave one. */
export function messageOf(r) {
  return (r && r.data && r.data.message) || `HTTP ${r ? r.status : '?'}`;
}
