// Issue 12, defect 8 (desktop part): saving a pipeline used the predictable temporary name `${file}.${pid}.tmp`,
// so a symlink planted there sent the save's bytes to the link's target. Saves now stage under an unpredictable
// name created exclusively, and refuse names the path policy refuses (Windows device names, over-long names).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '@sluice/engine/test/helpers';
import { FileAccess } from '../file-access.js';

function setup() {
  const dir = tmpDir();
  const outside = tmpDir();
  const answers: (string | undefined)[] = [];
  const files = new FileAccess({
    recentFile: path.join(dir, 'user', 'recent-files.json'),
    dialogs: { chooseOpen: async () => answers.shift(), chooseSave: async () => answers.shift() },
  });
  return { dir, outside, answers, files };
}

describe('desktop saves against planted files', () => {
  it('a symlink planted at the old predictable temporary name is not followed', async () => {
    const { dir, outside, files } = setup();
    const file = path.join(dir, 'p.sluice');
    fs.writeFileSync(file, '{"version":1}');
    const victim = path.join(outside, 'victim.txt');
    fs.writeFileSync(victim, 'untouched');
    fs.symlinkSync(victim, `${file}.${process.pid}.tmp`);
    const ref = files.grant(file);
    await files.save(ref, '{"version":1,"name":"new"}');
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"version":1,"name":"new"}');
  });

  it('no temporary file is left and none is named after the target', async () => {
    const { dir, files } = setup();
    const file = path.join(dir, 'q.sluice');
    fs.writeFileSync(file, '{}');
    await files.save(files.grant(file), '{"a":1}');
    expect(fs.readdirSync(dir).filter((n) => n !== 'user').sort()).toEqual(['q.sluice']);
  });

  it('Save As refuses a Windows device name and an over-long name', async () => {
    const { dir, answers, files } = setup();
    answers.push(path.join(dir, 'COM1.sluice'));
    await expect(files.saveAsDialog('x', '{}')).rejects.toThrow(/reserved device name/);
    answers.push(path.join(dir, `${'n'.repeat(300)}.sluice`));
    await expect(files.saveAsDialog('x', '{}')).rejects.toThrow(/at most 255/);
  });

});
