// The designer's own schema pass, after an edit: the ports of kinds whose output columns are a pure function of
// their inputs and config (kinds/all.ts: select, cast, join, validate, sinks …) are computed here, with the very
// code the engine runs; every other node keeps the engine's last answer as long as its config and input columns
// are what the engine saw. Only when one of those changed (or the file's structure did) is the engine asked, and
// its answer then replaces everything. Pure, and in this package so the engine's tests can hold it to the
// engine's own answer and the bench can run it in a browser.
import type { RegionNode, SchemasForResult, SchemasResult } from '../api/contract.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Problem } from '../pipeline/problems.js';
import { topologicalOrder } from '../pipeline/graph.js';
import { applyParams } from '../pipeline/load.js';
import { hasParamRef, problemsAt } from '../kinds/kind.js';
import { pureKind } from '../kinds/all.js';
import type { Schema } from './types.js';

type Ports = SchemasResult['ports'];
type PortColumns = Ports[string][string];

/** What the engine said about one node, and what it saw when it said it. */
interface NodeAnswer {
  key: string;
  outputs: Record<string, PortColumns>;
  problems: Problem[];
}

/** The engine's last answer, indexed for reuse node by node. */
export interface EngineBasis {
  /** Everything about the document but its node configs (ids, kinds, labels, edges, params, order). */
  structure: string;
  nodes: Map<string, NodeAnswer>;
}

export interface LocalAnswer {
  ports: Ports;
  problems: Problem[];
  /**
   * Nodes whose answer only the engine can give and whose config or input columns changed since it gave one
   * (their ports and problems here are the last known, possibly stale); empty when the engine need not be asked.
   */
  stale: string[];
  /** The document cannot be judged here at all (structure changed, a config does not parse): ask the engine. */
  unjudged?: string;
}

/** Output port names of a kind (from the catalog). */
export type OutputsOf = (kind: string) => readonly string[] | undefined;

function structureOf(p: Pipeline): string {
  return JSON.stringify([p.name, p.params, p.edges, p.nodes.map((n) => [n.id, n.kind, n.label ?? ''])]);
}

const schemaKeys = new WeakMap<object, string>();
function keyOfColumns(s: PortColumns | undefined): string {
  if (!s) return '?';
  let k = schemaKeys.get(s);
  if (k === undefined) {
    k = s.map((c) => `${c.name}\u0001${c.type}\u0001${c.nullable ?? ''}\u0001${c.typedAt ?? ''}`).join('\u0002');
    schemaKeys.set(s, k);
  }
  return k;
}

interface Walk {
  id: string;
  at: number;
  kind: string;
  config: Record<string, unknown>;
  /** Input port → the columns on each edge into it, in edge order. */
  incoming: Map<string, (PortColumns | undefined)[]>;
  key: string;
}

/** Visits nodes in topological order with their input columns as `portsOf` gives them so far. */
function walk(p: Pipeline, portsOf: (id: string) => Record<string, PortColumns> | undefined, visit: (w: Walk) => void): boolean {
  const { order, cycle } = topologicalOrder(p);
  if (cycle.length > 0) return false;
  const index = new Map(p.nodes.map((n, i) => [n.id, i]));
  const into = new Map<string, Pipeline['edges']>();
  for (const e of p.edges) {
    const list = into.get(e.to.node);
    if (list) list.push(e);
    else into.set(e.to.node, [e]);
  }
  for (const id of order) {
    const at = index.get(id);
    if (at === undefined) continue;
    const node = p.nodes[at];
    if (!node) continue;
    const incoming = new Map<string, (PortColumns | undefined)[]>();
    for (const e of into.get(id) ?? []) {
      const list = incoming.get(e.to.port) ?? [];
      list.push(portsOf(e.from.node)?.[e.from.port] ?? undefined);
      incoming.set(e.to.port, list);
    }
    const inKey = [...incoming.entries()].map(([port, l]) => `${port}\u0004${l.map(keyOfColumns).join('\u0005')}`).join('\u0006');
    const key = `${node.kind}\u0003${at}\u0003${JSON.stringify(node.config)}\u0003${inKey}`;
    visit({ id, at, kind: node.kind, config: node.config, incoming, key });
  }
  return true;
}

function withParams(p: Pipeline): Pipeline {
  return Object.keys(p.params).length > 0 ? applyParams(p, {}).pipeline : p;
}

/**
 * A pure kind's ports and problems worked out here (unknown while an input is unknown or a parameter is unset, as
 * the engine has it); 'config' when its config does not parse; undefined for a kind only the engine can judge.
 */
function pureOutcome(w: Walk, unknown: Record<string, null>): { ports: Record<string, PortColumns>; problems: Problem[]; engineProblems: boolean } | 'config' | undefined {
  const pure = pureKind(w.kind);
  if (!pure) return undefined;
  const anyUnknown = [...w.incoming.values()].some((l) => l.some((s) => !s));
  // The engine judges such a node only once its inputs are known (or at run time): nothing to say yet.
  if (anyUnknown || hasParamRef(w.config)) return { ports: unknown, problems: [], engineProblems: false };
  const parsed = pure.config.safeParse(w.config);
  if (!parsed.success) return 'config';
  const known = w.incoming as Map<string, PortColumns[]>;
  const r = pure.outputSchema({
    nodeId: w.id,
    config: parsed.data,
    input: (port) => asSchema(known.get(port)?.[0]) ?? [],
    inputs: (port) => (known.get(port) ?? []).map((s) => asSchema(s) ?? []),
    connected: (port) => known.has(port),
  });
  const ports = { ...unknown, ...Object.fromEntries(Object.entries(r.outputs).map(([k, c]) => [k, c ?? null])) };
  return { ports, problems: problemsAt(w.at, w.id, r.problems), engineProblems: pure.engineProblems === true };
}

/** Indexes the engine's answer for `p` (the document it was asked about) node by node. */
export function engineBasis(p: Pipeline, answer: SchemasResult): EngineBasis | undefined {
  // An answer without ports is about the file (a config that does not parse, a cycle): nothing to reuse.
  if (Object.keys(answer.ports).length === 0 && answer.problems.length > 0) return undefined;
  const doc = withParams(p);
  const byNode = new Map<string, Problem[]>();
  for (const pr of answer.problems) {
    if (pr.nodeId === undefined) return undefined;
    const list = byNode.get(pr.nodeId);
    if (list) list.push(pr);
    else byNode.set(pr.nodeId, [pr]);
  }
  const nodes = new Map<string, NodeAnswer>();
  const ok = walk(doc, (id) => answer.ports[id], (w) => {
    nodes.set(w.id, { key: w.key, outputs: answer.ports[w.id] ?? {}, problems: byNode.get(w.id) ?? [] });
  });
  return ok ? { structure: structureOf(doc), nodes } : undefined;
}

const asSchema = (c: PortColumns | undefined): Schema | undefined => (c ? (c as Schema) : undefined);

/**
 * `p`'s ports and problems from the engine's last answer (`basis`) and the pure kinds, without asking the engine.
 * When `stale` is empty (and nothing is unjudged), the result is what the engine would answer.
 */
export function localSchemas(p: Pipeline, basis: EngineBasis | undefined, outputsOf: OutputsOf): LocalAnswer {
  if (!basis) return { ports: {}, problems: [], stale: [], unjudged: 'no answer from the engine yet' };
  const doc = withParams(p);
  if (structureOf(doc) !== basis.structure) return { ports: {}, problems: [], stale: [], unjudged: 'nodes, edges or parameters changed' };
  const ports: Ports = {};
  const problems: Problem[] = [];
  const stale: string[] = [];
  let unjudged: string | undefined;
  walk(doc, (id) => ports[id], (w) => {
    const before = basis.nodes.get(w.id);
    const names = outputsOf(w.kind) ?? Object.keys(before?.outputs ?? {});
    const unknown = Object.fromEntries(names.map((n) => [n, null]));
    const reuse = (isStale: boolean) => {
      ports[w.id] = before ? before.outputs : unknown;
      problems.push(...(before?.problems ?? []));
      if (isStale) stale.push(w.id);
    };
    if (before && before.key === w.key) return reuse(false);
    const pure = pureOutcome(w, unknown);
    if (!pure) return reuse(true);
    if (pure === 'config') {
      // The engine words config problems (and would give this document no ports): let it.
      unjudged = `node "${w.id}" has a config problem`;
      return reuse(true);
    }
    ports[w.id] = pure.ports;
    if (pure.engineProblems) {
      // The columns are known here; whether the expression fits them, only the engine can say.
      problems.push(...(before?.problems ?? []));
      stale.push(w.id);
      return;
    }
    problems.push(...pure.problems);
  });
  return { ports, problems, stale, ...(unjudged ? { unjudged } : {}) };
}

/**
 * What to ask the engine (`schemasFor`) after a local pass with stale nodes, in topological order, each input
 * either the columns this pass gave it or an earlier node of the request. `below`: the nodes under the stale ones
 * go too, so that a stale node's new columns (a derive's new type) reach every expression below in one request;
 * nodes whose inputs it leaves unchanged cost the engine a memo hit, but their answers make the request's reply large.
 */
export function regionRequest(p: Pipeline, local: LocalAnswer, below = true): RegionNode[] {
  const doc = withParams(p);
  const region = new Set(local.stale);
  const nodes: RegionNode[] = [];
  const into = new Map<string, Pipeline['edges']>();
  for (const e of doc.edges) {
    const list = into.get(e.to.node);
    if (list) list.push(e);
    else into.set(e.to.node, [e]);
  }
  walk(doc, (id) => local.ports[id], (w) => {
    const edges = into.get(w.id) ?? [];
    if (!region.has(w.id) && !(below && edges.some((e) => region.has(e.from.node)))) return;
    region.add(w.id);
    const inputs: RegionNode['inputs'] = {};
    for (const e of edges) {
      const list = inputs[e.to.port] ?? [];
      list.push(region.has(e.from.node) ? { node: e.from.node, port: e.from.port } : (local.ports[e.from.node]?.[e.from.port] ?? null));
      inputs[e.to.port] = list;
    }
    // A pure kind's answer would only repeat what the designer works out (learnRegion does): left out of the reply.
    const mine = pureKind(w.kind);
    nodes.push({ id: w.id, at: w.at, kind: w.kind, config: w.config, inputs, ...(mine && !mine.engineProblems ? { reply: false } : {}) });
  });
  return nodes;
}

/**
 * The basis with the engine's `schemasFor` answer for `p` learned: each answered node is kept under the config
 * and input columns it was judged with, so the next local pass reuses it. Undefined when the answer cannot be used.
 */
export function learnRegion(p: Pipeline, basis: EngineBasis | undefined, local: LocalAnswer, answer: SchemasForResult, outputsOf: OutputsOf): EngineBasis | undefined {
  if (!basis || answer.unjudged) return undefined;
  const doc = withParams(p);
  if (structureOf(doc) !== basis.structure) return undefined;
  const nodes = new Map(basis.nodes);
  const ports: Ports = {};
  walk(doc, (id) => ports[id], (w) => {
    const mine = answer.nodes[w.id];
    if (mine) {
      ports[w.id] = mine.outputs;
      nodes.set(w.id, { key: w.key, outputs: mine.outputs, problems: mine.problems });
      return;
    }
    // A pure kind the engine left out of its answer, worked out here from the columns the answer gave above it.
    const names = outputsOf(w.kind) ?? Object.keys(local.ports[w.id] ?? {});
    const pure = pureOutcome(w, Object.fromEntries(names.map((n) => [n, null])));
    ports[w.id] = pure && pure !== 'config' ? pure.ports : (local.ports[w.id] ?? {});
  });
  return { structure: basis.structure, nodes };
}

export interface Settled {
  local: LocalAnswer;
  basis: EngineBasis | undefined;
  /** `schemasFor` requests made and the nodes they named, in order. */
  sent: number[];
}

/**
 * The designer's answer after an edit, asking the engine about as little as it can: first only the stale nodes
 * (an edited filter or derive whose columns stay as they were needs nothing more), then, if their answer changed
 * columns below, those nodes and every node under them in one request. What is still stale or unjudged after that
 * (a config that does not parse) is for the whole-document `schemas`.
 */
export async function settle(p: Pipeline, basis: EngineBasis | undefined, outputsOf: OutputsOf, ask: (nodes: RegionNode[]) => Promise<SchemasForResult>): Promise<Settled> {
  let local = localSchemas(p, basis, outputsOf);
  const sent: number[] = [];
  for (const below of [false, true]) {
    if (local.unjudged || local.stale.length === 0) break;
    const nodes = regionRequest(p, local, below);
    sent.push(nodes.length);
    const next = learnRegion(p, basis, local, await ask(nodes), outputsOf);
    if (!next) break;
    basis = next;
    local = localSchemas(p, basis, outputsOf);
  }
  return { local, basis, sent };
}
