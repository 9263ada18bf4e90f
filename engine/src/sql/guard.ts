// User SQL (filter expressions, derived columns, SQL nodes) is checked on DuckDB's own parse tree
// before it runs: one SELECT, reading only the node's inputs, no table functions, no side doors.
import type { ExecContext } from '../runtime/exec-context.js';
import { UserError } from '../runtime/exec-context.js';
import { qlit } from './quote.js';

/** Functions that reach outside the pipeline's data even when external access is locked down. */
const FORBIDDEN_FUNCTIONS = new Set([
  'read_text', 'read_blob', 'read_csv', 'read_csv_auto', 'read_json', 'read_json_auto', 'read_ndjson',
  'read_json_objects', 'read_ndjson_objects', 'read_parquet', 'parquet_scan', 'parquet_metadata', 'parquet_schema',
  'glob', 'sniff_csv', 'getenv', 'current_setting', 'enable_logging', 'disable_logging', 'query', 'query_table',
  'duckdb_settings', 'duckdb_extensions', 'duckdb_secrets', 'load_extension', 'install_extension', 'pragma_version',
  'which_secret', 'read_duckdb', 'sqlite_scan', 'postgres_scan', 'iceberg_scan', 'delta_scan',
]);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface ParseResult {
  error: boolean;
  error_message?: string;
  position?: string;
  statements?: Json[];
}

function isObj(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walk a parse tree, calling visit on every object node. */
function walk(node: Json, visit: (o: { [k: string]: Json }) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
  } else if (isObj(node)) {
    visit(node);
    for (const v of Object.values(node)) walk(v, visit);
  }
}

/**
 * Where DuckDB's parser stopped, as " at character N" (1-based, within the user's own text), so an editor can
 * mark the spot; `prefix` is how many characters the probe query put before the user's text.
 */
function positionSuffix(res: ParseResult, prefix: number, length: number): string {
  const at = Number(res.position);
  if (!Number.isInteger(at) || at < prefix || at > prefix + length) return '';
  return ` at character ${at - prefix + 1}`;
}

/**
 * Parse trees by text. A tree depends only on the text (and the DuckDB version), and the same expression is
 * parsed by the static checks before a run and again by its node as it runs: one statement per parse made
 * checking a long chain cost a statement per node twice. Bounded; read only (the checks only walk the trees).
 */
const parsed = new Map<string, ParseResult>();
const MAX_PARSED = 20_000;

function remember(sql: string, tree: ParseResult): ParseResult {
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(sql, tree);
  return tree;
}

async function parse(ctx: Pick<ExecContext, 'rows'>, sql: string): Promise<ParseResult> {
  const known = parsed.get(sql);
  if (known) return known;
  const rows = await ctx.rows(`SELECT json_serialize_sql(${qlit(sql)}) AS j`);
  const text = rows[0]?.['j'];
  if (typeof text !== 'string') throw new Error('DuckDB returned no parse tree');
  return remember(sql, JSON.parse(text) as ParseResult);
}

/** Statements of at most this many texts when parsing in bulk (a bounded statement whatever the pipeline). */
const PARSE_BATCH = 500;

/** Parses many expressions in a few statements, ahead of `checkExpression` on each (the static checks). */
export async function parseExpressions(ctx: Pick<ExecContext, 'rows'>, expressions: string[]): Promise<void> {
  const todo = [...new Set(expressions.map(expressionProbe))].filter((sql) => !parsed.has(sql));
  for (let i = 0; i < todo.length; i += PARSE_BATCH) {
    const batch = todo.slice(i, i + PARSE_BATCH);
    const values = batch.map((sql, k) => `(${k}, ${qlit(sql)})`).join(', ');
    const rows = await ctx.rows(`SELECT i, json_serialize_sql(s) AS j FROM (VALUES ${values}) AS t(i, s) ORDER BY i`);
    rows.forEach((r) => {
      const sql = batch[Number(r['i'])];
      if (sql !== undefined && typeof r['j'] === 'string') remember(sql, JSON.parse(r['j']) as ParseResult);
    });
  }
}

const EXPRESSION_OPENING = 'SELECT (';

/** The query an expression is checked as: one select item over a stand-in input. */
function expressionProbe(expression: string): string {
  return `${EXPRESSION_OPENING}${expression}) FROM __sluice_input`;
}

function cteNames(tree: Json): Set<string> {
  const names = new Set<string>();
  walk(tree, (o) => {
    const map = o['cte_map'];
    if (isObj(map) && Array.isArray(map['map'])) {
      for (const entry of map['map']) if (isObj(entry) && typeof entry['key'] === 'string') names.add(entry['key'].toLowerCase());
    }
  });
  return names;
}

/** The CTEs a query node defines, in order, and whether each one's body is a recursive union. */
function ctesOf(o: { [k: string]: Json }): { name: string; body: Json; recursive: boolean }[] {
  const map = o['cte_map'];
  if (!isObj(map) || !Array.isArray(map['map'])) return [];
  const out: { name: string; body: Json; recursive: boolean }[] = [];
  for (const entry of map['map']) {
    if (!isObj(entry) || typeof entry['key'] !== 'string' || !isObj(entry['value'])) continue;
    const query = entry['value']['query'];
    const node = isObj(query) ? query['node'] : undefined;
    out.push({ name: entry['key'].toLowerCase(), body: query ?? null, recursive: isObj(node) && node['type'] === 'RECURSIVE_CTE_NODE' });
  }
  return out;
}

/** A table name that DuckDB would read as a file (or a glob of files) through a replacement scan. */
function looksLikeFile(name: string): boolean {
  return /[./\\*?]/.test(name) || /^[a-z][a-z0-9+.-]*:/i.test(name);
}

/**
 * Problems with table references and functions in a parsed statement. Names resolve by scope, as DuckDB binds
 * them: a CTE covers the query that defines it (and the CTEs after it in the same WITH, and its own recursive
 * part), nothing outside. A name that is neither an input nor a CTE in scope would make DuckDB look for a table,
 * then for a file of that name (a replacement scan), so it is refused.
 */
function findEscapes(tree: Json, allowedTables: Set<string>): string[] {
  const problems: string[] = [];
  const check = (o: { [k: string]: Json }, visible: ReadonlySet<string>): void => {
    // DESCRIBE, SUMMARIZE and SHOW parse as a SELECT over a SHOW_REF, which can list or describe any table.
    if (o['type'] === 'SHOW_REF') problems.push('DESCRIBE, SUMMARIZE and SHOW are not allowed; a SQL node transforms its inputs');
    if (o['type'] === 'TABLE_FUNCTION') {
      const fn = isObj(o['function']) ? o['function']['function_name'] : undefined;
      problems.push(`table function ${String(fn)}() is not allowed; read data through source nodes`);
    }
    if (o['type'] === 'BASE_TABLE') {
      const raw = String(o['table_name']);
      const name = raw.toLowerCase();
      if (o['catalog_name'] || o['schema_name']) problems.push(`table "${raw}" must not name a database or schema`);
      else if (!allowedTables.has(name) && !visible.has(name)) {
        const known = [...allowedTables].join(', ');
        if (looksLikeFile(raw)) problems.push(`"${raw}" would be read as a file, which is not allowed; read files through source nodes (this node can read ${known || 'no tables'})`);
        else problems.push(`unknown table "${raw}"; this node can read ${known || 'no tables'}`);
      }
    }
    if (o['class'] === 'FUNCTION' && typeof o['function_name'] === 'string') {
      if (FORBIDDEN_FUNCTIONS.has(o['function_name'].toLowerCase())) problems.push(`function ${o['function_name']}() is not allowed`);
    }
  };
  const visit = (node: Json, visible: ReadonlySet<string>): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child, visible);
      return;
    }
    if (!isObj(node)) return;
    check(node, visible);
    const ctes = ctesOf(node);
    let inner = visible;
    if (ctes.length > 0) {
      const before = new Set(visible);
      for (const cte of ctes) {
        // A CTE's body sees the CTEs before it; only a recursive union's recursive part sees the CTE itself.
        const body = cte.body;
        const n = isObj(body) ? body['node'] : undefined;
        if (cte.recursive && isObj(n)) {
          visit({ ...n, right: null }, before);
          visit(n['right'] ?? null, new Set([...before, cte.name]));
        } else visit(body, before);
        before.add(cte.name);
      }
      inner = before;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'cte_map') visit(v, inner);
  };
  visit(tree, new Set());
  return problems;
}

/**
 * Checks a scalar expression and returns it ready to splice between parentheses.
 * The probe query must parse to exactly one SELECT with exactly one select item over the input and nothing
 * else, which rules out `1) FROM x WHERE (1` style breakouts.
 */
export async function checkExpression(
  ctx: Pick<ExecContext, 'rows' | 'nodeId'>,
  expression: string,
  field: string,
): Promise<string> {
  const res = await parse(ctx, expressionProbe(expression));
  if (res.error) {
    const where = positionSuffix(res, EXPRESSION_OPENING.length, expression.length);
    throw new UserError(`invalid expression: ${res.error_message ?? 'syntax error'}${where}`, { nodeId: ctx.nodeId, field });
  }
  const stmts = res.statements ?? [];
  const node = isObj(stmts[0]) && isObj(stmts[0]['node']) ? stmts[0]['node'] : undefined;
  const single =
    stmts.length === 1 &&
    node !== undefined &&
    node['type'] === 'SELECT_NODE' &&
    Array.isArray(node['select_list']) &&
    node['select_list'].length === 1 &&
    node['where_clause'] === null &&
    node['having'] === null &&
    node['qualify'] === null &&
    Array.isArray(node['group_expressions']) &&
    node['group_expressions'].length === 0 &&
    Array.isArray(node['modifiers']) &&
    node['modifiers'].length === 0 &&
    isObj(node['from_table']) &&
    node['from_table']['table_name'] === '__sluice_input';
  if (!single) throw new UserError(`must be a single expression`, { nodeId: ctx.nodeId, field });
  const escapes = findEscapes(node['select_list'] as Json, new Set());
  if (escapes.length > 0) throw new UserError(escapes[0] as string, { nodeId: ctx.nodeId, field });
  return expression;
}

/** Checks a user query: exactly one SELECT reading only the named inputs. */
export async function checkSelect(
  ctx: Pick<ExecContext, 'rows' | 'nodeId'>,
  sql: string,
  inputNames: string[],
  field: string,
): Promise<void> {
  const res = await parse(ctx, sql);
  if (res.error) {
    const msg = res.error_message ?? 'syntax error';
    const hint = /Only SELECT/i.test(msg) ? 'only a single SELECT statement is allowed' : `${msg}${positionSuffix(res, 0, sql.length)}`;
    throw new UserError(hint, { nodeId: ctx.nodeId, field });
  }
  const stmts = res.statements ?? [];
  if (stmts.length !== 1) throw new UserError(`must be exactly one SELECT statement (found ${stmts.length})`, { nodeId: ctx.nodeId, field });
  const escapes = findEscapes(stmts, new Set(inputNames.map((n) => n.toLowerCase())));
  if (escapes.length > 0) throw new UserError(escapes[0] as string, { nodeId: ctx.nodeId, field });
  // A CTE is visible only in its own scope, so a CTE named like a real table would let a reference outside
  // that scope open the real table. Names of existing tables are therefore not allowed as CTE names.
  const existing = new Set((await ctx.rows('SELECT lower(table_name) AS t FROM duckdb_tables()')).map((r) => String(r['t'])));
  for (const name of cteNames(stmts)) {
    if (existing.has(name)) throw new UserError(`the CTE name "${name}" is reserved; choose another name`, { nodeId: ctx.nodeId, field });
  }
}
