// Electron's security checklist, run against the shell's own modules in plain Node (no Electron binary): the window
// settings, the session and navigation guards and the IPC listeners, by behaviour, with stand-ins for Electron's
// objects. That the shell installs them when it starts is checked by behaviour too (shell.test.ts); only the
// preload, which runs in the page's sandbox, is still read as text here.
// Electronegativity scans too (electronegativity.test.ts), but it cannot see sender checks or argument validation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY as SERVER_CSP, contentSecurityPolicy as SERVER_PAGE_CSP } from '@sluice/engine/server/server';
import { appResponseHeaders, resolveAppRequest } from '../app-protocol.js';
import { ENGINE_CHANNELS, RUN_FOLLOW_CHANNEL, RUN_STATUS_CHANNEL, SHELL_CHANNELS } from '../bridge.js';
import { registerIpc, SHELL_INVOKE_CHANNELS, type IpcEventLike, type IpcMainLike, type MainIpcHandlers } from '../shell-ipc.js';
import { APP_ENTRY, CONTENT_SECURITY_POLICY, guardContents, guardSession, withNonceMeta, isAllowedNavigation, isTrustedSender, permissionAllowed, secureWebPreferences, windowOptions, type GuardedContents, type GuardedSession } from '../security.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ELECTRON_DIR = path.resolve(HERE, '..');
const PRELOAD = '/opt/sluice/preload.cjs';

describe('the window', () => {
  it('isolates the page: context isolation, sandbox, no Node, web security on', () => {
    const prefs = secureWebPreferences(PRELOAD);
    expect(prefs).toMatchObject({
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
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(windowOptions(PRELOAD, undefined).webPreferences).toEqual(prefs);
    expect(() => secureWebPreferences('preload.cjs')).toThrow(/absolute path/);
  });

  it('loads the app from its own scheme and trusts only that origin', () => {
    expect(APP_ENTRY).toBe('app://sluice/index.html');
    expect(isTrustedSender(APP_ENTRY)).toBe(true);
    expect(isTrustedSender('app://sluice/assets/x.js')).toBe(true);
    for (const url of ['https://sluice/index.html', 'app://evil/index.html', 'file:///index.html', 'http://127.0.0.1:4500/', 'about:blank', '', 'not a url', 'app://sluice.evil.com/']) {
      expect(isTrustedSender(url), url).toBe(false);
      expect(isAllowedNavigation(url), url).toBe(false);
    }
    expect(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal'].some(permissionAllowed)).toBe(false);
  });

  it('has a strict content security policy on every response', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => { const [name = '', ...values] = d.trim().split(/\s+/); return [name, values]; }));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    for (const values of directives.values()) {
      expect(values).not.toContain("'unsafe-eval'");
      expect(values.some((v) => /^(https?:|\*|ws)/.test(v))).toBe(false);
    }
    expect(directives.get('style-src')).toEqual(["'self'"]);
    // No looser than the policy the browser mode serves the same designer with (and its e2e suite runs under).
    const server = new Map(SERVER_CSP.split(';').map((d) => { const [name = '', ...values] = d.trim().split(/\s+/); return [name, values]; }));
    for (const [name, values] of directives) if (server.has(name)) expect(values, name).toEqual(server.get(name));
    expect(appResponseHeaders('/r/app.js')).toMatchObject({ 'content-security-policy': CONTENT_SECURITY_POLICY, 'content-type': 'text/javascript; charset=utf-8', 'x-content-type-options': 'nosniff' });
    // The page admits the editor's nonce-stamped style elements, as the browser mode's page policy does.
    const parse = (csp: string) => new Map(csp.split(';').map((d) => { const [name = '', ...values] = d.trim().split(/\s+/); return [name, values]; }));
    const page = parse(appResponseHeaders('/r/index.html', 'abc123==')['content-security-policy'] ?? '');
    const serverPage = parse(SERVER_PAGE_CSP('abc123=='));
    for (const [name, values] of page) if (serverPage.has(name)) expect(values, name).toEqual(serverPage.get(name));
    expect(page.get('style-src-elem')).toEqual(["'self'", "'nonce-abc123=='"]);
    expect(page.get('style-src-attr')).toEqual(["'unsafe-inline'"]);
    expect(withNonceMeta('<html><head></head></html>', 'abc123==')).toContain('<meta property="csp-nonce" content="abc123==" />');
    expect(() => appResponseHeaders('/r/index.html', "x' 'unsafe-inline")).toThrow();
  });

  it('serves only files inside the built renderer', () => {
    const dir = '/app/renderer/dist';
    expect(resolveAppRequest(dir, 'app://sluice/')).toBe('/app/renderer/dist/index.html');
    expect(resolveAppRequest(dir, 'app://sluice/assets/index-abc.js')).toBe('/app/renderer/dist/assets/index-abc.js');
    expect(resolveAppRequest(dir, 'app://sluice/assets/a%20b.css?x=1#y')).toBe('/app/renderer/dist/assets/a b.css');
    // The URL parser folds dot segments first, so this one stays inside the folder.
    expect(resolveAppRequest(dir, 'app://sluice/../secret')).toBe('/app/renderer/dist/secret');
    expect(resolveAppRequest(dir, 'app://sluice/%2e%2e/%2e%2e/etc/passwd')).toBe('/app/renderer/dist/etc/passwd');
    for (const url of ['app://sluice/..%2f..%2fetc%2fpasswd', 'app://other/index.html', 'file:///etc/passwd', 'app://sluice/%00', 'app://sluice/%E0%A4%A']) {
      expect(resolveAppRequest(dir, url), url).toBeUndefined();
    }
  });
});

/** The guards the shell installs (shell.test.ts), run against stand-ins for Electron's session and web contents. */
describe('the guards on the session and every web contents', () => {
  function guardedSession() {
    const h: { request?: (wc: unknown, p: string, cb: (ok: boolean) => void) => void; check?: (wc: unknown, p: string) => boolean; urls?: string[]; before?: (d: unknown, cb: (r: { cancel: boolean }) => void) => void } = {};
    const ses: GuardedSession = {
      setPermissionRequestHandler: (f) => void (h.request = f),
      setPermissionCheckHandler: (f) => void (h.check = f),
      webRequest: { onBeforeRequest: (filter, f) => void ((h.urls = filter.urls), (h.before = f)) },
    };
    guardSession(ses);
    return h;
  }

  it('refuses every permission, asked or checked', () => {
    const h = guardedSession();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let granted: boolean | undefined;
      h.request?.({}, permission, (ok) => (granted = ok));
      expect(granted, permission).toBe(false);
      expect(h.check?.({}, permission), permission).toBe(false);
    }
  });

  it('cancels every request to the network (http, https, ws, wss)', () => {
    const h = guardedSession();
    expect(h.urls).toEqual(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']);
    let reply: { cancel: boolean } | undefined;
    h.before?.({ url: 'https://example.com/x.js' }, (r) => (reply = r));
    expect(reply).toEqual({ cancel: true });
  });

  it('keeps navigation and redirects on the app, and refuses webviews and new windows', () => {
    const listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
    let openHandler: (() => { action: 'deny' }) | undefined;
    const contents = {
      on: (event: string, listener: (event: { preventDefault(): void }, url: string) => void) => listeners.set(event, listener),
      setWindowOpenHandler: (f: () => { action: 'deny' }) => void (openHandler = f),
    } as GuardedContents;
    guardContents(contents);
    const prevented = (event: string, url: string) => {
      let stopped = false;
      listeners.get(event)?.({ preventDefault: () => void (stopped = true) }, url);
      return stopped;
    };
    for (const event of ['will-navigate', 'will-redirect']) {
      expect(listeners.has(event), event).toBe(true);
      expect(prevented(event, 'app://sluice/index.html'), event).toBe(false);
      for (const url of ['https://example.com/', 'app://evil/index.html', 'file:///etc/passwd', 'about:blank', 'javascript:alert(1)']) expect(prevented(event, url), `${event} ${url}`).toBe(true);
    }
    expect(prevented('will-attach-webview', 'app://sluice/index.html')).toBe(true);
    expect(openHandler?.()).toEqual({ action: 'deny' });
  });
});

describe('the main process\u2019s IPC listeners (registerIpc)', () => {
  const TRUSTED = { senderFrame: { url: APP_ENTRY } };
  const UNTRUSTED = [{ senderFrame: { url: 'https://evil.example/' } }, { senderFrame: { url: 'app://evil/index.html' } }, { senderFrame: null }];

  function wire() {
    const listeners = new Map<string, { kind: 'handle' | 'on'; listener: (e: IpcEventLike, ...args: unknown[]) => unknown }>();
    const calls: string[] = [];
    const followers: ((status: unknown) => void)[] = [];
    let destroyed = false;
    const ipc: IpcMainLike = {
      handle: (channel, listener) => void listeners.set(channel, { kind: 'handle', listener }),
      on: (channel, listener) => listeners.set(channel, { kind: 'on', listener }),
    };
    const handlers: MainIpcHandlers = {
      isTrustedSender,
      engine: (channel, url) => (calls.push(`engine ${channel} ${url}`), Promise.resolve({ ok: true })),
      shellCalls: (channel, url) => (calls.push(`shell ${channel} ${url}`), Promise.resolve({ ok: true })),
      afterShellCall: () => void calls.push('afterShellCall'),
      setDocumentState: (st) => void calls.push(`setDocumentState ${JSON.stringify(st)}`),
      closeConfirmed: () => void calls.push('closeConfirmed'),
      menuReady: () => void calls.push('menuReady'),
      followRun: (jobId, onStatus) => {
        calls.push(`followRun ${jobId}`);
        followers.push(onStatus);
        return () => void calls.push(`stop ${jobId}`);
      },
    };
    registerIpc(ipc, ENGINE_CHANNELS, handlers);
    const event = (base: { senderFrame: { url: string } | null }): IpcEventLike => ({ ...base, sender: { undo: () => void calls.push('undo'), redo: () => void calls.push('redo'), copy: () => void calls.push('copy'), paste: () => void calls.push('paste'), send: (channel: string, ...args: unknown[]) => void calls.push(`send ${channel} ${JSON.stringify(args)}`), isDestroyed: () => destroyed } });
    return { listeners, calls, event, followers, destroy: () => void (destroyed = true) };
  }

  it('listens on every engine and shell channel, and on nothing else', () => {
    const { listeners } = wire();
    expect([...listeners.keys()].sort()).toEqual([...ENGINE_CHANNELS, ...SHELL_INVOKE_CHANNELS, SHELL_CHANNELS.setDocumentState, SHELL_CHANNELS.closeConfirmed, SHELL_CHANNELS.nativeEdit, SHELL_CHANNELS.menuReady, RUN_FOLLOW_CHANNEL].sort());
  });

  it('hands calls to the dispatchers with the sender\u2019s URL (empty for a destroyed frame), which refuse untrusted ones', async () => {
    const { listeners, calls, event } = wire();
    const engineChannel = ENGINE_CHANNELS[0] as string;
    await listeners.get(engineChannel)?.listener(event({ senderFrame: null }), {});
    await listeners.get(SHELL_CHANNELS.read)?.listener(event(UNTRUSTED[0] as { senderFrame: { url: string } }), 'x');
    expect(calls).toEqual([`engine ${engineChannel} `, `shell ${SHELL_CHANNELS.read} https://evil.example/`, 'afterShellCall']);
  });

  it('acts on a one-way message only from a trusted sender with arguments its schema accepts', () => {
    const { listeners, calls, event } = wire();
    const send = (channel: string, base: { senderFrame: { url: string } | null }, ...args: unknown[]) => listeners.get(channel)?.listener(event(base), ...args);
    const good: [string, unknown[]][] = [
      [SHELL_CHANNELS.setDocumentState, [{ dirty: true, title: 'orders' }]],
      [SHELL_CHANNELS.closeConfirmed, []],
      [SHELL_CHANNELS.nativeEdit, ['paste']],
      [SHELL_CHANNELS.menuReady, []],
    ];
    for (const base of UNTRUSTED) for (const [channel, args] of good) send(channel, base, ...args);
    expect(calls).toEqual([]);
    // Trusted, but malformed: nothing happens either.
    send(SHELL_CHANNELS.setDocumentState, TRUSTED, { dirty: 'yes', title: 'x' });
    send(SHELL_CHANNELS.setDocumentState, TRUSTED, { dirty: true, title: 'x'.repeat(301) });
    send(SHELL_CHANNELS.nativeEdit, TRUSTED, 'executeJavaScript');
    send(SHELL_CHANNELS.closeConfirmed, TRUSTED, 'extra');
    expect(calls).toEqual([]);
    for (const [channel, args] of good) send(channel, TRUSTED, ...args);
    expect(calls).toEqual(['setDocumentState {"dirty":true,"title":"orders"}', 'closeConfirmed', 'paste', 'menuReady']);
  });

  it('follows a run only for a trusted sender and a well-formed job id, sends its statuses back, and stops for a closed window', () => {
    const { listeners, calls, event, followers, destroy } = wire();
    const follow = (base: { senderFrame: { url: string } | null }, ...args: unknown[]) => listeners.get(RUN_FOLLOW_CHANNEL)?.listener(event(base), ...args);
    for (const base of UNTRUSTED) follow(base, 'job-1');
    follow(TRUSTED, 'job 1; rm');
    follow(TRUSTED);
    expect(calls).toEqual([]);
    follow(TRUSTED, 'job-1');
    expect(calls).toEqual(['followRun job-1']);
    followers[0]?.({ state: 'running' });
    expect(calls.at(-1)).toBe(`send ${RUN_STATUS_CHANNEL} ["job-1",{"state":"running"}]`);
    destroy();
    followers[0]?.({ state: 'done' });
    expect(calls.at(-1)).toBe('stop job-1');
  });
});

describe('the preload', () => {
  it('exposes the page nothing but the bridge: no ipcRenderer, no Node', () => {
    const preload = fs.readFileSync(path.join(ELECTRON_DIR, 'preload.ts'), 'utf8');
    expect([...preload.matchAll(/exposeInMainWorld\(/g)]).toHaveLength(1);
    expect(preload).toMatch(/exposeInMainWorld\('sluice', bridge\)/);
    // Listeners get the parsed action, never the IpcRendererEvent (which would hand the page `sender`).
    expect(preload).toMatch(/listener\(action\.data as MenuAction\)/);
    expect(preload).not.toMatch(/from 'node:|require\(/);
  });
});
