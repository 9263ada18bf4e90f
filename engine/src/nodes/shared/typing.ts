// Applying declared column types with strict casts; rows whose values do not convert go to quarantine.
import { z } from 'zod';
import type { ExecContext } from '../../runtime/exec-context.js';
import { UserError, LINEAGE } from '../../runtime/exec-context.js';
import { qi } from '../../sql/quote.js';
import { castReasonSql, normalizeType, strictCastSql } from '../../sql/strict-cast.js';
import { rowJsonSql } from './row-json.js';

export const typesSchema = z
  .record(z.string(), z.string().refine((t) => normalizeType(t) !== undefined, { message: 'unknown type; use VARCHAR, BOOLEAN, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, …' }))
  .default({})
  .describe('Column name → type; columns not listed stay text');

/**
 * Create `target` from `source` with `types` applied. Rows with a value that does not convert are inserted
 * into the node's quarantine, one entry per row listing every failing column.
 */
export async function applyDeclaredTypes(
  ctx: ExecContext,
  source: string,
  target: string,
  columns: string[],
  types: Record<string, string>,
  field: string,
): Promise<{ warnings: string[] }> {
  const typed = Object.entries(types);
  for (const [name] of typed) {
    if (!columns.includes(name)) throw new UserError(`"${field}" names column "${name}", which the input does not have (it has ${columns.join(', ')})`, { nodeId: ctx.nodeId, field });
  }
  if (typed.length === 0) {
    await ctx.run(`CREATE TABLE ${target} AS SELECT * FROM ${source}`);
    return { warnings: [] };
  }
  const checks = typed.map(([name, type]) => ({ name, type, ...strictCastSql(qi(name), type) }));
  const allOk = checks.map((c) => c.ok).join(' AND ');
  const select = columns.map((name) => {
    const c = checks.find((x) => x.name === name);
    return c ? `${c.value} AS ${qi(name)}` : qi(name);
  });
  await ctx.run(`CREATE TABLE ${target} AS SELECT ${qi(LINEAGE)}, ${select.join(', ')} FROM ${source} WHERE ${allOk}`);
  const ruleIds = `list_filter([${checks.map((c) => `CASE WHEN NOT ${c.ok} THEN 'type:${c.name.replaceAll("'", "''")}' END`).join(', ')}], x -> x IS NOT NULL)`;
  const reasons = `list_filter([${checks.map((c) => `CASE WHEN NOT ${c.ok} THEN ${castReasonSql(qi(c.name), c.name, c.type)} END`).join(', ')}], x -> x IS NOT NULL)`;
  await ctx.run(
    `INSERT INTO ${ctx.quarantine} SELECT ${qi(LINEAGE)}, TRY_CAST(split_part(${qi(LINEAGE)}, ':', -1) AS BIGINT), ${ruleIds}, ${reasons}, ${rowJsonSql(columns)}, NULL FROM ${source} WHERE NOT (${allOk})`,
  );
  return { warnings: [] };
}
