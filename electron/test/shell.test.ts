// The shell's start-up by behaviour, in plain Node: startShell (what main.ts runs) is handed stand-ins for Electron's
// modules, and the test watches what it does with them: the single-instance lock, the one window and its options,
// the page it loads, the guards on the session and on every web contents, the IPC it listens on.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_CHANNELS, RUN_FOLLOW_CHANNEL, SHELL_CHANNELS } from '../bridge.js';
import { APP_ENTRY, windowOptions, type GuardedContents } from '../security.js';
import { SHELL_INVOKE_CHANNELS } from '../shell-ipc.js';
import { shellPaths, startShell, type ShellElectron, type ShellPaths } from '../shell.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

type Listener = (...args: unknown[]) => unknown;

/** Stand-ins for the Electron modules startShell uses, recording what it asks of them. */
function fakeElectron(o: { lock: boolean; userData: string }) {
  const log: string[] = [];
  const appListeners = new Map<string, Listener>();
  const windows: { options: unknown; loaded: string[] }[] = [];
  const ipc = new Map<string, 'handle' | 'on'>();
  const session = { request: undefined as Listener | undefined, check: undefined as Listener | undefined, blocked: [] as string[] };
  let whenReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (whenReady = resolve));
  class FakeWindow {
    readonly webContents = { on: () => undefined, send: () => undefined };
    private readonly record: { options: unknown; loaded: string[] };
    constructor(options: unknown) {
      this.record = { options, loaded: [] };
      windows.push(this.record);
    }
    once() {}
    on() {}
    loadURL(url: string) {
      this.record.loaded.push(url);
      return Promise.resolve();
    }
  }
  const electron = {
    app: {
      isPackaged: false,
      requestSingleInstanceLock: () => (log.push('lock'), o.lock),
      quit: () => void log.push('quit'),
      exit: (code: number) => void log.push(`exit ${code}`),
      on: (event: string, listener: Listener) => void appListeners.set(event, listener),
      whenReady: () => ready,
      getPath: () => o.userData,
      getVersion: () => '0.0.0',
    },
    BrowserWindow: FakeWindow,
    dialog: { showErrorBox: (title: string) => void log.push(`error box: ${title}`) },
    ipcMain: { handle: (channel: string) => void ipc.set(channel, 'handle'), on: (channel: string) => void ipc.set(channel, 'on') },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => void log.push('menu') },
    protocol: { registerSchemesAsPrivileged: () => void log.push('scheme'), handle: (scheme: string) => void log.push(`protocol ${scheme}`) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (f: Listener) => void (session.request = f),
        setPermissionCheckHandler: (f: Listener) => void (session.check = f),
        webRequest: { onBeforeRequest: (filter: { urls: string[] }) => void session.blocked.push(...filter.urls) },
      },
    },
    shell: { openPath: () => Promise.resolve('') },
    utilityProcess: { fork: () => { throw new Error('the engine process is started on the first call, not at start-up'); } },
  };
  return { electron: electron as unknown as ShellElectron, log, appListeners, windows, ipc, session, ready: whenReady };
}

function builtApp(o: { rendererBuilt: boolean }): ShellPaths {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-shell-'));
  dirs.push(root);
  const paths = shellPaths(path.join(root, 'dist', 'electron'));
  if (o.rendererBuilt) {
    fs.mkdirSync(paths.rendererDir, { recursive: true });
    fs.writeFileSync(path.join(paths.rendererDir, 'index.html'), '<html></html>');
  }
  return paths;
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('the shell starting (startShell, as main.ts runs it)', () => {
  it('finds what it loads next to the built main, and the docs outside app.asar', () => {
    const p = shellPaths('/opt/Sluice/resources/app.asar/dist/electron');
    expect(p).toEqual({
      root: '/opt/Sluice/resources/app.asar',
      rendererDir: '/opt/Sluice/resources/app.asar/renderer/dist',
      preload: '/opt/Sluice/resources/app.asar/dist/electron/preload.cjs',
      engineHost: '/opt/Sluice/resources/app.asar/dist/electron/engine-host.js',
      icon: '/opt/Sluice/resources/app.asar/build/icon.png',
      docs: '/opt/Sluice/resources/app.asar.unpacked/README.md',
      samples: '/opt/Sluice/resources/app.asar/samples',
    });
  });

  it('a second instance hands over to the first and quits: no window, no listeners, no engine', async () => {
    const paths = builtApp({ rendererBuilt: true });
    const f = fakeElectron({ lock: false, userData: path.join(paths.root, 'user') });
    startShell(f.electron, paths);
    f.ready();
    await settle();
    expect(f.log).toEqual(['scheme', 'lock', 'quit']);
    expect(f.windows).toEqual([]);
    expect(f.ipc.size).toBe(0);
    expect([...f.appListeners.keys()]).toEqual([]);
  });

  it('the first instance opens one window with the checked options and loads only the app, after guarding the session and every web contents', async () => {
    const paths = builtApp({ rendererBuilt: true });
    const f = fakeElectron({ lock: true, userData: path.join(paths.root, 'user') });
    startShell(f.electron, paths);
    // Nothing is created before the app is ready.
    expect(f.windows).toEqual([]);
    f.ready();
    await settle();
    expect(f.windows).toEqual([{ options: windowOptions(paths.preload, undefined), loaded: [APP_ENTRY] }]);
    expect(path.isAbsolute(paths.preload)).toBe(true);
    expect(f.log).toEqual(['scheme', 'lock', 'protocol app', 'menu']);

    // The default session refuses every permission and every request to the network.
    let granted: boolean | undefined;
    f.session.request?.({}, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    expect(f.session.check?.({}, 'geolocation')).toBe(false);
    expect(f.session.blocked).toEqual(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']);

    // Every web contents created later (a window, a devtools page) gets the navigation guards.
    const contentsListeners = new Map<string, Listener>();
    let openHandler: Listener | undefined;
    const contents = { on: (event: string, l: Listener) => contentsListeners.set(event, l), setWindowOpenHandler: (h: Listener) => void (openHandler = h) } as unknown as GuardedContents;
    f.appListeners.get('web-contents-created')?.({}, contents);
    let stopped = false;
    contentsListeners.get('will-navigate')?.({ preventDefault: () => void (stopped = true) }, 'https://example.com/');
    expect(stopped).toBe(true);
    expect(openHandler?.()).toEqual({ action: 'deny' });

    // It listens on the engine's and the shell's channels (registerIpc, tested in security.test.ts) and no others.
    expect(Object.fromEntries(f.ipc)).toEqual(
      Object.fromEntries([
        ...ENGINE_CHANNELS.map((c) => [c, 'handle']),
        ...SHELL_INVOKE_CHANNELS.map((c) => [c, 'handle']),
        ...[RUN_FOLLOW_CHANNEL, SHELL_CHANNELS.setDocumentState, SHELL_CHANNELS.closeConfirmed, SHELL_CHANNELS.nativeEdit, SHELL_CHANNELS.menuReady].map((c) => [c, 'on']),
      ]),
    );
  });

  it('without a built designer it says so and exits instead of opening an empty window', async () => {
    const paths = builtApp({ rendererBuilt: false });
    const f = fakeElectron({ lock: true, userData: path.join(paths.root, 'user') });
    startShell(f.electron, paths);
    f.ready();
    await settle();
    expect(f.windows).toEqual([]);
    expect(f.log).toContain('error box: Sluice is not built');
    expect(f.log).toContain('exit 1');
  });
});
