// Identifier quoting for DuckDB. Values never go through here: they are bound as parameters.

/** Quote an identifier: wrap in double quotes and double any embedded quote. NUL cannot appear in an identifier. */
export function qi(name: string): string {
  if (name.includes('\u0000')) throw new Error(`identifier contains a NUL character: ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string literal for the few places DuckDB accepts no parameter (e.g. SET values, COPY targets).
 * Single quotes are doubled; NUL is refused because DuckDB would cut the string there.
 */
export function qlit(value: string): string {
  if (value.includes('\u0000')) throw new Error('string literal contains a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * SQL TRUE where the text expression `expr` is one of `values` (NULL where `expr` is NULL), as `expr IN (...)`
 * would be, but never planned as a join: DuckDB 1.5 turns an IN list of five or more constants into one, and a
 * table stored from a join may hold whole row groups out of input order.
 */
export function oneOfSql(expr: string, values: readonly string[]): string {
  return `list_contains([${values.map(qlit).join(', ')}], ${expr})`;
}
