// Schedules: pipelines of a workspace whose settings hold a cron expression are run when due. What the scheduler
// has done is kept in `<workspace>/.sluice/schedule.json` (the last due time handled per pipeline), so after a
// pause (the machine was off) the missed runs are caught up one by one or collapsed into one run, by the
// pipeline's `missed` policy. A pipeline never runs twice at once: each run holds a lock file beside the
// pipeline's run history, taken atomically, which a second scheduler (or a second tick) finds and waits for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cron } from 'croner';
import type { RunManifest } from '@sluice/format/api/contract';
import { checkPipeline } from '@sluice/format/pipeline/load';
import type { Schedule } from '@sluice/format/pipeline/pipeline';
import { UserError } from '../exec-context.js';
import { runPipeline } from '../run.js';
import { writeAtomic } from '../../fsutil/files.js';
import { processAlive } from '../../fsutil/process.js';

export interface ScheduledPipeline {
  file: string;
  name: string;
  schedule: Schedule;
  /** The next due time after now (null: the expression never fires again). */
  next: Date | null;
}

/** What one tick did for one pipeline. */
export interface ScheduleEvent {
  file: string;
  name: string;
  /** A due time run, missed due times skipped, or a due run not started because a run is still going. */
  type: 'ran' | 'skipped-missed' | 'busy' | 'error';
  due?: string;
  count?: number;
  manifest?: RunManifest;
  message?: string;
}

/** At most this many missed runs are caught up in one tick; the rest wait for the next. */
const MAX_CATCH_UP = 100;

/** The cron job of a schedule, checked: a user mistake names the pipeline and the expression. */
export function cronOf(s: Schedule, file: string): Cron {
  try {
    return new Cron(s.cron, { paused: true, ...(s.timezone ? { timezone: s.timezone } : {}) });
  } catch (e) {
    throw new UserError(`${path.basename(file)}: schedule "${s.cron}" is not a valid cron expression (${e instanceof Error ? e.message : String(e)})`, { file, field: 'settings.schedule.cron' });
  }
}

/** Pipeline files (`*.pipeline.json`, up to two folders deep) of a workspace that carry a schedule. */
export function listScheduled(workspace: string, now = new Date()): ScheduledPipeline[] {
  const out: ScheduledPipeline[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && depth < 2 && !e.name.startsWith('.') && e.name !== 'node_modules') walk(full, depth + 1);
      else if (e.isFile() && e.name.endsWith('.pipeline.json')) {
        let raw: unknown;
        try {
          raw = JSON.parse(fs.readFileSync(full, 'utf8'));
        } catch {
          continue; // Not a readable pipeline: `sluice validate` says why; the scheduler has nothing to run.
        }
        const p = checkPipeline(raw, undefined).pipeline;
        const s = p?.settings?.schedule;
        if (!p || !s) continue;
        out.push({ file: full, name: p.name, schedule: s, next: cronOf(s, full).nextRun(now) });
      }
    }
  };
  walk(workspace, 0);
  return out;
}

interface Ledger {
  /** Per pipeline file (relative to the workspace): the last due time handled. */
  [file: string]: { lastDue: string };
}

export class Scheduler {
  private readonly ledgerFile: string;

  constructor(
    readonly workspace: string,
    private readonly opts: { onEvent?: (e: ScheduleEvent) => void; allow?: string[] } = {},
  ) {
    this.ledgerFile = path.join(workspace, '.sluice', 'schedule.json');
  }

  private readLedger(): Ledger {
    try {
      return JSON.parse(fs.readFileSync(this.ledgerFile, 'utf8')) as Ledger;
    } catch {
      return {};
    }
  }

  private record(rel: string, due: Date): void {
    // Read again: another tick may have recorded other pipelines meanwhile.
    const l = this.readLedger();
    l[rel] = { lastDue: due.toISOString() };
    fs.mkdirSync(path.dirname(this.ledgerFile), { recursive: true });
    writeAtomic(this.ledgerFile, JSON.stringify(l, null, 2));
  }

  /**
   * Run what is due at `now`. A pipeline seen for the first time starts its schedule now (its past is not
   * "missed"). Returns what happened, also given to `onEvent` as it happens.
   */
  async tick(now = new Date()): Promise<ScheduleEvent[]> {
    const events: ScheduleEvent[] = [];
    const emit = (e: ScheduleEvent) => {
      events.push(e);
      this.opts.onEvent?.(e);
    };
    for (const sp of listScheduled(this.workspace, now)) {
      const rel = path.relative(this.workspace, sp.file);
      const last = this.readLedger()[rel]?.lastDue;
      if (last === undefined) {
        this.record(rel, now);
        continue;
      }
      const due = dueTimes(cronOf(sp.schedule, sp.file), new Date(last), now);
      if (due.length === 0) continue;
      const lock = takeLock(sp.file);
      if (!lock) {
        emit({ file: sp.file, name: sp.name, type: 'busy', due: (due[due.length - 1] as Date).toISOString(), message: 'the previous run of this pipeline is still going; the due run waits for it' });
        continue;
      }
      try {
        let toRun = due;
        if (sp.schedule.missed === 'skip' && due.length > 1) {
          emit({ file: sp.file, name: sp.name, type: 'skipped-missed', count: due.length - 1, due: (due[due.length - 2] as Date).toISOString() });
          toRun = due.slice(-1);
        }
        for (const d of toRun) {
          const manifest = await this.runOne(sp);
          // Recorded after the run: a scheduler killed mid-run runs that due time again (a pipeline with
          // incremental state then resumes its interrupted run first, so nothing is read twice).
          this.record(rel, d);
          emit({ file: sp.file, name: sp.name, type: 'ran', due: d.toISOString(), manifest });
        }
      } catch (e) {
        emit({ file: sp.file, name: sp.name, type: 'error', message: e instanceof Error ? e.message : String(e) });
      } finally {
        lock();
      }
    }
    return events;
  }

  private async runOne(sp: ScheduledPipeline): Promise<RunManifest> {
    const raw: unknown = JSON.parse(fs.readFileSync(sp.file, 'utf8'));
    const baseDir = path.dirname(sp.file);
    // The CLI's default history folder (service.ts defaultHistoryDir), so `sluice inspect` finds these runs.
    const historyDir = path.join(baseDir, '.sluice', 'runs');
    return runPipeline({ pipeline: raw, baseDir, historyDir, ...(this.opts.allow ? { allow: this.opts.allow } : {}) });
  }
}

/** Due times after `last` up to `now`, oldest first (at most MAX_CATCH_UP). */
export function dueTimes(cron: Cron, last: Date, now: Date): Date[] {
  const out: Date[] = [];
  let t: Date | null = last;
  for (;;) {
    t = cron.nextRun(t);
    if (!t || t > now || out.length >= MAX_CATCH_UP) break;
    out.push(t);
  }
  return out;
}

/**
 * The pipeline's run lock, taken atomically (exclusive create). A lock whose process is gone (killed) is taken
 * over. Returns the release function, or undefined while another live process holds it.
 */
export function takeLock(pipelineFile: string): (() => void) | undefined {
  const dir = path.join(path.dirname(pipelineFile), '.sluice', 'locks');
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, `${path.basename(pipelineFile)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch {
      const pid = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
      if (Number.isInteger(pid) && processAlive(pid)) return undefined;
      fs.rmSync(lock, { force: true });
    }
  }
  return undefined;
}
