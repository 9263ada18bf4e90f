// `sluice watch FILE`: micro-batches (runtime/supervision/watch.ts) from the command line. The first Ctrl-C lets the current
// batch finish and stops; a second one interrupts it (the next watch resumes it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { watchPipeline, type BatchReport, type Lag } from '../runtime/supervision/watch.js';
import { UserError } from '../runtime/exec-context.js';
import { defaultHistoryDir } from '../service.js';
import { Scheduler, listScheduled, type ScheduleEvent } from '../runtime/supervision/schedule.js';
import { addPipelineRunFlags, collect } from './flags.js';

function int(v: string): number {
  const n = Number.parseInt(v, 10);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`"${v}" is not a whole number`);
  return n;
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
  addPipelineRunFlags(
    program
      .command('watch <file>')
      .description('run the pipeline whenever new files land in its incremental sources, one bounded batch at a time; Ctrl-C finishes the current batch and stops'),
  )
    .option('--max-files <n>', 'at most this many new files per source per batch (default 100; a source\'s own maxFiles wins)', int)
    .option('--max-bytes <n>', 'at most about this many bytes of new files per source per batch (a source\'s own maxBytes wins)', int)
    .option('--poll <ms>', 'look for new files this often when no file-system event arrives (default 1000)', int)
    .option('--no-fs-events', 'poll only (for network drives and containers where file-system events do not arrive)')
    .option('--exit-when-idle <ms>', 'stop once nothing has landed for this long')
    .option('--max-batches <n>', 'stop after this many batches', int)
    .option('--json', 'print one JSON line per batch')
    .action(async (file: string, o: { param: Record<string, string>; out?: string; history?: string; allow: string[]; maxFiles?: number; maxBytes?: number; poll?: number; fsEvents: boolean; exitWhenIdle?: string; maxBatches?: number; json?: boolean }) => {
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
          ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
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

function scheduleLine(e: ScheduleEvent): string {
  const name = `${e.name} (${path.basename(e.file)})`;
  if (e.type === 'ran') return `${name}: run ${e.manifest?.runId ?? ''} for ${e.due ?? ''} ${e.manifest?.outcome ?? ''}${e.manifest?.errors.length ? ` — ${e.manifest.errors.join('; ')}` : ''}`;
  if (e.type === 'skipped-missed') return `${name}: ${e.count ?? 0} missed run(s) up to ${e.due ?? ''} skipped (missed: skip); running the latest one`;
  if (e.type === 'busy') return `${name}: due at ${e.due ?? ''}, but its previous run is still going; waiting`;
  return `${name}: ${e.message ?? 'failed'}`;
}

export function addScheduleCommand(program: Command, out: (s: string) => void, setCode: (c: number) => void): void {
  program
    .command('schedule <workspace>')
    .description('run the pipelines of a folder whose settings hold a cron schedule, when due; never two runs of one pipeline at once')
    .option('--once', 'run what is due now and exit (for an outside timer such as cron or systemd)')
    .option('--list', 'list the scheduled pipelines and their next run times, and exit')
    .option('--allow <dir>', 'another folder the pipelines may read or write (repeatable)', collect, [])
    .option('--json', 'print one JSON line per event')
    .action(async (workspace: string, o: { once?: boolean; list?: boolean; allow: string[]; json?: boolean }) => {
      const ws = path.resolve(workspace);
      if (!fs.existsSync(ws) || !fs.statSync(ws).isDirectory()) throw new UserError(`${workspace} is not a folder`);
      const show = () => {
        for (const s of listScheduled(ws)) {
          if (o.json) out(JSON.stringify({ event: 'scheduled', file: s.file, name: s.name, cron: s.schedule.cron, next: s.next?.toISOString() ?? null }));
          else out(`${s.name} (${path.relative(ws, s.file)}): "${s.schedule.cron}", next run ${s.next ? s.next.toISOString() : 'never'}`);
        }
      };
      show();
      if (o.list) return;
      let failed = 0;
      const scheduler = new Scheduler(ws, {
        allow: o.allow.map((a) => path.resolve(a)),
        onEvent: (e) => {
          if (e.type === 'error' || (e.type === 'ran' && e.manifest?.outcome !== 'succeeded')) failed++;
          out(o.json ? JSON.stringify({ event: e.type, file: e.file, name: e.name, due: e.due ?? null, count: e.count ?? null, runId: e.manifest?.runId ?? null, outcome: e.manifest?.outcome ?? null, message: e.message ?? null }) : scheduleLine(e));
        },
      });
      if (o.once) {
        await scheduler.tick();
        setCode(failed > 0 ? 1 : 0);
        return;
      }
      let stopping = false;
      const onSig = () => {
        stopping = true;
      };
      process.on('SIGINT', onSig);
      process.on('SIGTERM', onSig);
      try {
        while (!stopping) {
          const events = await scheduler.tick();
          if (events.some((e) => e.type === 'ran')) show();
          await new Promise((r) => setTimeout(r, 1000));
        }
      } finally {
        process.off('SIGINT', onSig);
        process.off('SIGTERM', onSig);
      }
      setCode(failed > 0 ? 1 : 0);
    });
}
