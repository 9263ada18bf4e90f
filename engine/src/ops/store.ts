// The run store: one DuckDB file per history folder (`<history>/runstore.duckdb`) indexing every run's manifest
// with per-node, per-rule and per-column metrics, for history listings, diffs, trends and anomaly gates.
//
// The manifests stay the source of truth. The store is an index that `sync()` brings up to date from them: a run
// whose manifest is new or changed (by mtime and size) is ingested again, a deleted run is forgotten. So a run that
// could not reach the store (a crash, a lock held too long) is picked up by the next reader, and deleting the file
// rebuilds it. DuckDB lets only one process open a database file for writing, so every open takes an exclusive
// lock file first (with retries, and stale locks of dead processes broken); the work under it is short.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, listValue, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { runManifestSchema, type RunManifest } from '@sluice/format/api/contract';
import type { RunSummaryRow, TrendPoint } from '@sluice/format/api/ops-contract';
import { processAlive } from '../fsutil/process.js';

export const STORE_FILE = 'runstore.duckdb';
const LOCK_FILE = 'runstore.lock';
/** Left by a writer that could not index its run: the next sync looks at every manifest. */
const DIRTY_FILE = 'runstore.dirty';
/** Bump when the tables change: an older file is then rebuilt from the manifests. */
const STORE_VERSION = 2;

export interface StoreOptions {
  /** How long to wait for another process's lock before giving up (ms). */
  lockTimeoutMs?: number;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS runs (run_id VARCHAR PRIMARY KEY, pipeline_name VARCHAR, pipeline_hash VARCHAR, started_at VARCHAR, finished_at VARCHAR,
     duration_ms BIGINT, outcome VARCHAR, started_by VARCHAR, rows_read BIGINT, rows_written BIGINT, quarantined BIGINT, filtered BIGINT,
     quality DOUBLE, anomalies INTEGER, fingerprint VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS node_metrics (run_id VARCHAR, node_id VARCHAR, kind VARCHAR, status VARCHAR, rows_in BIGINT, rows_out BIGINT,
     quarantined BIGINT, filtered BIGINT, duration_ms BIGINT, quality DOUBLE)`,
  `CREATE TABLE IF NOT EXISTS rule_metrics (run_id VARCHAR, node_id VARCHAR, rule VARCHAR, failures BIGINT)`,
  `CREATE TABLE IF NOT EXISTS column_metrics (run_id VARCHAR, node_id VARCHAR, port VARCHAR, column_name VARCHAR, type VARCHAR, row_count BIGINT,
     nulls BIGINT, null_rate DOUBLE, distinct_est BIGINT, min_value VARCHAR, max_value VARCHAR)`,
];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Take `<dir>/runstore.lock` exclusively; a lock whose process is gone is broken. */
async function acquireLock(dir: string, timeoutMs: number): Promise<() => void> {
  const file = path.join(dir, LOCK_FILE);
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, token, { flag: 'wx' });
      return () => {
        // Only our own lock is removed, never one a stale-lock breaker handed to someone else.
        try {
          if (fs.readFileSync(file, 'utf8') === token) fs.rmSync(file, { force: true });
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = '';
    try {
      holder = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // released between our attempts
    }
    const pid = Number.parseInt(holder.split(':')[0] ?? '', 10);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the run store in ${dir} is busy (locked by process ${pid}); try again`);
    await sleep(Math.min(200, 10 + attempt * 10) * (0.5 + Math.random()));
  }
}

function mtimeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

export interface IngestStats {
  added: number;
  removed: number;
}

export class RunStore {
  private constructor(
    readonly historyDir: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly release: () => void,
  ) {}

  /** Opens (creating if needed) the store of a history folder, under its lock; close() releases it. */
  static async open(historyDir: string, o: StoreOptions = {}): Promise<RunStore> {
    fs.mkdirSync(historyDir, { recursive: true });
    const release = await acquireLock(historyDir, o.lockTimeoutMs ?? 15_000);
    try {
      const file = path.join(historyDir, STORE_FILE);
      let instance: DuckDBInstance;
      try {
        instance = await DuckDBInstance.create(file, { threads: '1' });
      } catch (e) {
        // Another program holding the file (a DuckDB shell, say) is not damage: never delete a store for that.
        if (e instanceof Error && /lock/i.test(e.message)) throw e;
        // A store that cannot be opened (damaged, or from another DuckDB version) is only an index: rebuild it.
        process.stderr.write(`[sluice] rebuilding the run store ${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
        fs.rmSync(file, { force: true });
        fs.rmSync(`${file}.wal`, { force: true });
        instance = await DuckDBInstance.create(file, { threads: '1' });
      }
      const conn = await instance.connect();
      const store = new RunStore(historyDir, instance, conn, release);
      await store.migrate();
      return store;
    } catch (e) {
      release();
      throw e;
    }
  }

  /** Open, sync from the manifests, run `f`, close: the usual way to use the store. */
  static async with<T>(historyDir: string, f: (s: RunStore) => Promise<T>, o: StoreOptions = {}): Promise<T> {
    const s = await RunStore.open(historyDir, o);
    try {
      await s.sync();
      return await f(s);
    } finally {
      s.close();
    }
  }

  close(): void {
    try {
      this.conn.closeSync();
      this.instance.closeSync();
    } finally {
      this.release();
    }
  }

  private async migrate(): Promise<void> {
    const hasMeta = await this.rows(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'meta'`);
    if (Number(hasMeta[0]?.['n']) > 0) {
      const v = await this.rows(`SELECT value FROM meta WHERE key = 'version'`);
      if (Number(v[0]?.['value']) === STORE_VERSION) return;
      for (const t of ['meta', 'runs', 'node_metrics', 'rule_metrics', 'column_metrics']) await this.conn.run(`DROP TABLE IF EXISTS ${t}`);
    }
    for (const s of SCHEMA) await this.conn.run(s);
    await this.conn.run(`INSERT OR REPLACE INTO meta VALUES ('version', $v)`, { v: String(STORE_VERSION) });
  }

  async rows(sql: string, params?: Record<string, DuckDBValue>): Promise<Record<string, unknown>[]> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  /**
   * Bring the store up to date with the manifests in the history folder. Looking at every manifest is what costs
   * (10,000 stats), so only what can have changed is looked at: run folders not yet indexed, indexed runs whose
   * folder is gone, and runs still recorded as running. Every finished run is indexed by its own writer
   * (`recordInStore`); a writer that could not do so leaves a marker file, and the next sync then looks at every
   * manifest again. (The folder's mtime cannot tell: the store's own lock and WAL files change it at every open.)
   */
  async sync(): Promise<IngestStats> {
    const marker = path.join(this.historyDir, DIRTY_FILE);
    const markedAt = mtimeOf(marker);
    const full = markedAt !== undefined;
    const onDisk = fs
      .readdirSync(this.historyDir)
      .filter((id) => /^[A-Za-z0-9-]+$/.test(id))
      .sort();
    // The same run folders as at the last sync, all of them indexed then: only running runs can have changed.
    const listing = `${onDisk.length}:${createHash('sha1').update(onDisk.join('/')).digest('hex')}`;
    const lastListing = (await this.rows(`SELECT value FROM meta WHERE key = 'listing'`))[0]?.['value'];
    const sameFolders = !full && lastListing === listing;
    const indexed = new Map<string, { fingerprint: string; running: boolean }>();
    for (const r of await this.rows(`SELECT run_id, fingerprint, outcome = 'running' AS running FROM runs ${sameFolders ? "WHERE outcome = 'running'" : ''}`)) {
      indexed.set(String(r['run_id']), { fingerprint: String(r['fingerprint']), running: r['running'] === true });
    }
    const present = new Set(onDisk);
    const changed: { manifest: RunManifest; fingerprint: string }[] = [];
    const gone: string[] = [];
    let unindexed = 0;
    for (const id of sameFolders ? [...indexed.keys()] : onDisk) {
      const known = indexed.get(id);
      if (known && !full && !known.running) continue;
      const found = this.look(id, known?.fingerprint);
      if (found === 'missing') {
        if (known) gone.push(id);
        else unindexed++;
      } else if (found !== 'same') changed.push(found);
    }
    for (const id of indexed.keys()) if (!present.has(id)) gone.push(id);
    await this.ingest(changed, [...gone, ...changed.map((c) => c.manifest.runId).filter((id) => indexed.has(id))]);
    // A folder without a readable manifest yet (a run starting) is looked at again by the next sync.
    const nowListing = unindexed === 0 && gone.length === 0 ? listing : '';
    if (nowListing !== lastListing) await this.conn.run(`INSERT OR REPLACE INTO meta VALUES ('listing', $v)`, { v: nowListing });
    // A writer that failed while this sync ran marks again (a newer mtime): that marker stays for the next sync.
    if (full && mtimeOf(marker) === markedAt) fs.rmSync(marker, { force: true });
    return { added: changed.length, removed: gone.length };
  }

  /** Index (again) one run, after its manifest was written: no need to look at the other runs. */
  async recordOne(runId: string): Promise<void> {
    const [r] = await this.rows(`SELECT fingerprint FROM runs WHERE run_id = $id`, { id: runId });
    const prior = r ? String(r['fingerprint']) : undefined;
    const found = this.look(runId, prior);
    if (found === 'same') return;
    if (found === 'missing') return this.ingest([], prior !== undefined ? [runId] : []);
    await this.ingest([found], prior !== undefined ? [runId] : []);
  }

  /** A run's manifest if it changed since `fingerprint` (mtime and size), 'same', or 'missing'. */
  private look(id: string, fingerprint: string | undefined): { manifest: RunManifest; fingerprint: string } | 'same' | 'missing' {
    let st: fs.Stats;
    const file = path.join(this.historyDir, id, 'manifest.json');
    try {
      st = fs.statSync(file);
    } catch {
      return 'missing';
    }
    const now = `${st.mtimeMs}:${st.size}`;
    if (now === fingerprint) return 'same';
    try {
      const parsed = runManifestSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success && parsed.data.runId === id) return { manifest: parsed.data, fingerprint: now };
    } catch {
      // Not a manifest Sluice wrote (its writes are atomic renames): leave it out of the index.
    }
    return 'missing';
  }

  /** Replace the rows of `drop` runs and add `runs`, in one transaction. */
  async ingest(runs: { manifest: RunManifest; fingerprint: string }[], drop: string[]): Promise<void> {
    if (runs.length === 0 && drop.length === 0) return;
    await this.conn.run('BEGIN TRANSACTION');
    try {
      if (drop.length > 0) {
        for (const t of ['runs', 'node_metrics', 'rule_metrics', 'column_metrics']) await this.conn.run(`DELETE FROM ${t} WHERE list_contains($ids, run_id)`, { ids: listValue(drop) });
      }
      const a = {
        runs: await this.conn.createAppender('runs'),
        nodes: await this.conn.createAppender('node_metrics'),
        rules: await this.conn.createAppender('rule_metrics'),
        cols: await this.conn.createAppender('column_metrics'),
      };
      for (const { manifest: m, fingerprint } of runs) appendRun(a, m, fingerprint);
      for (const x of Object.values(a)) x.closeSync();
      await this.conn.run('COMMIT');
    } catch (e) {
      await this.conn.run('ROLLBACK');
      throw e;
    }
  }

  async list(q: { limit: number; pipelineName?: string | undefined; outcome?: string | undefined; startedBy?: string | undefined; since?: string | undefined }): Promise<RunSummaryRow[]> {
    const where: string[] = [];
    const params: Record<string, DuckDBValue> = { limit: q.limit };
    const filters: [string, string, string | undefined][] = [
      ['pipeline_name = $p', 'p', q.pipelineName],
      ['outcome = $o', 'o', q.outcome],
      ['started_by = $b', 'b', q.startedBy],
      ['started_at >= $s', 's', q.since],
    ];
    for (const [cond, name, value] of filters) {
      if (!value) continue;
      where.push(cond);
      params[name] = value;
    }
    const rows = await this.rows(
      `SELECT run_id, pipeline_name, started_at, finished_at, duration_ms, outcome, started_by, rows_read, rows_written, quarantined, filtered, quality, anomalies
       FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, run_id DESC LIMIT $limit`,
      params,
    );
    return rows.map((r) => ({
      runId: String(r['run_id']),
      pipelineName: String(r['pipeline_name']),
      historyDir: this.historyDir,
      startedAt: String(r['started_at']),
      finishedAt: String(r['finished_at']),
      durationMs: Number(r['duration_ms']),
      outcome: String(r['outcome']),
      startedBy: String(r['started_by']),
      rowsRead: Number(r['rows_read']),
      rowsWritten: Number(r['rows_written']),
      quarantined: Number(r['quarantined']),
      filtered: Number(r['filtered']),
      quality: r['quality'] === null ? null : Number(r['quality']),
      anomalies: Number(r['anomalies']),
    }));
  }

  /** A run's full record: read from its manifest (the store indexes runs, it does not copy their records). */
  async manifest(runId: string): Promise<RunManifest | undefined> {
    const r = await this.rows(`SELECT run_id FROM runs WHERE run_id = $id`, { id: runId });
    return r[0] ? this.readManifest(runId) : undefined;
  }

  private readManifest(runId: string): RunManifest | undefined {
    try {
      const parsed = runManifestSchema.safeParse(JSON.parse(fs.readFileSync(path.join(this.historyDir, runId, 'manifest.json'), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** The last `limit` successful runs of a pipeline, newest first (the anomaly gates' history). */
  async successfulManifests(pipelineName: string, limit: number): Promise<RunManifest[]> {
    const r = await this.rows(`SELECT run_id FROM runs WHERE pipeline_name = $p AND outcome = 'succeeded' ORDER BY started_at DESC LIMIT $limit`, { p: pipelineName, limit });
    return r.map((x) => this.readManifest(String(x['run_id']))).filter((m): m is RunManifest => m !== undefined);
  }

  /** Node and rule metrics of a pipeline's last `limit` runs, oldest first. */
  async trends(pipelineName: string, limit: number): Promise<TrendPoint[]> {
    const rows = await this.rows(
      `WITH last AS (SELECT run_id, started_at FROM runs WHERE pipeline_name = $p ORDER BY started_at DESC LIMIT $limit)
       SELECT l.run_id, l.started_at, n.node_id, NULL AS rule, n.rows_in, n.rows_out, n.quarantined, n.duration_ms, n.quality
         FROM last l JOIN node_metrics n USING (run_id)
       UNION ALL
       SELECT l.run_id, l.started_at, r.node_id, r.rule, 0, 0, r.failures, 0, NULL
         FROM last l JOIN rule_metrics r USING (run_id)
       ORDER BY started_at, run_id, node_id, rule NULLS FIRST`,
      { p: pipelineName, limit },
    );
    return rows.map((r) => ({
      runId: String(r['run_id']),
      startedAt: String(r['started_at']),
      nodeId: String(r['node_id']),
      rule: r['rule'] === null ? null : String(r['rule']),
      rowsIn: Number(r['rows_in']),
      rowsOut: Number(r['rows_out']),
      quarantined: Number(r['quarantined']),
      durationMs: Number(r['duration_ms']),
      quality: r['quality'] === null ? null : Number(r['quality']),
    }));
  }

  async pipelines(): Promise<{ name: string; runs: number; lastRunAt: string }[]> {
    const rows = await this.rows(`SELECT pipeline_name, count(*) AS n, max(started_at) AS t FROM runs GROUP BY 1 ORDER BY 1`);
    return rows.map((r) => ({ name: String(r['pipeline_name']), runs: Number(r['n']), lastRunAt: String(r['t']) }));
  }

  /** The last run of each pipeline and its last success (for `sluice status`). */
  async lastRuns(): Promise<{ pipelineName: string; lastRun: RunSummaryRow | undefined; lastSuccessAt: string | undefined }[]> {
    const names = await this.rows(`SELECT DISTINCT pipeline_name FROM runs ORDER BY 1`);
    const out = [];
    for (const n of names) {
      const name = String(n['pipeline_name']);
      const [last] = await this.list({ limit: 1, pipelineName: name });
      const ok = await this.rows(`SELECT max(finished_at) AS t FROM runs WHERE pipeline_name = $p AND outcome = 'succeeded'`, { p: name });
      const t = ok[0]?.['t'];
      out.push({ pipelineName: name, lastRun: last, lastSuccessAt: t === null || t === undefined ? undefined : String(t) });
    }
    return out;
  }
}

/** Rows read: what sources produced plus what they refused; rows written: what sinks took in. */
export function runTotals(m: RunManifest): { rowsRead: number; rowsWritten: number; quarantined: number; filtered: number; durationMs: number } {
  let rowsRead = 0;
  let rowsWritten = 0;
  let quarantined = 0;
  let filtered = 0;
  for (const n of m.nodes) {
    if (n.kind.startsWith('source.')) rowsRead += n.rowsOut + n.quarantined + n.filtered;
    if (n.kind.startsWith('sink.')) rowsWritten += n.rowsIn - n.quarantined - n.filtered;
    quarantined += n.quarantined;
    filtered += n.filtered;
  }
  const durationMs = Math.max(0, Date.parse(m.finishedAt) - Date.parse(m.startedAt)) || 0;
  return { rowsRead, rowsWritten, quarantined, filtered, durationMs };
}

function appendRun(a: { runs: DuckDBAppender; nodes: DuckDBAppender; rules: DuckDBAppender; cols: DuckDBAppender }, m: RunManifest, fingerprint: string): void {
  const t = runTotals(m);
  const r = a.runs;
  r.appendVarchar(m.runId);
  r.appendVarchar(m.pipelineName);
  r.appendVarchar(m.pipelineHash);
  r.appendVarchar(m.startedAt);
  r.appendVarchar(m.finishedAt);
  r.appendBigInt(BigInt(t.durationMs));
  r.appendVarchar(m.outcome);
  r.appendVarchar(m.startedBy ?? 'unknown');
  r.appendBigInt(BigInt(t.rowsRead));
  r.appendBigInt(BigInt(t.rowsWritten));
  r.appendBigInt(BigInt(t.quarantined));
  r.appendBigInt(BigInt(t.filtered));
  if (m.quality?.score === null || m.quality?.score === undefined) r.appendNull();
  else r.appendDouble(m.quality.score);
  r.appendInteger((m.anomalies ?? []).filter((x) => x.tripped).length);
  r.appendVarchar(fingerprint);
  r.endRow();
  for (const n of m.nodes) {
    const x = a.nodes;
    x.appendVarchar(m.runId);
    x.appendVarchar(n.nodeId);
    x.appendVarchar(n.kind);
    x.appendVarchar(n.status);
    x.appendBigInt(BigInt(n.rowsIn));
    x.appendBigInt(BigInt(n.rowsOut));
    x.appendBigInt(BigInt(n.quarantined));
    x.appendBigInt(BigInt(n.filtered));
    x.appendBigInt(BigInt(Math.round(n.durationMs)));
    const q = m.quality?.nodes[n.nodeId];
    if (q === undefined) x.appendNull();
    else x.appendDouble(q);
    x.endRow();
  }
  for (const [nodeId, rules] of Object.entries(m.rules ?? {})) {
    for (const [rule, failures] of Object.entries(rules)) {
      a.rules.appendVarchar(m.runId);
      a.rules.appendVarchar(nodeId);
      a.rules.appendVarchar(rule);
      a.rules.appendBigInt(BigInt(failures));
      a.rules.endRow();
    }
  }
  for (const [nodeId, cols] of Object.entries(m.columns ?? {})) {
    for (const c of cols) {
      const x = a.cols;
      x.appendVarchar(m.runId);
      x.appendVarchar(nodeId);
      x.appendVarchar(c.port);
      x.appendVarchar(c.name);
      x.appendVarchar(c.type);
      x.appendBigInt(BigInt(c.rows));
      x.appendBigInt(BigInt(c.nulls));
      x.appendDouble(c.rows > 0 ? c.nulls / c.rows : 0);
      if (c.distinct === null) x.appendNull();
      else x.appendBigInt(BigInt(c.distinct));
      if (c.min === null) x.appendNull();
      else x.appendVarchar(c.min);
      if (c.max === null) x.appendNull();
      else x.appendVarchar(c.max);
      x.endRow();
    }
  }
}

/**
 * After a run's manifest is final: bring its history folder's store up to date. Never fails the run: if the store
 * is busy or broken, the manifest on disk is still there and the next reader ingests it.
 */
export async function recordInStore(historyDir: string, runId?: string, o: StoreOptions = {}): Promise<void> {
  try {
    const s = await RunStore.open(historyDir, o);
    try {
      if (runId) await s.recordOne(runId);
      else await s.sync();
    } finally {
      s.close();
    }
  } catch (e) {
    process.stderr.write(`[sluice] the run store was not updated (the next reader will catch up): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    try {
      fs.writeFileSync(path.join(historyDir, DIRTY_FILE), '');
    } catch {
      /* the history folder itself is unwritable: nothing more to do */
    }
  }
}
