// Loading a pipeline file: untrusted JSON in, a checked pipeline or every problem with its location out.
import { CURRENT_VERSION, pipelineSchema, type Pipeline } from './pipeline.js';
import { pathToString, type Problem } from './problems.js';
import type { KindLookup } from './kinds.js';
import { topologicalOrder } from './graph.js';
import { EdgeIndex, connectionRefusals, type NodePorts } from './connections.js';
import { jsonErrorLocation, jsonErrorReason } from './json-error.js';
import { nodeName, nodeNameWithKind } from './node-name.js';

export interface LoadResult {
  pipeline: Pipeline | undefined;
  problems: Problem[];
  /** The document as parsed when its shape was right but other checks failed: later checks can still read it. */
  document?: Pipeline;
}

/** Refuse absurd documents before walking them: deep nesting is how a JSON file exhausts a parser's stack. */
const MAX_DEPTH = 64;

function depthOf(v: unknown, depth = 0): number {
  if (depth > MAX_DEPTH || v === null || typeof v !== 'object') return depth;
  // A loop, not Math.max(...children): spreading an array of a million elements overflows the call stack.
  let max = depth;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    max = Math.max(max, depthOf(x, depth + 1));
    if (max > MAX_DEPTH) break;
  }
  return max;
}

/**
 * The most nodes and edges a pipeline may have. Every graph step is linear, and so is a run (a few DuckDB
 * statements per node; `npm run bench -- --workloads chain` measures a 5,000-node chain): the limit keeps a file
 * from asking for an unbounded amount of work, at twice that chain.
 */
export const MAX_NODES = 10_000;
export const MAX_EDGES = 20_000;

function sizeProblems(nodes: number, edges: number): Problem[] {
  const out: Problem[] = [];
  if (nodes > MAX_NODES) out.push({ path: 'nodes', message: `the pipeline has ${nodes} nodes; Sluice runs at most ${MAX_NODES} in one pipeline. Split it into several pipelines that pass files between them` });
  if (edges > MAX_EDGES) out.push({ path: 'edges', message: `the pipeline has ${edges} edges; Sluice runs at most ${MAX_EDGES} in one pipeline` });
  return out;
}

/** Unknown kinds of a document whose shape failed, read from the raw nodes (problems already found are kept). */
function rawKindProblems(raw: object, kinds: KindLookup, found: Problem[]): Problem[] {
  const nodes = (raw as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return [];
  const out: Problem[] = [];
  nodes.forEach((n: unknown, i) => {
    if (n === null || typeof n !== 'object') return;
    const kind = (n as { kind?: unknown }).kind;
    const id = (n as { id?: unknown }).id;
    const path = `nodes[${i}].kind`;
    if (typeof kind !== 'string' || kinds(kind) || found.some((p) => p.path === path)) return;
    out.push({ path, ...(typeof id === 'string' ? { nodeId: id } : {}), message: `unknown node kind ${JSON.stringify(kind)}` });
  });
  return out;
}

/** Parse JSON text, reporting a syntax error with its line and column. */
export function parsePipelineText(text: string): LoadResult & { raw?: unknown } {
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = jsonErrorLocation(text, msg);
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    return { pipeline: undefined, problems: [{ path: '', message: `not valid JSON${where}: ${jsonErrorReason(msg)}` }] };
  }
  return { ...checkPipeline(raw, undefined), raw };
}

/** Older documents are brought up to the current version here; each step is one function. */
function migrate(raw: Record<string, unknown>): Problem[] {
  const v = raw['version'];
  if (v === undefined) return [{ path: 'version', message: `missing "version"; this Sluice reads format version ${CURRENT_VERSION}` }];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return [{ path: 'version', message: `"version" must be a positive whole number, got ${JSON.stringify(v)}` }];
  if (v > CURRENT_VERSION) {
    return [{ path: 'version', message: `this file uses pipeline format version ${v}, saved by a newer Sluice; this Sluice reads versions up to ${CURRENT_VERSION}. Update Sluice to open it.` }];
  }
  return [];
}

const PARAM_REF = /\$\{([^}]*)\}/g;

/** `path` is a stack shared by the walk and copied only where a reference is found (most strings have none). */
function collectParamRefs(v: unknown, path: (string | number)[], out: { name: string; path: (string | number)[] }[]): void {
  if (typeof v === 'string') {
    if (v.includes('${')) for (const m of v.matchAll(PARAM_REF)) out.push({ name: m[1] ?? '', path: [...path] });
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => {
      path.push(i);
      collectParamRefs(x, path, out);
      path.pop();
    });
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      path.push(k);
      collectParamRefs(x, path, out);
      path.pop();
    }
  }
}

/**
 * Full check of a parsed document. With `kinds`, node configs and ports are checked too; without, only the
 * document's shape and graph (what the designer can check on its own).
 */
export function checkPipeline(raw: unknown, kinds: KindLookup | undefined): LoadResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { pipeline: undefined, problems: [{ path: '', message: 'a pipeline file must be a JSON object' }] };
  }
  if (depthOf(raw) > MAX_DEPTH) return { pipeline: undefined, problems: [{ path: '', message: `the document nests deeper than ${MAX_DEPTH} levels` }] };
  const versionProblems = migrate(raw as Record<string, unknown>);
  if (versionProblems.length > 0) return { pipeline: undefined, problems: versionProblems };

  const parsed = pipelineSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i): Problem => {
      const path = pathToString(i.path);
      const nodeIdx = i.path[0] === 'nodes' && typeof i.path[1] === 'number' ? i.path[1] : undefined;
      const rawNodes = (raw as { nodes?: unknown }).nodes;
      const node = nodeIdx !== undefined && Array.isArray(rawNodes) ? (rawNodes[nodeIdx] as { id?: unknown } | undefined) : undefined;
      return { path, ...(typeof node?.id === 'string' ? { nodeId: node.id } : {}), message: i.message };
    });
    // The document's shape is wrong, but its nodes' kinds can still be checked now, so that fixing the shape
    // does not reveal a second layer of problems.
    if (kinds) problems.push(...rawKindProblems(raw, kinds, problems));
    return { pipeline: undefined, problems };
  }
  const p = parsed.data;
  const size = sizeProblems(p.nodes.length, p.edges.length);
  if (size.length > 0) return { pipeline: undefined, problems: size };
  // zod rebuilds records by assignment, which turns a "__proto__" key into a prototype; configs are plain
  // JSON anyway, so the parsed originals (own properties, as JSON.parse made them) are kept.
  const rawNodes = (raw as { nodes: { config?: unknown }[] }).nodes;
  p.nodes.forEach((n, i) => {
    const original = rawNodes[i]?.config;
    if (original !== null && typeof original === 'object' && !Array.isArray(original)) n.config = original as Record<string, unknown>;
  });
  const problems: Problem[] = [];
  // Ids name DuckDB tables, whose names ignore case: "f" and "F" would be one table.
  const seen = new Map<string, number>();
  p.nodes.forEach((n, i) => {
    const first = seen.get(n.id.toLowerCase());
    const firstId = first === undefined ? undefined : p.nodes[first]?.id;
    if (first === undefined) seen.set(n.id.toLowerCase(), i);
    else if (firstId === n.id) problems.push({ path: `nodes[${i}].id`, nodeId: n.id, message: `duplicate node id "${n.id}" (first used by nodes[${first}])` });
    else problems.push({ path: `nodes[${i}].id`, nodeId: n.id, message: `node id "${n.id}" differs from "${firstId ?? ''}" (nodes[${first}]) only in letter case; ids must differ in more than case` });
  });

  const configs = new Map<string, Record<string, unknown>>();
  p.nodes.forEach((n, i) => {
    if (!kinds) return;
    const spec = kinds(n.kind);
    if (!spec) {
      problems.push({ path: `nodes[${i}].kind`, nodeId: n.id, message: `unknown node kind "${n.kind}"` });
      return;
    }
    // Migrate before checking: the config is judged by the kind's current schema.
    const saved = n.kindVersion ?? 1;
    if (saved > spec.version) {
      problems.push({ path: `nodes[${i}].kindVersion`, nodeId: n.id, message: `${nodeName(n)} was saved by a newer Sluice (${n.kind} version ${saved}; this Sluice knows up to ${spec.version}). Update Sluice to open it.` });
      return;
    }
    if (saved < spec.version) {
      try {
        n.config = spec.migrate(n.config, saved);
      } catch (e) {
        problems.push({ path: `nodes[${i}].config`, nodeId: n.id, message: `cannot bring this ${n.kind} config from version ${saved} to ${spec.version}: ${e instanceof Error ? e.message : String(e)}` });
        return;
      }
    }
    n.kindVersion = spec.version;
    const check = spec.checkConfig(n.config);
    if (!check.success) {
      for (const issue of check.issues) {
        const field = pathToString(issue.path);
        problems.push({ path: `nodes[${i}].config${field ? (field.startsWith('[') ? field : `.${field}`) : ''}`, nodeId: n.id, ...(field ? { field } : {}), message: issue.message });
      }
    } else configs.set(n.id, check.data as Record<string, unknown>);
  });

  // The connection rule the designer's canvas asks too (format/connections.ts), worded for a file's reader.
  const nodeById = new Map<string, (typeof p.nodes)[number]>();
  for (const n of p.nodes) if (!nodeById.has(n.id)) nodeById.set(n.id, n);
  const portsOf = (id: string): NodePorts | undefined => {
    const n = nodeById.get(id);
    if (!n) return undefined;
    const spec = kinds?.(n.kind);
    return { outputs: spec?.outputs.map((o) => o.name), inputs: spec?.inputs };
  };
  // The edges before each one, indexed as they are added: each edge is checked against those before it.
  const before = new EdgeIndex();
  p.edges.forEach((e, i) => {
    const key = `${e.from.node}.${e.from.port}->${e.to.node}.${e.to.port}`;
    const from = nodeById.get(e.from.node);
    const to = nodeById.get(e.to.node);
    const refusals = connectionRefusals(before, e, portsOf, { loops: false });
    before.add(e);
    for (const r of refusals) {
      if (r.reason === 'duplicate') problems.push({ path: `edges[${i}]`, message: `duplicate edge ${key}` });
      else if (r.reason === 'missing-from-node') problems.push({ path: `edges[${i}].from.node`, message: `edge starts at unknown node "${e.from.node}"` });
      else if (r.reason === 'missing-to-node') problems.push({ path: `edges[${i}].to.node`, message: `edge ends at unknown node "${e.to.node}"` });
      else if (r.reason === 'self') problems.push({ path: `edges[${i}]`, nodeId: e.from.node, message: 'a node cannot feed itself' });
      else if (r.reason === 'no-output' && from) {
        problems.push({ path: `edges[${i}].from.port`, nodeId: from.id, message: `${nodeNameWithKind(from)} has no output port "${e.from.port}"; it has ${r.outputs.map((o) => `"${o}"`).join(', ') || 'none'}` });
      } else if (r.reason === 'no-input' && to) {
        problems.push({ path: `edges[${i}].to.port`, nodeId: to.id, message: `${nodeNameWithKind(to)} has no input port "${e.to.port}"; it has ${r.inputs.map((o) => `"${o.name}"`).join(', ') || 'none'}` });
      } else if (r.reason === 'occupied' && to) {
        problems.push({ path: `edges[${i}].to`, nodeId: to.id, message: `input "${r.input.name}" of ${nodeName(to)} accepts one connection; add a union node to combine inputs` });
      }
      // 'unknown-input-kind' is the node's own problem (reported above); cycles are reported once, below.
    }
  });

  if (kinds) {
    const connectedInputs = new Set(p.edges.map((e) => `${e.to.node}\u0000${e.to.port}`));
    p.nodes.forEach((n, i) => {
      const spec = kinds(n.kind);
      for (const port of spec?.inputs ?? []) {
        if (port.optional) continue;
        if (!connectedInputs.has(`${n.id}\u0000${port.name}`)) {
          problems.push({ path: `nodes[${i}]`, nodeId: n.id, field: port.name, message: `input "${port.name}" of ${nodeName(n)} is not connected` });
        }
      }
    });
  }

  for (const cycle of topologicalOrder(p).cycles) {
    // A self-loop is already reported on its edge.
    if (cycle.length > 1) problems.push({ path: 'edges', nodeId: cycle[0] as string, message: `the graph has a cycle: ${[...cycle, cycle[0]].map((c) => `"${c}"`).join(' → ')}` });
  }

  // NUL ends a string early in DuckDB and in C libraries; a lone surrogate is not a character and cannot be
  // written as UTF-8. Either in a config value would fail later with a raw error, so both are refused here.
  p.nodes.forEach((n, i) => walkStrings(n.config, ['nodes', i, 'config'], (text, at) => {
    const bad = badCharacter(text);
    if (bad) problems.push({ path: pathToString(at), nodeId: n.id, ...(at.length > 3 ? { field: pathToString(at.slice(3)) } : {}), message: bad });
  }));
  for (const [k, spec] of Object.entries(p.params)) {
    const bad = spec.default !== undefined ? badCharacter(spec.default) : undefined;
    if (bad) problems.push({ path: `params.${k}.default`, message: bad });
  }

  const refs: { name: string; path: (string | number)[] }[] = [];
  p.nodes.forEach((n, i) => collectParamRefs(n.config, ['nodes', i, 'config'], refs));
  for (const r of refs) {
    if (!Object.hasOwn(p.params, r.name)) {
      const node = p.nodes[r.path[1] as number];
      problems.push({ path: pathToString(r.path), ...(node ? { nodeId: node.id } : {}), message: `unknown parameter "\${${r.name}}"; declare it under "params"` });
    }
  }

  if (problems.length > 0) return { pipeline: undefined, problems, document: p };
  // Configs go on with their defaults filled in, so every later step sees a complete config.
  const nodes = p.nodes.map((n) => ({ ...n, config: configs.get(n.id) ?? n.config }));
  return { pipeline: { ...p, nodes }, problems };
}

function walkStrings(v: unknown, at: (string | number)[], visit: (text: string, at: (string | number)[]) => void): void {
  // An explicit stack: configs are shallow, but a document is untrusted.
  const stack: { v: unknown; at: (string | number)[] }[] = [{ v, at }];
  while (stack.length > 0) {
    const cur = stack.pop() as { v: unknown; at: (string | number)[] };
    if (typeof cur.v === 'string') visit(cur.v, cur.at);
    else if (Array.isArray(cur.v)) cur.v.forEach((x, i) => stack.push({ v: x, at: [...cur.at, i] }));
    else if (cur.v !== null && typeof cur.v === 'object') for (const [k, x] of Object.entries(cur.v)) stack.push({ v: x, at: [...cur.at, k] });
  }
}

/** Why a text value cannot be used (a NUL character or a lone UTF-16 surrogate, with its position), if so. */
export function badCharacter(text: string): string | undefined {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return `contains a NUL character at character ${nul + 1}; remove it`;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) return `contains a lone UTF-16 surrogate (\\u${c.toString(16)}) at character ${i + 1}, which is not a character; remove it`;
  }
  return undefined;
}

/** Replace `${name}` in config strings with parameter values (given, else default). */
export function applyParams(p: Pipeline, values: Record<string, string>): { pipeline: Pipeline; problems: Problem[] } {
  const problems: Problem[] = [];
  for (const k of Object.keys(values)) {
    if (!Object.hasOwn(p.params, k)) problems.push({ path: 'params', message: `unknown parameter "${k}"; this pipeline declares ${Object.keys(p.params).map((x) => `"${x}"`).join(', ') || 'none'}` });
  }
  const resolved: Record<string, string> = {};
  for (const [k, spec] of Object.entries(p.params)) {
    const v = Object.hasOwn(values, k) ? values[k] : spec.default;
    const bad = Object.hasOwn(values, k) && v !== undefined ? badCharacter(v) : undefined;
    if (bad) problems.push({ path: `params.${k}`, message: `the value given for parameter "${k}" ${bad}` });
    if (v === undefined) problems.push({ path: `params.${k}`, message: `parameter "${k}" has no value and no default; pass --param ${k}=VALUE` });
    else resolved[k] = v;
  }
  const subst = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(PARAM_REF, (_m, name: string) => (Object.hasOwn(resolved, name) ? (resolved[name] as string) : `\${${name}}`));
    if (Array.isArray(v)) return v.map(subst);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: subst(x), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return v;
  };
  return { pipeline: { ...p, nodes: p.nodes.map((n) => ({ ...n, config: subst(n.config) as Record<string, unknown> })) }, problems };
}

/**
 * A document with every node's config brought to its kind's current version, and nothing else changed (no
 * defaults filled in), for `sluice migrate`. Returns the nodes it changed, or the problems that stop it.
 */
export function migrateDocument(raw: unknown, kinds: KindLookup): { pipeline?: Pipeline; migrated: { nodeId: string; kind: string; from: number; to: number }[]; problems: Problem[] } {
  const checked = checkPipeline(raw, kinds);
  if (!checked.pipeline) return { migrated: [], problems: checked.problems };
  const shape = pipelineSchema.parse(raw);
  const migrated: { nodeId: string; kind: string; from: number; to: number }[] = [];
  const rawNodes = (raw as { nodes: { config?: unknown }[] }).nodes;
  const nodes = shape.nodes.map((n, i) => {
    const spec = kinds(n.kind);
    const from = n.kindVersion ?? 1;
    const original = rawNodes[i]?.config;
    const config = original !== null && typeof original === 'object' && !Array.isArray(original) ? (original as Record<string, unknown>) : n.config;
    if (!spec) return n;
    if (from < spec.version) migrated.push({ nodeId: n.id, kind: n.kind, from, to: spec.version });
    return { ...n, config: from < spec.version ? spec.migrate(config, from) : config, kindVersion: spec.version };
  });
  return { pipeline: { ...shape, nodes }, migrated, problems: [] };
}
