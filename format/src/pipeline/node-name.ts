// How every message names a node: by the label the user sees on the canvas, with the id in brackets
// ("Order rules [checks]"), so a reader finds the box on the canvas and can still search the file for the id.
// A node without a label (or labelled with its own id) keeps the id form, `node "checks"`: a bare id reads as
// an ordinary word in a sentence. The designer turns both forms back into links to the node (NodeRef.tsx).

export interface NamedNode {
  id: string;
  label?: string | undefined;
  kind?: string | undefined;
}

/** `Order rules [checks]`, or `node "checks"` for a node without a label. */
export function nodeName(node: NamedNode): string {
  const label = node.label?.replace(/\s+/g, ' ').trim();
  return label && label !== node.id ? `${label} [${node.id}]` : `node "${node.id}"`;
}

/** Where a name stands alone (a table's cell, the head of a line): `Order rules [checks]`, or the bare id. */
export function nodeTitle(node: NamedNode): string {
  const name = nodeName(node);
  return name.startsWith('node "') ? node.id : name;
}

/** As nodeName, with the kind after a node that has no label to say what it is: `node "d" (derive)`. */
export function nodeNameWithKind(node: NamedNode): string {
  const name = nodeName(node);
  return name.startsWith('node "') && node.kind ? `${name} (${node.kind})` : name;
}

/**
 * Names for messages that know only ids (a run record's metrics, a problem's nodeId): each id of `nodes` by
 * nodeName, and any other id (a node no longer in the file) in the id form.
 */
export function nodeNamer(nodes: readonly NamedNode[], how: (node: NamedNode) => string = nodeName): (id: string) => string {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return (id) => how(byId.get(id) ?? { id });
}

/** nodeNamer over a document not yet checked (a file as read, a run's raw spec): its nodes with a string id. */
export function nodeNamerOfRaw(doc: unknown, how: (node: NamedNode) => string = nodeName): (id: string) => string {
  const listed = typeof doc === 'object' && doc !== null ? (doc as { nodes?: unknown }).nodes : undefined;
  const nodes: NamedNode[] = [];
  for (const n of Array.isArray(listed) ? (listed as unknown[]) : []) {
    if (typeof n !== 'object' || n === null) continue;
    const { id, label } = n as { id?: unknown; label?: unknown };
    if (typeof id === 'string') nodes.push({ id, label: typeof label === 'string' ? label : undefined });
  }
  return nodeNamer(nodes, how);
}
