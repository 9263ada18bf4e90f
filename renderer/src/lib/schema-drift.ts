// How a port's columns changed since the document was last saved (or opened): columns added, removed and
// retyped, said in one line for an edge's tooltip. Pure, so the canvas can ask it on every checks answer.

export interface PortColumn {
  name: string;
  type: string;
}

/**
 * What changed from `before` to `now`, or undefined when nothing did or either side is not known (a port whose
 * columns are known only once it runs cannot be said to have drifted).
 */
export function schemaDrift(before: readonly PortColumn[] | null | undefined, now: readonly PortColumn[] | null | undefined): string | undefined {
  if (!before || !now) return undefined;
  const was = new Map(before.map((c) => [c.name, c.type]));
  const is = new Map(now.map((c) => [c.name, c.type]));
  const parts: string[] = [];
  const added = now.filter((c) => !was.has(c.name));
  const removed = before.filter((c) => !is.has(c.name));
  const retyped = now.filter((c) => was.has(c.name) && was.get(c.name) !== c.type);
  if (added.length) parts.push(`added ${added.map((c) => `${c.name} (${c.type})`).join(', ')}`);
  if (removed.length) parts.push(`removed ${removed.map((c) => c.name).join(', ')}`);
  if (retyped.length) parts.push(`retyped ${retyped.map((c) => `${c.name} ${was.get(c.name) ?? ''} → ${c.type}`).join(', ')}`);
  return parts.length ? parts.join('; ') : undefined;
}
