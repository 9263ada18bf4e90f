// What a pipeline execution is given and gives back, and the events it reports: shared by the loop that runs the
// nodes (execute.ts), the step that runs one node (run-node.ts) and their callers.
import type { IoStats, NodeMetrics } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { NodeKind } from '../../nodes/types.js';
import type { Database } from '../../db/database.js';
import { LINEAGE } from '../exec-context.js';
import type { ResourceLimits } from './limits.js';

export type RunEvent =
  | { type: 'run-start'; runId: string; runDir: string }
  | { type: 'node-start'; nodeId: string }
  | { type: 'node-end'; metrics: NodeMetrics }
  /** A node's I/O statistics changed (a request failed, a retry is scheduled, the breaker moved). */
  | { type: 'node-io'; nodeId: string; io: IoStats; note?: string }
  /** How far a running node's current query is (runtime/execution/progress.ts). */
  | { type: 'node-progress'; nodeId: string; percent: number; rows?: number };

/** A fault of the engine in one node: kept with its stack in the run record (`faults`), never shown as a message. */
export interface InternalFault {
  nodeId?: string;
  detail: string;
}

/** Columns a quarantine output port carries besides the row's own. */
export const QUARANTINE_PORT_COLUMNS = [LINEAGE, '__rule_ids', '__reasons'];

export interface ExecuteOptions {
  pipeline: Pipeline;
  kindOf: (kind: string) => NodeKind | undefined;
  db: Database;
  baseDir: string;
  /** Folders pipeline paths may resolve into. */
  roots: string[];
  workDir: string;
  /** Where nodes keep durable progress across a resume (default: `workDir/state`). */
  stateDir?: string;
  /** A stateful node's committed state folder (see runtime/durability/pipeline-state.ts); none by default. */
  committedState?: (nodeId: string) => string | undefined;
  /** Relative sink paths resolve here (default: baseDir). */
  outDir?: string;
  /** Run only these nodes (a preview's upstream closure); default all. */
  only?: string[];
  limit?: number;
  /** Table name (unquoted) holding a node's port; `quarantine` is the node's quarantine table. */
  tableName: (nodeId: string, port: string) => string;
  /** Drop a node's tables once every node reading them has run (runs, not previews, which cache them). */
  dropConsumed?: boolean;
  /**
   * Whether a node may leave an output's row count to its one reader (ExecResult.countedByReader): its numbers
   * are then known only once that reader has run, so not for a node an anomaly gate judges (the gate must stop
   * the run before anything after the node runs). Default: no node may.
   */
  countsFromReaders?: (nodeId: string) => boolean;
  /**
   * Make every node's quarantine table, empty or not, and keep it to the end: a preview shows each node's, a
   * replay reads its node's. Default: when outputs are not dropped (a preview). A run makes a node's quarantine
   * table only when the node names it, and drops it again when it stays empty.
   */
  keepQuarantines?: boolean;
  /** Every node output is checkpointed (policy 'all'), so a set-wise node stores its output rather than a view. */
  keepTables?: boolean;
  /** Metrics of a node whose tables already exist (preview cache): the node is not executed again. */
  reuse?: (nodeId: string) => NodeMetrics | undefined;
  /**
   * A resumed run's node whose checkpoint verified: its metrics (and, where a node still to run reads them, its
   * tables loaded back); undefined runs the node.
   */
  restore?: (nodeId: string) => Promise<NodeMetrics | undefined>;
  /** After a node succeeded, before its inputs are released: make its outputs durable (checkpoints, quarantine). */
  afterNode?: (nodeId: string, kind: NodeKind, metrics: NodeMetrics) => Promise<void>;
  /** A node's commit id within the run (see ExecContext.commitId). */
  commitId?: (nodeId: string) => string;
  /** How a sink publishes a complete staged file over its target (default: a rename). */
  publish?: (nodeId: string, staged: string, target: string, rows: number) => Promise<void>;
  signal?: AbortSignal;
  /** Network hosts nodes may connect to (see ExecContext.allowHosts); none by default. */
  allowHosts?: string[];
  /** Where nodes read secrets named in their config (default: this process's environment). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Environment variables the user allowed for this run or preview, besides `SLUICE_SECRET_…` (see secrets.ts). */
  allowEnv?: readonly string[];
  onEvent?: (e: RunEvent) => void;
  /** The run's resource limits, for the reasons of nodes a limit stopped (see runtime/execution/limits.ts). */
  limits?: ResourceLimits;
  /**
   * Wall-clock limit that interrupts a node's query: `node` gives each node the run's per-node limit, `preview`
   * gives all nodes of a preview one shared deadline. Off without `limits`.
   */
  timeLimit?: 'node' | 'preview';
}

export interface ExecuteResult {
  metrics: NodeMetrics[];
  errors: string[];
  gateFailed: boolean;
  /** Faults of the engine itself (not user mistakes), with their stacks, for the run record. */
  faults: InternalFault[];
}

/** Whether every node's quarantine table is made and kept, empty or not (see ExecuteOptions.keepQuarantines). */
export const keepQuarantines = (o: ExecuteOptions): boolean => o.keepQuarantines ?? !o.dropConsumed;
