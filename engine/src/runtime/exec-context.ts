// What a node sees while it executes: its inputs as tables, where to put its outputs, and a guarded connection.
import type { Column, IoStats } from '@sluice/format/api/contract';
import { redact } from './secrets.js';
import { capText, MAX_MESSAGE_CHARS } from './display-cap.js';
import type { QueryError } from '@sluice/format/api/errors';

export type SqlValue = string | number | bigint | boolean | null;
export type SqlParams = Record<string, SqlValue>;

/** The hidden column that carries each row's lineage id (source node, file, line) to outputs and quarantines. */
export const LINEAGE = '__lineage';

/** Prefix of the helper columns nodes compute with; user data may not use it. */
export const HELPER_PREFIX = '__sl_';

/**
 * Names user data may not carry: they would collide with the lineage column, a node's helper columns or a
 * quarantine port's reason columns, and DuckDB would silently rename one of the pair. A column named `rowid`
 * (in any case) hides DuckDB's row position, which nodes use to keep and pair rows in order.
 */
export function isReservedColumn(name: string): boolean {
  return name === LINEAGE || /^__lineage_\d+$/.test(name) || name.startsWith(HELPER_PREFIX) || name === '__rule_ids' || name === '__reasons' || isRowidName(name);
}

/** Why a column may not be named `rowid`, for the warnings and errors that rename or refuse one. */
export const ROWID_REASON = "would hide DuckDB's row positions, which Sluice uses to keep rows in order";

/** Whether a column name would hide DuckDB's `rowid` pseudo-column (identifiers are case-insensitive). */
export function isRowidName(name: string): boolean {
  return name.toLowerCase() === 'rowid';
}

export interface QuarantineRecord {
  lineage: string;
  sourceLine: number | null;
  ruleIds: string[];
  reasons: string[];
  /** Row values as JSON text, or null for a malformed line. */
  row: string | null;
  /** Exact bytes of a malformed input line. */
  raw: Uint8Array | null;
}

export interface ExecContext {
  readonly nodeId: string;
  readonly baseDir: string;
  /** A private folder for this node's scratch files during this run. */
  readonly scratchDir: string;
  /**
   * A folder for this node's durable progress (e.g. a REST source's committed pages and cursor). Unlike
   * `scratchDir` it survives a crashed or failed run and is handed back unchanged when that run is resumed.
   */
  readonly stateDir: string;
  /**
   * For `stateful` kinds: the folder of this node's state as the last committed run left it (undefined on a
   * first run, a full refresh, or in a preview). Read only; the next state goes to `stateDir/next`.
   */
  readonly committedState: string | undefined;
  /**
   * Names this node's result within its run (the run id and the node's fingerprint; undefined in previews). A
   * sink that records its commits in the target uses it to recognise a commit it already made.
   */
  readonly commitId: string | undefined;
  /**
   * Publish a complete staged file over its target. In a run this is the exactly-once commit of
   * runtime/durability/commit.ts (journaled, so a resume neither loses nor repeats it); a sink never renames by itself.
   */
  publish(staged: string, target: string, rows: number): Promise<void>;
  /**
   * Whether anything downstream depends on the order of this node's output rows (see NodeKind.inputOrder). When
   * not, a node may skip the work of keeping its input's order.
   */
  readonly orderMatters: boolean;
  /**
   * Whether this output port may be a view rather than a stored table: its readers would compute it again, each
   * inside its own query, and the run judged that cheaper than storing it once (runtime/execution/execute-graph.ts,
   * viewPays), with at most `maxReads` reads computing it (default MAX_VIEW_READS). False in previews.
   */
  viewPays(port: string, maxReads?: number): boolean;
  /**
   * Whether this output port's one reader counts every row it reads and runs after this node in this run, so
   * that this node may leave the port's row count to it (ExecResult.countedByReader). False in previews.
   */
  readerCounts(port: string): boolean;
  /** Set during previews: sources may stop after this many records. */
  readonly limit: number | undefined;
  readonly signal: AbortSignal;
  /**
   * Network hosts (`host:port`, or `host` for any port) the user allowed for this run. A pipeline file is
   * untrusted, so a node that opens connections must refuse every other host before sending anything.
   */
  readonly allowHosts: readonly string[];
  /** Environment variables a node may read secrets from (names come from its config, values never do). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Publish this node's I/O statistics (kept in its metrics); `note` is a progress line such as a retry. */
  reportIo(io: IoStats, note?: string): void;
  /**
   * The node's own progress while it works outside DuckDB (a CSV source's line scan): share done (0..1) and rows
   * so far. Reported to whoever follows the run, at most a few times a second; optional for callers without one.
   */
  reportProgress?(p: { fraction: number; rows: number }): void;
  /** Quoted table names of the relations connected to an input port (several for a multi-input port). */
  inputs(port: string): string[];
  /** The single relation on an input port; throws a user error if it is not connected. */
  input(port: string): string;
  /** Rows on an input port (summed over its connections), as the runtime counted them before the node ran. */
  inputRows(port: string): number;
  /**
   * Take over the table on an input port, to change it in place and rename it to an output: a filter-like node
   * then copies no rows. Given only when this node is the table's last and only reader in a run (never in a
   * preview, whose tables are cached); undefined means the node must leave the input as it is.
   */
  claimInput(port: string): Promise<string | undefined>;
  /** Quoted table name this node must create for an output port. */
  output(port: string): string;
  /** Quoted name of this node's quarantine table (already created, standard layout). */
  readonly quarantine: string;
  /** User-visible columns of a table (the lineage column left out). */
  columns(table: string): Promise<Column[]>;
  /** Whether a quoted relation name is a view rather than a stored table (from the run's catalog, usually known). */
  isView(table: string): Promise<boolean>;
  run(sql: string, params?: SqlParams): Promise<void>;
  rows(sql: string, params?: SqlParams): Promise<Record<string, SqlValue>[]>;
  count(sql: string, params?: SqlParams): Promise<number>;
  appendQuarantine(records: QuarantineRecord[]): Promise<void>;
  /** Resolve a path from the pipeline against its folder and the allowed roots; throws a user error if it escapes them. */
  resolvePath(path: string, field: string): string;
  /** Resolve an output path: against the run's output folder when one was given (`--out`), else the pipeline's. */
  resolveOutput(path: string, field: string): string;
  /** Paths a read may touch: a glob is expanded here so every file is checked. */
  resolveGlob(pattern: string, field: string): Promise<string[]>;
  /**
   * For a node whose output is computed lazily (a view): how to tell a failure that a node downstream meets while
   * computing it (runtime/execution/read-failures.ts): `reading` a source's files (the default), or the `values`
   * of its expressions. Optional: absent where no node runs after this one.
   */
  leaveExplainer?(explain: ReadFailureExplainer, kind?: ExplainedFailures): void;
  /** How many nodes of this run read this output port after this node (0 in a run that ends here). */
  readers(port: string): number;
}

// The error classes live in the API's one error model (api/errors.ts); nodes import UserError from here, which
// also redacts: a message may quote what a server or file said, and secrets read by this process never leave in one.
import { UserError as ApiUserError, type ErrorWhere } from '@sluice/format/api/errors';

/** A mistake in the pipeline or its input: shown to the user as one message, never with a stack. */
export class UserError extends ApiUserError {
  constructor(message: string, where: ErrorWhere = {}, opts: ConstructorParameters<typeof ApiUserError>[2] = {}) {
    super(capText(redact(message), MAX_MESSAGE_CHARS, 'message shortened'), where, opts);
  }
}

/** What a read-failure explainer may use: a count over a read of its files (the run's database). */
export interface FailureProbe {
  count(sql: string): Promise<number>;
}

/**
 * Given the failure met downstream, an error that says which of the source's files is unreadable, or undefined
 * (runtime/execution/read-failures.ts keeps them per run). Declared here, with the context that hands it over, so
 * that node kinds need not import the executor's layer.
 */
export type ReadFailureExplainer = (failure: QueryError, probe: FailureProbe) => Promise<Error | undefined>;
/** Which failures an explainer is asked about: those that may come from reading files, or from computing values. */
export type ExplainedFailures = 'reading' | 'values';
