// What every node kind declares. One module per kind in this folder implements it.
import type * as z from 'zod';
import type { Column, KindTraits, PortSpec } from '@sluice/format/api/contract';
import type { ExecContext } from '../runtime/exec-context.js';
import type { SchemaArgs, SchemaEnv, SchemaOutcome, SniffOutcome } from '@sluice/format/schema/types';

export type NodeCategory = 'source' | 'transform' | 'quality' | 'sink';

/**
 * How a node's rows must balance after it ran (checked by the reconciler, never assumed):
 * - `conserving`: every input row leaves as output, quarantine or filtered (in = passed + quarantined + filtered, passed = out).
 * - `reducing`: input rows are folded into fewer output rows (aggregate); in = passed + quarantined + filtered where passed counts rows folded in.
 * - `source`: records read = out + quarantined + filtered (blank lines are filtered, counted).
 * - `sink`: rows in = rows written + quarantined.
 * - `opaque`: a SQL node. When its query keeps the lineage column it reconciles by lineage (`passed` from the
 *   node: input rows whose lineage reached the output; in = passed + quarantined + filtered, checked); otherwise
 *   its rows are new rows, counted but not reconciled one by one (and a drop must be declared; nodes/sql.ts).
 */
export type Accounting = 'conserving' | 'reducing' | 'source' | 'sink' | 'opaque';

export interface NodeKind<C = unknown> {
  kind: string;
  category: NodeCategory;
  title: string;
  description: string;
  inputs: PortSpec[];
  outputs: PortSpec[];
  config: z.ZodType<C>;
  defaults: Record<string, unknown>;
  accounting: Accounting;
  /**
   * Input ports this kind reads by stored row order (rowid, positional joins). An upstream node that produced a
   * view there is materialized first. Other inputs may stay views, so chains of cheap steps fuse in DuckDB.
   */
  tableInputs?: string[];
  /**
   * How this kind treats the order of its input rows: `requires` (its result depends on it: sinks, limit,
   * keep-first deduplication; the default), `propagates` (row by row, keeping it, so it matters only if it matters
   * downstream) or `absorbs` (the result does not depend on it and sets its own order: an aggregate sorted by key).
   * Upstream nodes whose order nobody requires may skip the work of keeping it.
   */
  inputOrder?: 'requires' | 'propagates' | 'absorbs';
  /**
   * The same, for a kind whose dependence on order comes with its config (a validate with a keep-first unique
   * rule judges by input position); when given, it wins over `inputOrder`.
   */
  inputOrderOf?(config: C): 'requires' | 'propagates' | 'absorbs';
  /**
   * Input ports whose every row this kind reads and counts as it works (an aggregate folds each input row into
   * one group), reporting the number in ExecResult.inputRowsRead. The node before it may then leave its output's
   * row count to this kind (ExecResult.countedByReader) instead of reading its rows once more only to count them.
   */
  countsInputs?: readonly string[];
  /**
   * The config's version. Raise it with a migration whenever a saved config would otherwise mean something else
   * or stop loading; files record the version per node and are migrated on load, before they are checked.
   */
  version: number;
  /** Ordered: `migrations[i]` turns a version `i + 1` config into a version `i + 2` one. */
  migrations: ConfigMigration[];
  /** Declared, never defaulted: preview, replay, the run tab and the form read them (see KindTraits). */
  traits: KindTraits;
  /**
   * The columns on each output port, from the input ports' columns and the config, without reading data; and
   * the problems that can be seen from them (unknown columns, types that do not fit), each with its field.
   * Called only when every connected input's columns are known.
   */
  outputSchema(args: SchemaArgs<C>): SchemaOutcome | Promise<SchemaOutcome>;
  /**
   * Sources that read text: column types sniffed from a sample by the strict casts a run applies, for the user
   * to accept into the config field `field`. Runs never use a sniff; only accepted types count.
   */
  sniff?: { field: string; run(args: { config: C; env: SchemaEnv }): Promise<SniffOutcome | { error: string; code: string }> };
  /**
   * The kind carries state from one run to the next (runtime/durability/pipeline-state.ts): it reads `ctx.committedState`
   * and writes its next state under `ctx.stateDir/next`, which the run commits only after all its sinks did.
   */
  stateful?: boolean;
  /**
   * What `sluice validate` (and every run, before any node executes) can check in this kind's config without
   * data: the paths it reads or writes, the SQL it will run, the patterns it compiles (runtime/static-checks.ts).
   */
  statics?(config: C): StaticItem[];
  /** Materializes every output port's table and inserts rejected rows into the quarantine table. */
  execute(ctx: ExecContext, config: C): Promise<ExecResult>;
}

export interface ConfigMigration {
  /** What changed, for the file's reader and `sluice migrate`'s report. */
  note: string;
  up(config: Record<string, unknown>): Record<string, unknown>;
}
/** One statically checkable part of a node's config; `field` is its path inside the config. */
export type StaticItem =
  | { type: 'input-path' | 'output-path'; field: string; value: string }
  | { type: 'expression'; field: string; text: string }
  | { type: 'select'; field: string; text: string; ports: string[] }
  | { type: 'regex'; field: string; pattern: string };

export interface ExecResult {
  /** Rows removed on purpose by an explicit rule, with the rule's reason. */
  filtered?: { count: number; reason: string };
  /** For `reducing` nodes and joins: rows of the consumed input that were carried into the output. */
  passed?: number;
  /** For sources: records read from the input (before any quarantine). */
  recordsRead?: number;
  /** For sources: reading stopped at the preview limit, so more records exist. */
  truncated?: boolean;
  /** For sinks: rows written. */
  written?: number;
  /**
   * Exact rows of an output port, when the node knows them without reading the output back (a CSV source counted
   * the records its scan kept; a filter over a view counted kept and dropped rows in one pass). The runtime uses
   * it instead of a `count(*)`, which over a view runs the view's whole chain again (a CSV source's view re-reads
   * its clean copy). Ignored for an output that is a table (counting one reads no rows). Under
   * SLUICE_VERIFY_COUNTS=1 (the test suite sets it) the runtime counts anyway and fails the node on a difference.
   */
  outputRows?: Record<string, number>;
  /**
   * A `conserving` node whose only data output's one reader counts the rows it reads (offered by
   * ctx.readerCounts): the output's rows are the count that reader reports, and the rest of this node's input
   * rows are filtered with `reason` (a filter over a view: its output is its input WHERE the condition IS TRUE, the
   * rest is what its rule filtered). The runtime settles the node's metrics (and its journal entry, events and
   * profile) once the reader has run, or counts the output itself if the reader did not report (it failed, or
   * did not run). Under SLUICE_VERIFY_COUNTS=1 the output is counted anyway and the node fails on a difference.
   */
  countedByReader?: { port: string; reason: string };
  /** Rows read on each input port of `countsInputs` that the runtime did not count (see NodeKind.countsInputs). */
  inputRowsRead?: Record<string, number>;
  warnings?: string[];
}

export type { Column };
