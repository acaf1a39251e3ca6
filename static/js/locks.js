// One draft, one tab: a draft is edited only while this tab holds its lock.
// Web Locks are released by the browser when the tab closes or crashes; without them a
// lease in localStorage, renewed every few seconds, does the same job.

const LEASE_MS = 10000;
const tab = Math.random().toString(36).slice(2);

/** Resolves a release function, or null when another tab has the draft open. */
export function lockDraft(uuid) {
  const name = `audit-draft-${uuid}`;
  if (navigator.locks) {
    return new Promise((resolve) => {
      navigator.locks
        .request(name, { ifAvailable: true }, (lock) => {
          if (!lock) {
            resolve(null);
            return null;
          }
          return new Promise((release) => resolve(release));
        })
        .catch(() => resolve(null));
    });
  }
  return Promise.resolve(lease(name));
}

function lease(name) {
  const read = () => {
    try {
      return JSON.parse(localStorage.getItem(name) || 'null');
    } catch {
      return null;
    }
  };
  const held = read();
  if (held && held.tab !== tab && held.until > Date.now()) return null;
  const renew = () => localStorage.setItem(name, JSON.stringify({ tab, until: Date.now() + LEASE_MS }));
  renew();
  const timer = setInterval(renew, LEASE_MS / 3);
  const release = () => {
    clearInterval(timer);
    const current = read();
    if (current && current.tab === tab) localStorage.removeItem(name);
    removeEventListener('pagehide', release);
  };
  addEventListener('pagehide', release);
  return release;
}
