// Hostile input: every file of the corpus (input-corpus.ts) goes through source → cast → sink.csv. Each must end
// with its bad records quarantined (rule, reason, line) and exact counts that balance, or be refused with a
// message naming the node, the file and the problem; never a stack trace, a hang or a lost record.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { QuarantineEntry } from '@sluice/format/api/contract';
import { chain, parseCsv, run, tmpDir, type RunResult } from '../helpers.js';
import { INPUT_CASES, isRefused, type Handled, type InputCase } from './input-corpus.js';

const tally = { tried: 0, quarantinedOrRead: 0, refused: 0, records: 0, lost: 0 };

afterAll(() => {
  console.log(`hostile inputs: ${tally.tried} tried, ${tally.quarantinedOrRead + tally.refused} handled (${tally.quarantinedOrRead} read with bad records quarantined, ${tally.refused} refused with a clear error); ${tally.records} records read, ${tally.lost} lost`);
});

function pipelineFor(c: InputCase): Record<string, unknown> {
  return chain([
    { id: 'src', kind: c.kind, config: { path: c.file, ...(c.sourceConfig ?? {}) } },
    { id: 'cast', kind: 'cast', config: { types: c.types ?? {} } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ]);
}

const noStack = (s: string): void => expect(s).not.toMatch(/\n\s+at |\.ts:\d+|\.js:\d+/);

/** The written file's header names and record count (line ends outside quotes, so quoted newlines count once). */
function written(r: RunResult): { columns: string[]; rows: number } {
  const buf = fs.readFileSync(path.join(r.baseDir, 'out.csv'));
  let records = 0;
  let inQuote = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x22) inQuote = !inQuote;
    else if (b === 0x0a && !inQuote) records++;
  }
  const headerEnd = buf.indexOf(0x0a);
  return { columns: parseCsv(buf.subarray(0, headerEnd + 1).toString('utf8'))[0] ?? [], rows: records - 1 };
}

async function checkHandled(c: InputCase, e: Handled, r: RunResult): Promise<void> {
  if (r.manifest.outcome !== 'succeeded') throw new Error(`expected the run to succeed: ${r.manifest.errors.join(' | ')}`);
  const src = r.metric('src');
  const cast = r.metric('cast');
  const out = r.metric('out');
  // Every node balances, and each hands on exactly what the next one takes in.
  expect(src.rowsIn).toBe(src.rowsOut + src.quarantined + src.filtered);
  expect(cast.rowsIn).toBe(src.rowsOut);
  expect(cast.rowsIn).toBe(cast.rowsOut + cast.quarantined + cast.filtered);
  expect(out.rowsIn).toBe(cast.rowsOut);
  expect(out.passed).toBe(out.rowsIn);
  const quarantined = src.quarantined + cast.quarantined;
  const filtered = src.filtered + cast.filtered;
  expect({ read: src.rowsIn, written: out.passed, quarantined, filtered }).toEqual({ read: e.read, written: e.written, quarantined: e.quarantined, filtered: e.filtered ?? 0 });
  tally.records += src.rowsIn;
  tally.lost += src.rowsIn - (out.passed + quarantined + filtered);

  const srcQ = (await r.quarantine('src')).entries;
  const castQ = (await r.quarantine('cast')).entries;
  expect(srcQ.length + castQ.length).toBe(quarantined);
  for (const q of srcQ) {
    // A source's quarantined record points at its line (or array element) and names its file there.
    expect(q.sourceLine).not.toBeNull();
    expect(q.lineage).toBe(`src:${c.file}:${q.sourceLine}`);
    expect(q.reasons[0]).toMatch(new RegExp(`^${c.file.replace('.', '\\.')} (line|element) ${q.sourceLine}: \\S`));
    expect(q.ruleIds.length).toBeGreaterThan(0);
  }
  for (const q of castQ) {
    expect(q.lineage).toMatch(new RegExp(`^src:${c.file.replace('.', '\\.')}:\\d+$`));
    expect(q.reasons.join(' ')).toMatch(/^column .* is not a valid /);
    expect(q.row).not.toBeNull();
  }
  const byLine = (a: QuarantineEntry, b: QuarantineEntry) => (a.sourceLine ?? 0) - (b.sourceLine ?? 0);
  if (e.lines) expect(srcQ.map((q) => q.sourceLine)).toEqual(e.lines);
  if (e.rules) expect([...srcQ.sort(byLine), ...castQ.sort(byLine)].map((q) => q.ruleIds.join('+'))).toEqual(e.rules);
  if (e.warning) expect(src.warnings.join('\n')).toMatch(e.warning);
  if (e.reason) expect(srcQ[0]?.reasons.join(' ')).toMatch(e.reason);

  const file = written(r);
  expect(file.rows).toBe(e.written);
  if (e.columns) expect(file.columns).toEqual(e.columns);
  tally.quarantinedOrRead++;
}

describe('hostile input files', () => {
  for (const c of INPUT_CASES) {
    it(c.name, { timeout: 60_000 }, async () => {
      tally.tried++;
      const baseDir = tmpDir('sluice-hostile-in-');
      await c.make(baseDir);
      const r = await run(pipelineFor(c), { baseDir });
      for (const err of r.manifest.errors) noStack(err);
      if (isRefused(c.expect)) {
        expect(r.manifest.outcome).toBe('failed');
        const err = r.manifest.errors[0] ?? '';
        const node = c.expect.node ?? 'src';
        // 'downstream': whichever node after the source first reads its rows (the source handed on a view).
        const at = node === 'src' ? `node "src" \\(${c.kind.replace('.', '\\.')}\\)` : node === 'downstream' ? 'node "(cast|out)" \\((cast|sink\\.csv)\\)' : `node "${node}" \\(sink\\.csv\\)`;
        expect(err).toMatch(new RegExp(`^${at}`));
        if (c.expect.namesFile !== false) expect(err).toContain(c.file);
        if (c.expect.field) expect(err).toContain(`field "${c.expect.field}"`);
        expect(err).toMatch(c.expect.error);
        expect(r.manifest.errors).toHaveLength(1);
        // Nothing was written.
        if (node === 'src') expect(r.metric('out').status).toBe('skipped');
        expect(fs.existsSync(path.join(baseDir, 'out.csv'))).toBe(false);
        tally.refused++;
      } else {
        await checkHandled(c, c.expect, r);
      }
      fs.rmSync(baseDir, { recursive: true, force: true });
    });
  }
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = path.join(root, 'engine', 'bin', 'sluice.js');
const built = fs.existsSync(path.join(root, 'engine', 'dist', 'cli', 'main.js'));

describe.skipIf(!built)('hostile input through the CLI (needs npm run build:engine)', () => {
  const pick = ['json array: truncated', 'csv: invalid and overlong UTF-8 sequences'];
  for (const name of pick) {
    it(name, async () => {
      const c = INPUT_CASES.find((x) => x.name === name) as InputCase;
      const dir = tmpDir('sluice-hostile-cli-');
      await c.make(dir);
      fs.writeFileSync(path.join(dir, 'p.pipeline.json'), JSON.stringify(pipelineFor(c)));
      const r = spawnSync(process.execPath, [bin, 'run', path.join(dir, 'p.pipeline.json')], { encoding: 'utf8', timeout: 60_000 });
      expect(r.signal).toBeNull();
      noStack(r.stderr);
      noStack(r.stdout);
      if (isRefused(c.expect)) {
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(/error\s+node "src" /);
        expect(r.stdout).toMatch(c.expect.error);
      } else {
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`src\\s+${c.kind.replace('.', '\\.')}\\s+warn\\s+${c.expect.read}\\s+${c.expect.read - c.expect.quarantined}\\s+${c.expect.quarantined}`));
      }
    });
  }
});
