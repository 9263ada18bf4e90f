// `sluice runs`, `sluice runs show`, `sluice runs diff`, `sluice status`: the run store and freshness from the CLI.
import * as path from 'node:path';
import type { Command } from 'commander';
import type { RunManifest } from '@sluice/format/api/contract';
import type { ColumnStat } from '@sluice/format/api/ops-contract';
import { defaultHistoryDir } from '../service.js';
import { UserError } from '../runtime/exec-context.js';
import { RunStore } from '../ops/store.js';
import { diffRuns, signed } from '@sluice/format/api/run-diff';
import { formatAge, statusExitCode, workspaceStatus } from '../ops/status.js';
import { metricsTable, table } from './format.js';
import { opsSummaryLines } from '../ops/summary.js';

export interface CliIo {
  out: (s: string) => void;
  setCode: (code: number) => void;
}

const RUN_ID = /^[A-Za-z0-9-]+$/;

async function manifestOf(s: RunStore, runId: string): Promise<RunManifest> {
  if (!RUN_ID.test(runId)) throw new UserError(`"${runId}" is not a run id`);
  if (runId === 'latest') {
    const [last] = await s.list({ limit: 1 });
    if (!last) throw new UserError(`no runs yet in ${s.historyDir}`);
    runId = last.runId;
  }
  const m = await s.manifest(runId);
  if (!m) throw new UserError(`no run "${runId}" in ${s.historyDir}`);
  return m;
}

export function registerOpsCommands(program: Command, io: CliIo): void {
  const historyOpt = ['--history <dir>', 'run history folder', defaultHistoryDir(process.cwd())] as const;
  const runs = program.command('runs').description('past runs from the run store: list, show, diff');

  runs
    .command('list', { isDefault: true })
    .description('list past runs, newest first')
    .option(...historyOpt)
    .option('-l, --limit <n>', 'runs to list', (v) => Number.parseInt(v, 10), 30)
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--outcome <outcome>', 'only runs with this outcome (succeeded, failed, gate_failed, partial, cancelled)')
    .option('--json', 'print JSON')
    .action(async (o: { history: string; limit: number; pipeline?: string; outcome?: string; json?: boolean }) => {
      const rows = await RunStore.with(path.resolve(o.history), (s) => s.list({ limit: o.limit, pipelineName: o.pipeline, outcome: o.outcome }));
      if (o.json) return io.out(JSON.stringify(rows));
      if (rows.length === 0) return io.out(`no runs in ${path.resolve(o.history)}`);
      io.out(
        table(
          ['run', 'pipeline', 'started', 'by', 'outcome', 'ms', 'read', 'written', 'quarantined', 'quality', 'anomalies'],
          rows.map((r) => [r.runId, r.pipelineName.slice(0, 40), r.startedAt.replace('T', ' ').slice(0, 19), r.startedBy, r.outcome, String(r.durationMs), String(r.rowsRead), String(r.rowsWritten), String(r.quarantined), r.quality === null ? '–' : String(r.quality), String(r.anomalies)]),
        ),
      );
    });

  runs
    .command('show <run>')
    .description('a run\'s record: node counts, rule failures, column statistics, quality and anomalies ("latest" for the last)')
    .option(...historyOpt)
    .option('--json', 'print JSON')
    .action(async (runId: string, o: { history: string; json?: boolean }) => {
      const m = await RunStore.with(path.resolve(o.history), (s) => manifestOf(s, runId));
      if (o.json) return io.out(JSON.stringify(m));
      io.out(`run ${m.runId}  ${m.pipelineName}  ${m.outcome}  started ${m.startedAt} by ${m.startedBy ?? 'unknown'}, finished ${m.finishedAt}`);
      io.out(metricsTable(m.nodes));
      const ruleRows = Object.entries(m.rules ?? {}).flatMap(([node, rs]) => Object.entries(rs).map(([r, n]) => [node, r, String(n)]));
      if (ruleRows.length > 0) io.out(`\n${table(['node', 'rule', 'failed rows'], ruleRows)}`);
      const colRows = Object.entries(m.columns ?? {}).flatMap(([node, cs]) =>
        cs.map((c) => [`${node}.${c.port}`, c.name, c.type, c.rows === 0 ? '–' : `${((100 * c.nulls) / c.rows).toFixed(1)}%`, distinctCell(c), c.min ?? '', c.max ?? '']),
      );
      if (colRows.length > 0) io.out(`\n${table(['output', 'column', 'type', 'null', 'distinct', 'min', 'max'], colRows)}`);
      for (const l of opsSummaryLines(m)) io.out(l);
      for (const e of m.errors) io.out(`  error    ${e}`);
    });

  runs
    .command('diff <a> <b>')
    .description('compare two runs per node and per rule (b − a)')
    .option(...historyOpt)
    .option('--json', 'print JSON')
    .action(async (a: string, b: string, o: { history: string; json?: boolean }) => {
      const [ma, mb] = await RunStore.with(path.resolve(o.history), async (s) => [await manifestOf(s, a), await manifestOf(s, b)] as const);
      const d = diffRuns(ma, mb);
      if (o.json) return io.out(JSON.stringify(d));
      io.out(`a = ${ma.runId} (${ma.outcome}, ${ma.startedAt})\nb = ${mb.runId} (${mb.outcome}, ${mb.startedAt})`);
      const cell = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? `${x ?? '–'} → ${y ?? '–'}` : `${x} → ${y} (${signed(y - x)})`);
      io.out(
        table(
          ['node', 'in', 'out', 'quarantined', 'filtered', 'ms'],
          d.nodes.map((n) => [n.nodeId, cell(n.a?.rowsIn, n.b?.rowsIn), cell(n.a?.rowsOut, n.b?.rowsOut), cell(n.a?.quarantined, n.b?.quarantined), cell(n.a?.filtered, n.b?.filtered), cell(n.a?.durationMs, n.b?.durationMs)]),
        ),
      );
      if (d.rules.length > 0) io.out(`\n${table(['node', 'rule', 'failed rows'], d.rules.map((r) => [r.nodeId, r.rule, cell(r.a, r.b)]))}`);
      io.out(`\nquality ${d.quality.a ?? '–'} → ${d.quality.b ?? '–'}`);
    });

  program
    .command('status [workspace]')
    .description('every pipeline in a folder with its last success, age and health (exit 0 healthy, 5 late, 6 failing, 7 both)')
    .option('--json', 'print JSON')
    .option('--now <iso>', 'judge ages as of this time (default: now)')
    .action(async (workspace: string | undefined, o: { json?: boolean; now?: string }) => {
      const now = o.now ? Date.parse(o.now) : Date.now();
      if (Number.isNaN(now)) throw new UserError(`--now expects an ISO time, got "${o.now ?? ''}"`);
      const rows = await workspaceStatus(path.resolve(workspace ?? '.'), now);
      io.setCode(statusExitCode(rows));
      if (o.json) return io.out(JSON.stringify(rows));
      if (rows.length === 0) return io.out(`no pipeline files (*.pipeline.json) in ${path.resolve(workspace ?? '.')}`);
      io.out(
        table(
          ['pipeline', 'file', 'health', 'last success', 'age', 'max age', 'last run', 'why'],
          rows.map((r) => [r.name.slice(0, 40), r.file, r.health.toUpperCase(), r.lastSuccessAt?.replace('T', ' ').slice(0, 19) ?? '–', r.ageMs === undefined ? '–' : formatAge(r.ageMs), r.maxAgeMs === undefined ? '–' : formatAge(r.maxAgeMs), r.lastOutcome ?? '–', `${r.why}${r.health === 'late' && r.owner ? ` (tell ${r.owner})` : ''}`]),
        ),
      );
    });
}

/**
 * A distinct count says what it was counted from: every row (a plain number), a sample ("12 of 100,352 sampled"), or
 * a HyperLogLog estimate over every row (runs recorded before samples, "~12").
 */
export function distinctCell(c: ColumnStat): string {
  if (c.distinct === null) return '–';
  if (c.distinctRows === undefined) return `~${c.distinct}`;
  return c.distinctRows === c.rows ? String(c.distinct) : `${c.distinct} of ${c.distinctRows} sampled`;
}
