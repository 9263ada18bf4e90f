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
import { DuckDBInstance, listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { runManifestSchema, type RunManifest } from '@sluice/format/api/contract';
import type { RunSummaryRow, TrendPoint } from '@sluice/format/api/ops-contract';
import { acquireLock } from './store-lock.js';
import { appendRun } from './store-rows.js';

export const STORE_FILE = 'runstore.duckdb';
/** Left by a writer that could not index its run: the next sync looks at every manifest. */
const DIRTY_FILE = 'runstore.dirty';
/**
 * How much of a store's WAL a run that recorded itself leaves unfolded when it closes the store (see
 * closeAfterRecord): a run adds a few kilobytes, so about every twentieth run (or any reader) folds it in.
 */
const WAL_FOLD_BYTES = 64 * 1024;
/** Bump when the tables change: an older file is then rebuilt from the manifests. */
const STORE_VERSION = 4;

export interface StoreOptions {
  /** How long to wait for another process's lock before giving up (ms). */
  lockTimeoutMs?: number;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS runs (run_id VARCHAR PRIMARY KEY, pipeline_name VARCHAR, pipeline_hash VARCHAR, started_at VARCHAR, finished_at VARCHAR,
     duration_ms BIGINT, outcome VARCHAR, started_by VARCHAR, rows_read BIGINT, rows_written BIGINT, quarantined BIGINT, filtered BIGINT,
     quality DOUBLE, anomalies INTEGER, fingerprint VARCHAR, bytes_read BIGINT, bytes_written BIGINT)`,
  `CREATE TABLE IF NOT EXISTS node_metrics (run_id VARCHAR, node_id VARCHAR, kind VARCHAR, status VARCHAR, rows_in BIGINT, rows_out BIGINT,
     quarantined BIGINT, filtered BIGINT, duration_ms BIGINT, quality DOUBLE, bytes_read BIGINT, bytes_written BIGINT)`,
  `CREATE TABLE IF NOT EXISTS rule_metrics (run_id VARCHAR, node_id VARCHAR, rule VARCHAR, failures BIGINT)`,
  `CREATE TABLE IF NOT EXISTS column_metrics (run_id VARCHAR, node_id VARCHAR, port VARCHAR, column_name VARCHAR, type VARCHAR, row_count BIGINT,
     nulls BIGINT, null_rate DOUBLE, distinct_values BIGINT, min_value VARCHAR, max_value VARCHAR, distinct_rows BIGINT)`,
];


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

  /**
   * Close after recording a run. Its commit is durable already (DuckDB syncs the WAL when it commits); closing
   * would also checkpoint, rewriting the tables' last blocks into the file, which took 10–50 ms on this machine,
   * more as the store grows (2,000 runs: 27–55 ms), and which nothing needs at once: the next open replays the
   * WAL (a few kilobytes a run). So the WAL is folded in only once it holds WAL_FOLD_BYTES, or by any other close
   * (readers, syncs).
   */
  async closeAfterRecord(): Promise<void> {
    let wal = 0;
    try {
      wal = fs.statSync(`${path.join(this.historyDir, STORE_FILE)}.wal`).size;
    } catch {
      // No WAL: nothing to fold, the close checkpoints nothing.
    }
    try {
      if (wal > 0 && wal < WAL_FOLD_BYTES) await this.conn.run('PRAGMA disable_checkpoint_on_shutdown');
    } finally {
      this.close();
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
    // One statement list (a new store is made by the first run of every history folder).
    await this.conn.run([...SCHEMA, `INSERT OR REPLACE INTO meta VALUES ('version', '${STORE_VERSION}')`].join(';\n'));
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

  /**
   * Index (again) one run, after its manifest was written: no need to look at the other runs. `written`: the
   * manifest its writer has just put on disk, which then need not be read back and parsed again.
   */
  async recordOne(runId: string, written?: RunManifest): Promise<void> {
    const [r] = await this.rows(`SELECT fingerprint FROM runs WHERE run_id = $id`, { id: runId });
    const prior = r ? String(r['fingerprint']) : undefined;
    const found = written?.runId === runId ? this.stamped(written, prior) : this.look(runId, prior);
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

  /** A manifest as its writer holds it, fingerprinted by its file as look() does; 'missing' without the file. */
  private stamped(m: RunManifest, fingerprint: string | undefined): { manifest: RunManifest; fingerprint: string } | 'same' | 'missing' {
    let st: fs.Stats;
    try {
      st = fs.statSync(path.join(this.historyDir, m.runId, 'manifest.json'));
    } catch {
      return 'missing';
    }
    const now = `${st.mtimeMs}:${st.size}`;
    return now === fingerprint ? 'same' : { manifest: m, fingerprint: now };
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
      `SELECT run_id, pipeline_name, started_at, finished_at, duration_ms, outcome, started_by, rows_read, rows_written, bytes_read, bytes_written, quarantined, filtered, quality, anomalies
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
      bytesRead: Number(r['bytes_read'] ?? 0),
      bytesWritten: Number(r['bytes_written'] ?? 0),
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


/**
 * After a run's manifest is final: bring its history folder's store up to date. Never fails the run: if the store
 * is busy or broken, the manifest on disk is still there and the next reader ingests it. `written`: the manifest
 * the run has just written (see RunStore.recordOne).
 */
export async function recordInStore(historyDir: string, runId?: string, o: StoreOptions = {}, written?: RunManifest): Promise<void> {
  try {
    const s = await RunStore.open(historyDir, o);
    let recorded = false;
    try {
      if (runId) await s.recordOne(runId, written);
      else await s.sync();
      recorded = runId !== undefined;
    } finally {
      if (recorded) await s.closeAfterRecord();
      else s.close();
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
