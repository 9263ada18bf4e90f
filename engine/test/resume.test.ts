// Checkpoints, the journal, exactly-once publishing and `resume`, in process (the crash harness does it with kills).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../src/runtime/run.js';
import { Database } from '../src/db/database.js';
import { restoreCheckpoint, sha256File, writeCheckpoint } from '../src/runtime/durability/checkpoint.js';
import { Journal, journalState, readJournal } from '../src/runtime/durability/journal.js';
import { settlePending } from '../src/runtime/durability/commit.js';
import { pipeline, tmpDir, writeFiles } from './helpers.js';

const CSV = 'id,amount\n1,10\n2,20\n3,x\n4,40\n';

/** Two independent branches; branch b's filter can be broken to fail just that branch. */
function twoBranches(bExpression: string, sinkMode = 'overwrite') {
  return pipeline(
    [
      { id: 'src_a', kind: 'source.csv', config: { path: 'a.csv' } },
      { id: 'typed_a', kind: 'cast', config: { types: { amount: 'INTEGER' } } },
      { id: 'out_a', kind: 'sink.csv', config: { path: 'out/a.csv', mode: sinkMode } },
      { id: 'src_b', kind: 'source.csv', config: { path: 'b.csv' } },
      { id: 'keep_b', kind: 'filter', config: { expression: bExpression } },
      { id: 'out_b', kind: 'sink.csv', config: { path: 'out/b.csv' } },
    ],
    ['src_a -> typed_a', 'typed_a -> out_a', 'src_b -> keep_b', 'keep_b -> out_b'],
  );
}

function setUp() {
  const baseDir = tmpDir('sluice-resume-');
  const historyDir = path.join(baseDir, 'history');
  writeFiles(baseDir, { 'a.csv': CSV, 'b.csv': CSV });
  return { baseDir, historyDir };
}

describe('partial runs and resume', () => {
  it('ends as partial when one branch fails and another publishes; resume after the fix runs only what is left', async () => {
    const { baseDir, historyDir } = setUp();
    const first = await runPipeline({ pipeline: twoBranches('no_such_column > 1'), baseDir, historyDir, checkpoint: 'all' });
    expect(first.outcome).toBe('partial');
    expect(first.errors.join()).toContain('keep_b');
    const aBytes = fs.readFileSync(path.join(baseDir, 'out/a.csv'), 'utf8');
    const aTime = fs.statSync(path.join(baseDir, 'out/a.csv')).mtimeMs;
    expect(fs.existsSync(path.join(baseDir, 'out/b.csv'))).toBe(false);
    expect(first.quarantine['typed_a']).toBeDefined();

    const resumed = await runPipeline({ pipeline: twoBranches('CAST(id AS INTEGER) > 1'), baseDir, historyDir, checkpoint: 'all', resume: first.runId });
    expect(resumed.outcome).toBe('succeeded');
    expect(resumed.runId).toBe(first.runId);
    const byId = Object.fromEntries(resumed.nodes.map((n) => [n.nodeId, n]));
    // Branch a came from its checkpoints and its commit; branch b ran (src_b's checkpoint is still valid).
    expect([byId['src_a']?.resumed, byId['typed_a']?.resumed, byId['out_a']?.resumed, byId['src_b']?.resumed]).toEqual([true, true, true, true]);
    expect(byId['keep_b']?.resumed).toBeUndefined();
    expect(byId['keep_b']?.filtered).toBe(1);
    expect(fs.readFileSync(path.join(baseDir, 'out/a.csv'), 'utf8')).toBe(aBytes);
    expect(fs.statSync(path.join(baseDir, 'out/a.csv')).mtimeMs).toBe(aTime);
    expect(fs.readFileSync(path.join(baseDir, 'out/b.csv'), 'utf8')).toBe('id,amount\n2,20\n3,x\n4,40\n');
    // The record still points at typed_a's quarantine from the first attempt, and counts balance as before.
    expect(resumed.quarantine['typed_a']).toBe(first.quarantine['typed_a']);
    expect(byId['typed_a']?.quarantined).toBe(1);
    expect(resumed.resumes?.[0]?.restored).toEqual(expect.arrayContaining(['src_a', 'typed_a', 'out_a', 'src_b']));
    // Checkpoints exist for resuming; once the run succeeded they are gone.
    expect(fs.existsSync(path.join(historyDir, first.runId, 'checkpoint'))).toBe(false);

    // Resuming a finished run does nothing and publishes nothing again.
    const again = await runPipeline({ pipeline: twoBranches('CAST(id AS INTEGER) > 1'), baseDir, historyDir, checkpoint: 'all', resume: first.runId });
    expect(again.outcome).toBe('succeeded');
    expect(fs.statSync(path.join(baseDir, 'out/a.csv')).mtimeMs).toBe(aTime);
  });

  it('without checkpoints, a finished branch whose sink committed is not recomputed; what a rerun node reads is', async () => {
    const { baseDir, historyDir } = setUp();
    const first = await runPipeline({ pipeline: twoBranches('no_such_column > 1'), baseDir, historyDir, checkpoint: 'off' });
    expect(first.outcome).toBe('partial');
    const aTime = fs.statSync(path.join(baseDir, 'out/a.csv')).mtimeMs;
    const resumed = await runPipeline({ pipeline: twoBranches('CAST(id AS INTEGER) > 1'), baseDir, historyDir, checkpoint: 'off', resume: first.runId });
    expect(resumed.outcome).toBe('succeeded');
    const byId = Object.fromEntries(resumed.nodes.map((n) => [n.nodeId, n]));
    // Nothing downstream of src_a and typed_a runs again, so their recorded results stand (counts, quarantine).
    expect([byId['src_a']?.resumed, byId['typed_a']?.resumed, byId['out_a']?.resumed]).toEqual([true, true, true]);
    expect(byId['typed_a']?.quarantined).toBe(1);
    expect(resumed.quarantine['typed_a']).toBe(first.quarantine['typed_a']);
    expect(fs.statSync(path.join(baseDir, 'out/a.csv')).mtimeMs).toBe(aTime);
    // keep_b runs again and reads src_b, which has no checkpoint: src_b runs too.
    expect([byId['src_b']?.resumed, byId['keep_b']?.resumed]).toEqual([undefined, undefined]);
    expect(fs.readFileSync(path.join(baseDir, 'out/b.csv'), 'utf8')).toBe('id,amount\n2,20\n3,x\n4,40\n');
  });

  it('reruns a node whose checkpoint file changed, and still gets the same result', async () => {
    const { baseDir, historyDir } = setUp();
    const first = await runPipeline({ pipeline: twoBranches('no_such_column > 1'), baseDir, historyDir, checkpoint: 'all' });
    const cp = path.join(historyDir, first.runId, 'checkpoint', 'src_b.out.parquet');
    fs.appendFileSync(cp, 'tampered');
    const resumed = await runPipeline({ pipeline: twoBranches('true'), baseDir, historyDir, checkpoint: 'all', resume: first.runId });
    expect(resumed.outcome).toBe('succeeded');
    expect(resumed.nodes.find((n) => n.nodeId === 'src_b')?.resumed).toBeUndefined();
    expect(fs.readFileSync(path.join(baseDir, 'out/b.csv'), 'utf8')).toBe(CSV);
  });

  it('reruns a source whose input file changed since the failed attempt', async () => {
    const { baseDir, historyDir } = setUp();
    const first = await runPipeline({ pipeline: twoBranches('no_such_column > 1'), baseDir, historyDir, checkpoint: 'all' });
    fs.writeFileSync(path.join(baseDir, 'b.csv'), 'id,amount\n9,90\n');
    const resumed = await runPipeline({ pipeline: twoBranches('true'), baseDir, historyDir, checkpoint: 'all', resume: first.runId });
    expect(resumed.nodes.find((n) => n.nodeId === 'src_b')?.resumed).toBeUndefined();
    expect(fs.readFileSync(path.join(baseDir, 'out/b.csv'), 'utf8')).toBe('id,amount\n9,90\n');
  });

  it('refuses to append again from a sink whose input changed after it committed', async () => {
    const { baseDir, historyDir } = setUp();
    const first = await runPipeline({ pipeline: twoBranches('no_such_column > 1', 'append'), baseDir, historyDir, checkpoint: 'all' });
    expect(first.outcome).toBe('partial');
    fs.writeFileSync(path.join(baseDir, 'a.csv'), 'id,amount\n7,70\n');
    const resumed = await runPipeline({ pipeline: twoBranches('true', 'append'), baseDir, historyDir, checkpoint: 'all', resume: first.runId });
    expect(resumed.outcome).toBe('failed');
    expect(resumed.errors.join()).toMatch(/sink "out_a" already appended its rows in this run/);
    expect(fs.readFileSync(path.join(baseDir, 'out/a.csv'), 'utf8')).toBe('id,amount\n1,10\n2,20\n4,40\n');
  });

  it('names what is wrong with a resume that cannot be', async () => {
    const { baseDir, historyDir } = setUp();
    await expect(runPipeline({ pipeline: twoBranches('true'), baseDir, historyDir, checkpoint: 'all', resume: '20260101T000000-abcdef' })).rejects.toThrow(/there is no run "20260101T000000-abcdef" to resume/);
    await expect(runPipeline({ pipeline: twoBranches('true'), baseDir, historyDir, checkpoint: 'all', resume: '../../etc' })).rejects.toThrow(/not a run id/);
    const first = await runPipeline({ pipeline: twoBranches('no_such_column > 1'), baseDir, historyDir, checkpoint: 'all' });
    const other = { ...twoBranches('true'), name: 'another pipeline' };
    await expect(runPipeline({ pipeline: other, baseDir, historyDir, resume: first.runId })).rejects.toThrow(/is a run of "test pipeline", not of "another pipeline"/);
  });
});

describe('checkpoint files', () => {
  it('round-trip types Parquet cannot hold exactly (HUGEINT) and refuse a file that does not match its record', async () => {
    const dir = tmpDir();
    const db = await Database.open({ allowedDirs: [dir], tempDir: dir });
    try {
      await db.run(`CREATE TABLE t AS SELECT (170141183460469231731687303715884105727)::HUGEINT AS big, [1::HUGEINT, 2] AS list, 'x' AS s, DATE '2026-02-28' AS d`);
      const cp = await writeCheckpoint(db, 't', path.join(dir, 't.parquet'), 1);
      if (!cp) throw new Error('expected a checkpoint');
      expect(await restoreCheckpoint(db, 'r', cp)).toBeUndefined();
      expect(await db.rows(`SELECT big::VARCHAR AS big, list::VARCHAR AS list, typeof(big) AS tb, typeof(list) AS tl FROM r`)).toEqual([
        { big: '170141183460469231731687303715884105727', list: '[1, 2]', tb: 'HUGEINT', tl: 'HUGEINT[]' },
      ]);
      expect(await restoreCheckpoint(db, 'r2', { ...cp, rows: 2 })).toMatch(/does not hold what was recorded/);
      expect(await restoreCheckpoint(db, 'r3', { ...cp, sha256: 'x' })).toMatch(/changed since it was written/);
      // A type from a damaged journal is never spliced into SQL.
      expect(await restoreCheckpoint(db, 'r4', { ...cp, columns: [{ name: 'big', type: 'HUGEINT); DROP TABLE t; --' }] })).toMatch(/cannot restore/);
    } finally {
      db.close();
    }
  });
});

describe('the journal', () => {
  it('ignores a torn last line, and refuses a damaged one in the middle', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'journal.ndjson');
    const j = Journal.open(file);
    j.append({ t: 'start', at: 'now', pipelineHash: 'h', params: {}, resume: false });
    j.close();
    fs.appendFileSync(file, '{"t":"committed","nodeId":"x"');
    expect(readJournal(file)).toHaveLength(1);
    // The torn tail is cut, so the next append starts on its own line.
    const j2 = Journal.open(file);
    j2.append({ t: 'start', at: 'later', pipelineHash: 'h', params: {}, resume: true });
    j2.close();
    expect(readJournal(file)).toHaveLength(2);
    fs.writeFileSync(file, `not json\n${fs.readFileSync(file, 'utf8')}`);
    expect(() => readJournal(file)).toThrow(/damaged at line 1/);
  });
});

describe('publishing a staged file exactly once', () => {
  async function prepared(dir: string, staged: string, target: string) {
    const file = path.join(dir, 'journal.ndjson');
    fs.rmSync(file, { force: true });
    const j = Journal.open(file);
    j.append({ t: 'prepared', nodeId: 'out', fingerprint: 'f', target, staged, sha256: await sha256File(staged), rows: 2 });
    return { j, state: () => journalState(readJournal(file)) };
  }

  it('settles a publish a crash interrupted: before the rename, after it, and with the staged file lost', async () => {
    const dir = tmpDir();
    const target = path.join(dir, 'out.csv');
    const staged = path.join(dir, '.out.csv.tmp');
    fs.writeFileSync(target, 'old\n');

    // Killed before the rename: the staged file is published now.
    fs.writeFileSync(staged, 'new\n');
    let p = await prepared(dir, staged, target);
    expect(await settlePending(p.j, p.state())).toEqual(new Map([['out', { rows: 2, fingerprint: 'f' }]]));
    expect(fs.readFileSync(target, 'utf8')).toBe('new\n');
    expect(fs.existsSync(staged)).toBe(false);
    expect(p.state().committed.has('out')).toBe(true);
    p.j.close();

    // Killed after the rename, before `committed`: the target already holds the staged bytes.
    fs.writeFileSync(staged, 'new\n');
    p = await prepared(dir, staged, target);
    fs.renameSync(staged, target);
    expect((await settlePending(p.j, p.state())).has('out')).toBe(true);
    p.j.close();

    // The staged file is gone and the target differs: nothing was published; the sink must stage again.
    fs.writeFileSync(staged, 'newer\n');
    p = await prepared(dir, staged, target);
    fs.rmSync(staged);
    expect((await settlePending(p.j, p.state())).has('out')).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe('new\n');
    p.j.close();
  });
});
