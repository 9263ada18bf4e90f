// Completion for SQL fields: the columns arriving at the node first (quoted when they need it), then the
// node's input tables (SQL nodes), then a short list of DuckDB functions and keywords the SQL grammar lacks.
import type { Column } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';

export type CodeKind = 'sql-expression' | 'sql-query';

export interface CompletionSource {
  kind: CodeKind;
  columns: readonly Column[];
  /** Input relation names a query may read (in1, in2, …). */
  tables: readonly string[];
  /** The pipeline's parameters (the Parameters panel), offered after `${`. */
  params?: readonly ParamHint[];
}

export interface ParamHint {
  name: string;
  /** Its type, default or description, shown beside it. */
  detail: string;
}

/**
 * `${param}` completion: when the text before the cursor ends inside `${…`, the parameters whose names start
 * with what is typed there, each completing to `name}`; undefined when the cursor is not inside one.
 */
export function paramCompletions(before: string, params: readonly ParamHint[]): { typed: string; entries: ParamHint[] } | undefined {
  const m = /\$\{([A-Za-z0-9_]*)$/.exec(before);
  if (!m) return undefined;
  const typed = m[1] ?? '';
  return { typed, entries: params.filter((p) => p.name.toLowerCase().startsWith(typed.toLowerCase())) };
}

/**
 * For a plain text field: the whole values the field would hold with each parameter completed at its end
 * (`out/${re` → `out/${region}`), for the browser's own suggestion list.
 */
export function paramValueOptions(text: string, params: readonly ParamHint[]): { value: string; label: string }[] {
  const hit = paramCompletions(text, params);
  if (!hit) return [];
  const head = text.slice(0, text.length - hit.typed.length);
  return hit.entries.map((p) => ({ value: `${head}${p.name}}`, label: p.detail }));
}

export interface CompletionEntry {
  label: string;
  insertText: string;
  detail: string;
  group: 'column' | 'table' | 'function' | 'keyword';
}

/** Bare identifiers DuckDB reads as written; anything else is double-quoted, with quotes doubled. */
export function sqlIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** Words DuckDB would read as SQL rather than as a column name. */
const RESERVED = new Set(['all', 'and', 'as', 'asc', 'by', 'case', 'cast', 'default', 'desc', 'distinct', 'else', 'end', 'false', 'from', 'group', 'having', 'in', 'is', 'join', 'like', 'limit', 'not', 'null', 'on', 'or', 'order', 'select', 'table', 'then', 'to', 'true', 'union', 'user', 'using', 'when', 'where', 'with']);

const KEYWORDS = ['SELECT', 'FROM', 'WHERE', 'GROUP BY', 'ORDER BY', 'HAVING', 'QUALIFY', 'LIMIT', 'JOIN', 'LEFT JOIN', 'ON', 'USING', 'AS', 'AND', 'OR', 'NOT', 'IN', 'IS NULL', 'IS NOT NULL', 'BETWEEN', 'LIKE', 'ILIKE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'DISTINCT', 'UNION ALL', 'EXCLUDE', 'REPLACE', 'TRUE', 'FALSE', 'NULL'];

const FUNCTIONS: readonly [string, string][] = [
  ['coalesce', 'first non-null argument'],
  ['try_cast', 'cast, NULL when it fails: try_cast(x AS INTEGER)'],
  ['nullif', 'NULL when both arguments are equal'],
  ['lower', 'lower-case text'],
  ['upper', 'upper-case text'],
  ['trim', 'strip spaces'],
  ['length', 'number of characters'],
  ['concat', 'join texts'],
  ['replace', 'replace(text, from, to)'],
  ['regexp_matches', 'regexp_matches(text, pattern)'],
  ['regexp_replace', 'regexp_replace(text, pattern, replacement)'],
  ['starts_with', 'starts_with(text, prefix)'],
  ['contains', 'contains(text, part)'],
  ['strftime', 'format a date or timestamp'],
  ['strptime', 'parse text as a timestamp'],
  ['date_trunc', "date_trunc('month', ts)"],
  ['date_diff', "date_diff('day', start, end)"],
  ['current_date', 'today'],
  ['round', 'round(x, digits)'],
  ['abs', 'absolute value'],
  ['greatest', 'largest argument'],
  ['least', 'smallest argument'],
  ['if', 'if(condition, then, else)'],
];

export function completionEntries(source: CompletionSource): CompletionEntry[] {
  const out: CompletionEntry[] = source.columns.map((c) => ({ label: c.name, insertText: sqlIdentifier(c.name), detail: c.type, group: 'column' }));
  if (source.kind === 'sql-query') for (const t of source.tables) out.push({ label: t, insertText: t, detail: 'input', group: 'table' });
  for (const [name, detail] of FUNCTIONS) out.push({ label: name, insertText: `${name}(`, detail, group: 'function' });
  for (const k of KEYWORDS) out.push({ label: k, insertText: k, detail: 'keyword', group: 'keyword' });
  return out;
}

/** The Parameters panel's parameters as completion hints: "number · default 5", or their description. */
export function paramHints(params: Pipeline['params'] | undefined): ParamHint[] {
  return Object.entries(params ?? {}).map(([name, p]) => ({
    name,
    detail: [p.type ?? 'text', p.default !== undefined ? `default ${p.default}` : 'asked at run', p.description].filter(Boolean).join(' · '),
  }));
}
