// Checks that columns a config names exist in the input, with a message that lists what does exist.
import { UserError, type ExecContext } from '../../runtime/exec-context.js';

export function requireColumns(nodeId: string, field: string, wanted: string[], available: { name: string }[]): void {
  const names = available.map((c) => c.name);
  for (const w of wanted) {
    if (!names.includes(w)) {
      throw new UserError(`"${field}" names column "${w}", which the input does not have (it has ${names.join(', ') || 'no columns'})`, { nodeId, field });
    }
  }
}

/** A sink cannot write rows without columns (e.g. every record of a JSON source was quarantined, or was `{}`). */
export async function requireSomeColumns(ctx: Pick<ExecContext, 'nodeId' | 'count'>, input: string, columns: { name: string }[], includeLineage: boolean): Promise<void> {
  if (columns.length > 0 || includeLineage) return;
  const rows = await ctx.count(`SELECT count(*) FROM ${input}`);
  throw new UserError(`the input has no columns (and ${rows} row${rows === 1 ? '' : 's'}), so there is nothing to write; check what the source read and quarantined`, { nodeId: ctx.nodeId });
}
