// Defect 12 of issue 12 (display part): huge values were never truncated for display (`sluice preview` of a
// file with a 5 MB field printed 36.7 MB, `inspect` 5.2 MB). Every value shown is now capped with a marker; the
// full value stays in the quarantine file and in the written output.
import { describe, expect, it } from 'vitest';
import { MAX_DISPLAY_CHARS, capText } from '../../src/runtime/display-cap.js';
import { UserError } from '../../src/runtime/exec-context.js';
import { chain, expectSucceeded, pipeline, preview, quarantineRaw, run, tmpDir, writeFiles } from '../helpers.js';

// 300 KB instead of the 5 MB keeps the file fast; the cap does not depend on the size.
const BIG = 'x'.repeat(300_000);
const MARKER = /… \[truncated: 300,000 characters/;

describe('display cap', () => {
  it('a preview of a file with a huge field stays small, with a marker (the issue\'s case)', async () => {
    const base = tmpDir();
    writeFiles(base, { 'in.csv': `id,blob\n1,${BIG}\n2,small\n` });
    const p = chain([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }]);
    const res = await preview(p, 'src', base);
    const cell = String(res.rows[0]?.[1]);
    expect(cell.length).toBeLessThan(MAX_DISPLAY_CHARS + 200);
    expect(cell).toMatch(MARKER);
    expect(res.rows[1]?.[1]).toBe('small');
    expect(JSON.stringify(res).length).toBeLessThan(50_000);
  });

  it('the sink still writes the whole value (the cap is for display only)', async () => {
    const r = await run(
      chain([
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ]),
      { files: { 'in.csv': `id,blob\n1,${BIG}\n` } },
    );
    expectSucceeded(r);
    expect(r.read('out.csv').length).toBeGreaterThan(BIG.length);
  });

  it('inspect (a quarantine page): a huge malformed line is capped, the quarantine file keeps every byte', async () => {
    const r = await run(
      chain([
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ]),
      { files: { 'in.csv': `id,name\n1,ok\n2,"${BIG}\n` } },
    );
    const q = await r.quarantine('src');
    expect(q.total).toBe(1);
    const raw = q.entries[0]?.raw ?? '';
    expect(raw.length).toBeLessThan(MAX_DISPLAY_CHARS + 200);
    expect(raw).toMatch(/truncated: .*the exact bytes are in the quarantine file/);
    const stored = await quarantineRaw(r, 'src');
    expect([...stored.values()][0]?.length).toBeGreaterThan(BIG.length);
  });

  it('a quarantined row with a huge value: the row stays valid JSON, its long value capped', async () => {
    const p = pipeline(
      [
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'v', kind: 'validate', config: { rules: [{ id: 'short', type: 'max_length', column: 'blob', max: 10 }] } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ],
      ['src -> v', 'v.valid -> out'],
    );
    const r = await run(p, { files: { 'in.csv': `id,blob\n1,${BIG}\n` } });
    const e = (await r.quarantine('v')).entries[0];
    const row = JSON.parse(e?.row ?? 'null') as { id: string; blob: string };
    expect(row.id).toBe('1');
    expect(row.blob).toMatch(MARKER);
  });

  it('an error message quoting a huge value is capped too', () => {
    const e = new UserError(`bad value ${BIG}`);
    expect(e.message.length).toBeLessThan(5_000);
    expect(e.message).toMatch(/truncated: .*message shortened/);
  });

  it('capText never splits a surrogate pair', () => {
    const s = `${'a'.repeat(MAX_DISPLAY_CHARS - 1)}😀tail`;
    const out = capText(s);
    expect(out.startsWith('a'.repeat(MAX_DISPLAY_CHARS - 1))).toBe(true);
    expect(out.charCodeAt(MAX_DISPLAY_CHARS - 1)).not.toBe(0xd83d);
  });
});
