// Column profiles of a node's output, for the preview's Profile tab: per column its type, null share, exact
// distinct count, min/max, most frequent values and an equal-width histogram (numbers, dates, timestamps), all
// computed by DuckDB over the whole output; above PROFILE_SAMPLE_ROWS rows, over a random sample of that size,
// and the result says so.
import type { ColumnProfile, ProfileResult } from '@sluice/format/api/ops-contract';
import type { Database } from '../db/database.js';
import { qi } from '../sql/quote.js';
import { isReservedColumn } from '../runtime/exec-context.js';
import { MAX_PROFILED_COLUMNS } from './profile.js';

/** Above this many rows a profile is computed over a random sample of this size. */
export const PROFILE_SAMPLE_ROWS = 1_000_000;
export const TOP_VALUES = 5;
export const HISTOGRAM_BINS = 20;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const TEMPORAL = /^(DATE|TIMESTAMP.*)$/;
const INTEGRAL = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const NESTED = /[[\]]|^(STRUCT|MAP|UNION)/;

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Number label for a bin edge: short, never in exponent form for ordinary magnitudes. */
function edge(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

/** Profile `table` (a DuckDB table name, unquoted) as the output `port` of `nodeId`; above `sampleRows` rows, a sample. */
export async function profileTable(db: Database, table: string, nodeId: string, port: string, sampleRows = PROFILE_SAMPLE_ROWS): Promise<ProfileResult> {
  const all = (await db.describe(qi(table))).filter((c) => !isReservedColumn(c.name));
  const cols = all.slice(0, MAX_PROFILED_COLUMNS);
  const rows = await db.count(`SELECT count(*) FROM ${qi(table)}`);
  const sampled = rows > sampleRows;
  // A sample is drawn once into a temporary table, so every query below sees the same rows.
  let source = qi(table);
  const sampleTable = `profile_sample_${table}`;
  if (sampled) {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${qi(sampleTable)} AS SELECT * FROM ${qi(table)} USING SAMPLE reservoir(${Math.floor(sampleRows)} ROWS) REPEATABLE (42)`);
    source = qi(sampleTable);
  }
  try {
    const profiledRows = sampled ? sampleRows : rows;
    const parts = ['count(*) AS n'];
    cols.forEach((c, i) => {
      const q = qi(c.name);
      parts.push(`count(${q}) AS nn${i}`);
      if (!NESTED.test(c.type)) parts.push(`count(DISTINCT ${q}) AS d${i}`, `min(${q})::VARCHAR AS lo${i}`, `max(${q})::VARCHAR AS hi${i}`);
      if (NUMERIC.test(c.type)) parts.push(`min(${q})::DOUBLE AS nlo${i}`, `max(${q})::DOUBLE AS nhi${i}`);
      if (TEMPORAL.test(c.type)) parts.push(`epoch(min(${q})) AS nlo${i}`, `epoch(max(${q})) AS nhi${i}`);
    });
    const [agg] = cols.length > 0 ? await db.rows(`SELECT ${parts.join(', ')} FROM ${source}`) : [];
    const out: ColumnProfile[] = [];
    for (const [i, c] of cols.entries()) {
      const q = qi(c.name);
      const nonNull = Number(agg?.[`nn${i}`] ?? 0);
      const nulls = profiledRows - nonNull;
      const nested = NESTED.test(c.type);
      const top = nested
        ? []
        : (await db.rows(`SELECT ${q}::VARCHAR AS v, count(*) AS n FROM ${source} GROUP BY ${q} ORDER BY n DESC, v NULLS LAST LIMIT ${TOP_VALUES}`)).map((r) => ({
            value: text(r['v']),
            count: Number(r['n']),
          }));
      let histogram: ColumnProfile['histogram'] = null;
      const lo = agg?.[`nlo${i}`];
      const hi = agg?.[`nhi${i}`];
      if (typeof lo === 'number' && typeof hi === 'number' && Number.isFinite(lo) && Number.isFinite(hi)) {
        histogram = await bins(db, source, c, lo, hi);
      }
      out.push({
        name: c.name,
        type: c.type,
        nulls,
        nullRate: profiledRows > 0 ? nulls / profiledRows : 0,
        distinct: nested ? null : Number(agg?.[`d${i}`] ?? 0),
        min: nested ? null : text(agg?.[`lo${i}`]),
        max: nested ? null : text(agg?.[`hi${i}`]),
        top,
        histogram,
      });
    }
    return { nodeId, port, rows, profiledRows, sampled, omittedColumns: all.length - cols.length, columns: out };
  } finally {
    if (sampled) await db.run(`DROP TABLE IF EXISTS ${qi(sampleTable)}`);
  }
}

/** Equal-width bins of a number or time column between its min and max (one bin when they are equal). */
async function bins(db: Database, source: string, c: { name: string; type: string }, lo: number, hi: number): Promise<NonNullable<ColumnProfile['histogram']>> {
  const temporal = TEMPORAL.test(c.type);
  const value = temporal ? `epoch(${qi(c.name)})` : `${qi(c.name)}::DOUBLE`;
  // Whole numbers get whole-number bins (1001–1005, not 1001–1004.95), inclusive at both ends.
  const integral = INTEGRAL.test(c.type);
  const span = integral ? hi - lo + 1 : hi - lo;
  const width = integral ? Math.ceil(span / HISTOGRAM_BINS) : hi > lo ? span / HISTOGRAM_BINS : 1;
  const n = integral ? Math.ceil(span / width) : hi > lo ? HISTOGRAM_BINS : 1;
  // The max falls in the last bin, not one past it.
  const counts = await db.rows(
    `SELECT least(floor((${value} - $lo::DOUBLE) / $w::DOUBLE), ${n - 1})::INTEGER AS b, count(*) AS k FROM ${source} WHERE ${qi(c.name)} IS NOT NULL GROUP BY 1`,
    { lo, w: width },
  );
  const byBin = new Map(counts.map((r) => [Number(r['b']), Number(r['k'])]));
  const label = (x: number): string => {
    if (!temporal) return edge(x);
    const iso = new Date(x * 1000).toISOString();
    return c.type === 'DATE' ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  };
  return Array.from({ length: n }, (_, b) => ({
    from: label(lo + b * width),
    to: integral ? label(Math.min(hi, lo + (b + 1) * width - 1)) : label(hi > lo ? lo + (b + 1) * width : hi),
    count: byBin.get(b) ?? 0,
  }));
}
