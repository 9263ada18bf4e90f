// Finds the nodes an engine message names, in the two forms the engine writes (format/pipeline/node-name.ts):
// `Order rules [checks]` for a labelled node and `node "checks"` for one without a label, so that the designer can
// show each as a link to the node. Only nodes of the open document are taken; other text is left as it is.

export type MessagePart = { text: string } | { nodeId: string; prefix: string };

const NAMED = /node "([^"\n]{1,200})"|\[([^\]\n]{1,200})\]/g;

/** `labels`: every node of the document by id, with its label ('' for none). */
export function splitNodeRefs(text: string, labels: ReadonlyMap<string, string>): MessagePart[] {
  const parts: MessagePart[] = [];
  let last = 0;
  for (const m of text.matchAll(NAMED)) {
    const at = m.index;
    const quoted = m[1];
    const bracketed = m[2];
    if (quoted !== undefined && labels.has(quoted)) {
      if (at > last) parts.push({ text: text.slice(last, at) });
      parts.push({ nodeId: quoted, prefix: 'node ' });
      last = at + m[0].length;
    } else if (bracketed !== undefined && labels.has(bracketed)) {
      // `[id]` names a node only right after that node's label (`rules[0]` or `[field x]` are not names).
      const label = `${(labels.get(bracketed) ?? '').replace(/\s+/g, ' ').trim()} `;
      const before = text.slice(last, at);
      if (label.length > 1 && before.endsWith(label)) {
        if (before.length > label.length) parts.push({ text: before.slice(0, -label.length) });
        parts.push({ nodeId: bracketed, prefix: '' });
        last = at + m[0].length;
      }
    }
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
