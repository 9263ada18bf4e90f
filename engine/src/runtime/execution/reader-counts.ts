// Outputs whose rows their one reader counts (ExecResult.countedByReader): a filter over a view read by an
// aggregate or a file sink makes no count pass of its own. The node's counts, its afterNode (journal entry,
// profile) and its node-end wait here until that reader has run or is known not to; then they are settled.
import type { NodeMetrics } from '@sluice/format/api/contract';
import type { PipelineNode } from '@sluice/format/pipeline/pipeline';
import type { NodeKind } from '../../nodes/types.js';
import type { Database } from '../../db/database.js';
import { qi } from '../../sql/quote.js';
import { UserError } from '../exec-context.js';

/** A node whose output rows its reader counts: what settling it needs. */
export interface Deferred {
  node: PipelineNode;
  kind: NodeKind;
  m: NodeMetrics;
  port: string;
  reason: string;
  /** The reader's input port the output is read on. */
  readerPort: string;
}

/**
 * Under SLUICE_VERIFY_COUNTS=1 every row count a node reports is checked against a real count of its output (the
 * test suite runs with it, so a node that miscounts fails its tests; a user can set it to check a suspect run).
 */
export const verifyCounts = (): boolean => process.env['SLUICE_VERIFY_COUNTS'] === '1';

export interface ReaderCountsEnv {
  db: Database;
  tableName(nodeId: string, port: string): string;
  nameOf(nodeId: string): string;
  /** The node a DuckDB FATAL error happened in, if one did: nothing can be counted after it. */
  fatalIn(): string | undefined;
  /** A deferred node done: its afterNode (journal entry, profile). */
  done(d: Deferred): Promise<void>;
  /** A deferred node that could not be settled, with why. */
  failed(d: Deferred, e: unknown): void;
  /** Its node-end event, settled or failed. */
  ended(m: NodeMetrics): void;
}

export class ReaderCounts {
  private readonly byReader = new Map<string, Deferred[]>();
  private readonly ports = new Set<string>();

  constructor(private readonly env: ReaderCountsEnv) {}

  /** `d`'s output is counted by the node `readerId` when that node has run. */
  defer(readerId: string, d: Deferred): void {
    this.byReader.set(readerId, [...(this.byReader.get(readerId) ?? []), d]);
    this.ports.add(key(d.node.id, d.port));
  }

  /** Whether a node's output port waits for its reader's count. */
  waits(nodeId: string, port: string): boolean {
    return this.ports.has(key(nodeId, port));
  }

  /**
   * Settles the nodes `readerId` was to count, from what it reported reading (`read`, by its input port), or by
   * counting their outputs when it reported nothing (it failed, or did not run). `stopped`: why the reader stopped
   * when a stop (the user's, a time limit) ended it; the output is then not counted (a full read of it would hold
   * the stop up), and the node says why its rows are not known. Returns the last node that failed, how many were
   * settled and their rows.
   */
  async settle(readerId: string, read: Record<string, number> | undefined, stopped?: string): Promise<{ failed?: string; settled: number; rows: number }> {
    const list = this.byReader.get(readerId) ?? [];
    this.byReader.delete(readerId);
    let failed: string | undefined;
    let rows = 0;
    for (const d of list) {
      this.ports.delete(key(d.node.id, d.port));
      try {
        const n = await this.rowsOf(d, readerId, read?.[d.readerPort], stopped);
        settleCounts(d, n);
        rows += n;
        await this.env.done(d);
      } catch (e) {
        this.env.failed(d, e);
        failed = d.node.id;
      }
      this.env.ended(d.m);
    }
    return { ...(failed !== undefined ? { failed } : {}), settled: list.length, rows };
  }

  /** Settles every node still waiting (a reader is always after its node in the order, so none should be). */
  async settleAll(): Promise<void> {
    for (const readerId of [...this.byReader.keys()]) await this.settle(readerId, undefined);
  }

  private async rowsOf(d: Deferred, readerId: string, reported: number | undefined, stopped: string | undefined): Promise<number> {
    const { env } = this;
    if (reported === undefined && stopped !== undefined) throw new UserError(`its rows were not counted: ${stopped} before the node reading them finished`, { nodeId: d.node.id });
    if (reported !== undefined && !verifyCounts()) return reported;
    // The reader did not run to its end (or the report is being verified): the output is counted here, while it
    // and what it reads still exist.
    const fatal = env.fatalIn();
    if (fatal !== undefined) throw new UserError(`its rows could not be counted: a fatal DuckDB error in ${env.nameOf(fatal)} invalidated the run's database`, { nodeId: d.node.id });
    const n = await env.db.count(`SELECT count(*) FROM ${qi(env.tableName(d.node.id, d.port))}`);
    if (reported !== undefined && reported !== n) throw new Error(`${env.nameOf(readerId)} reported reading ${reported} rows on input "${d.readerPort}" from output "${d.port}" of ${env.nameOf(d.node.id)}, which holds ${n}: its row accounting cannot be trusted`);
    return n;
  }
}

const key = (nodeId: string, port: string): string => `${nodeId}\u0000${port}`;

/** A deferred node's counts from its output's rows: the rest of its input was filtered by its rule. */
function settleCounts(d: Deferred, rows: number): void {
  const m = d.m;
  m.outputs[d.port] = rows;
  m.rowsOut = rows;
  m.passed = rows;
  m.filtered = m.rowsIn - m.quarantined - rows;
  if (m.filtered < 0) throw new Error(`row accounting does not balance: ${m.rowsIn} in, but ${rows} on output "${d.port}" and ${m.quarantined} quarantined`);
  if (m.filtered > 0) m.filterReason = d.reason;
}
