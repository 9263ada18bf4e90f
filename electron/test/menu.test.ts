// The application menu and the files the app is asked to open at launch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '@sluice/engine/test/helpers';
import { menuActionSchema, type MenuAction } from '../bridge.js';
import { pipelineFileFromArgv } from '../launch-args.js';
import { buildMenuTemplate } from '../menu.js';

function build(over: { isMac?: boolean; isDev?: boolean; recent?: { path: string; name: string }[] } = {}) {
  const sent: MenuAction[] = [];
  const calls: string[] = [];
  const template = buildMenuTemplate({
    isMac: over.isMac ?? false,
    isDev: over.isDev ?? false,
    recent: over.recent ?? [],
    send: (a) => sent.push(a),
    openDocs: () => calls.push('docs'),
    showAbout: () => calls.push('about'),
  });
  return { template, sent, calls };
}

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? items(i.submenu) : [])]);
}

const click = (item: MenuItemConstructorOptions | undefined) => (item?.click as (() => void) | undefined)?.();

describe('the application menu', () => {
  it('has File, Edit, View and Help with the designer’s actions, each sent as a valid menu action', () => {
    const { template, sent, calls } = build({ recent: [{ path: '/w/a.sluice', name: 'a.sluice' }] });
    expect(template.map((m) => m.label ?? m.role)).toEqual(['File', 'Edit', 'View', 'help']);
    const all = items(template);
    const byId = (id: string) => all.find((i) => i.id === id);
    for (const id of ['new', 'open', 'save', 'save-as', 'export-json', 'run', 'undo', 'redo', 'copy', 'paste', 'toggle-theme']) click(byId(id));
    expect(sent.map((a) => a.type)).toEqual(['new', 'open', 'save', 'save-as', 'export-json', 'run', 'undo', 'redo', 'copy', 'paste', 'toggle-theme']);
    click(all.find((i) => i.sublabel === '/w/a.sluice'));
    expect(sent.at(-1)).toEqual({ type: 'open-file', path: '/w/a.sluice' });
    for (const a of sent) expect(menuActionSchema.safeParse(a).success, a.type).toBe(true);
    expect(all.filter((i) => ['resetZoom', 'zoomIn', 'zoomOut'].includes(i.role ?? ''))).toHaveLength(3);
    click(byId('docs'));
    click(byId('about'));
    expect(calls).toEqual(['docs', 'about']);
  });

  it('offers developer tools only in development', () => {
    const roles = (isDev: boolean) => items(build({ isDev }).template).map((i) => i.role);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
    expect(roles(true)).toContain('toggleDevTools');
  });

  it('leaves the shortcuts the page handles to the page, so a key press acts once', () => {
    const all = items(build().template);
    for (const id of ['open', 'save', 'run', 'undo', 'redo', 'copy', 'paste']) {
      const item = all.find((i) => i.id === id);
      expect(item?.accelerator, id).toBeTruthy();
      expect(item?.registerAccelerator, id).toBe(false);
    }
    expect(all.find((i) => i.id === 'new')?.registerAccelerator).toBeUndefined();
  });

  it('says so when there are no recent files, and uses the app menu on macOS', () => {
    const { template } = build({ isMac: true });
    expect(template[0]?.role).toBe('appMenu');
    expect(items(template).find((i) => i.label === 'No recent files')?.enabled).toBe(false);
  });
});

describe('files passed at launch', () => {
  it('finds the first existing pipeline file, relative to the working folder, skipping switches', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'p.sluice'), '{}');
    fs.writeFileSync(path.join(dir, 'o.pipeline.json'), '{}');
    expect(pipelineFileFromArgv(['/opt/Sluice/sluice', 'p.sluice'], dir)).toBe(path.join(dir, 'p.sluice'));
    expect(pipelineFileFromArgv(['electron', 'dist/electron/main.js', '--inspect=x.json', 'missing.json', path.join(dir, 'o.pipeline.json')], '/')).toBe(path.join(dir, 'o.pipeline.json'));
    expect(pipelineFileFromArgv(['electron', 'readme.txt', '--flag'], dir)).toBeUndefined();
    // A second instance's argv: the executable first, switches Chromium added, then the file.
    expect(pipelineFileFromArgv(['/opt/Sluice/sluice', '--allow-file-access-from-files', 'p.sluice'], dir)).toBe(path.join(dir, 'p.sluice'));
  });
});
