// `sluice runbook FILE`: an operator's Markdown page for one pipeline, generated from the file and the node kinds'
// declarations (category, accounting, statics, config), so it cannot drift from what the engine does. Deterministic:
// no dates, no machine paths, node order by the graph. Secrets never appear: the file holds only the names of the
// environment variables they come from, and URLs lose their credentials and query values.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { migrateDocument, parsePipelineText } from '@sluice/format/pipeline/load';
import { kindLookup, kindOf } from '../nodes/registry.js';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import type { Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import { UserError } from '../runtime/exec-context.js';
import { InvalidPipeline } from '../runtime/run.js';
import { redact } from '../runtime/secrets.js';

type Config = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const obj = (v: unknown): Config | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Config) : undefined);
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
/** Text from the file goes into a Markdown table cell: no pipes or newlines may break the row. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** A URL as an operator may see it: no user info, query values replaced by `…` (they may carry tokens). */
export function safeUrl(text: string): string {
  try {
    const u = new URL(text);
    u.username = '';
    u.password = '';
    for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, '…');
    return decodeURI(u.toString());
  } catch {
    return '(not a URL)';
  }
}

/** Parsed config with the kind's defaults, or the raw config when it does not parse (the runbook still renders). */
function configOf(n: PipelineNode): Config {
  const k = kindOf(n.kind);
  const r = k?.config.safeParse(n.config);
  return r?.success ? (obj(r.data) ?? n.config) : n.config;
}

interface Io {
  reads: string[];
  writes: string[];
}

function ioOf(n: PipelineNode, c: Config): Io {
  const k = kindOf(n.kind);
  const io: Io = { reads: [], writes: [] };
  let statics: ReturnType<NonNullable<NonNullable<typeof k>['statics']>> = [];
  try {
    statics = k?.statics?.(c) ?? [];
  } catch {
    statics = [];
  }
  for (const s of statics) {
    if (s.type === 'input-path') io.reads.push(`file ${code(s.value)}`);
    if (s.type === 'output-path') io.writes.push(`file ${code(s.value)}${str(c['table']) ? `, table ${code(String(c['table']))}${str(c['mode']) ? ` (${String(c['mode'])})` : ''}` : ''}`);
  }
  const url = str(c['url']);
  if (url) io.reads.push(`HTTP ${code(safeUrl(url))}`);
  return io;
}

function describeRule(r: Config): string {
  const col = str(r['column']);
  const what: Record<string, string> = {
    not_null: `${col} is missing`,
    unique: `${col} repeats an earlier value`,
    range: `${col} is outside ${[num(r['min']) !== undefined ? `≥ ${String(r['min'])}` : '', num(r['max']) !== undefined ? `≤ ${String(r['max'])}` : ''].filter(Boolean).join(' and ')}`,
    regex: `${col} does not match ${String(r['pattern'])}`,
    in_set: `${col} is not one of ${Array.isArray(r['values']) ? r['values'].map(String).join(', ') : ''}`,
    max_length: `${col} is longer than ${String(r['max'])} characters`,
    castable_to: `${col} is not a valid ${String(r['to'])}`,
    expression: `fails ${String(r['expression'])}`,
    lookup: `${col} has no match in reference column ${String(r['referenceColumn'])}`,
  };
  return str(r['message']) ?? what[String(r['type'])] ?? String(r['type']);
}

const SEVERITY_EFFECT: Record<string, string> = {
  quarantine: 'the row goes to quarantine with this reason; the run goes on',
  warn: 'counted and reported as a warning; the row passes',
  fail: 'quality gate: the node fails, nothing after it runs, and the run ends gate_failed (exit 3)',
};

/** What can go wrong at a node and what the user sees, from the kind's declarations and the node's config. */
function failureModes(n: PipelineNode, c: Config): string[] {
  const k = kindOf(n.kind);
  if (!k) return [`unknown kind ${code(n.kind)}: \`sluice validate\` refuses the file (exit 2)`];
  const out: string[] = [];
  const sev = (r: Config): string => str(r['severity']) ?? 'quarantine';
  const rules = Array.isArray(c['rules']) ? c['rules'].map(obj).filter((r): r is Config => r !== undefined) : [];
  for (const r of rules) out.push(`rule ${code(String(r['id']))} (${String(r['type'])}${str(r['column']) ? ` on ${code(String(r['column']))}` : ''}): "${describeRule(r)}" — ${SEVERITY_EFFECT[sev(r)] ?? sev(r)}`);
  if (k.category === 'source') {
    out.push('a missing input path is refused before anything runs (exit 2); an input that cannot be read fails the run (exit 1); both name the node and the path');
    if (k.outputs.some((p) => p.role === 'quarantine') || k.accounting === 'source') out.push('a malformed record (bad quoting, wrong field count, invalid JSON, bad encoding) goes to quarantine with its file and line and its raw text');
  }
  if (str(c['expression']) && str(c['reason'])) out.push(`rows where ${code(String(c['expression']))} is not true are filtered, counted under the reason "${String(c['reason'])}"`);
  const retry = obj(c['retry']);
  if (retry) out.push(`transient failures (timeouts, dropped connections, 429, 5xx) are retried up to ${String(retry['maxAttempts'])} attempts, backoff ${String(retry['baseMs'])} ms doubling to ${String(retry['maxMs'])} ms; a 4xx fails at once; when retries run out the run ends partial (exit 4) and received pages are kept for \`--resume\``);
  const breaker = obj(c['breaker']);
  if (breaker) out.push(`circuit breaker opens after ${String(breaker['failureThreshold'])} consecutive failures and probes again after ${String(breaker['coolDownMs'])} ms; progress lines report each retry and breaker change`);
  if (str(c['url'])) out.push('the host must be allowed for the run (`--allow-host HOST`), else the node fails before any request; a secret header\'s variable that is unset or not allowed fails with its name, never its value');
  if (num(c['maxPages']) !== undefined) out.push(`paging stops after ${String(c['maxPages'])} pages (safety stop)`);
  const secretHeaders = obj(c['secretHeaders']);
  for (const [h, ref] of Object.entries(secretHeaders ?? {})) out.push(`header ${code(h)} comes from the environment variable ${code(typeof ref === 'string' ? ref : String(obj(ref)?.['env']))} (its value is never written anywhere)`);
  if (k.stateful) out.push('it carries state from one run to the next (kept under the history folder\'s `_state/`, moved forward only after every sink committed); `sluice run FILE --full-refresh` starts it over');
  if (k.accounting === 'reducing') out.push('rows are folded into groups; the run checks that every input row was folded in, quarantined or filtered');
  if (k.accounting === 'opaque') out.push('an SQL error or a reference to an unknown column fails the run (exit 1) naming the node; its rows are counted, not reconciled one by one');
  if (k.category === 'sink') {
    out.push(`a write that fails (disk full, permission, locked file) fails the run (exit 1) and leaves the previous ${n.kind === 'sink.duckdb' ? 'table contents as they were (one transaction, rows checked against what was meant to be written)' : 'file as it was (the new one is written under a temporary name and renamed over it)'}`);
    if (c['includeLineage'] === true) out.push('each row carries its `__lineage` column, so `sluice trace` can follow it back to its source line');
  }
  const q = k.outputs.find((p) => p.role === 'quarantine');
  if (q && rules.length === 0) out.push(`rows this node rejects leave on port ${code(q.name)} and are kept in the run's quarantine with their reasons`);
  if (k.traits.replay === 'judges' && k.category !== 'source') out.push(`its quarantined rows can be replayed after a fix: \`sluice run FILE --replay RUN_ID --node ${n.id}\``);
  if (k.category === 'transform') out.push('a config that no longer fits its input (an unknown column, a type that does not fit) is refused before anything runs (exit 2), naming the node and field');
  if (k.accounting === 'conserving') out.push('the run checks that rows balance here: in = out + quarantined + filtered');
  return out;
}

function rollbackLine(n: PipelineNode, c: Config): string | undefined {
  const k = kindOf(n.kind);
  if (k?.category !== 'sink') return undefined;
  const target = ioOf(n, c).writes.join('; ') || code(n.id);
  const mode = str(c['mode']) ?? 'overwrite';
  if (mode === 'append' && n.kind === 'sink.duckdb') return `${code(n.id)} (${target}): appends; each run's commit is recorded in the table \`_sluice_commits\` of that database (commit id, rows, time), so a resume never appends twice; to roll back, delete that run's rows (or restore the database file from a backup)`;
  if (mode === 'append') return `${code(n.id)} (${target}): appends to the file; to roll back, restore the previous file from a backup (or rerun on the previous inputs after removing it)`;
  if (mode === 'merge') return `${code(n.id)} (${target}): merges by key, replacing rows in place; rolling back needs the previous file (keep a backup copy before runs) or a rerun on the previous inputs`;
  return `${code(n.id)} (${target}): replaced as a whole, only when the run succeeds; to roll back, rerun the pipeline on the previous inputs (or restore the previous file)`;
}

export function pipelineRunbook(p: Pipeline, fileName: string): string {
  const order = topologicalOrder(p).order;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const nodes = [...order.map((id) => byId.get(id)).filter((n): n is PipelineNode => n !== undefined), ...p.nodes.filter((n) => !order.includes(n.id))];
  const cfg = new Map(nodes.map((n) => [n.id, configOf(n)]));
  const title = (n: PipelineNode): string => `${code(n.id)}${n.label ? ` (${cell(n.label)})` : ''}`;
  const L: string[] = [];
  L.push(`# Runbook: ${p.name}`, '');
  L.push(`Generated by \`sluice runbook\` from ${code(fileName)}. Regenerate it after changing the pipeline.`, '');
  if (p.description) L.push(p.description, '');

  L.push('## Ownership and freshness', '');
  const f = p.ops?.freshness;
  if (f) {
    L.push(`- Expected to run every **${f.cadence}**; outputs are late when the last successful run is older than **${f.maxAge ?? `${f.cadence} plus half of it`}**.`);
    L.push(`- Owner: ${f.owner ? `**${f.owner}** (named by \`sluice status\` when late)` : 'not declared (add `ops.freshness.owner`)'}.`);
    L.push('- Check: `sluice status WORKSPACE` (exit 0 healthy, 5 late, 6 failing, 7 both).');
  } else L.push('- No freshness SLA declared (add `ops.freshness` with `cadence`, `maxAge`, `owner`); `sluice status` shows the last run only.');
  if (p.settings?.schedule) L.push(`- Scheduled by \`sluice schedule\`: ${code(p.settings.schedule.cron)}${p.settings.schedule.timezone ? ` (${p.settings.schedule.timezone})` : ''}, missed runs: ${p.settings.schedule.missed}.`);
  L.push('');

  L.push('## What it reads and writes', '');
  L.push('| node | kind | reads | writes |', '|---|---|---|---|');
  for (const n of nodes) {
    const io = ioOf(n, cfg.get(n.id) ?? {});
    if (io.reads.length + io.writes.length === 0) continue;
    L.push(`| ${title(n)} | ${n.kind} | ${cell(io.reads.join('; ')) || '–'} | ${cell(io.writes.join('; ')) || '–'} |`);
  }
  L.push('', 'Relative paths resolve in the pipeline file\'s folder (`--out DIR` moves outputs). Secrets are read from environment variables at run time and never appear here.', '');
  const params = Object.entries(p.params).sort(([a], [b]) => a.localeCompare(b));
  if (params.length > 0) {
    L.push('Parameters (`--param NAME=VALUE`):', '');
    for (const [name, s] of params) L.push(`- ${code(name)}${s.default !== undefined ? ` (default ${code(s.default)})` : ''}${s.description ? `: ${cell(s.description)}` : ''}`);
    L.push('');
  }

  L.push('## Failure modes per node', '');
  for (const n of nodes) {
    L.push(`### ${title(n)} — ${n.kind}`, '');
    const k = kindOf(n.kind);
    // The kind's own one-paragraph promise, from its file.
    if (k) L.push(`${k.description}`, '');
    for (const m of failureModes(n, cfg.get(n.id) ?? {})) L.push(`- ${m}`);
    L.push('');
  }

  L.push('## Gates and thresholds', '');
  const gates = nodes.flatMap((n) => {
    const rules = cfg.get(n.id)?.['rules'];
    return (Array.isArray(rules) ? rules.map(obj) : []).filter((r): r is Config => r !== undefined && r['severity'] === 'fail').map((r) => `- ${code(n.id)}: rule ${code(String(r['id']))} is a quality gate: any failing row ends the run gate_failed (exit 3) before anything after the node runs.`);
  });
  L.push(...gates);
  const a = p.ops?.anomaly;
  if (a) {
    L.push(`- Anomaly checks compare with the last ${a.window} successful runs (median and MAD), judging only after ${a.minHistory} runs; default threshold ${a.threshold} MADs, severity ${a.severity} (warn: a warning on the node; fail: the node fails, exit 3; hold: the same, and no sink publishes for the rest of the run until \`--resume\` accepts it).`);
    if (a.checks.length === 0) L.push('  - no checks listed: the row count of every source is checked');
    for (const ch of a.checks) L.push(`  - ${ch.metric}${ch.node ? ` of ${code(ch.node)}` : ' of the run'}${ch.rule ? `, rule ${code(ch.rule)}` : ''}${ch.column ? `, column ${code(ch.column)}` : ''}: threshold ${ch.threshold ?? a.threshold} MADs, severity ${ch.severity ?? a.severity}`);
  }
  if (gates.length === 0 && !a) L.push('- None declared: no rule has severity `fail` and there is no `ops.anomaly` block.');
  L.push('');

  const q = (s: string): string => (/^[A-Za-z0-9_./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  const f0 = q(fileName);
  const quarantining = nodes.filter((n) => kindOf(n.kind)?.traits.replay === 'judges');
  L.push('## Operating it', '');
  L.push('Exit codes: 0 success, 1 failed, 2 invalid pipeline or usage, 3 quality gate failed, 4 partial (resume it).', '');
  L.push('- Run:', '', '  ```sh', `  sluice run ${f0}`, '  ```', '');
  L.push('- Resume a failed, partial, held or interrupted run (finished nodes and committed sinks are not redone):', '', '  ```sh', `  sluice run ${f0} --resume latest      # or --resume RUN_ID from \`sluice runs\``, '  ```', '');
  if (quarantining.length > 0) {
    L.push('- See and replay quarantined rows after fixing the data or the rules:', '', '  ```sh', '  sluice inspect RUN_ID', ...quarantining.map((n) => `  sluice run ${f0} --replay RUN_ID --node ${n.id}   # --rows edited.ndjson to replay corrected rows`), '  ```', '');
  }
  L.push('- Trace a row back to its source line:', '', '  ```sh', '  sluice trace RUN_ID --node NODE --row K            # or --quarantine', '  ```', '');
  L.push('- Compare with earlier runs: `sluice runs`, `sluice runs show RUN_ID`, `sluice runs diff A B`.', '');
  L.push('### Rolling back', '');
  const rb = nodes.map((n) => rollbackLine(n, cfg.get(n.id) ?? {})).filter((x): x is string => x !== undefined);
  L.push(...(rb.length > 0 ? rb.map((x) => `- ${x}`) : ['- This pipeline has no sinks.']));
  const stateful = nodes.filter((n) => kindOf(n.kind)?.stateful === true).map((n) => code(n.id));
  if (stateful.length > 0) L.push(`- ${stateful.join(', ')} remember${stateful.length === 1 ? 's' : ''} what earlier runs consumed; after rolling a sink back, reprocess with \`sluice run ${f0} --full-refresh\`.`);
  L.push('');
  // The file names only variables, but a value the user allowed this process to read must still never leak.
  return redact(L.join('\n'));
}

export function addRunbookCommand(program: Command, out: (s: string) => void): void {
  program
    .command('runbook <file>')
    .description('write an operator\'s Markdown runbook for a pipeline: inputs and outputs, failure modes per node, gates, resume, replay and roll back, freshness and owner')
    .option('-o, --output <file>', 'write the Markdown to this file instead of stdout')
    .action((file: string, o: { output?: string }) => {
      const full = path.resolve(file);
      if (!fs.existsSync(full)) throw new UserError(`no such file: ${file}`);
      const parsed = parsePipelineText(fs.readFileSync(full, 'utf8'));
      if (parsed.raw === undefined) throw new InvalidPipeline(parsed.problems);
      const r = migrateDocument(parsed.raw, kindLookup);
      if (!r.pipeline) throw new InvalidPipeline(r.problems);
      const md = pipelineRunbook(r.pipeline, path.basename(full));
      if (!o.output) return out(md);
      fs.writeFileSync(path.resolve(o.output), `${md}\n`);
      out(`runbook written to ${o.output}`);
    });
}
