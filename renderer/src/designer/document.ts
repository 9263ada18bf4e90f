// The open document is a `Pipeline` (the file format's own type). Positions may carry decimals while a node is
// dragged; what is saved rounds them, and drops group members that no longer exist. Everything here is pure and
// memoised per document object: an edit makes a new document that shares every unchanged node with the old one,
// so asking twice about the same document costs nothing, and comparing two versions touches only what differs.
import { SCHEMA_URL, type Pipeline, type PipelineNode } from '@sluice/format/pipeline/pipeline';
import { serializePipeline } from '@sluice/format/pipeline/save';
import type { PipelineMeta } from '../lib/graph';

const savedForms = new WeakMap<Pipeline, Pipeline>();
const savedNodes = new WeakMap<PipelineNode, PipelineNode>();

function roundedNode(n: PipelineNode): PipelineNode {
  if (Number.isInteger(n.position.x) && Number.isInteger(n.position.y)) return n;
  let out = savedNodes.get(n);
  if (!out) {
    out = { ...n, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } };
    savedNodes.set(n, out);
  }
  return out;
}

/**
 * The document as the file holds it: positions rounded (nudging a node must not churn the diff with decimals),
 * groups listing only nodes that still exist, a group left without nodes dropped, and no `annotations` key when
 * nothing is annotated (the file saves as before annotations existed).
 */
export function savedForm(doc: Pipeline): Pipeline {
  let out = savedForms.get(doc);
  if (out) return out;
  const { annotations, ...rest } = doc;
  const nodes = doc.nodes.map(roundedNode);
  out = { ...rest, nodes, edges: doc.edges };
  if (annotations) {
    const ids = new Set(doc.nodes.map((n) => n.id));
    const groups = annotations.groups
      .map((g) => (g.nodes.every((id) => ids.has(id)) ? g : { ...g, nodes: g.nodes.filter((id) => ids.has(id)) }))
      .filter((g) => g.nodes.length > 0);
    if (annotations.notes.length > 0 || groups.length > 0) out.annotations = { notes: annotations.notes, groups };
  }
  savedForms.set(doc, out);
  return out;
}

const texts = new WeakMap<Pipeline, string>();

/** The canonical text of the document (what Save writes); serialised once per document version. */
export function documentText(doc: Pipeline): string {
  let text = texts.get(doc);
  if (text === undefined) {
    text = serializePipeline(savedForm(doc));
    texts.set(doc, text);
  }
  return text;
}

/** Structural equality of JSON values; object key order does not matter (the file sorts config keys). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  const ka = Object.keys(a);
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  // An absent key and a key holding undefined save alike (JSON drops both).
  const kb = Object.keys(b).filter((k) => rb[k] !== undefined);
  const defined = ka.filter((k) => ra[k] !== undefined);
  return defined.length === kb.length && defined.every((k) => Object.hasOwn(rb, k) && sameValue(ra[k], rb[k]));
}

function sameNode(a: PipelineNode, b: PipelineNode): boolean {
  return (
    a === b ||
    (a.id === b.id &&
      a.kind === b.kind &&
      a.label === b.label &&
      a.kindVersion === b.kindVersion &&
      a.position.x === b.position.x &&
      a.position.y === b.position.y &&
      sameValue(a.config, b.config))
  );
}

/**
 * Whether two documents save to the same file, without serialising either. Versions of one document share
 * their unchanged nodes and edges, so this is one identity test per node plus a look at the few that differ.
 */
export function sameContent(x: Pipeline, y: Pipeline): boolean {
  if (x === y) return true;
  const a = savedForm(x);
  const b = savedForm(y);
  if (a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  for (let i = 0; i < a.nodes.length; i++) if (!sameNode(a.nodes[i] as PipelineNode, b.nodes[i] as PipelineNode)) return false;
  for (let i = 0; i < a.edges.length; i++) {
    const e = a.edges[i];
    const f = b.edges[i];
    if (e !== f && (e?.from.node !== f?.from.node || e?.from.port !== f?.from.port || e?.to.node !== f?.to.node || e?.to.port !== f?.to.port)) return false;
  }
  const { nodes: _an, edges: _ae, ...metaA } = a;
  const { nodes: _bn, edges: _be, ...metaB } = b;
  // A file without `$schema` saves with the current one, as serializePipeline writes it.
  return sameValue({ ...metaA, $schema: metaA.$schema ?? SCHEMA_URL }, { ...metaB, $schema: metaB.$schema ?? SCHEMA_URL });
}

let lastDirty: { doc: Pipeline; saved: Pipeline | undefined; dirty: boolean } | undefined;

/**
 * Whether `doc` differs from what its file holds (`saved`; undefined when that is not a readable pipeline, as
 * for a draft restored against a broken file). Remembered for the last pair asked, so the many store updates
 * that leave the document alone (selection, measuring, panels) answer at once.
 */
export function differs(doc: Pipeline, saved: Pipeline | undefined): boolean {
  if (doc === saved) return false;
  if (lastDirty && lastDirty.doc === doc && lastDirty.saved === saved) return lastDirty.dirty;
  const dirty = saved === undefined || !sameContent(doc, saved);
  lastDirty = { doc, saved, dirty };
  return dirty;
}

/** Everything but the nodes and edges; the previous object is kept when none of those fields changed. */
export function metaOf(doc: Pipeline, prev: PipelineMeta | undefined): PipelineMeta {
  const { nodes: _n, edges: _e, ...meta } = doc;
  if (prev) {
    const keys = Object.keys(meta) as (keyof PipelineMeta)[];
    if (keys.length === Object.keys(prev).length && keys.every((k) => prev[k] === meta[k])) return prev;
  }
  return meta;
}

export const emptyDocument = (name = 'Untitled pipeline'): Pipeline => ({ version: 1, name, params: {}, nodes: [], edges: [] });
