// The column types a config may declare (a source's or Cast node's `types`, a contract, a castable_to rule), and
// their aliases. Pure: the engine's strict casts and the designer's config checks use the same list.

export const CASTABLE_TYPES = [
  'VARCHAR', 'BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UBIGINT',
  'DOUBLE', 'FLOAT', 'DECIMAL(18,2)', 'DECIMAL(38,10)', 'DATE', 'TIMESTAMP', 'TIME', 'UUID', 'JSON',
] as const;

/** DECIMAL(p,s) is accepted with any precision and scale; everything else must be listed above. */
export function normalizeType(t: string): string | undefined {
  const u = t.trim().toUpperCase().replace(/\s+/g, '');
  const dec = /^(?:DECIMAL|NUMERIC)\((\d{1,2}),(\d{1,2})\)$/.exec(u);
  if (dec) {
    const p = Number(dec[1]);
    const s = Number(dec[2]);
    return p >= 1 && p <= 38 && s <= p ? `DECIMAL(${p},${s})` : undefined;
  }
  const alias: Record<string, string> = { INT: 'INTEGER', INT4: 'INTEGER', INT8: 'BIGINT', LONG: 'BIGINT', TEXT: 'VARCHAR', STRING: 'VARCHAR', BOOL: 'BOOLEAN', REAL: 'FLOAT', FLOAT8: 'DOUBLE', DATETIME: 'TIMESTAMP', NUMERIC: 'DECIMAL(18,3)', DECIMAL: 'DECIMAL(18,3)' };
  const v = alias[u] ?? u;
  return (CASTABLE_TYPES as readonly string[]).includes(v) ? v : undefined;
}
