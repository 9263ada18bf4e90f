// What a statement does to the run database's catalog, read from its text, so that the catalog stays known
// without listing it again after every node's DDL.
/**
 * Statements that cannot create, drop, rename or reshape a relation: reads, and copies of a query to a file. Any
 * other statement (a node's own DDL, a user's SQL, several statements at once) forgets what the catalog holds.
 */
export function keepsCatalog(sql: string): boolean {
  return /^\s*(SELECT\b|COPY\s*\()/i.test(sql) && !sql.includes(';');
}

export const noChange = (): void => undefined;

const NAME = '"((?:[^"]|"")*)"';
const CREATE = new RegExp(`^\\s*CREATE\\s+(?:OR\\s+REPLACE\\s+)?(TABLE|VIEW)\\s+${NAME}\\s*(?:AS\\b|\\()`, 'i');
const DROP = new RegExp(`^\\s*DROP\\s+(TABLE|VIEW)\\s+(?:IF\\s+EXISTS\\s+)?${NAME}\\s*$`, 'i');
const RENAME = new RegExp(`^\\s*ALTER\\s+TABLE\\s+${NAME}\\s+RENAME\\s+TO\\s+${NAME}\\s*$`, 'i');
const ROWS_ONLY = new RegExp(`^\\s*(?:INSERT\\s+INTO|DELETE\\s+FROM|UPDATE)\\s+${NAME}\\s`, 'i');
const unquote = (quoted: string): string => quoted.replaceAll('""', '"');

/**
 * What one statement does to the catalog, when it is one of these forms with quoted names and nothing after it
 * (no `;`): CREATE [OR REPLACE] TABLE|VIEW "a" (AS … | (…)), DROP TABLE|VIEW [IF EXISTS] "a", ALTER TABLE "a"
 * RENAME TO "b"; INSERT INTO, DELETE FROM and UPDATE "a" change rows only. Anything else is undefined: the
 * catalog is listed again.
 */
export function catalogChange(sql: string, known: ReadonlyMap<string, 'table' | 'view'>): { drop: string[]; add?: [string, 'table' | 'view'] } | undefined {
  if (sql.includes(';')) return undefined;
  const created = CREATE.exec(sql);
  if (created) {
    const name = unquote(created[2] ?? '');
    return { drop: [name], add: [name, (created[1] ?? '').toUpperCase() === 'TABLE' ? 'table' : 'view'] };
  }
  const dropped = DROP.exec(sql);
  if (dropped) return { drop: [unquote(dropped[2] ?? '')] };
  if (ROWS_ONLY.test(sql)) return { drop: [] };
  const renamed = RENAME.exec(sql);
  if (renamed) {
    const from = unquote(renamed[1] ?? '');
    const kind = known.get(from);
    return kind ? { drop: [from], add: [unquote(renamed[2] ?? ''), kind] } : undefined;
  }
  return undefined;
}

