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
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

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

/** The one place the window's web preferences are decided; main.ts passes this to BrowserWindow unchanged. */
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
