// The application menu as data. Items the designer carries out are sent to the window as menu actions; zoom,
// developer tools, docs and about are the shell's own. Pure (type-only Electron import), tested in Node.
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from './bridge.js';
import type { FileRef } from './file-access.js';

export const DOCS_URL = 'https://github.com/sluice-app/sluice#readme';

export interface MenuContext {
  isMac: boolean;
  /** Developer tools only in development (unpackaged) builds. */
  isDev: boolean;
  recent: FileRef[];
  send(action: MenuAction): void;
  openDocs(): void;
  showAbout(): void;
}

/**
 * Shortcuts the page handles itself (useShortcuts: Ctrl+S, Ctrl+O, Ctrl+Enter, undo/redo, copy/paste in text
 * fields and on the canvas) are shown in the menu but not registered, so a key press is handled once, by the page.
 */
function shown(accelerator: string): Pick<MenuItemConstructorOptions, 'accelerator' | 'registerAccelerator'> {
  return { accelerator, registerAccelerator: false };
}

export function buildMenuTemplate(ctx: MenuContext): MenuItemConstructorOptions[] {
  const send = (action: MenuAction) => () => ctx.send(action);
  const recent: MenuItemConstructorOptions[] = ctx.recent.length
    ? ctx.recent.map((r) => ({ label: r.name, sublabel: r.path, click: send({ type: 'open-file', path: r.path }) }))
    : [{ label: 'No recent files', enabled: false }];

  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { id: 'new', label: 'New Pipeline', accelerator: 'CmdOrCtrl+N', click: send({ type: 'new' }) },
      { id: 'open', label: 'Open…', ...shown('CmdOrCtrl+O'), click: send({ type: 'open' }) },
      { id: 'open-recent', label: 'Open Recent', submenu: recent },
      { type: 'separator' },
      { id: 'save', label: 'Save', ...shown('CmdOrCtrl+S'), click: send({ type: 'save' }) },
      { id: 'save-as', label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: send({ type: 'save-as' }) },
      { id: 'export-json', label: 'Export JSON…', click: send({ type: 'export-json' }) },
      { type: 'separator' },
      { id: 'run', label: 'Run Pipeline', ...shown('CmdOrCtrl+Enter'), click: send({ type: 'run' }) },
      ...(ctx.isMac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { id: 'undo', label: 'Undo', ...shown('CmdOrCtrl+Z'), click: send({ type: 'undo' }) },
      { id: 'redo', label: 'Redo', ...shown(ctx.isMac ? 'Shift+CmdOrCtrl+Z' : 'CmdOrCtrl+Y'), click: send({ type: 'redo' }) },
      { type: 'separator' },
      { id: 'copy', label: 'Copy', ...shown('CmdOrCtrl+C'), click: send({ type: 'copy' }) },
      { id: 'paste', label: 'Paste', ...shown('CmdOrCtrl+V'), click: send({ type: 'paste' }) },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { id: 'toggle-theme', label: 'Toggle Dark Theme', click: send({ type: 'toggle-theme' }) },
      { role: 'togglefullscreen' },
      ...(ctx.isDev ? [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { id: 'docs', label: 'Sluice Documentation', click: () => ctx.openDocs() },
      ...(ctx.isMac ? [] : [{ id: 'about', label: 'About Sluice', click: () => ctx.showAbout() }]),
    ],
  };
  const appMenu: MenuItemConstructorOptions[] = ctx.isMac
    ? [{ role: 'appMenu' as const, submenu: [{ role: 'about' as const }, { type: 'separator' as const }, { role: 'hide' as const }, { role: 'hideOthers' as const }, { type: 'separator' as const }, { role: 'quit' as const }] }]
    : [];
  return [...appMenu, file, edit, view, help];
}
