// Applying declared column types with strict casts; rows whose values do not convert go to quarantine.
import * as z from 'zod';
import type { ExecContext } from '../../runtime/exec-context.js';
import { UserError, LINEAGE } from '../../runtime/exec-context.js';
import { qi } from '../../sql/quote.js';
import { castReasonSql, normalizeType, strictCastSql, type CastOptions } from '../../sql/strict-cast.js';

export { typesSchema } from '@sluice/format/kinds/shared';

/** A source's choice about the one lenient conversion every typed source makes. */
export const trimSchema = z
  .boolean()
  .default(true)
  .describe('Ignore spaces around a value when converting it to a declared type (" 7 " becomes 7). Off (strict): such a value does not convert and its row is quarantined');

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
  cast: CastOptions & { textInput?: boolean; view?: boolean } = {},
): Promise<{ warnings: string[]; quarantined: number }> {
  const declared = Object.entries(types);
  for (const [name] of declared) {
    if (!columns.includes(name)) throw new UserError(`"${field}" names column "${name}", which the input does not have (it has ${columns.join(', ')})`, { nodeId: ctx.nodeId, field });
  }
  // A source reading text whose accepted schema lists its text columns too: those need no conversion.
  const typed = cast.textInput ? declared.filter(([, type]) => normalizeType(type) !== 'VARCHAR') : declared;
  if (typed.length === 0) {
    await ctx.run(`CREATE ${cast.view ? 'VIEW' : 'TABLE'} ${target} AS SELECT * FROM ${source}`);
    return { warnings: [], quarantined: 0 };
  }
  const checks = typed.map(([name, type], i) => ({ name, type, i, ...strictCastSql(qi(name), type, cast) }));
  if (cast.view) return { warnings: [], quarantined: await typedView(ctx, source, target, columns, checks) };
  // One pass: typed values, a flag per typed column, and the original text only where a value failed (so the
  // quarantine keeps what the input said). Failing rows are then moved to quarantine and deleted, and the helper
  // columns dropped; both are cheap in DuckDB, unlike a second full copy of the data.
  const select = columns.map((name) => {
    const c = checks.find((x) => x.name === name);
    return c ? `${c.value} AS ${qi(name)}` : qi(name);
  });
  // A row that fails any column is quarantined with the text of every typed column as the input had it (a
  // converted neighbour would say 0 where the input said -0, or 1.5 where it said 1.50).
  const anyFails = checks.map((c) => `NOT ${c.ok}`).join(' OR ');
  const helpers = checks.flatMap((c) => [`${c.ok} AS "__sl_ok${c.i}"`, `CASE WHEN ${checks.length === 1 ? `NOT ${c.ok}` : anyFails} THEN CAST(${qi(c.name)} AS VARCHAR) END AS "__sl_raw${c.i}"`]);
  await ctx.run(`CREATE TABLE ${target} AS SELECT ${qi(LINEAGE)}, ${select.join(', ')}, ${helpers.join(', ')} FROM ${source}`);
  const allOk = checks.map((c) => `"__sl_ok${c.i}"`).join(' AND ');
  const failing = await ctx.count(`SELECT count(*) FROM ${target} WHERE NOT (${allOk})`);
  if (failing > 0) {
    const ruleIds = `list_filter([${checks.map((c) => `CASE WHEN NOT "__sl_ok${c.i}" THEN 'type:${c.name.replaceAll("'", "''")}' END`).join(', ')}], x -> x IS NOT NULL)`;
    const reasons = `list_filter([${checks.map((c) => `CASE WHEN NOT "__sl_ok${c.i}" THEN ${castReasonSql(`"__sl_raw${c.i}"`, c.name, c.type)} END`).join(', ')}], x -> x IS NOT NULL)`;
    // Row values as the input had them: typed columns from their original text, the others as they are.
    const original = columns.map((name) => {
      const c = checks.find((x) => x.name === name);
      return c ? `"__sl_raw${c.i}"` : qi(name);
    });
    const rowJson = columns.length ? `to_json(struct_pack(${columns.map((n, k) => `${qi(n)} := ${original[k]}`).join(', ')}))::VARCHAR` : `'{}'`;
    await ctx.run(
      `INSERT INTO ${ctx.quarantine} SELECT ${qi(LINEAGE)}, TRY_CAST(split_part(${qi(LINEAGE)}, ':', -1) AS BIGINT), ${ruleIds}, ${reasons}, ${rowJson}, NULL FROM ${target} WHERE NOT (${allOk}) ORDER BY rowid`,
    );
    await ctx.run(`DELETE FROM ${target} WHERE NOT (${allOk})`);
  }
  for (const c of checks) await ctx.run(`ALTER TABLE ${target} DROP COLUMN "__sl_ok${c.i}"; ALTER TABLE ${target} DROP COLUMN "__sl_raw${c.i}"`);
  return { warnings: [], quarantined: failing };
}

/**
 * The typed rows as a view over `source` (which must read the same rows each time, like a file scan): failing rows
 * are quarantined now, in one pass, and the view keeps the rest, so no copy of the rows is stored and the readers
 * get projection pushdown into the scan. Worth it where storing the rows costs more than converting them again
 * for each reader (a CSV read: storing 1 M rows of text took 3-4 times as long as reading them). Returns the rows
 * quarantined: the view holds the source's rows less these (a row is in exactly one of the two, as the tests check:
 * one predicate is `IS TRUE`, the other `IS NOT TRUE`).
 */
async function typedView(ctx: ExecContext, source: string, target: string, columns: string[], checks: { name: string; type: string; i: number; ok: string; value: string }[]): Promise<number> {
  const allOk = checks.map((c) => c.ok).join(' AND ');
  const ruleIds = `list_filter([${checks.map((c) => `CASE WHEN NOT ${c.ok} THEN 'type:${c.name.replaceAll("'", "''")}' END`).join(', ')}], x -> x IS NOT NULL)`;
  const reasons = `list_filter([${checks.map((c) => `CASE WHEN NOT ${c.ok} THEN ${castReasonSql(qi(c.name), c.name, c.type)} END`).join(', ')}], x -> x IS NOT NULL)`;
  // The source's values are still the input's own (nothing is converted yet), so the quarantined row shows them as they were.
  const rowJson = columns.length ? `to_json(struct_pack(${columns.map((n) => `${qi(n)} := ${qi(n)}`).join(', ')}))::VARCHAR` : `'{}'`;
  // INSERT answers with the rows it inserted.
  const quarantined = await ctx.count(`INSERT INTO ${ctx.quarantine} SELECT ${qi(LINEAGE)}, TRY_CAST(split_part(${qi(LINEAGE)}, ':', -1) AS BIGINT), ${ruleIds}, ${reasons}, ${rowJson}, NULL FROM ${source} WHERE (${allOk}) IS NOT TRUE`);
  const select = columns.map((name) => {
    const c = checks.find((x) => x.name === name);
    return c ? `${c.value} AS ${qi(name)}` : qi(name);
  });
  await ctx.run(`CREATE VIEW ${target} AS SELECT ${qi(LINEAGE)}, ${select.join(', ')} FROM ${source} WHERE (${allOk}) IS TRUE`);
  return quarantined;
}
