// How a validate node judges its rows without a copy per rule (issue 18, "compile, don't copy"). The statement
// that stores the input's rows also judges every row-local rule and converts the proven columns: each row leaves
// it with the list of rules it failed (NULL when none) and, beside each converted column, the value the input had.
// Rules that compare rows (unique by a hash aggregate, lookups, expressions with windows or subqueries) then add
// their failing rows; failing rows leave for the quarantine with all their rules and their values as the input
// had them and are deleted; the helper columns are dropped (DuckDB drops a column without rewriting the others).
import type { ExecContext } from '../runtime/exec-context.js';
import { HELPER_PREFIX, LINEAGE } from '../runtime/exec-context.js';
import { GateFailure } from '../runtime/gate.js';
import { qi, qlit } from '../sql/quote.js';
import { rowJsonSql } from './shared/row-json.js';

export type Severity = 'quarantine' | 'warn' | 'fail';

/** How one rule is judged. */
export type Judge =
  /** SQL TRUE when the row fails, over the row's columns by name: judged in the one pass over the rows. */
  | { type: 'row'; fails: string }
  /** SQL TRUE when the row fails, over alias `o` of the rows as the input had them (may compare rows). */
  | { type: 'set'; fails: string }
  /** Repeated values of `column`; `keep` says which occurrence passes, by input order. */
  | { type: 'unique'; column: string; keep: 'first' | 'last' | 'none'; nullKeys: 'distinct' | 'equal'; nullsFail: boolean };

export interface RuleCheck {
  id: string;
  severity: Severity;
  reason: string;
  judge: Judge;
}

/**
 * A column the valid rows carry converted to `type`: `value` is the SQL of the converted value over the column.
 * It is computed for every row, failing ones too, so it must give NULL, never an error, for a value it cannot
 * convert.
 */
export interface Conversion {
  column: string;
  type: string;
  value: string;
}

export interface PassOptions {
  input: string;
  columns: { name: string; type: string }[];
  checks: RuleCheck[];
  conversions: Conversion[];
  /** Quoted names of the valid and quarantine output ports. */
  valid: string;
  quarantinePort: string;
}

/** The list of rules a row failed, NULL when it failed none. */
const KS = `${HELPER_PREFIX}ks`;
/** The row's position in the input (rowid of the stored rows), for the relation of original values. */
const POS = `${HELPER_PREFIX}pos`;
const originalOf = (k: number): string => `${HELPER_PREFIX}was_${k}`;

export async function judgeRows(ctx: ExecContext, o: PassOptions): Promise<{ warnings: string[] }> {
  const { checks, valid } = o;
  const names = o.columns.map((c) => c.name);
  const failing = `${valid.slice(0, -1)}__failing"`;
  const rowChecks = checks.flatMap((ch, i) => (ch.judge.type === 'row' ? [{ i, fails: `coalesce(${ch.judge.fails}, false)` }] : []));
  const anyFails = rowChecks.map((x) => x.fails).join(' OR ');
  const failedList = `list_filter([${rowChecks.map((x) => `CASE WHEN ${x.fails} THEN ${x.i} END`).join(', ')}], x -> x IS NOT NULL)`;

  // Where the valid rows are stored, and their row-local failures found. The rows keep their input order and
  // rowid is their input position: a CREATE TABLE AS from a plain scan or projection stores rows in order (one
  // with a join does not: DuckDB 1.5 stored whole row groups of 122,880 rows out of order).
  //  - One pass: CREATE TABLE AS SELECT from the input judges, converts and stores in the same statement.
  //  - In place: this node takes its input table over (it is the only reader), finds the failing rows in a read
  //    pass, and converts in place with ALTER ... SET DATA TYPE (one column rewritten per conversion).
  // Measured (issue-18 orders, 8 row-local rules, 2 conversions, 2 threads): from a view like a CSV source's (two
  // read_csv parts under UNION ALL), at 5 M rows and load 2.8, the one pass took 3.90 s (7.55 s of CPU) against
  // 4.86-4.93 s (8.44-8.70 s) to copy, judge and convert.
  // From a table this node takes over, without conversions the in-place read pass beats a copy (1.63 vs 2.05 s,
  // 1.70 vs 2.11 s at 1 M rows); with two the one pass is as fast or faster (8.7 vs 11.6 s, 11.2 vs 11.1 s at
  // 5 M rows: it costs what the read pass does, and the ALTERs ~1 s each). So a claimed table without conversions
  // is judged in place, everything else in one pass.
  const claimed = await ctx.claimInput('in');
  let onePass = !(claimed && o.conversions.length === 0);
  const converted = new Map(o.conversions.map((c, k) => [c.column, { ...c, k }]));
  // A text column keeps its input value beside the converted one only where the converted value, written as text,
  // does not give it back ('7.5' for 7.50, a failing row's 'n/a'); elsewhere the helper is NULL, which DuckDB
  // stores for next to nothing. The input value is then exactly coalesce(helper, CAST(converted AS VARCHAR)).
  // Measured at 5 M rows (issue-18 orders, two conversions): 3.4-3.6 s against 3.7 s keeping every value.
  const textType = new Map(o.columns.map((c) => [c.name, c.type === 'VARCHAR']));
  const sparse = (k: number): boolean => textType.get(o.conversions[k]?.column ?? '') === true;
  const judgedSelect = `SELECT ${[
    qi(LINEAGE),
    ...names.map((n) => {
      const c = converted.get(n);
      return c ? `CAST(${c.value} AS ${c.type}) AS ${qi(n)}` : qi(n);
    }),
    ...o.conversions.map((c, k) => `${qi(c.column)} AS ${qi(originalOf(k))}`),
    ...(rowChecks.length > 0 ? [`CASE WHEN ${anyFails} THEN ${failedList} END AS ${qi(KS)}`] : []),
  ].join(', ')} FROM ${claimed ?? o.input}`;
  const onePassSelect = o.conversions.some((_, k) => sparse(k))
    ? `SELECT * REPLACE (${o.conversions
        .flatMap((c, k) => (sparse(k) ? [`CASE WHEN CAST(${qi(c.column)} AS VARCHAR) IS DISTINCT FROM ${qi(originalOf(k))} THEN ${qi(originalOf(k))} END AS ${qi(originalOf(k))}`] : []))
        .join(', ')}) FROM (${judgedSelect})`
    : judgedSelect;
  // An IN list of six or more values is planned as a join, which would store the rows out of order: such a pass
  // (a user's expression rule can write one) is judged in place instead, on rows stored by a plain copy.
  if (onePass && (await joinsIn(ctx, onePassSelect)) > (await joinsIn(ctx, `SELECT * FROM ${claimed ?? o.input}`))) onePass = false;

  let rowFailures: string | undefined;
  if (onePass) {
    await ctx.run(`CREATE TABLE ${valid} AS ${onePassSelect}`);
    if (claimed) await ctx.run(`DROP TABLE ${claimed}`);
    if (rowChecks.length > 0) rowFailures = `SELECT rowid AS r, ${qi(KS)} AS ks FROM ${valid} WHERE ${qi(KS)} IS NOT NULL`;
  } else {
    if (claimed) await ctx.run(`ALTER TABLE ${claimed} RENAME TO ${valid}`);
    else await ctx.run(`CREATE TABLE ${valid} AS SELECT * FROM ${o.input}`);
    // The filter is the disjunction and the list is built for the failing rows only: a filter on the list's
    // alias would be pushed below it as a copy of the whole expression, judging every row twice.
    if (rowChecks.length > 0) rowFailures = `SELECT rowid AS r, ${failedList} AS ks FROM ${valid} WHERE ${anyFails}`;
  }
  // The rows as the input had them, each with its position: converted columns read from their helper columns.
  const originals = (alias: string): string[] =>
    names.map((n) => {
      const c = onePass ? converted.get(n) : undefined;
      if (!c) return `${alias}.${qi(n)}`;
      const was = `${alias}.${qi(originalOf(c.k))}`;
      return sparse(c.k) ? `coalesce(${was}, CAST(${alias}.${qi(n)} AS VARCHAR)) AS ${qi(n)}` : `${was} AS ${qi(n)}`;
    });
  const rows = `(SELECT rowid AS ${qi(POS)}, ${[`t.${qi(LINEAGE)}`, ...originals('t')].join(', ')} FROM ${valid} t)`;

  // A narrow table of failing rows only, each with every rule it failed: the row-local ones found above, and
  // those across rows.
  const parts = checks.flatMap((ch, i) => setFailures(ch, i, rows));
  if (rowFailures !== undefined && parts.length === 0) await ctx.run(`CREATE TABLE ${failing} AS ${rowFailures}`);
  else {
    if (rowFailures !== undefined) parts.unshift(rowFailures);
    const union = parts.length > 0 ? parts.join(' UNION ALL ') : 'SELECT CAST(NULL AS BIGINT) AS r, CAST([] AS INTEGER[]) AS ks WHERE false';
    await ctx.run(`CREATE TABLE ${failing} AS SELECT r, list_sort(list_distinct(flatten(list(ks)))) AS ks FROM (${union}) GROUP BY r`);
  }

  const counts = new Map<number, number>();
  for (const row of await ctx.rows(`SELECT k, count(*) AS n FROM (SELECT unnest(ks) AS k FROM ${failing}) GROUP BY k`)) counts.set(Number(row['k']), Number(row['n']));
  const tripped = checks.flatMap((ch, i) => (ch.severity === 'fail' && (counts.get(i) ?? 0) > 0 ? [`rule "${ch.id}" (${ch.reason}) failed for ${counts.get(i) ?? 0} row(s)`] : []));
  if (tripped.length > 0) {
    await ctx.run(`DROP TABLE ${failing}`);
    throw new GateFailure(`quality gate failed: ${tripped.join('; ')}`, { nodeId: ctx.nodeId });
  }

  const quarantining = checks.flatMap((ch, i) => (ch.severity === 'quarantine' ? [i] : []));
  const judged = quarantining.length ? `list_filter(ks, x -> list_contains([${quarantining.join(', ')}], x))` : 'CAST([] AS INTEGER[])';
  const listOf = (pick: (ch: RuleCheck) => string) => `[${checks.map((ch) => qlit(pick(ch))).join(', ')}]`;
  await ctx.run(
    `CREATE TABLE ${o.quarantinePort} AS SELECT ${[`t.${qi(LINEAGE)}`, ...originals('t')].join(', ')}, list_transform(j.q, x -> ${listOf((ch) => ch.id)}[x + 1]) AS "__rule_ids", list_transform(j.q, x -> ${listOf((ch) => ch.reason)}[x + 1]) AS "__reasons" FROM ${valid} t JOIN (SELECT r, ${judged} AS q FROM ${failing}) j ON t.rowid = j.r WHERE len(j.q) > 0 ORDER BY j.r`,
  );
  await ctx.run(
    `INSERT INTO ${ctx.quarantine} SELECT ${qi(LINEAGE)}, TRY_CAST(split_part(${qi(LINEAGE)}, ':', -1) AS BIGINT), "__rule_ids", "__reasons", ${rowJsonSql(names)}, NULL FROM ${o.quarantinePort}`,
  );
  if (quarantining.some((i) => (counts.get(i) ?? 0) > 0)) {
    await ctx.run(`DELETE FROM ${valid} WHERE rowid IN (SELECT r FROM ${failing} WHERE len(${judged}) > 0)`);
  }
  await ctx.run(`DROP TABLE ${failing}`);
  if (onePass) {
    // Dropping a column keeps the other columns' stored data as it is (measured: 1-8 ms at 1 M rows, against
    // ~0.3 s to rewrite one), so the valid output is the input's columns, in its order, at no cost.
    for (const helper of [...o.conversions.map((_, k) => originalOf(k)), ...(rowChecks.length > 0 ? [KS] : [])]) await ctx.run(`ALTER TABLE ${valid} DROP COLUMN ${qi(helper)}`);
  } else {
    // Every row still here passed the rules that prove a conversion; each column is rewritten in place, alone.
    for (const c of o.conversions) await ctx.run(`ALTER TABLE ${valid} ALTER COLUMN ${qi(c.column)} SET DATA TYPE ${c.type} USING ${c.value}`);
  }
  const warnings = checks.flatMap((ch, i) => (ch.severity === 'warn' && (counts.get(i) ?? 0) > 0 ? [`rule "${ch.id}": ${counts.get(i) ?? 0} row(s) ${ch.reason}`] : []));
  return { warnings };
}

/** How many joins DuckDB plans for a query (an IN list of constants may become one). */
async function joinsIn(ctx: ExecContext, select: string): Promise<number> {
  const plan = await ctx.rows(`EXPLAIN (FORMAT json) ${select}`);
  const text = plan.map((r) => String(r['explain_value'] ?? '')).join('\n');
  return (text.match(/"name":\s*"[A-Z_]*(JOIN|CROSS_PRODUCT)[A-Z_]*"/g) ?? []).length;
}

/**
 * SELECTs of (r, ks): the positions of the rows that fail a rule judged across rows. `rows` is a relation of the
 * rows as the input had them, with their position in column POS.
 */
function setFailures(ch: RuleCheck, k: number, rows: string): string[] {
  const j = ch.judge;
  const pos = qi(POS);
  if (j.type === 'row') return [];
  if (j.type === 'set') return [`SELECT r, [${k}] AS ks FROM (SELECT o.${pos} AS r, coalesce(${j.fails}, false) AS f FROM ${rows} o) WHERE f`];
  // Repeated keys by a hash aggregate (one row per repeated value, with its first or last position) joined back:
  // no sort of the whole input, unlike a row_number() window.
  const c = qi(j.column);
  const equal = j.nullKeys === 'equal';
  const keys = `SELECT ${c} AS v, ${j.keep === 'last' ? 'max' : 'min'}(${pos}) AS at FROM ${rows} x${equal ? '' : ` WHERE ${c} IS NOT NULL`} GROUP BY ${c} HAVING count(*) > 1`;
  const which = j.keep === 'none' ? '' : ` WHERE o.${pos} ${j.keep === 'first' ? '>' : '<'} d.at`;
  const parts = [`SELECT o.${pos} AS r, [${k}] AS ks FROM ${rows} o JOIN (${keys}) d ON o.${c} ${equal ? 'IS NOT DISTINCT FROM' : '='} d.v${which}`];
  if (j.nullsFail) parts.push(`SELECT ${pos} AS r, [${k}] AS ks FROM ${rows} x WHERE ${c} IS NULL`);
  return parts;
}
