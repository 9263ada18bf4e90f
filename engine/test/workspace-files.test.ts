// The designer's file methods in browser mode: only .json files inside the workspace, read and written there,
// atomically, whatever path or symlink a caller tries.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInside } from '../src/runtime/paths.js';
import { resolveWorkspacePath, WorkspaceFiles } from '../src/workspace-files.js';
import { tmpDir } from './helpers.js';

const RUNS = Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 200);

let root: string;
let outside: string;
let files: WorkspaceFiles;

beforeAll(() => {
  root = fs.realpathSync(tmpDir('sluice-ws-'));
  outside = fs.realpathSync(tmpDir('sluice-outside-'));
  fs.mkdirSync(path.join(root, 'team'));
  fs.mkdirSync(path.join(root, '.sluice'));
  fs.mkdirSync(path.join(root, 'node_modules'));
  fs.writeFileSync(path.join(root, 'a.pipeline.json'), '{"version":1}');
  fs.writeFileSync(path.join(root, 'team', 'b.json'), '{}');
  fs.writeFileSync(path.join(root, 'notes.txt'), 'not a pipeline');
  fs.writeFileSync(path.join(root, '.sluice', 'hidden.json'), '{}');
  fs.writeFileSync(path.join(root, 'node_modules', 'dep.json'), '{}');
  fs.writeFileSync(path.join(outside, 'secret.json'), '{"secret":true}');
  fs.symlinkSync(path.join(outside, 'secret.json'), path.join(root, 'link.json'));
  fs.symlinkSync(outside, path.join(root, 'out'));
  files = new WorkspaceFiles(root);
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('resolveWorkspacePath', () => {
  it.each([
    ['../x.json', '".." is not allowed'],
    ['team/../../x.json', '".." is not allowed'],
    ['team\\..\\..\\x.json', '".." is not allowed'],
    ['/etc/passwd.json', 'absolute paths'],
    ['C:\\x.json', 'absolute paths'],
    ['\\\\server\\share\\x.json', 'absolute paths'],
    ['notes.txt', 'only .json'],
    ['.json', 'hidden'],
    ['.sluice/runs/x/manifest.json', 'hidden'],
    ['a\0.json', 'NUL'],
    ['', 'empty'],
    ['./', 'empty'],
  ])('refuses %j (%s)', (p, why) => {
    expect(() => resolveWorkspacePath(root, p)).toThrow(why);
  });

  it('accepts plain relative .json paths, in either separator', () => {
    expect(resolveWorkspacePath(root, 'team/b.json')).toBe(path.join(root, 'team', 'b.json'));
    expect(resolveWorkspacePath(root, './a.pipeline.json')).toBe(path.join(root, 'a.pipeline.json'));
  });

  it('never resolves outside the root, whatever the string (property)', () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', '...', 'a', 'b.json', '..json', '.hidden', 'C:', '~', '%2e%2e', '\u0000', 'é.json'),
      fc.string({ maxLength: 6 }),
    );
    const rel = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.tuple(fc.array(segment, { maxLength: 6 }), fc.constantFrom('/', '\\'), fc.constantFrom('', '/', '\\'), fc.constantFrom('.json', '', '.JSON')).map(
        ([segs, sep, lead, ext]) => `${lead}${segs.join(sep)}${ext}`,
      ),
    );
    fc.assert(
      fc.property(rel, (p) => {
        let resolved: string;
        try {
          resolved = resolveWorkspacePath(root, p);
        } catch (e) {
          expect((e as Error).name).toBe('UserError');
          return;
        }
        expect(isInside(resolved, root)).toBe(true);
        expect(resolved).not.toBe(root);
        expect(resolved.toLowerCase().endsWith('.json')).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('WorkspaceFiles', () => {
  it('lists .json files, skipping hidden folders, node_modules and symlinks', async () => {
    const listed = await files.list();
    expect(listed.map((f) => f.path)).toEqual(['a.pipeline.json', 'team/b.json']);
    expect(listed[0]).toMatchObject({ name: 'a.pipeline.json', size: 13 });
  });

  it('reads a file inside, and refuses a symlink that leads outside', async () => {
    expect((await files.read('team/b.json')).text).toBe('{}');
    await expect(files.read('link.json')).rejects.toThrow(/outside the workspace/);
    await expect(files.read('out/secret.json')).rejects.toThrow(/outside the workspace/);
    await expect(files.read('missing.json')).rejects.toThrow(/no file "missing.json"/);
  });

  it('writes atomically, refuses to overwrite unless asked, and leaves no temporary file', async () => {
    await files.write('team/new.json', '{"v":1}', false);
    expect(fs.readFileSync(path.join(root, 'team', 'new.json'), 'utf8')).toBe('{"v":1}');
    await expect(files.write('team/new.json', '{"v":2}', false)).rejects.toMatchObject({ code: 'file_exists' });
    await files.write('team/new.json', '{"v":2}', true);
    expect(fs.readFileSync(path.join(root, 'team', 'new.json'), 'utf8')).toBe('{"v":2}');
    expect(fs.readdirSync(path.join(root, 'team')).sort()).toEqual(['b.json', 'new.json']);
  });

  it('does not write through a symlink to a folder outside, nor into a missing folder', async () => {
    await expect(files.write('out/planted.json', '{}', true)).rejects.toThrow(/outside the workspace/);
    expect(fs.existsSync(path.join(outside, 'planted.json'))).toBe(false);
    await expect(files.write('nowhere/x.json', '{}', false)).rejects.toThrow(/does not exist/);
  });

  it('replaces a symlinked file instead of writing to its target', async () => {
    await files.write('link.json', '{"mine":true}', true);
    expect(fs.readFileSync(path.join(outside, 'secret.json'), 'utf8')).toBe('{"secret":true}');
    expect(fs.lstatSync(path.join(root, 'link.json')).isSymbolicLink()).toBe(false);
  });
});
