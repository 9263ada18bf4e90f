// A DuckDB connection locked down to the folders a pipeline may touch.
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Column, Cell } from '@sluice/format/api/contract';
import { qi, qlit } from '../sql/quote.js';
import type { SqlParams, SqlValue, QuarantineRecord } from '../runtime/exec-context.js';
import { QueryError } from '@sluice/format/api/errors';
import { TRACE, traced } from './trace.js';
import { catalogChange, keepsCatalog, noChange } from './catalog-change.js';
import { MiB, duckdbMemoryLimit, sizeBytes } from './memory-limit.js';

/**
 * A node whose output is a view over tables of its own names them after the output and this suffix (and more), so
 * that they are dropped with the output: the view reads them for as long as it exists (a CSV source's lines:
 * sources/csv-lines.ts).
 */
export const COMPANION = '__sl_part';

export interface DatabaseOptions {
  /** Folders DuckDB may read or write. Everything else, and the network, is refused. */
  allowedDirs: string[];
  /** Where DuckDB spills when data exceeds memory. Must be inside allowedDirs. */
  tempDir: string;
  threads?: number;
  /**
   * What the process may use for this database (see runtime/execution/limits.ts for the defaults). DuckDB's own
   * memory_limit is smaller: see duckdbMemoryLimit.
   */
  memoryLimit?: string;
  /** DuckDB's max_temp_directory_size: how much may spill to tempDir. */
  tempLimit?: string;
}

export interface CellRows {
  columns: Column[];
  rows: Cell[][];
}

/**
 * SLUICE_TRACE_MEMORY=MS prints, every MS milliseconds, the process's RSS beside what DuckDB accounts for (its
 * buffer pool by tag, and what it has spilled) and the JavaScript heap, so a run's memory can be lined up with the
 * SQL trace (same clock). For finding where RSS beyond the memory limit comes from (issue 18).
 */
const TRACE_MEMORY_MS = Number(process.env['SLUICE_TRACE_MEMORY'] ?? 0);

const QUARANTINE_COLUMNS =
  'lineage VARCHAR, source_line BIGINT, rule_ids VARCHAR[], reasons VARCHAR[], row_json VARCHAR, raw BLOB';

/**
 * DuckDB's error classes that the pipeline's own content causes (an unknown column in an expression, a failed
 * conversion, a refused path); the others (Internal, Fatal, ...) are faults of the engine.
 */
const USER_CAUSED = new Set(['Binder', 'Conversion', 'Parser', 'Catalog', 'Invalid Input', 'Out of Range', 'Constraint', 'Permission', 'IO', 'INTERRUPT']);

/**
 * The one place DuckDB's errors are classified: its node binding throws plain Errors whose only mark of kind is
 * the message's `<Type> Error:` prefix, so it is read here, once, and every caller gets a QueryError.
 */
export function classifyDuckDbError(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof QueryError) return e;
  const type = /^([A-Za-z ]+?) Error: /.exec(e.message)?.[1];
  if (type === undefined) return e;
  const q = new QueryError(e.message, type, USER_CAUSED.has(type));
  if (e.stack) q.stack = e.stack;
  return q;
}

async function classified<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw classifyDuckDbError(e);
  }
}

export class Database {
  /**
   * The relations the catalog holds (name to kind), as last listed; undefined until the next lookup lists them.
   * The runtime asks what its tables are several times per node; each answer used to be a scan of DuckDB's
   * catalog, which grows with the run, so a long chain cost quadratic time (issue 18). Forgotten by any statement
   * that may change the catalog (`keepsCatalog`), so an answer is never older than the last such statement.
   */
  private catalog: Map<string, 'table' | 'view'> | undefined;
  /** Columns of a relation (keyed by the SQL text that names it), forgotten with the catalog. */
  private readonly columnsOf = new Map<string, Column[]>();

  /** Counts statements that may change the catalog (see statement()). */
  private generation = 0;

  private memoryProbe: ReturnType<typeof setInterval> | undefined;
  /** DuckDB's memory_limit in bytes, when the process was given a limit. */
  private poolBytes: number | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /** A second connection, so a long statement on the first does not hold the probe up. */
  private async startMemoryProbe(ms: number): Promise<void> {
    const probe = await this.instance.connect();
    let busy = false;
    this.memoryProbe = setInterval(() => {
      if (busy) return;
      busy = true;
      probe
        .runAndReadAll(`SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory() WHERE memory_usage_bytes + temporary_storage_bytes > 0 ORDER BY memory_usage_bytes DESC`)
        .then((r) => {
          const rows = r.getRowsJS() as [string, bigint, bigint][];
          const used = rows.reduce((a, x) => a + Number(x[1]), 0);
          const spilled = rows.reduce((a, x) => a + Number(x[2]), 0);
          const m = process.memoryUsage();
          const tags = rows.filter((x) => Number(x[1]) >= 16 * MiB).map((x) => `${x[0]} ${Math.round(Number(x[1]) / MiB)}`).join(', ');
          process.stderr.write(`[mem at ${Math.round(performance.now())} ms] rss ${Math.round(m.rss / MiB)} MiB; duckdb ${Math.round(used / MiB)} MiB (${tags}), spilled ${Math.round(spilled / MiB)} MiB; js heap ${Math.round(m.heapUsed / MiB)} MiB, buffers ${Math.round(m.arrayBuffers / MiB)} MiB\n`);
        })
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, ms);
    this.memoryProbe.unref();
  }

  /**
   * Forgets what the catalog holds before a statement that may change it, and returns what to do once it
   * succeeded: a statement that only creates, drops or renames one relation by its quoted name (the runtime's
   * own DDL: a node's output, a view, a materialized table) leaves the catalog known, with that change, instead of
   * making the next lookup list it again (a listing per node grew with the run's catalog). Column lists are
   * forgotten either way: a view's columns follow the relations it reads.
   */
  private statement(sql: string): () => void {
    if (keepsCatalog(sql)) return noChange;
    const known = this.catalog;
    const change = known ? catalogChange(sql, known) : undefined;
    this.catalog = undefined;
    this.columnsOf.clear();
    const generation = ++this.generation;
    if (!known || !change) return noChange;
    return () => {
      // Another statement since (none is concurrent in a run, but a caller may) leaves the catalog unknown.
      if (this.generation !== generation) return;
      for (const name of change.drop) known.delete(name);
      if (change.add) known.set(change.add[0], change.add[1]);
      this.catalog = known;
    };
  }

  static async open(opts: DatabaseOptions): Promise<Database> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(opts.threads ?? 2),
      ...(opts.memoryLimit ? { memory_limit: duckdbMemoryLimit(opts.memoryLimit) } : {}),
    });
    const conn = await instance.connect();
    const db = new Database(instance, conn);
    if (opts.memoryLimit) db.poolBytes = sizeBytes(duckdbMemoryLimit(opts.memoryLimit));
    const dirs = opts.allowedDirs.map((d) => qlit(d.endsWith('/') ? d : `${d}/`)).join(', ');
    // Order matters: temp directory and allow-lists are set before access is disabled, then everything is locked
    // so that no later statement (a user's SQL included) can loosen it. One statement list, run in order (a
    // failing SET stops the rest, and open fails): a database is opened up to three times per run (the static
    // checks', the schema pass's, the run's), and a round trip per setting was ~5 ms of each open.
    await db.run(
      [
        `SET temp_directory = ${qlit(opts.tempDir)}`,
        ...(opts.tempLimit ? [`SET max_temp_directory_size = ${qlit(opts.tempLimit)}`] : []),
        `SET allowed_directories = [${dirs}]`,
        `SET enable_external_access = false`,
        `SET autoinstall_known_extensions = false`,
        `SET autoload_known_extensions = false`,
        // Query progress for the live counters of a running node (never printed: the worker's stdout is its channel).
        `SET enable_progress_bar_print = false`,
        `SET enable_progress_bar = true`,
        `SET progress_bar_time = 0`,
        `SET lock_configuration = true`,
      ].join(';\n'),
    );
    if (TRACE_MEMORY_MS > 0) await db.startMemoryProbe(TRACE_MEMORY_MS);
    return db;
  }

  async run(sql: string, params?: SqlParams): Promise<void> {
    const started = TRACE ? performance.now() : 0;
    const changed = this.statement(sql);
    await classified(this.conn.run(sql, params ? toDuckParams(params) : undefined));
    changed();
    traced(sql, started);
    if (/^\s*DELETE\b/i.test(sql)) await this.compactIfTight();
  }

  /**
   * Compacts (below) only when DuckDB holds more than a third of its pool: with memory to spare the rewrite is
   * pure cost (0.66 s after validate's DELETE at 1 M rows, about 3 s at 5 M, where the whole run takes 11 s), while
   * under a tight limit it is what lets the run finish (the 50 M-row run failed without it).
   */
  private async compactIfTight(): Promise<void> {
    if (this.poolBytes === undefined) return;
    let used: number;
    try {
      used = await this.count('SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()');
    } catch {
      return;
    }
    if (used > this.poolBytes / 3) await this.compact();
  }

  /**
   * Rewrites the in-memory tables changed since the last time, compressed. Done after a DELETE: DuckDB keeps a
   * version entry per row of every vector the DELETE touched until then (81 MiB per 10 M rows that it cannot
   * spill; ~400 MiB at 50 M rows, and the 50 M-row run's join then failed under a 1.5 GB limit), and the rewrite
   * also compresses the table (a 10 M-row, 2-column table: 203 MiB before, 61 MiB after), so later nodes spill
   * less: validation workload at 10 M rows under 1.5 GB, 135 s before, 56 s after, one run each, exact. A failed
   * compaction costs memory only, never rows, so it is not an error.
   */
  async compact(): Promise<void> {
    const started = TRACE ? performance.now() : 0;
    try {
      await this.conn.run('CHECKPOINT');
    } catch {
      return;
    }
    traced('CHECKPOINT', started);
  }

  /** Small result sets as objects keyed by column name (trusted, engine-chosen names only). */
  async rows(sql: string, params?: SqlParams): Promise<Record<string, SqlValue>[]> {
    const raw = await this.rawRows(sql, params);
    return raw.map((r) => {
      const o: Record<string, SqlValue> = Object.create(null) as Record<string, SqlValue>;
      for (const k of Object.keys(r)) o[k] = toSqlValue(r[k]);
      return o;
    });
  }

  /** Like rows(), but values as DuckDB's JS conversion gives them (blobs as bytes, big integers as bigint). */
  async rawRows(sql: string, params?: SqlParams): Promise<Record<string, unknown>[]> {
    const started = TRACE ? performance.now() : 0;
    const changed = this.statement(sql);
    const reader = await classified(this.conn.runAndReadAll(sql, params ? toDuckParams(params) : undefined));
    changed();
    traced(sql, started);
    const names = reader.columnNames();
    return reader.getRowsJS().map((r) => {
      const o: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      names.forEach((n, i) => {
        o[n] = r[i];
      });
      return o;
    });
  }

  async count(sql: string, params?: SqlParams): Promise<number> {
    const started = TRACE ? performance.now() : 0;
    const changed = this.statement(sql);
    const reader = await classified(this.conn.runAndReadAll(sql, params ? toDuckParams(params) : undefined));
    changed();
    traced(sql, started);
    const v = reader.getRowsJS()[0]?.[0];
    return v === null || v === undefined ? 0 : Number(v);
  }

  /** Rows for display: arrays (so no column name can collide with object internals) of JSON-safe cells. */
  async cells(sql: string, params?: SqlParams): Promise<CellRows> {
    const started = TRACE ? performance.now() : 0;
    const changed = this.statement(sql);
    const reader = await classified(this.conn.runAndReadAll(sql, params ? toDuckParams(params) : undefined));
    changed();
    traced(sql, started);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const rows = reader.getRowsJson().map((r) => r.map((v, i) => toCell(v, types[i] ?? '')));
    return { columns: names.map((name, i) => ({ name, type: types[i] ?? '' })), rows };
  }

  async describe(table: string): Promise<Column[]> {
    const known = this.columnsOf.get(table);
    if (known) return known.map((c) => ({ ...c }));
    const started = TRACE ? performance.now() : 0;
    const sql = `SELECT * FROM ${table} LIMIT 0`;
    const reader = await classified(this.conn.runAndReadAll(sql));
    traced(sql, started);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const columns = names.map((name, i) => ({ name, type: types[i] ?? '' }));
    this.columnsOf.set(table, columns);
    return columns.map((c) => ({ ...c }));
  }

  /** Whether `name` is a table, a view, or neither. */
  async relationKind(name: string): Promise<'table' | 'view' | undefined> {
    this.catalog ??= await this.listRelations();
    return this.catalog.get(name);
  }

  /** Every relation of the catalog in one statement (a table wins over a view of the same name, as before). */
  private async listRelations(): Promise<Map<string, 'table' | 'view'>> {
    const started = TRACE ? performance.now() : 0;
    const sql = `SELECT table_name AS n, 'table' AS k FROM duckdb_tables() UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE NOT internal`;
    const reader = await classified(this.conn.runAndReadAll(sql));
    traced(sql, started);
    const out = new Map<string, 'table' | 'view'>();
    for (const [n, k] of reader.getRowsJS()) {
      if (typeof n !== 'string' || (k !== 'table' && k !== 'view')) continue;
      if (!out.has(n) || k === 'table') out.set(n, k);
    }
    return out;
  }

  async dropRelation(name: string): Promise<void> {
    const kind = await this.relationKind(name);
    if (kind === undefined) return;
    const catalog = this.catalog;
    await this.run(`DROP ${kind === 'table' ? 'TABLE' : 'VIEW'} ${qi(name)}`);
    // What the catalog holds is still known: the same list without this relation.
    if (catalog) {
      catalog.delete(name);
      this.catalog = catalog;
    }
    await this.dropCompanions(name);
  }

  /** The tables a node's view reads (see COMPANION): gone with the view, or once it is stored. */
  private async dropCompanions(name: string): Promise<void> {
    this.catalog ??= await this.listRelations();
    for (const other of [...this.catalog.keys()]) if (other.startsWith(`${name}${COMPANION}`)) await this.dropRelation(other);
  }

  /** Turn a view into a table of the same name, for nodes that need stored row order (rowid, positional joins). */
  async materialize(name: string): Promise<void> {
    if ((await this.relationKind(name)) !== 'view') return;
    const tmp = `${name}__sl_mat`;
    await this.run(`CREATE TABLE ${qi(tmp)} AS SELECT * FROM ${qi(name)}`);
    await this.run(`DROP VIEW ${qi(name)}`);
    await this.run(`ALTER TABLE ${qi(tmp)} RENAME TO ${qi(name)}`);
    await this.dropCompanions(name);
  }

  async tableExists(name: string): Promise<boolean> {
    return (await this.relationKind(name)) === 'table';
  }

  async createQuarantineTable(name: string): Promise<void> {
    const catalog = this.catalog;
    await this.run(`CREATE TABLE ${qi(name)} (${QUARANTINE_COLUMNS})`);
    // The catalog is what it was, plus this table.
    if (catalog) this.catalog = catalog.set(name, 'table');
  }

  async appendQuarantine(tableName: string, records: QuarantineRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Appending a LIST value row by row goes through DuckDB's generic value conversion (about 35 µs a row), so
    // the lists travel as JSON text in a staging table of plain columns and are converted in one statement.
    const staging = `${tableName}__sl_staging`;
    await this.run(`CREATE OR REPLACE TABLE ${qi(staging)} (lineage VARCHAR, source_line BIGINT, rule_ids VARCHAR, reasons VARCHAR, row_json VARCHAR, raw BLOB)`);
    try {
      const appender = await this.conn.createAppender(staging);
      for (const r of records) {
        appender.appendVarchar(r.lineage);
        if (r.sourceLine === null) appender.appendNull();
        else appender.appendBigInt(BigInt(r.sourceLine));
        appender.appendVarchar(JSON.stringify(r.ruleIds));
        appender.appendVarchar(JSON.stringify(r.reasons));
        if (r.row === null) appender.appendNull();
        else appender.appendVarchar(r.row);
        if (r.raw === null) appender.appendNull();
        else appender.appendBlob(r.raw);
        appender.endRow();
      }
      appender.closeSync();
      await this.run(
        `INSERT INTO ${qi(tableName)} SELECT lineage, source_line, from_json(rule_ids, '["VARCHAR"]'), from_json(reasons, '["VARCHAR"]'), row_json, raw FROM ${qi(staging)} ORDER BY rowid`,
      );
    } finally {
      await this.run(`DROP TABLE IF EXISTS ${qi(staging)}`);
    }
  }

  /** How far the running statement is (DuckDB's estimate), or undefined between statements. */
  progress(): { rows: number; percent: number } | undefined {
    const p = this.conn.progress;
    if (!(p.percentage >= 0)) return undefined;
    return { rows: Number(p.rows_processed), percent: p.percentage };
  }

  interrupt(): void {
    this.conn.interrupt();
  }

  close(): void {
    if (this.memoryProbe) clearInterval(this.memoryProbe);
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

function toDuckParams(params: SqlParams): Record<string, DuckDBValue> {
  const out: Record<string, DuckDBValue> = Object.create(null) as Record<string, DuckDBValue>;
  for (const [k, v] of Object.entries(params)) out[k] = v;
  return out;
}

function toSqlValue(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  return String(v);
}

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

/** Integers travel as numbers only while exact; beyond 2^53 they stay strings. Nested values travel as JSON text. */
function toCell(v: unknown, type: string): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (INTEGER_TYPES.test(type)) {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : v;
    }
    return v;
  }
  return JSON.stringify(v);
}

