// `sluice watch FILE`: micro-batches (runtime/watch.ts) from the command line. The first Ctrl-C lets the current
// batch finish and stops; a second one interrupts it (the next watch resumes it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { watchPipeline, type BatchReport, type Lag } from '../runtime/watch.js';
import { UserError } from '../runtime/exec-context.js';
import { defaultHistoryDir } from '../service.js';

function int(v: string): number {
  const n = Number.parseInt(v, 10);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`"${v}" is not a whole number`);
  return n;
}

function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}

function collectParam(value: string, prev: Record<string, string>): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new UserError(`--param needs name=value, got "${value}"`);
  return { ...prev, [value.slice(0, i)]: value.slice(i + 1) };
}

export function lagText(l: Lag): string {
  if (l.ready === 0 && l.waiting === 0) return 'no files waiting';
  const parts = [`${l.ready} file(s) waiting`];
  if (l.ready > 0) parts.push(`oldest landed ${(l.oldestMs / 1000).toFixed(1)} s ago`);
  if (l.waiting > 0) parts.push(`${l.waiting} still being written`);
  return parts.join(', ');
}

export function batchLine(b: BatchReport): string {
  const m = b.manifest;
  const rows = m.nodes.filter((n) => n.kind === 'source.files').reduce((s, n) => s + n.rowsOut, 0);
  const lat = b.latencyMs ? `; landing to output ${(b.latencyMs.median / 1000).toFixed(1)} s median, ${(b.latencyMs.max / 1000).toFixed(1)} s max` : '';
  const err = m.errors.length ? ` — ${m.errors.join('; ')}` : '';
  return `batch ${b.batch}${b.resumed ? ' (resumed an interrupted run)' : ''}: run ${m.runId} ${m.outcome} in ${b.ms} ms: ${b.files} file(s), ${rows} row(s)${lat}; lag: ${lagText(b.lag)}${err}`;
}

export function addWatchCommand(program: Command, out: (s: string) => void, setCode: (c: number) => void): void {
  program
    .command('watch <file>')
    .description('run the pipeline whenever new files land in its incremental sources, one bounded batch at a time; Ctrl-C finishes the current batch and stops')
    .option('-p, --param <name=value>', 'set a pipeline parameter (repeatable)', collectParam, {})
    .option('-o, --out <dir>', 'folder that relative output paths resolve against')
    .option('--history <dir>', 'run history folder (default: <pipeline folder>/.sluice/runs)')
    .option('--allow <dir>', 'another folder the pipeline may read or write (repeatable)', collect, [])
    .option('--max-files <n>', 'at most this many new files per source per batch (default 100; a source\'s own maxFiles wins)', int)
    .option('--poll <ms>', 'look for new files this often when no file-system event arrives (default 1000)', int)
    .option('--no-fs-events', 'poll only (for network drives and containers where file-system events do not arrive)')
    .option('--exit-when-idle <ms>', 'stop once nothing has landed for this long')
    .option('--max-batches <n>', 'stop after this many batches', int)
    .option('--json', 'print one JSON line per batch')
    .action(async (file: string, o: { param: Record<string, string>; out?: string; history?: string; allow: string[]; maxFiles?: number; poll?: number; fsEvents: boolean; exitWhenIdle?: string; maxBatches?: number; json?: boolean }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        throw new UserError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const baseDir = path.dirname(path.resolve(file));
      const historyDir = path.resolve(o.history ?? defaultHistoryDir(baseDir));
      const stop = new AbortController();
      const cancel = new AbortController();
      const onSigint = () => {
        if (stop.signal.aborted) cancel.abort();
        else {
          stop.abort();
          process.stderr.write('stopping after the current batch (Ctrl-C again to interrupt it; the next watch resumes it)\n');
        }
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      let lastIdle = '';
      try {
        const summary = await watchPipeline({
          pipeline: raw,
          params: o.param,
          baseDir,
          historyDir,
          ...(o.out ? { outDir: path.resolve(o.out) } : {}),
          allow: o.allow.map((a) => path.resolve(a)),
          ...(o.maxFiles !== undefined ? { maxFiles: o.maxFiles } : {}),
          ...(o.poll !== undefined ? { pollMs: o.poll } : {}),
          fsEvents: o.fsEvents,
          ...(o.exitWhenIdle !== undefined ? { idleExitMs: int(o.exitWhenIdle) } : {}),
          ...(o.maxBatches !== undefined ? { maxBatches: o.maxBatches } : {}),
          stop: stop.signal,
          cancel: cancel.signal,
          onBatch: (b) => {
            if (o.json) out(JSON.stringify({ event: 'batch', batch: b.batch, runId: b.manifest.runId, outcome: b.manifest.outcome, resumed: b.resumed, files: b.files, ms: b.ms, latencyMs: b.latencyMs ?? null, lag: b.lag, errors: b.manifest.errors }));
            else out(batchLine(b));
          },
          onIdle: (lag) => {
            const line = `idle; lag: ${lagText(lag)}`;
            if (!o.json && line !== lastIdle) process.stderr.write(`${line}\n`);
            lastIdle = line;
          },
        });
        if (o.json) out(JSON.stringify({ event: 'watch-end', ...summary }));
        else out(`stopped (${summary.reason}) after ${summary.batches} batch(es), ${summary.failed} not succeeded`);
        setCode(summary.failed > 0 ? 1 : 0);
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });
}
