// A run's worker process spends most of its start-up loading the engine and DuckDB (1–2 s on a loaded machine),
// before it reads its spec. A long-lived host (the designer's server, the desktop app) keeps one worker started
// ahead, idle on its stdin, so a click on Run reaches the first node without that wait. An idle worker whose host
// goes away sees its stdin end and exits (run-worker.ts: an empty spec is refused with exit code 2).
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnWorker, workerAvailable } from './supervise.js';

export class WarmWorker {
  private idle: ChildProcessWithoutNullStreams | undefined;
  private closed = false;

  /** Starts a worker to wait for the next run, unless one is waiting already (cheap to call often). */
  prepare(): void {
    if (this.closed || this.idle || !workerAvailable()) return;
    const child = spawnWorker();
    this.idle = child;
    // While it waits it must not keep the host alive (a host that ends closes its stdin, and the worker exits).
    holdOpen(child, false);
    // Its output before a spec is nothing anyone waits for; a worker that died while idle is simply replaced.
    child.once('exit', () => {
      if (this.idle === child) this.idle = undefined;
    });
  }

  /** The waiting worker, handed over for a run (the next `prepare` starts another), or undefined. */
  take(): ChildProcessWithoutNullStreams | undefined {
    const child = this.idle;
    this.idle = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
    holdOpen(child, true);
    return child;
  }

  close(): void {
    this.closed = true;
    const child = this.idle;
    this.idle = undefined;
    child?.stdin.end();
    child?.kill('SIGTERM');
  }
}

type Refable = { ref?: () => void; unref?: () => void };

function holdOpen(child: ChildProcessWithoutNullStreams, hold: boolean): void {
  for (const h of [child, child.stdin, child.stdout, child.stderr] as Refable[]) (hold ? h.ref : h.unref)?.call(h);
}
