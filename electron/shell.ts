// The desktop shell: one window on the built designer (served from app://), the engine in its own process
// behind the checked IPC dispatcher, native menus and file dialogs, one instance per user. main.ts hands this
// Electron's modules; tests hand it stand-ins (electron/test/shell.test.ts), so what the shell does (the window's
// options, the guards, the single-instance lock, the IPC it listens on) is checked by behaviour without a binary.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Electron from 'electron';
import { createIpcDispatcher } from '@sluice/format/api/ipc';
import { appResponseHeaders, resolveAppRequest } from './app-protocol.js';
import { ENGINE_CHANNELS, MENU_CHANNEL, type MenuAction } from './bridge.js';
import { createRemoteEngine, type HostMessage, type HostRequest } from './engine-link.js';
import { FileAccess } from './file-access.js';
import { pipelineFileFromArgv } from './launch-args.js';
import { buildMenuTemplate } from './menu.js';
import { copySamplesOnce } from './samples.js';
import { APP_ENTRY, APP_SCHEME, guardContents, guardSession, isTrustedSender, windowOptions, withNonceMeta } from './security.js';
import { createShellDispatcher, registerIpc } from './shell-ipc.js';

/** Electron's modules the shell uses (main.ts passes the real ones). */
export type ShellElectron = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'dialog' | 'ipcMain' | 'Menu' | 'protocol' | 'session' | 'shell' | 'utilityProcess'>;

/** Where the shell finds what it loads at run time. */
export interface ShellPaths {
  /** The app's root: the repository in development, app.asar when packaged. */
  root: string;
  rendererDir: string;
  preload: string;
  engineHost: string;
  icon: string;
  /** Opened by Help › Documentation in the user's viewer, which cannot read inside app.asar: it is unpacked. */
  docs: string;
  samples: string;
}

/** The paths of a shell built into `here` (dist/electron, two levels below the app's root). */
export function shellPaths(here: string): ShellPaths {
  const root = path.resolve(here, '..', '..');
  return {
    root,
    rendererDir: path.join(root, 'renderer', 'dist'),
    preload: path.join(here, 'preload.cjs'),
    engineHost: path.join(here, 'engine-host.js'),
    icon: path.join(root, 'build', 'icon.png'),
    docs: path.join(root.replace(/app\.asar$/, 'app.asar.unpacked'), 'README.md'),
    samples: path.join(root, 'samples'),
  };
}

export function startShell(electron: ShellElectron, paths: ShellPaths): void {
  const { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess } = electron;
  const RENDERER_DIR = paths.rendererDir;
  const PRELOAD = paths.preload;
  const ENGINE_HOST = paths.engineHost;
  const ICON = paths.icon;
  const DOCS = paths.docs;
  const PIPELINE_FILTERS = [
    { name: 'Sluice pipelines', extensions: ['sluice', 'json'] },
    { name: 'All files', extensions: ['*'] },
  ];

  // standard + secure: a real origin (storage, relative URLs, a secure context); corsEnabled: Vite's module script
  // carries `crossorigin`. Nothing else answers on this scheme, and responses carry no CORS allowance for others.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);

  let win: Electron.BrowserWindow | undefined;
  let dirty = false;
  let closeConfirmed = false;
  let quitting = false;
  /** Set once files, IPC and the window exist; files the OS hands over before that wait in `early`. */
  let ready = false;
  /** Menu actions waiting for the page to listen (a file passed on the command line arrives before the page). */
  let pageListening = false;
  const queued: MenuAction[] = [];

  function log(err: unknown): void {
    process.stderr.write(`[sluice] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }

  // ── The engine, in its own process ──────────────────────────────────────────────────────────────────────────
  let engineProc: Electron.UtilityProcess | undefined;
  /** Folders the user opened files in; replayed to a restarted engine process. */
  const allowedDirs = new Set<string>();

  function startEngine(): Electron.UtilityProcess {
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    if (app.isPackaged) env.SLUICE_SAMPLES_DIR = copySamplesOnce(paths.samples, path.join(app.getPath('userData'), 'samples'));
    const child = utilityProcess.fork(ENGINE_HOST, [], { serviceName: 'Sluice engine', stdio: 'inherit', env });
    child.on('message', (message: HostMessage) => remote.receive(message));
    child.on('exit', (code) => {
      if (engineProc === child) engineProc = undefined;
      // A crash (DuckDB can take its process down on crafted input) fails the calls in flight; the next call starts a new engine.
      remote.failPending(`the engine process stopped unexpectedly (exit code ${code}); try again`);
    });
    for (const dir of allowedDirs) child.postMessage({ kind: 'allow', dir } satisfies HostRequest);
    return child;
  }

  const remote = createRemoteEngine((req) => {
    if (quitting) throw new Error('the app is closing');
    engineProc ??= startEngine();
    engineProc.postMessage(req);
  });

  function allow(file: string): void {
    const dir = path.dirname(file);
    if (allowedDirs.has(dir)) return;
    allowedDirs.add(dir);
    if (engineProc) remote.allowWorkspace(dir);
  }

  // ── Files and menus ─────────────────────────────────────────────────────────────────────────────────────────
  let files: FileAccess;

  function send(action: MenuAction): void {
    if (!win || !pageListening) {
      queued.push(action);
      return;
    }
    win.webContents.send(MENU_CHANNEL, action);
  }

  async function refreshMenu(): Promise<void> {
    const recent = await files.recent();
    const template = buildMenuTemplate({
      isMac: process.platform === 'darwin',
      isDev: !app.isPackaged,
      recent,
      send,
      openDocs: () => void shell.openPath(DOCS),
      showAbout: () =>
        void dialog.showMessageBox({ type: 'info', title: 'About Sluice', message: `Sluice ${app.getVersion()}`, detail: 'Design data pipelines visually and run them reliably. A pipeline never loses a record.' }),
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  function openFromOs(file: string): void {
    const ref = files.grant(file);
    send({ type: 'open-file', path: ref.path });
    void refreshMenu();
    if (win?.isMinimized()) win.restore();
    win?.focus();
  }

  function wireIpc(): void {
    registerIpc(ipcMain, ENGINE_CHANNELS, {
      isTrustedSender,
      engine: createIpcDispatcher(remote.api, { isTrustedSender, logInternal: log }),
      shellCalls: createShellDispatcher(files, { isTrustedSender, logInternal: log }),
      afterShellCall: () => void refreshMenu(), // the recent list may have changed
      // The engine's one push path here: a followed run's statuses go to the window that asked, until the run ends.
      followRun: (jobId, onStatus) => remote.followRun(jobId, onStatus),
      setDocumentState: (state) => {
        if (!win) return;
        dirty = state.dirty;
        win.setTitle(state.title ? `${state.title}${dirty ? ' •' : ''} — Sluice` : 'Sluice');
        win.setDocumentEdited(dirty);
      },
      closeConfirmed: () => {
        if (!win) return;
        closeConfirmed = true;
        win.close();
      },
      menuReady: () => {
        if (!win) return;
        pageListening = true;
        for (const action of queued.splice(0)) win.webContents.send(MENU_CHANNEL, action);
      },
    });
  }

  // ── Hardening that applies to every web contents ────────────────────────────────────────────────────────────
  function harden(): void {
    guardSession(session.defaultSession);
    app.on('web-contents-created', (_e, contents) => guardContents(contents));

    protocol.handle(APP_SCHEME, async (request) => {
      const file = resolveAppRequest(RENDERER_DIR, request.url);
      if (!file) return new Response('not found', { status: 404 });
      try {
        if (file.endsWith('.html')) {
          // A fresh nonce per page load, for the editor's style elements (see pageContentSecurityPolicy).
          const nonce = crypto.randomBytes(18).toString('base64');
          return new Response(withNonceMeta(await fs.promises.readFile(file, 'utf8'), nonce), { headers: appResponseHeaders(file, nonce) });
        }
        return new Response(await fs.promises.readFile(file), { headers: appResponseHeaders(file) });
      } catch {
        return new Response('not found', { status: 404 });
      }
    });
  }

  // ── The window ──────────────────────────────────────────────────────────────────────────────────────────────
  function createWindow(): void {
    if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      dialog.showErrorBox('Sluice is not built', `The designer is missing at ${RENDERER_DIR}. Run: npm run build`);
      app.exit(1);
      return;
    }
    win = new BrowserWindow(windowOptions(PRELOAD, fs.existsSync(ICON) ? ICON : undefined));
    win.once('ready-to-show', () => win?.show());
    // The title follows the document (setDocumentState), not the page's <title>.
    win.on('page-title-updated', (event) => event.preventDefault());
    win.webContents.on('did-start-loading', () => {
      pageListening = false;
    });
    win.on('close', (event) => {
      if (closeConfirmed || !dirty || !win) return;
      const choice = dialog.showMessageBoxSync(win, {
        type: 'warning',
        buttons: ['Save', 'Don’t Save', 'Cancel'],
        defaultId: 0,
        cancelId: 2,
        message: 'Save the changes to this pipeline before closing?',
        detail: 'Your changes are lost if you don’t save them.',
      });
      if (choice === 1) return; // close without saving
      event.preventDefault();
      quitting = false;
      if (choice === 0) send({ type: 'save-and-close' });
    });
    win.on('closed', () => {
      win = undefined;
    });
    void win.loadURL(APP_ENTRY);
  }

  // ── Start ───────────────────────────────────────────────────────────────────────────────────────────────────
  if (!app.requestSingleInstanceLock()) {
    // Another Sluice is open: it receives our command line (second-instance) and opens the file there.
    app.quit();
  } else {
    // macOS hands files over by event, possibly before the app is ready.
    const early: string[] = [];
    const openWhenReady = (file: string) => {
      if (ready) openFromOs(file);
      else early.push(file);
    };
    app.on('open-file', (event, file) => {
      event.preventDefault();
      openWhenReady(file);
    });
    app.on('second-instance', (_e, argv, cwd) => {
      const file = pipelineFileFromArgv(argv, cwd);
      if (file) openWhenReady(file);
      else if (win) {
        if (win.isMinimized()) win.restore();
        win.focus();
      }
    });
    app.on('before-quit', () => {
      quitting = true;
    });
    app.on('window-all-closed', () => app.quit());
    app.on('will-quit', () => engineProc?.kill());

    void app.whenReady().then(async () => {
      files = new FileAccess({
        recentFile: path.join(app.getPath('userData'), 'recent-files.json'),
        onGrant: allow,
        dialogs: {
          async chooseOpen() {
            const r = win ? await dialog.showOpenDialog(win, { properties: ['openFile'], filters: PIPELINE_FILTERS }) : undefined;
            return r && !r.canceled ? r.filePaths[0] : undefined;
          },
          async chooseSave(suggestedName) {
            const r = win ? await dialog.showSaveDialog(win, { defaultPath: suggestedName, filters: PIPELINE_FILTERS }) : undefined;
            return r && !r.canceled ? r.filePath : undefined;
          },
        },
      });
      harden();
      wireIpc();
      await refreshMenu();
      createWindow();
      ready = true;
      const launchFile = pipelineFileFromArgv(process.argv, process.cwd());
      for (const file of [...early, ...(launchFile ? [launchFile] : [])]) openFromOs(file);
    });
  }
}
