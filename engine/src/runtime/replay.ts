// Replaying quarantined rows: after a rule is fixed (or the rows edited), the rows a node quarantined in an earlier
// run go through that node again, and through what is downstream of it, in a new run. The ledger ties the two
// runs together: the replay's record says what it replayed, the original's record lists its replays, and a row
// that passed in one replay is never replayed again (so a sink never receives it twice).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runManifestSchema, type RunManifest } from '@sluice/format/api/contract';
import { topologicalOrder, upstreamClosure } from '@sluice/format/pipeline/graph';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { kindOf, nodeKinds } from '../nodes/registry.js';
import { qi, qlit } from '../sql/quote.js';
import type { Database } from '../db/database.js';
import { LINEAGE, UserError } from './exec-context.js';
import { executePipeline } from './execute.js';
import { getRun } from './history.js';
import type { ReplayRequest } from '@sluice/format/api/contract';
import { nodeName } from '@sluice/format/pipeline/node-name';

/** The replay request, defined in the contract's RunSpec. */
export type { ReplayRequest };

/** What a replay keeps in its run folder, so later replays know which rows already passed. */
export interface ReplayLedger {
  of: string;
  nodeId: string;
  replayed: string[];
  passed: string[];
}

/** A cast back from JSON text splices the type, so only types of plain syntax are accepted. */
const PLAIN_TYPE = /^[A-Z][A-Z0-9_ ]*(\(\d+(, ?\d+)?\))?(\[\d*\])*$/;

export interface PreparedReplay {
  /** The pipeline as the replay runs it: overwrite sinks append (the replayed rows join the earlier output). */
  pipeline: Pipeline;
  only: string[];
  replayed: string[];
  warnings: string[];
}

/** Check the replay can be done faithfully, and load the rows into the replayed node's input table. */
export async function prepareReplay(
  db: Database,
  p: Pipeline,
  req: ReplayRequest,
  o: { historyDir: string; baseDir: string; roots: string[]; workDir: string; tableName: (id: string, port: string) => string },
): Promise<PreparedReplay> {
  const node = p.nodes.find((n) => n.id === req.nodeId);
  if (!node) throw new UserError(`the pipeline has no node "${req.nodeId}"`, { nodeId: req.nodeId });
  // Each kind says how a replay treats it: `judges` (its quarantine can be replayed there), `passes`, `refuses`.
  if (kindOf(node.kind)?.traits.replay !== 'judges') {
    const at = nodeKinds().filter((k) => k.traits.replay === 'judges').map((k) => k.kind).join(', ');
    throw new UserError(`quarantined rows can be replayed at ${at} nodes; ${nodeName(node)} is ${node.kind}`, { nodeId: node.id });
  }
  const original = getRun(o.historyDir, req.runId);
  const rel = original.quarantine[node.id];
  if (!rel) throw new UserError(`run ${original.runId} quarantined nothing at ${nodeName(node)}`, { nodeId: node.id });
  const inEdge = p.edges.find((e) => e.to.node === node.id && e.to.port === 'in');
  if (!inEdge) throw new UserError('input "in" is not connected', { nodeId: node.id, field: 'in' });

  // Downstream of the node's data outputs (rows quarantined again stay in this run's quarantine).
  const kind = kindOf(node.kind);
  const dataPorts = new Set((kind?.outputs ?? []).filter((x) => x.role === 'data').map((x) => x.name));
  const reach = new Set([node.id]);
  const stack = [node.id];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const e of p.edges) {
      if (e.from.node !== id || reach.has(e.to.node)) continue;
      if (id === node.id && !dataPorts.has(e.from.port)) continue;
      reach.add(e.to.node);
      stack.push(e.to.node);
    }
  }
  const warnings: string[] = [];
  for (const id of reach) {
    if (id === node.id) continue;
    const n = p.nodes.find((x) => x.id === id);
    if (!n) continue;
    if (kindOf(n.kind)?.traits.replay === 'refuses') throw new UserError(`replay cannot pass through "${id}" (${n.kind}): it judges rows together, so a few replayed rows would give it wrong results; rerun the pipeline instead`, { nodeId: id });
    const outside = p.edges.find((e) => e.to.node === id && !reach.has(e.from.node));
    if (outside) throw new UserError(`replay cannot pass through "${id}": it also reads "${outside.from.node}", which the replay does not run; rerun the pipeline instead`, { nodeId: id });
  }
  const fedByQuarantine = p.edges.filter((e) => e.from.node === node.id && !dataPorts.has(e.from.port)).map((e) => e.to.node);
  if (fedByQuarantine.length > 0) warnings.push(`${fedByQuarantine.join(', ')} still list the rows of run ${original.runId} that pass now; rerun the pipeline to refresh them`);

  const already = passedBefore(o.historyDir, original, node.id);
  const stored = await quarantinedRows(db, path.join(o.historyDir, original.runId, rel));
  let rows: { lineage: string; json: string }[];
  if (req.rows) {
    rows = req.rows.map((r, i) => {
      const lineage = r[LINEAGE];
      if (typeof lineage !== 'string') throw new UserError(`edited row ${i + 1} has no "${LINEAGE}" naming the quarantined row it replaces`, { field: LINEAGE });
      if (!stored.has(lineage)) throw new UserError(`edited row ${i + 1} names ${lineage}, which ${nodeName(node)} did not quarantine in run ${original.runId}`, { field: LINEAGE });
      const values = Object.fromEntries(Object.entries(r).filter(([k]) => k !== LINEAGE));
      return { lineage, json: JSON.stringify(values) };
    });
  } else {
    rows = [...stored].flatMap(([lineage, json]) => (json === null ? [] : [{ lineage, json }]));
    const malformed = [...stored.values()].filter((j) => j === null).length;
    if (malformed > 0) warnings.push(`${malformed} malformed line(s) have no values to replay; edit them and replay with --rows`);
  }
  const skipped = rows.filter((r) => already.has(r.lineage)).length;
  rows = rows.filter((r) => !already.has(r.lineage));
  if (skipped > 0) warnings.push(`${skipped} row(s) passed in an earlier replay and are not replayed again`);
  if (rows.length === 0) throw new UserError(`nothing left to replay at ${nodeName(node)} of run ${original.runId}`, { nodeId: node.id });

  // The input's column types come from running the upstream part of the pipeline on one record.
  const upstream = upstreamClosure(p, inEdge.from.node);
  const probeName = (id: string, port: string) => `probe_${id}__${port}`;
  const probe = await executePipeline({ pipeline: p, kindOf, db, baseDir: o.baseDir, roots: o.roots, workDir: path.join(o.workDir, 'probe'), only: upstream, limit: 1, tableName: probeName });
  const failed = probe.metrics.find((m) => m.status === 'failed');
  if (failed) throw new UserError(`cannot learn the columns feeding "${node.id}": ${failed.error ?? 'upstream failed'}`, { nodeId: node.id });
  const columns = (await db.describe(qi(probeName(inEdge.from.node, inEdge.from.port)))).filter((c) => c.name !== LINEAGE);
  for (const c of columns) if (!PLAIN_TYPE.test(c.type)) throw new UserError(`column "${c.name}" has type ${c.type}, which a replay cannot rebuild from stored values`, { nodeId: node.id });

  const file = path.join(o.workDir, 'replay-rows.ndjson');
  fs.writeFileSync(file, rows.map((r) => JSON.stringify({ lineage: r.lineage, row: r.json })).join('\n') + '\n');
  const pick = (name: string, type: string) => {
    const at = qlit(`$."${name.replace(/["\\]/g, (ch) => `\\${ch}`)}"`);
    return `CAST(json_extract_string(row, ${at}) AS ${type}) AS ${qi(name)}`;
  };
  await db.run(
    `CREATE TABLE ${qi(o.tableName(inEdge.from.node, inEdge.from.port))} AS SELECT lineage AS ${qi(LINEAGE)}${columns.map((c) => `, ${pick(c.name, c.type)}`).join('')} FROM read_json(${qlit(file)}, format = 'newline_delimited', columns = {lineage: 'VARCHAR', row: 'VARCHAR'})`,
  );

  const order = topologicalOrder(p).order.filter((id) => reach.has(id));
  const pipeline: Pipeline = {
    ...p,
    nodes: p.nodes.map((n) => (reach.has(n.id) && kindOf(n.kind)?.category === 'sink' && (n.config['mode'] ?? 'overwrite') === 'overwrite' ? { ...n, config: { ...n.config, mode: 'append' } } : n)),
  };
  return { pipeline, only: order, replayed: rows.map((r) => r.lineage), warnings };
}

async function quarantinedRows(db: Database, file: string): Promise<Map<string, string | null>> {
  const rows = await db.rows(`SELECT lineage, row_json FROM read_parquet(${qlit(file)})`);
  return new Map(rows.map((r) => [String(r['lineage']), typeof r['row_json'] === 'string' ? r['row_json'] : null]));
}

function passedBefore(historyDir: string, original: RunManifest, nodeId: string): Set<string> {
  const out = new Set<string>();
  for (const r of original.replays ?? []) {
    if (r.nodeId !== nodeId) continue;
    const ledger = readLedger(path.join(historyDir, r.runId));
    for (const l of ledger?.passed ?? []) out.add(l);
  }
  return out;
}

export function readLedger(runDir: string): ReplayLedger | undefined {
  const file = path.join(runDir, 'replay.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ReplayLedger) : undefined;
}

/**
 * After the replay run: which replayed rows passed (those not quarantined again), kept in the replay's folder,
 * and the original run's record extended with this replay. The counts must balance: replayed = passed +
 * quarantined again + filtered.
 */
export async function recordReplay(db: Database, historyDir: string, replay: RunManifest, req: ReplayRequest, replayed: string[], quarantineTable: string): Promise<void> {
  const again = new Set((await db.rows(`SELECT lineage FROM ${qi(quarantineTable)}`)).map((r) => String(r['lineage'])));
  const m = replay.nodes.find((n) => n.nodeId === req.nodeId);
  const passed = m && m.status !== 'failed' && m.status !== 'skipped' ? replayed.filter((l) => !again.has(l)) : [];
  const ledger: ReplayLedger = { of: req.runId, nodeId: req.nodeId, replayed, passed };
  const runDir = path.join(historyDir, replay.runId);
  fs.writeFileSync(path.join(runDir, 'replay.json'), JSON.stringify(ledger));
  if (m && m.status !== 'failed' && m.status !== 'skipped' && m.rowsIn !== passed.length + m.quarantined + m.filtered) {
    throw new Error(`replay does not balance at "${req.nodeId}": ${m.rowsIn} replayed, ${passed.length} passed + ${m.quarantined} quarantined + ${m.filtered} filtered`);
  }
  const origFile = path.join(historyDir, req.runId, 'manifest.json');
  const orig = runManifestSchema.parse(JSON.parse(fs.readFileSync(origFile, 'utf8')));
  const entry = { runId: replay.runId, nodeId: req.nodeId, at: replay.finishedAt, replayed: replayed.length, passed: passed.length, quarantined: m?.quarantined ?? 0, filtered: m?.filtered ?? 0, outcome: replay.outcome };
  const next: RunManifest = { ...orig, replays: [...(orig.replays ?? []).filter((r) => r.runId !== replay.runId), entry] };
  const tmp = `${origFile}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
  fs.renameSync(tmp, origFile);
}
