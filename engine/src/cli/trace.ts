// `sluice trace RUN --node N --row K`: where one row of a past run came from, printed (the work is in row-trace.ts,
// which the engine service's `traceRow` shares).
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../runtime/exec-context.js';
import { defaultHistoryDir } from '../service.js';
import { describeOrigin, traceRow, type TraceResult } from '../row-trace.js';

export { parseLineage } from '../row-trace.js';

export function traceLines(t: TraceResult): string[] {
  const L = [`run ${t.runId}  ${t.pipelineName}`, `${t.row !== null ? `row ${t.row}` : `the row ${t.lineage}`} of node "${t.nodeId}"${t.from === 'quarantine' ? ' (quarantine)' : ''}, read from ${t.file}`, `  came from  ${describeOrigin(t.origin)}`];
  if (t.reasons) L.push(`  rejected   ${t.reasons.join('; ')}${t.ruleIds ? ` [${t.ruleIds.join(', ')}]` : ''}`);
  if (t.raw) L.push(`  raw line   ${t.raw}`);
  if (t.path) L.push(`  passed     ${t.path.map((n) => `${n.nodeId} (${n.kind})`).join(' → ')}`);
  L.push(`  lineage    ${t.lineage}`);
  const vals = Object.entries(t.values);
  if (vals.length > 0) L.push(`  values     ${vals.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
  for (const n of t.notes) L.push(`  note       ${n}`);
  return L;
}

export function addTraceCommand(program: Command, out: (s: string) => void): void {
  program
    .command('trace <run>')
    .description('where a row of a past run came from: its source file and line, and the nodes it passed (RUN: a run id, "latest", or a run folder)')
    .requiredOption('--node <id>', 'the node whose row is traced')
    .requiredOption('--row <k>', 'row number, from 1, of the node\'s output (or of its quarantine with --quarantine)')
    .option('--quarantine', 'trace a row the node quarantined')
    .option('--port <name>', 'the output port (default: the node\'s data output)')
    .option('--history <dir>', 'run history folder', defaultHistoryDir(process.cwd()))
    .option('--pipeline <file>', 'the pipeline file that ran (default: found next to the history folder by name)')
    .option('--out <dir>', 'the --out folder the run wrote its outputs to (for sinks written with includeLineage)')
    .option('--json', 'print JSON')
    .action(async (run: string, o: { node: string; row: string; quarantine?: boolean; port?: string; history: string; pipeline?: string; out?: string; json?: boolean }) => {
      const row = /^\d+$/.test(o.row) ? Number(o.row) : Number.NaN;
      if (!Number.isInteger(row) || row < 1) throw new UserError(`--row expects a row number from 1, got "${o.row}"`);
      const t = await traceRow(run, o.history, { node: o.node, row, ...(o.quarantine ? { quarantine: true } : {}), ...(o.port ? { port: o.port } : {}), ...(o.pipeline ? { pipeline: o.pipeline } : {}), ...(o.out ? { out: o.out } : {}) });
      // Paths as the user typed them: relative to where the command runs.
      t.file = path.relative(process.cwd(), t.file) || t.file;
      if (o.json) return out(JSON.stringify(t));
      for (const l of traceLines(t)) out(l);
    });
}
