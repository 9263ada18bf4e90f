// Per-node progress of `sluice run` on a terminal: a live list (listr2) on stderr, one line per node in the order
// the engine runs them, each ending with its counts. Without a terminal nothing is drawn here (the summary table
// and `--json` events are the record); stdout stays free for them either way.
import { Listr, ListrLogger, ProcessOutput, type DefaultRenderer, type ListrTaskWrapper, type SimpleRenderer } from 'listr2';
import type { NodeMetrics } from '@sluice/format/api/contract';

type Task = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export interface RunProgress {
  nodeStart(nodeId: string): void;
  nodeEnd(m: NodeMetrics): void;
  /** A passing remark on a running node (a retry, a breaker opening). */
  note(nodeId: string, text: string): void;
  /** The run ended: nodes that never reported are shown as not run. */
  finish(): Promise<void>;
}

function countsOf(m: NodeMetrics): string {
  const bits = [`${m.rowsIn} in`, `${m.rowsOut} out`];
  if (m.quarantined) bits.push(`${m.quarantined} quarantined`);
  if (m.filtered) bits.push(`${m.filtered} filtered`);
  return `${bits.join(', ')}${m.resumed ? ' (from the earlier attempt)' : ` · ${m.durationMs} ms`}`;
}

export function terminalProgress(order: string[], name: (id: string) => string = (id) => id): RunProgress {
  const ended = new Map(order.map((id) => [id, deferred<NodeMetrics | undefined>()]));
  const tasks = new Map<string, Task>();
  const pendingNotes = new Map<string, string>();
  const list = new Listr<unknown, 'default', 'simple'>(
    order.map((id) => ({
      title: name(id),
      task: async (_ctx: unknown, task: Task) => {
        tasks.set(id, task);
        const early = pendingNotes.get(id);
        if (early) task.output = early;
        const m = await ended.get(id)?.promise;
        if (!m) return task.skip(`${name(id)}: not run`);
        if (m.status === 'skipped') return task.skip(`${name(id)}: ${m.warnings[0] ?? 'not run'}`);
        if (m.status === 'failed') throw new Error(m.error ?? `${name(id)}: failed`);
        task.title = `${name(id)}  ${countsOf(m)}${m.status === 'warning' ? '  ⚠' : ''}`;
      },
    })),
    {
      exitOnError: false,
      registerSignalListeners: false,
      // Drawn on stderr, which the caller checked is a terminal; stdout may be a pipe for the summary.
      forceTTY: true,
      fallbackRendererCondition: false,
      rendererOptions: { collapseErrors: false, collapseSkips: false, showErrorMessage: true, logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }) },
    },
  );
  const running = list.run().catch(() => undefined);
  return {
    nodeStart: () => undefined,
    nodeEnd: (m) => ended.get(m.nodeId)?.resolve(m),
    note(nodeId, text) {
      const t = tasks.get(nodeId);
      if (t) t.output = text;
      else pendingNotes.set(nodeId, text);
    },
    async finish() {
      for (const d of ended.values()) d.resolve(undefined);
      await running;
    },
  };
}
