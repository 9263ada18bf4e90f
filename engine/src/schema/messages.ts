// DuckDB's binder speaks of functions and casts; a user needs the column, what is wrong with it and what to do.
// These rewrite the binder errors an expression over typed empty inputs can raise. Unknown ones are reduced to
// their first line without DuckDB's prefix, so a raw error with its candidate lists never reaches the user.
import { describeType, type Schema } from '@sluice/format/schema/types';

const FN_TYPES = /No function matches the given name and argument types '([^(]+)\(([^)]*)\)'/;
const COMPARE = /Cannot compare values of type (\S+) and type (\S+)/;
const MISSING = /Referenced column "([^"]+)" not found/;

function plain(t: string): string {
  const base = t.replace(/_LITERAL$/, '');
  if (/^INTEGER|^BIGINT|^DECIMAL|^DOUBLE/.test(base)) return 'a number';
  if (base === 'STRING') return 'text';
  return describeType(base);
}

export function friendlySqlError(e: unknown, input: Schema): { error: string; column?: string } {
  const raw = e instanceof Error ? e.message : String(e);
  const first = (raw.split('\n')[0] ?? '').replace(/^[A-Za-z ]+Error: /, '');
  const missing = MISSING.exec(raw);
  if (missing) {
    const names = input.map((c) => c.name);
    return { error: `"${missing[1]}" is not a column of the input (it has ${names.join(', ') || 'no columns'})`, column: missing[1] as string };
  }
  const fn = FN_TYPES.exec(raw);
  if (fn) {
    const args = (fn[2] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    const text = args.some((a) => a === 'VARCHAR');
    return { error: `${fn[1]}() cannot take ${args.map(plain).join(' and ') || 'these values'}${text ? ': a text column must be converted first (set its type in the source or add a Cast node)' : ''}` };
  }
  const cmp = COMPARE.exec(raw);
  if (cmp) return { error: `compares ${plain(cmp[1] as string)} with ${plain(cmp[2] as string)}: convert one side (set the column's type in the source, add a Cast node, or write CAST(… AS type))` };
  return { error: first.replace(/\s*Candidate functions:.*$/s, '') || 'the expression does not fit the input' };
}
