// Stable serialization: the same pipeline always saves to the same bytes, so diffs stay readable.
import type { Pipeline } from './pipeline.js';
import { SCHEMA_URL } from './pipeline.js';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      Object.defineProperty(out, k, { value: sortKeys((value as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** Fixed order for the document's own keys; config objects, whose keys are the node kind's, are sorted. */
export function toCanonical(p: Pipeline): Record<string, unknown> {
  const doc: Record<string, unknown> = { $schema: p.$schema ?? SCHEMA_URL, version: p.version, name: p.name };
  if (p.description !== undefined) doc['description'] = p.description;
  doc['params'] = sortKeys(p.params);
  doc['nodes'] = p.nodes.map((n) => {
    const node: Record<string, unknown> = { id: n.id, kind: n.kind };
    if (n.kindVersion !== undefined) node['kindVersion'] = n.kindVersion;
    if (n.label !== undefined) node['label'] = n.label;
    node['position'] = { x: n.position.x, y: n.position.y };
    node['config'] = sortKeys(n.config);
    return node;
  });
  doc['edges'] = p.edges.map((e) => ({
    from: { node: e.from.node, port: e.from.port },
    to: { node: e.to.node, port: e.to.port },
  }));
  // The designer must not drop the ops block (gates, freshness) when it saves a file.
  if (p.ops !== undefined) doc['ops'] = sortKeys(p.ops);
  // Pipeline settings (a schedule) come last, so documents without them save exactly as before.
  if (p.settings !== undefined) doc['settings'] = sortKeys(p.settings);
  // Annotations after that, in the designer's order (notes and groups are listed, not keyed).
  if (p.annotations !== undefined) {
    doc['annotations'] = {
      notes: p.annotations.notes.map((n) => {
        const note: Record<string, unknown> = { id: n.id, position: { x: n.position.x, y: n.position.y } };
        if (n.width !== undefined) note['width'] = n.width;
        if (n.height !== undefined) note['height'] = n.height;
        note['text'] = n.text;
        return note;
      }),
      groups: p.annotations.groups.map((g) => ({ id: g.id, title: g.title, nodes: [...g.nodes] })),
    };
  }
  return doc;
}

export function serializePipeline(p: Pipeline): string {
  return `${JSON.stringify(toCanonical(p), null, 2)}\n`;
}
