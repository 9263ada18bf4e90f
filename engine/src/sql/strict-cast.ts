// Typing without silent coercion: a value converts only if it is exactly a value of the target type.
// DuckDB's own casts round 4.5 to 5 and read 0x10 as 16; these checks refuse both and say why.

// The type names a config may declare live with the pure format (the designer checks configs too).
import { normalizeType } from '@sluice/format/schema/type-names';
import { oneOfSql } from './quote.js';

export { CASTABLE_TYPES, normalizeType } from '@sluice/format/schema/type-names';

const INT_RE = '^\\s*[+-]?[0-9]+\\s*$';
const FLOAT_RE = '^\\s*[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?\\s*$';
const BOOL_WORDS = ['true', 'false', 't', 'f', '1', '0', 'yes', 'no', 'y', 'n'];

/**
 * SQL for a strict conversion of the text expression `v` (already a SQL expression) to `type`:
 * `ok` is true when v is NULL or converts exactly; `value` is the converted value (only meaningful when ok).
 */
export function strictCastSql(v: string, type: string, opts: CastOptions = {}): { ok: string; value: string } {
  const r = castSql(v, type);
  // Without trimming, a value with spaces around it is not exactly a value of the type.
  if (opts.trim === false && r.ok !== 'true') return { ok: `(${r.ok} AND (${v} IS NULL OR NOT regexp_matches(CAST(${v} AS VARCHAR), '^\\s|\\s$')))`, value: r.value };
  return r;
}

/** The lenient conversions a source may turn off (see README, "How dirty input is handled"). */
export interface CastOptions {
  /** Spaces around a value are ignored (" 7 " converts to 7); default true. */
  trim?: boolean;
}

function castSql(v: string, type: string): { ok: string; value: string } {
  const t = normalizeType(type) ?? type;
  const txt = `CAST(${v} AS VARCHAR)`;
  const tryc = `TRY_CAST(trim(${txt}) AS ${t})`;
  if (t === 'VARCHAR') return { ok: 'true', value: txt };
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UBIGINT)$/.test(t)) {
    return { ok: `(${v} IS NULL OR (regexp_full_match(${txt}, '${INT_RE}') AND ${tryc} IS NOT NULL))`, value: tryc };
  }
  if (t === 'DOUBLE' || t === 'FLOAT') {
    // A number beyond the type's range (1e400) would become infinity: not the value the input wrote.
    return { ok: `(${v} IS NULL OR (regexp_full_match(${txt}, '${FLOAT_RE}') AND coalesce(isfinite(${tryc}), false)))`, value: tryc };
  }
  const dec = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
  if (dec) {
    const scale = Number(dec[2]);
    // More fractional digits than the scale would be rounded, so they are refused.
    const re = `^\\s*[+-]?([0-9]+(\\.[0-9]{0,${scale}})?|\\.[0-9]{1,${Math.max(scale, 1)}})\\s*$`;
    return { ok: `(${v} IS NULL OR (regexp_full_match(${txt}, '${re}') AND ${tryc} IS NOT NULL))`, value: tryc };
  }
  if (t === 'BOOLEAN') {
    return {
      ok: `(${v} IS NULL OR ${oneOfSql(`lower(trim(${txt}))`, BOOL_WORDS)})`,
      value: `(${oneOfSql(`lower(trim(${txt}))`, ['true', 't', '1', 'yes', 'y'])})`,
    };
  }
  if (t === 'DATE') {
    return { ok: `(${v} IS NULL OR (regexp_full_match(${txt}, '^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\\s*$') AND ${tryc} IS NOT NULL))`, value: tryc };
  }
  if (t === 'TIMESTAMP') {
    return { ok: `(${v} IS NULL OR (regexp_full_match(${txt}, '^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?)?\\s*$') AND ${tryc} IS NOT NULL))`, value: tryc };
  }
  if (t === 'JSON') return { ok: `(${v} IS NULL OR json_valid(${txt}))`, value: `CAST(${txt} AS JSON)` };
  return { ok: `(${v} IS NULL OR ${tryc} IS NOT NULL)`, value: tryc };
}

/** A readable reason for a value that failed strict conversion, built in SQL. */
export function castReasonSql(v: string, column: string, type: string): string {
  const label = column.replaceAll("'", "''");
  return `concat('column ${label}: ', to_json(CAST(${v} AS VARCHAR))::VARCHAR, ' is not a valid ${normalizeType(type) ?? type}')`;
}
