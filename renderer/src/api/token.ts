// The access token arrives in the URL fragment (never sent to servers or in Referer headers),
// moves to sessionStorage so a reload keeps working, and leaves the address bar so it is not
// shared by a copy-pasted link or a screenshot.
const KEY = 'sluice.token';

export function takeToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string | undefined {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash) {
    storage.setItem(KEY, fromHash);
    params.delete('token');
    const rest = params.toString();
    window.history.replaceState(null, '', `${loc.pathname}${loc.search}${rest ? `#${rest}` : ''}`);
    return fromHash;
  }
  return storage.getItem(KEY) ?? undefined;
}

export function forgetToken(storage: Storage = window.sessionStorage): void {
  storage.removeItem(KEY);
}
