// The security settings of the window, as plain data so a Node test can check them without Electron.
// Follows Electron's security checklist: https://www.electronjs.org/docs/latest/tutorial/security
import * as path from 'node:path';

/** The renderer is served from this privileged custom scheme, never from http(s) or file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'sluice';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * Everything the page loads comes from the app itself: no inline script or style, no eval. The same policy as
 * the browser mode's server (engine/src/server/server.ts), which the browser e2e suite runs the designer under;
 * React sets styles through the CSSOM, which style-src does not restrict.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "worker-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The HTML page's policy: the base one plus what the Monaco editor needs, exactly as the browser mode serves it
 * (see contentSecurityPolicy in engine/src/server/server.ts for why): <style> elements carrying this load's
 * nonce, and style attributes (Monaco positions its lines with them; an attribute runs no script).
 */
export function pageContentSecurityPolicy(nonce: string): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(nonce)) throw new Error('a CSP nonce is base64');
  return `${CONTENT_SECURITY_POLICY}; style-src-elem 'self' 'nonce-${nonce}'; style-src-attr 'unsafe-inline'`;
}

/** Puts the page's style nonce where the renderer looks for it (`<meta property="csp-nonce">`). */
export function withNonceMeta(html: string, nonce: string): string {
  const meta = `<meta property="csp-nonce" content="${nonce}" />`;
  return html.includes('<head>') ? html.replace('<head>', `<head>\n    ${meta}`) : `${meta}${html}`;
}

/** Only the app's own pages may talk to the engine or the shell. */
export function isTrustedSender(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Navigation stays on the app's own pages; links elsewhere open nothing. */
export function isAllowedNavigation(url: string): boolean {
  return isTrustedSender(url);
}

export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  safeDialogs: true;
}

/** The one place the window's web preferences are decided; the shell (shell.ts) passes this to BrowserWindow unchanged. */
export function secureWebPreferences(preloadPath: string): SecureWebPreferences {
  if (!path.isAbsolute(preloadPath)) throw new Error(`the preload script must be an absolute path, got ${preloadPath}`);
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export function windowOptions(preloadPath: string, iconPath: string | undefined) {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Sluice',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** The renderer asks for no device or browser permission; every request is refused. */
export function permissionAllowed(_permission: string): boolean {
  return false;
}

/** What the guards need of Electron's `Session` (structural, so tests drive the real guards with a stand-in). */
export interface GuardedSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  webRequest: { onBeforeRequest(filter: { urls: string[] }, listener: (details: unknown, callback: (response: { cancel: boolean }) => void) => void): void };
}

/** What the guards need of a `WebContents`. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
}

/** Remote URLs the page may never load: the designer has no business on the network. */
export const BLOCKED_REQUESTS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'];

/** Refuses every permission and every network request of the page's session. */
export function guardSession(ses: GuardedSession): void {
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionAllowed(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));
  ses.webRequest.onBeforeRequest({ urls: BLOCKED_REQUESTS }, (_details, callback) => callback({ cancel: true }));
}

/** Every web contents stays on the app: no navigation or redirect elsewhere, no webview, no new window. */
export function guardContents(contents: GuardedContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
