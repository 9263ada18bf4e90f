// One node of a pipeline execution: its context (inputs, outputs, quarantine, paths), its run, and the checks of
// what it reports: every output made with no reserved column, its rows counted or taken from the node, and its
// rows balanced (in = passed + quarantined + filtered).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeMetrics } from '@sluice/format/api/contract';
import type { Edge, PipelineNode } from '@sluice/format/pipeline/pipeline';
import type { NodeKind } from '../../nodes/types.js';
import { qi } from '../../sql/quote.js';
import type { Database } from '../../db/database.js';
import { LINEAGE, ROWID_REASON, UserError, isReservedColumn, isRowidName, type ExecContext, type QuarantineRecord, type SqlParams } from '../exec-context.js';
import { expandGlob, resolveInside } from '../paths.js';
import { pipelineEnv } from '../secrets.js';
import { ownProgress } from './progress.js';
import { leaveExplainer } from './read-failures.js';
import { countingReader, indexOf, viewPays } from './execute-graph.js';
import { verifyCounts } from './reader-counts.js';
import { QUARANTINE_PORT_COLUMNS, keepQuarantines, type ExecuteOptions } from './execute-options.js';

/** A relation name as the catalog lists it, from its quoted form (as ctx.input gives it). */
const unquoted = (quoted: string): string => (quoted.startsWith('"') && quoted.endsWith('"') ? quoted.slice(1, -1).replaceAll('""', '"') : quoted);

/**
 * An output's rows. A table is counted (DuckDB keeps its row count: no rows are read). A view is counted only when
 * its node did not report its rows: counting a view runs its whole chain again, down to re-reading a CSV source's
 * clean copy, only to learn a number the node already had.
 */
async function outputRows(db: Database, table: string, relation: 'table' | 'view', reported: number | undefined, who: string, port: string): Promise<number> {
  if (reported !== undefined && relation === 'view' && !verifyCounts()) return reported;
  const real = await db.count(`SELECT count(*) FROM ${table}`);
  if (reported !== undefined && reported !== real) {
    throw new Error(`${who} reported ${reported} rows on output "${port}", which holds ${real}: its row accounting cannot be trusted`);
  }
  return real;
}

async function renameOver(staged: string, target: string): Promise<void> {
  await fs.promises.rename(staged, target);
}


/**
 * `counted` gives an upstream port's row count as its node reported it, so inputs are not counted again, or
 * 'reader' when this node counts it as it reads it (ExecResult.countedByReader). Returns what this node read on
 * such inputs, and what it leaves to its own reader to count.
 */
export async function runNode(
  o: ExecuteOptions,
  node: PipelineNode,
  kind: NodeKind,
  m: NodeMetrics,
  signal: AbortSignal,
  counted: (nodeId: string, port: string) => number | 'reader' | undefined,
  given: { rows: number },
): Promise<{ read: Record<string, number>; countedByReader?: { port: string; reason: string } }> {
  const { db } = o;
  const g = indexOf(o);
  const intoPort = (port: string): Edge[] => (g.into.get(node.id) ?? []).filter((e) => e.to.port === port);
  const quarantineName = o.tableName(node.id, '__q');
  // Made on first use: most nodes need neither, and two folders per node were a large part of a long chain's time.
  const scratchDir = path.join(o.workDir, 'scratch', node.id);
  const stateDir = path.join(o.stateDir ?? path.join(o.workDir, 'state'), node.id);
  const made = new Set<string>();
  const folder = (dir: string): string => {
    if (!made.has(dir)) fs.mkdirSync(dir, { recursive: true });
    made.add(dir);
    return dir;
  };
  await db.dropRelation(quarantineName);
  for (const port of kind.outputs) await db.dropRelation(o.tableName(node.id, port.name));
  for (const port of kind.tableInputs ?? []) {
    for (const e of intoPort(port)) await db.materialize(o.tableName(e.from.node, e.from.port));
  }
  // The quarantine table is made when the node first names it (most kinds never do: a filter, a derive), just
  // before the node's next statement; a preview or a replay reads every node's quarantine afterwards, so there
  // it is made at once. A table made and dropped per node was a fifth of a long chain's statements.
  let quarantineWanted = keepQuarantines(o);
  let quarantineMade = false;
  const ready = async (): Promise<void> => {
    if (!quarantineWanted || quarantineMade) return;
    await db.createQuarantineTable(quarantineName);
    quarantineMade = true;
  };
  await ready();

  const dataInputs = kind.inputs.filter((i) => i.role !== 'reference');
  const rowsOnPort = new Map<string, number>();
  // Inputs this node counts itself as it reads them (the one edge into each: see countingReader).
  const countsHere = new Set<string>();
  for (const port of dataInputs) {
    let n = 0;
    for (const e of intoPort(port.name)) {
      const c = counted(e.from.node, e.from.port);
      if (c === 'reader') countsHere.add(port.name);
      else n += c ?? (await db.count(`SELECT count(*) FROM ${qi(o.tableName(e.from.node, e.from.port))}`));
    }
    rowsOnPort.set(port.name, n);
  }
  let rowsIn = [...rowsOnPort.values()].reduce((a, b) => a + b, 0);
  given.rows = rowsIn;

  const inputsOf = (port: string): string[] =>
    intoPort(port).map((e) => qi(o.tableName(e.from.node, e.from.port)));

  const ctx: ExecContext = {
    nodeId: node.id,
    baseDir: o.baseDir,
    get scratchDir() {
      return folder(scratchDir);
    },
    commitId: o.commitId?.(node.id),
    orderMatters: indexOf(o).orderMatters.get(node.id) ?? true,
    viewPays: (port, maxReads) => viewPays(o, g, node.id, port, maxReads),
    readerCounts: (port) => o.countsFromReaders?.(node.id) === true && countingReader(o, g, node.id, port) !== undefined,
    publish: (staged, target, rows) => (o.publish ? o.publish(node.id, staged, target, rows) : renameOver(staged, target)),
    get stateDir() {
      return folder(stateDir);
    },
    committedState: o.committedState?.(node.id),
    limit: o.limit,
    signal,
    allowHosts: o.allowHosts ?? [],
    env: o.env ?? pipelineEnv(o.allowEnv ?? []),
    ...(o.onEvent ? { reportProgress: ownProgress(node.id, o.onEvent) } : {}),
    reportIo(io, note) {
      m.io = io;
      o.onEvent?.({ type: 'node-io', nodeId: node.id, io, ...(note !== undefined ? { note } : {}) });
    },
    inputs: inputsOf,
    input(port) {
      const list = inputsOf(port);
      if (list.length === 0) throw new UserError(`input "${port}" is not connected`, { nodeId: node.id, field: port });
      return list[0] as string;
    },
    inputRows(port) {
      if (countsHere.has(port)) throw new Error(`node kind ${kind.kind} counts input "${port}" as it reads it (countsInputs): its rows are not known before it runs`);
      const n = rowsOnPort.get(port);
      if (n === undefined) throw new Error(`node kind ${kind.kind} has no data input "${port}" whose rows were counted`);
      return n;
    },
    async claimInput(port) {
      if (!o.dropConsumed) return undefined;
      const edges = intoPort(port);
      const from = edges[0]?.from;
      if (edges.length !== 1 || !from) return undefined;
      // Another reader (even this node, on a second port) still needs the rows as they are.
      if ((g.outOf.get(from.node) ?? []).filter((e) => e.from.port === from.port).length !== 1) return undefined;
      const name = o.tableName(from.node, from.port);
      return (await db.relationKind(name)) === 'table' ? qi(name) : undefined;
    },
    output(port) {
      if (!kind.outputs.some((x) => x.name === port)) throw new Error(`node kind ${kind.kind} has no output ${port}`);
      return qi(o.tableName(node.id, port));
    },
    get quarantine() {
      quarantineWanted = true;
      return qi(quarantineName);
    },
    columns: async (table) => (await ready(), await db.describe(table)).filter((c) => c.name !== LINEAGE),
    isView: async (table) => (await db.relationKind(unquoted(table))) === 'view',
    run: async (sql: string, params?: SqlParams) => (await ready(), await db.run(sql, params)),
    rows: async (sql: string, params?: SqlParams) => (await ready(), await db.rows(sql, params)),
    count: async (sql: string, params?: SqlParams) => (await ready(), await db.count(sql, params)),
    appendQuarantine: async (records: QuarantineRecord[]) => {
      quarantineWanted = true;
      await ready();
      await db.appendQuarantine(quarantineName, records);
    },
    resolvePath: (p2, field) => resolveInside(o.baseDir, o.roots, p2, { nodeId: node.id, field }),
    resolveOutput: (p2, field) => resolveInside(o.outDir ?? o.baseDir, o.roots, p2, { nodeId: node.id, field }, { write: true }),
    async resolveGlob(pattern, field) {
      const abs = resolveInside(o.baseDir, o.roots, pattern, { nodeId: node.id, field });
      const files = expandGlob(abs).map((f) => resolveInside(o.baseDir, o.roots, f, { nodeId: node.id, field }));
      if (files.length === 0) throw new UserError(`no file matches "${pattern}"`, { nodeId: node.id, field });
      return files;
    },
    leaveExplainer: (explain, kind) => leaveExplainer(o, node.id, explain, kind),
    readers: (port) => (g.outOf.get(node.id) ?? []).filter((e) => e.from.port === port && g.position.has(e.to.node)).length,
  };

  // Known before the node runs, so a node that fails still records how many rows it was given.
  if (kind.accounting !== 'source') m.rowsIn = rowsIn;
  const result = await kind.execute(ctx, node.config as never);
  const read: Record<string, number> = {};
  for (const port of countsHere) {
    const n = result.inputRowsRead?.[port];
    if (n === undefined) throw new Error(`node kind ${kind.kind} did not report the rows it read on input "${port}"`);
    rowsOnPort.set(port, n);
    read[port] = n;
  }
  rowsIn = [...rowsOnPort.values()].reduce((a, b) => a + b, 0);
  const byReader = result.countedByReader;
  if (byReader) {
    const dataOutputs = kind.outputs.filter((x) => x.role === 'data');
    if (kind.accounting !== 'conserving' || dataOutputs.length !== 1 || dataOutputs[0]?.name !== byReader.port || !ctx.readerCounts(byReader.port)) {
      throw new Error(`node kind ${kind.kind} left the rows of output "${byReader.port}" to a reader that does not count them`);
    }
  }

  for (const port of kind.outputs) {
    const t = qi(o.tableName(node.id, port.name));
    const relation = await db.relationKind(o.tableName(node.id, port.name));
    if (!relation) throw new Error(`node kind ${kind.kind} did not create output "${port.name}"`);
    // A user column named like the lineage or a helper column would be silently renamed next to it and read in
    // its place, so reserved names fail the node instead.
    const allowed = port.role === 'quarantine' ? QUARANTINE_PORT_COLUMNS : [LINEAGE];
    const reserved = (await db.describe(t)).map((c) => c.name).filter((n) => isReservedColumn(n) && !allowed.includes(n));
    const rowid = reserved.find(isRowidName);
    if (rowid) throw new UserError(`column name "${rowid}" ${ROWID_REASON}; choose another name`, { nodeId: node.id });
    if (reserved.length > 0) {
      throw new UserError(`column name${reserved.length > 1 ? 's' : ''} ${reserved.map((n) => `"${n.replace(/_\d+$/, '')}"`).join(', ')} ${reserved.length > 1 ? 'are' : 'is'} reserved by Sluice (lineage and helper columns); choose another name`, { nodeId: node.id });
    }
    if (byReader?.port !== port.name) m.outputs[port.name] = await outputRows(db, t, relation, result.outputRows?.[port.name], `node kind ${kind.kind}`, port.name);
  }
  await ready();
  m.quarantined = quarantineMade ? await db.count(`SELECT count(*) FROM ${qi(quarantineName)}`) : 0;
  m.filtered = result.filtered?.count ?? 0;
  m.rowsOut = kind.outputs.filter((x) => x.role === 'data').reduce((s, x) => s + (m.outputs[x.name] ?? 0), 0);
  m.rowsIn = kind.accounting === 'source' ? (result.recordsRead ?? 0) : rowsIn;
  m.warnings.push(...(result.warnings ?? []));
  if (result.truncated) m.sampled = true;
  if (result.filtered && m.filtered > 0) m.filterReason = result.filtered.reason;
  if (byReader) {
    // Balanced once its reader has counted its output (executePipeline settles it).
    if (m.quarantined > 0 || (result.warnings?.length ?? 0) > 0) m.status = 'warning';
    return { read, countedByReader: byReader };
  }

  switch (kind.accounting) {
    case 'conserving':
    case 'source':
      m.passed = m.rowsOut;
      break;
    case 'reducing':
      m.passed = result.passed ?? 0;
      break;
    case 'sink':
      m.passed = result.written ?? 0;
      break;
    case 'opaque':
      // A SQL node that kept the lineage column reconciles by it (passed: input rows whose lineage reached the
      // output), and is held to the balance like any other node.
      if (result.passed !== undefined) m.passed = result.passed;
      else {
        m.passed = m.rowsIn - m.quarantined - m.filtered;
        m.warnings.push('rows are not reconciled one by one through a SQL node; its output is counted as new rows');
      }
      break;
  }
  const accounted = m.passed + m.quarantined + m.filtered;
  if ((kind.accounting !== 'opaque' || result.passed !== undefined) && accounted !== m.rowsIn) {
    throw new Error(
      `row accounting does not balance: ${m.rowsIn} in, but ${m.passed} passed + ${m.quarantined} quarantined + ${m.filtered} filtered = ${accounted} (${m.rowsIn - accounted} unaccounted)`,
    );
  }
  // The SQL node's own note about reconciliation is not a warning about this run's rows; the node's warnings are.
  if (m.quarantined > 0 || (result.warnings?.length ?? 0) > 0) m.status = 'warning';
  return { read };
}
