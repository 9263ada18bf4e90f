// Pipeline files through the shell: the window reaches only files the user chose, arguments are checked, the
// recent list keeps its order, saves are whole. Real files in a temp folder; dialogs are scripted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '@sluice/engine/test/helpers';
import { SHELL_CHANNELS } from '../bridge.js';
import { FileAccess } from '../file-access.js';
import { copySamplesOnce } from '../samples.js';
import { createShellDispatcher } from '../shell-ipc.js';
import { isTrustedSender } from '../security.js';

const APP = 'app://sluice/index.html';

function setup() {
  const dir = tmpDir();
  const answers: (string | undefined)[] = [];
  const granted: string[] = [];
  const files = new FileAccess({
    recentFile: path.join(dir, 'user', 'recent-files.json'),
    maxRecent: 3,
    onGrant: (f) => granted.push(f),
    dialogs: { chooseOpen: async () => answers.shift(), chooseSave: async () => answers.shift() },
  });
  const dispatch = createShellDispatcher(files, { isTrustedSender });
  const write = (name: string, text = '{"version":1}') => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  return { dir, answers, granted, files, dispatch, write };
}

describe('file access through the shell', () => {
  it('opens and saves files the user picked, and remembers them most recent first', async () => {
    const { answers, granted, dispatch, write, dir } = setup();
    const a = write('a.sluice', 'A');
    answers.push(a);
    expect(await dispatch(SHELL_CHANNELS.openDialog, APP, [])).toEqual({ ok: true, value: { ref: { path: a, name: 'a.sluice' }, text: 'A' } });
    expect(granted).toEqual([a]);
    expect(await dispatch(SHELL_CHANNELS.save, APP, [{ path: a, name: 'a.sluice' }, 'A2'])).toMatchObject({ ok: true });
    expect(fs.readFileSync(a, 'utf8')).toBe('A2');
    const b = path.join(dir, 'sub-b.pipeline.json');
    answers.push(b);
    expect(await dispatch(SHELL_CHANNELS.saveAsDialog, APP, ['ignored/../b.pipeline.json', 'B'])).toEqual({ ok: true, value: { path: b, name: 'sub-b.pipeline.json' } });
    expect(fs.readFileSync(b, 'utf8')).toBe('B');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const recent = await dispatch(SHELL_CHANNELS.recent, APP, []);
    expect(recent).toEqual({ ok: true, value: [{ path: b, name: 'sub-b.pipeline.json' }, { path: a, name: 'a.sluice' }] });
  });

  it('says nothing was chosen when the user cancels a dialog', async () => {
    const { answers, dispatch } = setup();
    answers.push(undefined, undefined);
    expect(await dispatch(SHELL_CHANNELS.openDialog, APP, [])).toEqual({ ok: true, value: undefined });
    expect(await dispatch(SHELL_CHANNELS.saveAsDialog, APP, ['x.sluice', 'X'])).toEqual({ ok: true, value: undefined });
  });

  it('refuses files the user did not choose, untrusted senders and bad arguments, with clear messages', async () => {
    const { dispatch, write, files } = setup();
    const secret = write('secret.json', 'S');
    const read = await dispatch(SHELL_CHANNELS.read, APP, [{ path: secret, name: 'secret.json' }]);
    expect(read).toMatchObject({ ok: false, error: { code: 'user_error' } });
    expect(read.ok ? '' : read.error.message).toContain(`${secret} was not opened through a dialog`);
    const overwrite = await dispatch(SHELL_CHANNELS.save, APP, [{ path: secret, name: 'x' }, 'pwned']);
    expect(overwrite).toMatchObject({ ok: false, error: { code: 'user_error' } });
    expect(fs.readFileSync(secret, 'utf8')).toBe('S');
    expect(await dispatch(SHELL_CHANNELS.read, APP, [{ path: 'secret.json', name: 'x' }])).toMatchObject({ ok: false, error: { code: 'user_error' } });
    expect(await dispatch(SHELL_CHANNELS.read, 'https://evil.example/', [{ path: secret, name: 'x' }])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await dispatch('sluice-shell:delete', APP, [])).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad = await dispatch(SHELL_CHANNELS.save, APP, [{ path: secret }, 42]);
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(bad.ok ? '' : bad.error.message).toMatch(/^invalid arguments for sluice-shell:save: argument 0\.name: /);
    // Once the OS or the command line hands the file over, the window may read it.
    files.grant(secret);
    expect(await dispatch(SHELL_CHANNELS.read, APP, [{ path: secret, name: 'secret.json' }])).toEqual({ ok: true, value: 'S' });
  });

  it('reports a missing file by name, keeps the recent list short and drops files that are gone', async () => {
    const { dispatch, write, files, dir } = setup();
    const made = ['1', '2', '3', '4'].map((n) => write(`${n}.sluice`));
    for (const f of made) await files.read(files.grant(f));
    expect((await files.recent()).map((r) => r.name)).toEqual(['4.sluice', '3.sluice', '2.sluice']);
    fs.rmSync(made[3]!);
    expect((await files.recent()).map((r) => r.name)).toEqual(['3.sluice', '2.sluice']);
    const gone = await dispatch(SHELL_CHANNELS.read, APP, [{ path: made[3], name: '4.sluice' }]);
    expect(gone).toEqual({ ok: false, error: { code: 'user_error', message: `${made[3]} does not exist (moved or deleted?)` } });
    // A damaged recent list does not stop the app: it starts afresh.
    fs.writeFileSync(path.join(dir, 'user', 'recent-files.json'), '{nope');
    expect(await files.recent()).toEqual([]);
  });

  it('lets a new FileAccess (the next app start) read files from the recent list', async () => {
    const { dir, write, files } = setup();
    const f = write('again.sluice', 'again');
    await files.read(files.grant(f));
    const next = new FileAccess({ recentFile: path.join(dir, 'user', 'recent-files.json'), dialogs: { chooseOpen: async () => undefined, chooseSave: async () => undefined } });
    expect(await next.read({ path: f, name: 'again.sluice' })).toBe('again');
  });
});

describe('samples in a packaged app', () => {
  it('are copied once to a writable folder, without run records, and later edits are kept', () => {
    const dir = tmpDir();
    const from = path.join(dir, 'bundled');
    fs.mkdirSync(path.join(from, 'orders', '.sluice', 'runs'), { recursive: true });
    fs.writeFileSync(path.join(from, 'orders', 'orders.pipeline.json'), '{}');
    fs.writeFileSync(path.join(from, 'orders', '.sluice', 'runs', 'x'), 'old');
    const to = path.join(dir, 'user', 'samples');
    expect(copySamplesOnce(from, to)).toBe(to);
    expect(fs.readdirSync(path.join(to, 'orders'))).toEqual(['orders.pipeline.json']);
    fs.writeFileSync(path.join(to, 'orders', 'orders.pipeline.json'), '{"edited":true}');
    copySamplesOnce(from, to);
    expect(fs.readFileSync(path.join(to, 'orders', 'orders.pipeline.json'), 'utf8')).toBe('{"edited":true}');
  });
});
