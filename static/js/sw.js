// The service worker of the shopper's app, served at /sw.js (scope: the whole site).
//
// - The app shell (page, CSS, JS, icons, manifest) is cached per version; the version is a
//   hash of the shell files that the server writes into the next line when serving this file.
// - GET requests for the shopper's assignments, locations and checklists go to the network
//   first and fall back to the last answer cached here (marked X-SW-Cache: hit).
// - A new version installs and then waits: the page activates it only when no draft is
//   open, so an update never takes a visit away from the shopper. Old caches go on activate.
// - Everything else (writes, photos, other pages) is left to the network untouched.

const BUILD = { version: 'dev', shell: [] };

const SHELL_CACHE = `audit-shell-${BUILD.version}`;
const DATA_CACHE = 'audit-data-v1';
const DATA = [/^\/api\/v1\/assignments(\?|$)/, /^\/api\/v1\/locations(\?|$)/, /^\/api\/v1\/checklists(\/|\?|$)/];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(BUILD.shell.map((url) => new Request(url, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('audit-shell-') && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'SKIP_WAITING') self.skipWaiting();
  if (type === 'VERSION' && event.ports[0]) event.ports[0].postMessage(BUILD.version);
});

async function fromShell(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(request);
    if (!hit) throw error;
    const headers = new Headers(hit.headers);
    headers.set('X-SW-Cache', 'hit');
    return new Response(await hit.blob(), { status: hit.status, statusText: hit.statusText, headers });
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (url.pathname === '/app' || url.pathname === '/app/') {
      event.respondWith(fromShell(new Request('/app')));
    }
    return;
  }
  if (BUILD.shell.includes(url.pathname)) {
    event.respondWith(fromShell(request));
    return;
  }
  if (DATA.some((re) => re.test(url.pathname + url.search))) {
    event.respondWith(networkFirst(request));
  }
});
