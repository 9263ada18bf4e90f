// Replaying quarantined rows, the executor's part (what runs is decided by replay-plan.ts): loading the rows into
// the replayed node's input, and the ledger. The ledger ties the two runs together: the replay's record says what it replayed, the original's record lists its replays, and a row
// that passed in one replay is never replayed again (so a sink never receives it twice).
import { nodeName } from '@sluice/format/pipeline/node-name';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runManifestSchema, type RunManifest } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { qi, qlit } from '../../sql/quote.js';
import type { Database } from '../../db/database.js';
import { LINEAGE, UserError } from '../exec-context.js';
import { executePipeline } from '../execution/execute.js';
import type { NodeKind } from '../../nodes/types.js';
import type { ReplayRequest } from '@sluice/format/api/contract';

/** The replay request, defined in the contract's RunSpec. */
export type { ReplayRequest };

/** What a replay keeps in its run folder, so later replays know which rows already passed. */
export interface ReplayLedger {
  of: string;
  nodeId: string;
  replayed: string[];
  passed: string[];
}

/** Where a replay's rows enter the run (decided by the replay planner, replay-plan.ts). */
/** The node named label first, as every message names a node. */
function who(p: Pipeline, id: string): string {
  const node = p.nodes.find((n) => n.id === id);
  return node ? nodeName(node) : `node "${id}"`;
}

export interface ReplayInput {
  request: ReplayRequest;
  originalRunId: string;
  nodeId: string;
  /** The original run's quarantine file of the node, relative to that run's folder. */
  quarantineFile: string;
  /** The edge feeding the node's `in` port: its table receives the rows. */
  input: { node: string; port: string };
  /** The nodes upstream of that edge, run on one record to learn the input's column types. */
  probe: string[];
  /** Earlier replays of the same node: rows that passed in one are not replayed again. */
  earlierReplays: string[];
}

/** A cast back from JSON text splices the type, so only types of plain syntax are accepted. */
const PLAIN_TYPE = /^[A-Z][A-Z0-9_ ]*(\(\d+(, ?\d+)?\))?(\[\d*\])*$/;

/**
 * Build the replayed node's input table from the original run's quarantine (or the edited rows that replace
 * them), leaving out rows that passed in an earlier replay. Returns the lineage ids replayed and what to tell
 * the user about rows left out.
 */
export async function loadReplayInput(
  db: Database,
  pipeline: Pipeline,
  r: ReplayInput,
  o: { historyDir: string; baseDir: string; roots: string[]; workDir: string; tableName: (id: string, port: string) => string; kindOf: (kind: string) => NodeKind | undefined },
): Promise<{ replayed: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const already = passedBefore(o.historyDir, r);
  const stored = await quarantinedRows(db, path.join(o.historyDir, r.originalRunId, r.quarantineFile));
  let rows: { lineage: string; json: string }[];
  if (r.request.rows) {
    rows = r.request.rows.map((row, i) => {
      const lineage = row[LINEAGE];
      if (typeof lineage !== 'string') throw new UserError(`edited row ${i + 1} has no "${LINEAGE}" naming the quarantined row it replaces`, { field: LINEAGE });
      if (!stored.has(lineage)) throw new UserError(`edited row ${i + 1} names ${lineage}, which ${who(pipeline, r.nodeId)} did not quarantine in run ${r.originalRunId}`, { field: LINEAGE });
      const values = Object.fromEntries(Object.entries(row).filter(([k]) => k !== LINEAGE));
      return { lineage, json: JSON.stringify(values) };
    });
  } else {
    rows = [...stored].flatMap(([lineage, json]) => (json === null ? [] : [{ lineage, json }]));
    const malformed = [...stored.values()].filter((j) => j === null).length;
    if (malformed > 0) warnings.push(`${malformed} malformed line(s) have no values to replay; edit them and replay with --rows`);
  }
  const skipped = rows.filter((x) => already.has(x.lineage)).length;
  rows = rows.filter((x) => !already.has(x.lineage));
  if (skipped > 0) warnings.push(`${skipped} row(s) passed in an earlier replay and are not replayed again`);
  if (rows.length === 0) throw new UserError(`nothing left to replay at ${who(pipeline, r.nodeId)} of run ${r.originalRunId}`, { nodeId: r.nodeId });

  // The input's column types come from running the upstream part of the pipeline on one record.
  const probeName = (id: string, port: string) => `probe_${id}__${port}`;
  const probe = await executePipeline({ pipeline, kindOf: o.kindOf, db, baseDir: o.baseDir, roots: o.roots, workDir: path.join(o.workDir, 'probe'), only: r.probe, limit: 1, tableName: probeName });
  const failed = probe.metrics.find((m) => m.status === 'failed');
  if (failed) throw new UserError(`cannot learn the columns feeding "${r.nodeId}": ${failed.error ?? 'upstream failed'}`, { nodeId: r.nodeId });
  const columns = (await db.describe(qi(probeName(r.input.node, r.input.port)))).filter((c) => c.name !== LINEAGE);
  for (const c of columns) if (!PLAIN_TYPE.test(c.type)) throw new UserError(`column "${c.name}" has type ${c.type}, which a replay cannot rebuild from stored values`, { nodeId: r.nodeId });

  const file = path.join(o.workDir, 'replay-rows.ndjson');
  fs.writeFileSync(file, rows.map((x) => JSON.stringify({ lineage: x.lineage, row: x.json })).join('\n') + '\n');
  const pick = (name: string, type: string) => {
    const at = qlit(`$."${name.replace(/["\\]/g, (ch) => `\\${ch}`)}"`);
    return `CAST(json_extract_string(row, ${at}) AS ${type}) AS ${qi(name)}`;
  };
  await db.run(
    `CREATE TABLE ${qi(o.tableName(r.input.node, r.input.port))} AS SELECT lineage AS ${qi(LINEAGE)}${columns.map((c) => `, ${pick(c.name, c.type)}`).join('')} FROM read_json(${qlit(file)}, format = 'newline_delimited', columns = {lineage: 'VARCHAR', row: 'VARCHAR'})`,
  );
  return { replayed: rows.map((x) => x.lineage), warnings };
}

async function quarantinedRows(db: Database, file: string): Promise<Map<string, string | null>> {
  const rows = await db.rows(`SELECT lineage, row_json FROM read_parquet(${qlit(file)})`);
  return new Map(rows.map((r) => [String(r['lineage']), typeof r['row_json'] === 'string' ? r['row_json'] : null]));
}

function passedBefore(historyDir: string, r: ReplayInput): Set<string> {
  const out = new Set<string>();
  for (const runId of r.earlierReplays) {
    const ledger = readLedger(path.join(historyDir, runId));
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
