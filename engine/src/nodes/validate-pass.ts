// How a validate node judges its rows without copying them rule by rule (issue 18, "compile, don't copy"). One
// statement reads the input (a table or a view, so a chain of views above fuses into it) and writes the valid
// output: every row-local rule judged, every proven column converted, and per row the list of rules it failed.
// Rules that compare rows with each other (unique, lookup, expressions with windows or subqueries) are judged
// afterwards over that output into a narrow table of failing rows only. Failing rows then leave for the
// quarantine with all their rules and their values as the input had them, and are deleted in place.
import type { ExecContext } from '../runtime/exec-context.js';
import { LINEAGE } from '../runtime/exec-context.js';
import { GateFailure } from '../runtime/gate.js';
import { qi, qlit } from '../sql/quote.js';
import { rowJsonSql } from './shared/row-json.js';

export type Severity = 'quarantine' | 'warn' | 'fail';

/** How one rule is judged. */
export type Judge =
  /** SQL TRUE when the row fails, over the input's columns by name: judged in the pass that writes the rows. */
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

/** A column the valid rows carry converted: `value` is the SQL of the converted value over the input column. */
export interface Conversion {
  column: string;
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

export async function judgeRows(ctx: ExecContext, o: PassOptions): Promise<{ warnings: string[] }> {
  const { checks, valid } = o;
  const names = o.columns.map((c) => c.name);
  const typeOf = new Map(o.columns.map((c) => [c.name, c.type]));
  const converted = new Map(o.conversions.map((c, k) => [c.column, { ...c, raw: `"__sl_raw${k}"` }]));
  const helper = (suffix: string) => `${valid.slice(0, -1)}__${suffix}"`;

  // A converted column keeps its input text only where converting it back would not give that text again
  // ("1.5" read as 1.50, or a value that did not convert): usually nowhere, so the helper column costs nothing.
  const original = (name: string, alias = ''): string => {
    const c = converted.get(name);
    if (!c) return `${alias}${qi(name)}`;
    const text = `coalesce(${alias}${c.raw}, CAST(${alias}${qi(name)} AS VARCHAR))`;
    const type = typeOf.get(name) ?? 'VARCHAR';
    return type === 'VARCHAR' ? text : `CAST(${text} AS ${type})`;
  };
  const rowChecks = checks.flatMap((ch, i) => (ch.judge.type === 'row' ? [{ i, fails: `coalesce(${ch.judge.fails}, false)` }] : []));
  const failedList = rowChecks.length
    ? `CASE WHEN ${rowChecks.map((x) => x.fails).join(' OR ')} THEN list_filter([${rowChecks.map((x) => `CASE WHEN ${x.fails} THEN ${x.i} END`).join(', ')}], x -> x IS NOT NULL) END`
    : 'CAST(NULL AS INTEGER[])';
  const select = [
    qi(LINEAGE),
    ...names.map((n) => {
      const c = converted.get(n);
      return c ? `${c.value} AS ${qi(n)}` : qi(n);
    }),
    ...[...converted.entries()].map(([n, c]) => `CASE WHEN CAST(${c.value} AS VARCHAR) IS DISTINCT FROM CAST(${qi(n)} AS VARCHAR) THEN CAST(${qi(n)} AS VARCHAR) END AS ${c.raw}`),
    `${failedList} AS "__sl_l"`,
  ];
  // Scan and projection only: the rows keep the input's order, and a view above is read in the same pass.
  await ctx.run(`CREATE TABLE ${valid} AS SELECT ${select.join(', ')} FROM ${o.input}`);
  // As the input's only reader this node may drop it now rather than after it ends: its memory is free sooner.
  const claimed = await ctx.claimInput('in');
  if (claimed) await ctx.run(`DROP TABLE ${claimed}`);

  const failing = helper('failing');
  const asRead = helper('as_read');
  const setParts = checks.flatMap((ch, i) => setFailures(ch, i, asRead));
  if (setParts.length > 0) {
    await ctx.run(`CREATE VIEW ${asRead} AS SELECT rowid AS "__sl_r", ${names.map((n) => `${original(n)} AS ${qi(n)}`).join(', ')} FROM ${valid}`);
    await ctx.run(
      `CREATE TABLE ${failing} AS SELECT r, list_sort(list_distinct(flatten(list(ks)))) AS ks FROM (SELECT rowid AS r, "__sl_l" AS ks FROM ${valid} WHERE "__sl_l" IS NOT NULL UNION ALL SELECT r, [k] FROM (${setParts.join(' UNION ALL ')})) GROUP BY r`,
    );
  } else {
    await ctx.run(`CREATE TABLE ${failing} AS SELECT rowid AS r, "__sl_l" AS ks FROM ${valid} WHERE "__sl_l" IS NOT NULL`);
  }
  const cleanUp = async () => {
    await ctx.run(`DROP TABLE IF EXISTS ${failing}`);
    await ctx.run(`DROP VIEW IF EXISTS ${asRead}`);
  };

  const counts = new Map<number, number>();
  for (const row of await ctx.rows(`SELECT k, count(*) AS n FROM (SELECT unnest(ks) AS k FROM ${failing}) GROUP BY k`)) counts.set(Number(row['k']), Number(row['n']));
  const tripped = checks.flatMap((ch, i) => (ch.severity === 'fail' && (counts.get(i) ?? 0) > 0 ? [`rule "${ch.id}" (${ch.reason}) failed for ${counts.get(i) ?? 0} row(s)`] : []));
  if (tripped.length > 0) {
    await cleanUp();
    throw new GateFailure(`quality gate failed: ${tripped.join('; ')}`, { nodeId: ctx.nodeId });
  }

  const quarantining = checks.flatMap((ch, i) => (ch.severity === 'quarantine' ? [i] : []));
  const judged = quarantining.length ? `list_filter(ks, x -> list_contains([${quarantining.join(', ')}], x))` : 'CAST([] AS INTEGER[])';
  const listOf = (pick: (ch: RuleCheck) => string) => `[${checks.map((ch) => qlit(pick(ch))).join(', ')}]`;
  await ctx.run(
    `CREATE TABLE ${o.quarantinePort} AS SELECT t.${qi(LINEAGE)}, ${names.map((n) => `${original(n, 't.')} AS ${qi(n)}`).join(', ')}, list_transform(j.q, x -> ${listOf((ch) => ch.id)}[x + 1]) AS "__rule_ids", list_transform(j.q, x -> ${listOf((ch) => ch.reason)}[x + 1]) AS "__reasons" FROM ${valid} t JOIN (SELECT r, ${judged} AS q FROM ${failing}) j ON t.rowid = j.r WHERE len(j.q) > 0 ORDER BY j.r`,
  );
  await ctx.run(
    `INSERT INTO ${ctx.quarantine} SELECT ${qi(LINEAGE)}, TRY_CAST(split_part(${qi(LINEAGE)}, ':', -1) AS BIGINT), "__rule_ids", "__reasons", ${rowJsonSql(names)}, NULL FROM ${o.quarantinePort}`,
  );
  if (quarantining.some((i) => (counts.get(i) ?? 0) > 0)) {
    await ctx.run(`DELETE FROM ${valid} WHERE rowid IN (SELECT r FROM ${failing} WHERE len(${judged}) > 0)`);
  }
  await cleanUp();
  for (const c of ['"__sl_l"', ...[...converted.values()].map((x) => x.raw)]) await ctx.run(`ALTER TABLE ${valid} DROP COLUMN ${c}`);
  const warnings = checks.flatMap((ch, i) => (ch.severity === 'warn' && (counts.get(i) ?? 0) > 0 ? [`rule "${ch.id}": ${counts.get(i) ?? 0} row(s) ${ch.reason}`] : []));
  return { warnings };
}

/** SELECTs of (r, k): the row positions (in `rows`, a view with `__sl_r`) that fail a rule judged across rows. */
function setFailures(ch: RuleCheck, k: number, rows: string): string[] {
  const j = ch.judge;
  if (j.type === 'row') return [];
  if (j.type === 'set') return [`SELECT r, ${k} AS k FROM (SELECT o."__sl_r" AS r, coalesce(${j.fails}, false) AS f FROM ${rows} o) WHERE f`];
  // Repeated keys by a hash aggregate (one row per repeated value, with its first or last position) joined back:
  // no sort of the whole input, unlike a row_number() window.
  const c = qi(j.column);
  const equal = j.nullKeys === 'equal';
  const keys = `SELECT ${c} AS v, ${j.keep === 'last' ? 'max' : 'min'}("__sl_r") AS at FROM ${rows}${equal ? '' : ` WHERE ${c} IS NOT NULL`} GROUP BY ${c} HAVING count(*) > 1`;
  const which = j.keep === 'none' ? '' : ` WHERE o."__sl_r" ${j.keep === 'first' ? '>' : '<'} d.at`;
  const parts = [`SELECT o."__sl_r" AS r, ${k} AS k FROM ${rows} o JOIN (${keys}) d ON o.${c} ${equal ? 'IS NOT DISTINCT FROM' : '='} d.v${which}`];
  if (j.nullsFail) parts.push(`SELECT "__sl_r" AS r, ${k} AS k FROM ${rows} WHERE ${c} IS NULL`);
  return parts;
}
