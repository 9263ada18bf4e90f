// Pinned data: a pipeline's tests, kept beside its file (format/src/api/pins-contract.ts describes the layout).
//
// A fixture is the first lines of a source's file, byte for byte: malformed lines, quoting and line numbers stay
// as they were, so a test also exercises the source's own reading and its quarantine. An expectation is what a
// node gave over those fixtures, written so a change shows as a readable diff in review: fixed key order, one row
// per line, rows sorted (a node's output order is not part of its contract). Nothing from the pipeline's config
// or parameters is stored, so neither can carry a secret into the folder; rows pass through `redact` too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cell, PreviewResult } from '@sluice/format/api/contract';
import type { PinInfo, Pins } from '@sluice/format/api/pins-contract';
import { MAX_FIXTURE_LINES } from '@sluice/format/api/pins-contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { upstreamClosure } from '@sluice/format/pipeline/graph';
import { kindOf } from '../nodes/registry.js';
import { UserError } from '../runtime/exec-context.js';
import { expandGlob, isInside, realish, resolveInside } from '../runtime/paths.js';
import { redact } from '../runtime/secrets.js';

/** Where a saved pipeline's pins live. */
export interface PinPlace {
  baseDir: string;
  fileName: string;
}

/** Runs a preview of the whole upstream of a node (the service's session, or one the CLI opens). */
export type PreviewFn = (p: Pipeline, nodeId: string, limit: number, baseDir: string) => Promise<PreviewResult>;

/** Rows a pinned node may give: a pin is a small, reviewable test, not a copy of the data. */
export const MAX_PINNED_ROWS = 10_000;
/** A quarantine this small is kept row by row; above it only its counts per rule are compared. */
export const MAX_PINNED_QUARANTINE = 100;
/** Bytes of a source read for a fixture at most, whatever its line count. */
const MAX_FIXTURE_BYTES = 16 * 1024 * 1024;

export interface Expectation {
  node: string;
  kind: string;
  port: string;
  counts: Record<string, number>;
  quarantineByRule: Record<string, number>;
  columns: { name: string; type: string }[];
  rows: Cell[][];
  /** Present when the node quarantined at most MAX_PINNED_QUARANTINE rows. */
  quarantine?: QuarantinedRow[];
}

export interface QuarantinedRow {
  line: number | null;
  rules: string[];
  row: string | null;
  raw: string | null;
}

export function pinsFolderName(fileName: string): string {
  return `${fileName.replace(/\.json$/i, '')}.tests`;
}

/** The pins folder; one that is a link leading out of the pipeline's folder is refused (pins are written there). */
export function pinsFolder(place: PinPlace): string {
  if (/[/\\]/.test(place.fileName) || place.fileName.startsWith('.') || !/\.json$/i.test(place.fileName)) throw new UserError(`"${place.fileName}" is not a pipeline file name (NAME.json, without a folder)`);
  const dir = path.join(place.baseDir, pinsFolderName(place.fileName));
  if (fs.existsSync(dir) && !isInside(realish(dir), realish(place.baseDir))) throw new UserError(`${pinsFolderName(place.fileName)}/ leads out of the pipeline's folder; pins must be a plain folder beside it`);
  return dir;
}

const expectedName = (nodeId: string): string => `${nodeId}.expected.json`;
const FIXTURE = /^([A-Za-z][A-Za-z0-9_-]*)\.fixture\.(csv|ndjson)$/;
const EXPECTED = /^([A-Za-z][A-Za-z0-9_-]*)\.expected\.json$/;

/** The fixture file of a source, if it has one. */
export function fixtureOf(place: PinPlace, nodeId: string): string | undefined {
  const dir = pinsFolder(place);
  for (const ext of ['csv', 'ndjson']) {
    const f = path.join(dir, `${nodeId}.fixture.${ext}`);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Lines of a file (a last line without a newline counts). */
function fileLines(buf: Buffer): number {
  let n = 0;
  for (const b of buf) if (b === 0x0a) n++;
  return buf.length > 0 && buf[buf.length - 1] !== 0x0a ? n + 1 : n;
}

/** The first `lines` lines of a file (plus the header), read in chunks so a huge file costs only what is kept. */
function firstLines(file: string, lines: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let seen = 0;
    let size = 0;
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let end = n;
      for (let i = 0; i < n; i++) {
        if (chunk[i] === 0x0a && ++seen === lines) {
          end = i + 1;
          break;
        }
      }
      chunks.push(Buffer.from(chunk.subarray(0, end)));
      size += end;
      if (seen >= lines) break;
      if (size > MAX_FIXTURE_BYTES) throw new UserError(`the first ${lines} lines of ${path.basename(file)} are over ${MAX_FIXTURE_BYTES / 1024 / 1024} MB; pin fewer lines`);
    }
    return Buffer.concat(chunks);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a source's fixture from the first lines of its file. */
function pinSource(p: Pipeline, nodeId: string, place: PinPlace, lines: number): void {
  const node = p.nodes.find((n) => n.id === nodeId);
  if (!node) throw new UserError(`no node "${nodeId}" in the pipeline`);
  const c = node.config;
  const csv = node.kind === 'source.csv';
  const ndjson = node.kind === 'source.json' && (c['format'] ?? 'ndjson') === 'ndjson';
  if (!csv && !ndjson) {
    throw new UserError(`source "${nodeId}" (${node.kind}) cannot be pinned yet: fixtures are the first lines of a CSV or NDJSON file`, { nodeId });
  }
  const given = typeof c['path'] === 'string' ? c['path'] : '';
  if (given === '') throw new UserError(`source "${nodeId}" has no file to pin`, { nodeId, field: 'path' });
  const abs = resolveInside(place.baseDir, [place.baseDir], given, { nodeId, field: 'path' }, { write: false });
  const file = /[*?]/.test(given) ? expandGlob(abs)[0] : abs;
  if (file === undefined || !fs.existsSync(file)) throw new UserError(`source "${nodeId}": no file ${given} to pin`, { nodeId, field: 'path' });
  const header = csv && c['header'] !== false;
  const buf = firstLines(file, lines + (header ? 1 : 0));
  fs.mkdirSync(pinsFolder(place), { recursive: true });
  writeAtomic(path.join(pinsFolder(place), `${nodeId}.fixture.${csv ? 'csv' : 'ndjson'}`), buf);
}

/**
 * The pipeline as a test runs it: every source with a fixture reads it instead of its file. Fails, naming it, when
 * a source above `nodeId` has none, since the test would then depend on data outside the pins.
 */
export function withFixtures(p: Pipeline, place: PinPlace, nodeId: string): Pipeline {
  const upstream = new Set(upstreamClosure(p, nodeId));
  const nodes = p.nodes.map((n) => {
    if (kindOf(n.kind)?.category !== 'source') return n;
    const f = fixtureOf(place, n.id);
    if (!f) {
      if (upstream.has(n.id)) throw new UserError(`source "${n.id}" has no fixture in ${pinsFolderName(place.fileName)}/; pin it (or a node below it) first`, { nodeId: n.id });
      return n;
    }
    return { ...n, config: { ...n.config, path: path.relative(place.baseDir, f).split(path.sep).join('/') } };
  });
  return { ...p, nodes };
}

const rowKey = (r: Cell[]): string => JSON.stringify(r);
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** What the node gave, as a pin stores it (and as a test compares it). */
export function expectationOf(p: Pipeline, nodeId: string, r: PreviewResult): Expectation {
  const node = p.nodes.find((n) => n.id === nodeId);
  const failed = r.metrics.find((m) => m.status === 'failed');
  if (failed) throw new UserError(`node "${failed.nodeId}" failed over the fixtures: ${failed.error ?? 'failed'}`, { nodeId: failed.nodeId });
  if (r.sampled) throw new UserError(`the preview of "${nodeId}" read only a sample of the fixtures; pin fewer lines`, { nodeId });
  if (r.totalRows > MAX_PINNED_ROWS) throw new UserError(`"${nodeId}" gives ${r.totalRows} rows over the fixtures; a pin keeps at most ${MAX_PINNED_ROWS}: pin fewer lines`, { nodeId });
  const m = r.metrics.find((x) => x.nodeId === nodeId);
  const counts: Record<string, number> = { rows: r.totalRows };
  if (m) Object.assign(counts, { rowsIn: m.rowsIn, rowsOut: m.rowsOut, quarantined: m.quarantined, filtered: m.filtered });
  // Per rule at this node only: a sink's preview is its feeding node's, whose rule counts are not the sink's.
  const quarantineByRule: Record<string, number> = {};
  if (m) for (const k of Object.keys(r.quarantineByRule ?? {}).sort(byText)) quarantineByRule[k] = r.quarantineByRule?.[k] ?? 0;
  const rows = r.rows.map((row) => row.map((v) => (typeof v === 'string' ? redact(v) : v)));
  rows.sort((a, b) => byText(rowKey(a), rowKey(b)));
  const e: Expectation = { node: nodeId, kind: node?.kind ?? '', port: r.port, counts, quarantineByRule, columns: r.columns.map((c) => ({ name: c.name, type: c.type })), rows };
  if (r.quarantineTotal <= MAX_PINNED_QUARANTINE && r.quarantine.length === r.quarantineTotal) {
    e.quarantine = r.quarantine
      .map((q) => ({ line: q.sourceLine, rules: [...q.ruleIds].sort(byText), row: q.row === null ? null : redact(q.row), raw: q.raw === null ? null : redact(q.raw) }))
      .sort((a, b) => (a.line ?? -1) - (b.line ?? -1) || byText(JSON.stringify(a), JSON.stringify(b)));
  }
  return e;
}

/** Fixed key order and one row per line: a changed rule shows in review as the rows it changed. */
export function expectationText(e: Expectation): string {
  const list = (items: unknown[]): string => (items.length === 0 ? '[]' : `[\n${items.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`);
  const parts = [
    `  "node": ${JSON.stringify(e.node)}`,
    `  "kind": ${JSON.stringify(e.kind)}`,
    `  "port": ${JSON.stringify(e.port)}`,
    `  "counts": ${JSON.stringify(e.counts)}`,
    `  "quarantineByRule": ${JSON.stringify(e.quarantineByRule)}`,
    `  "columns": ${list(e.columns)}`,
    `  "rows": ${list(e.rows)}`,
    ...(e.quarantine ? [`  "quarantine": ${list(e.quarantine)}`] : []),
  ];
  return `{\n${parts.join(',\n')}\n}\n`;
}

export function readExpectation(place: PinPlace, nodeId: string): Expectation {
  const file = path.join(pinsFolder(place), expectedName(nodeId));
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${path.relative(place.baseDir, file)}: not a readable pin (${e instanceof Error ? e.message : String(e)}); pin the node again`, { file: path.relative(place.baseDir, file) });
  }
  const o = v as Partial<Expectation>;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.rows) || !Array.isArray(o.columns) || typeof o.counts !== 'object') {
    throw new UserError(`${path.relative(place.baseDir, file)}: not a pin (it needs "counts", "columns" and "rows"); pin the node again`, { file: path.relative(place.baseDir, file) });
  }
  return { node: nodeId, kind: String(o.kind ?? ''), port: String(o.port ?? ''), counts: o.counts, quarantineByRule: o.quarantineByRule ?? {}, columns: o.columns, rows: o.rows, ...(Array.isArray(o.quarantine) ? { quarantine: o.quarantine } : {}) };
}

/** Pins a node: fixtures for the sources above it that have none, then its expectation over them. */
export async function pinNode(p: Pipeline, nodeId: string, place: PinPlace, lines: number, preview: PreviewFn): Promise<Pins> {
  if (!p.nodes.some((n) => n.id === nodeId)) throw new UserError(`no node "${nodeId}" in the pipeline`);
  if (!Number.isInteger(lines) || lines < 1 || lines > MAX_FIXTURE_LINES) throw new UserError(`a fixture keeps 1 to ${MAX_FIXTURE_LINES} lines, not ${lines}`);
  for (const id of upstreamClosure(p, nodeId)) {
    const n = p.nodes.find((x) => x.id === id);
    if (n && kindOf(n.kind)?.category === 'source' && !fixtureOf(place, id)) pinSource(p, id, place, lines);
  }
  const r = await preview(withFixtures(p, place, nodeId), nodeId, MAX_PINNED_ROWS, place.baseDir);
  const e = expectationOf(p, nodeId, r);
  writeAtomic(path.join(pinsFolder(place), expectedName(nodeId)), expectationText(e));
  return listPins(place);
}

export function listPins(place: PinPlace): Pins {
  const dir = pinsFolder(place);
  const folder = pinsFolderName(place.fileName);
  const byNode = new Map<string, PinInfo>();
  const entry = (id: string): PinInfo => byNode.get(id) ?? byNode.set(id, { nodeId: id }).get(id) as PinInfo;
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).sort(byText) : [];
  for (const name of names) {
    const fx = FIXTURE.exec(name);
    if (fx?.[1]) {
      entry(fx[1]).fixture = { file: `${folder}/${name}`, lines: fileLines(fs.readFileSync(path.join(dir, name))) };
      continue;
    }
    const ex = EXPECTED.exec(name);
    if (ex?.[1]) {
      try {
        const e = readExpectation(place, ex[1]);
        entry(ex[1]).expected = { file: `${folder}/${name}`, rows: e.rows.length, quarantined: e.counts['quarantined'] ?? 0, filtered: e.counts['filtered'] ?? 0 };
      } catch {
        entry(ex[1]).expected = { file: `${folder}/${name}`, rows: 0, quarantined: 0, filtered: 0 };
      }
    }
  }
  return { folder, pins: [...byNode.values()] };
}

export function removePin(place: PinPlace, nodeId: string): Pins {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(nodeId)) throw new UserError(`"${nodeId}" is not a node id`);
  const dir = pinsFolder(place);
  const files = [expectedName(nodeId), `${nodeId}.fixture.csv`, `${nodeId}.fixture.ndjson`].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
  if (files.length === 0) throw new UserError(`"${nodeId}" has no pin in ${pinsFolderName(place.fileName)}/`);
  for (const f of files) fs.rmSync(f);
  return listPins(place);
}
