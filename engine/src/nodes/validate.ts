// Row-level quality rules, evaluated in one pass. Each row carries every rule it failed; by severity a failure
// quarantines the row, only warns, or fails the run (a quality gate).
import * as z from 'zod';
import type { NodeKind, StaticItem } from './types.js';
import { convertsColumn, formatProblem, validateSchema, type CastRule, type Rule } from '@sluice/format/kinds/validate';
import { typeClass } from '@sluice/format/schema/types';
import { UserError } from '../runtime/exec-context.js';
import { oneOfSql, qi, qlit } from '../sql/quote.js';
import { normalizeType, strictCastSql } from '../sql/strict-cast.js';
import { checkExpression } from '../sql/guard.js';
import { requireColumns } from './shared/columns.js';
import { judgeRows, type Conversion, type Judge, type RuleCheck } from './validate-pass.js';

const config = validateSchema.config;

// An expression rule that may compare rows (a window, a subquery) cannot be judged in the row-by-row pass.
const ACROSS_ROWS = /\b(over|select|exists)\b/i;

/** SQL that is TRUE when the row fails the rule, plus the default reason. */
async function failSql(ctx: Parameters<NodeKind['execute']>[0], r: Rule, i: number, input: string, columnType: (name: string) => string | undefined): Promise<{ fails: string; reason: string }> {
  const f = await valueFailSql(ctx, r, i, input, columnType);
  // A NULL passes every rule but not_null unless the rule says it fails.
  return 'nulls' in r && r.nulls === 'fail' ? { fails: `(${qi(r.column)} IS NULL OR ${f.fails})`, reason: f.reason } : f;
}

async function valueFailSql(ctx: Parameters<NodeKind['execute']>[0], r: Rule, i: number, input: string, columnType: (name: string) => string | undefined): Promise<{ fails: string; reason: string }> {
  const field = `rules[${i}]`;
  switch (r.type) {
    case 'not_null':
      return { fails: `${qi(r.column)} IS NULL`, reason: `${r.column} is missing` };
    case 'unique': {
      // Judged across rows by validate-pass.ts; only the reason is needed here.
      const reason = r.keep === 'none' ? `${r.column} is not unique` : `${r.column} repeats the value of ${r.keep === 'first' ? 'an earlier' : 'a later'} row`;
      return { fails: 'false', reason };
    }
    case 'range': {
      if (r.min === undefined && r.max === undefined) throw new UserError(`${field}: a range rule needs "min", "max" or both`, { nodeId: ctx.nodeId, field });
      // Compared in the column's own type: a DOUBLE detour would round large integers and decimals, and NaN
      // and the infinities are never inside a range.
      const cls = typeClass(columnType(r.column) ?? 'VARCHAR');
      const num = cls === 'integer' || cls === 'decimal' || cls === 'float' ? qi(r.column) : `TRY_CAST(${qi(r.column)} AS DOUBLE)`;
      const parts = cls === 'integer' || cls === 'decimal' ? [] : [`${num} IS NULL`, `NOT isfinite(${num})`];
      if (r.min !== undefined) parts.push(`${num} < ${numberLiteral(r.min)}`);
      if (r.max !== undefined) parts.push(`${num} > ${numberLiteral(r.max)}`);
      const bounds = `${r.min ?? '-∞'}..${r.max ?? '∞'}`;
      return { fails: `(${qi(r.column)} IS NOT NULL AND (${parts.join(' OR ')}))`, reason: `${r.column} is outside ${bounds}` };
    }
    case 'regex': {
      // DuckDB matches with RE2, whose syntax differs from JavaScript's (no lookaround, but `(?i)`): RE2 decides.
      try {
        await ctx.rows('SELECT regexp_full_match(\'\', $p) AS ok', { p: r.pattern });
      } catch (e) {
        const why = e instanceof Error ? (e.message.split('\n')[0] ?? '').replace(/^Invalid Input Error: /, '') : '';
        throw new UserError(`${field}.pattern is not a valid regular expression (${why})`, { nodeId: ctx.nodeId, field: `${field}.pattern` });
      }
      return { fails: `(${qi(r.column)} IS NOT NULL AND NOT regexp_full_match(CAST(${qi(r.column)} AS VARCHAR), ${qlit(r.pattern)}))`, reason: `${r.column} does not match ${r.pattern}` };
    }
    case 'in_set':
      // Not `NOT IN (...)`: DuckDB plans an IN list of six or more values as a join, and a join may store the
      // judged rows out of input order (validate-pass.ts).
      return { fails: `(${qi(r.column)} IS NOT NULL AND NOT ${oneOfSql(`CAST(${qi(r.column)} AS VARCHAR)`, r.values)})`, reason: `${r.column} is not one of ${r.values.join(', ')}` };
    case 'max_length':
      return { fails: `(${qi(r.column)} IS NOT NULL AND length(CAST(${qi(r.column)} AS VARCHAR)) > ${r.max})`, reason: `${r.column} is longer than ${r.max} characters` };
    case 'castable_to': {
      if (r.format !== undefined) {
        const problem = formatProblem(r);
        if (problem) throw new UserError(`${field}.format: ${problem}`, { nodeId: ctx.nodeId, field: `${field}.format` });
        try {
          await ctx.rows('SELECT try_strptime(\'\', $f) AS ok', { f: r.format });
        } catch (e) {
          const why = e instanceof Error ? (e.message.split('\n')[0] ?? '').replace(/^Invalid Input Error: /, '') : '';
          throw new UserError(`${field}.format is not a valid strptime format (${why})`, { nodeId: ctx.nodeId, field: `${field}.format` });
        }
      }
      const label = r.format === undefined ? (normalizeType(r.to) ?? r.to) : `${normalizeType(r.to) ?? r.to} in the format ${r.format}`;
      return { fails: `NOT ${castSql(qi(r.column), r).ok}`, reason: `${r.column} is not a valid ${label}` };
    }
    case 'expression': {
      const expr = await checkExpression(ctx, r.expression, `${field}.expression`);
      return { fails: `((${expr}) IS NOT TRUE)`, reason: `fails ${r.expression}` };
    }
    case 'lookup': {
      const ref = ctx.inputs('reference')[0];
      if (!ref) throw new UserError(`${field}: a lookup rule needs the "reference" input connected`, { nodeId: ctx.nodeId, field });
      requireColumns(ctx.nodeId, `${field}.referenceColumn`, [r.referenceColumn], await ctx.columns(ref));
      return {
        fails: `(${qi(r.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ref} __ref WHERE __ref.${qi(r.referenceColumn)} = ${input}.${qi(r.column)}))`,
        reason: `${r.column} has no match in reference column ${r.referenceColumn}`,
      };
    }
  }
}

function numberLiteral(n: number): string {
  const v = Number(n);
  return Number.isInteger(v) ? String(v) : `${v}::DOUBLE`;
}

// strptime alone accepts "2025-1-1" for %m-%d and skips leading blanks; the exact shape is checked first so a
// value passes only when it is written exactly as the format says. Specifiers without a fixed width
// (month names, time zones) are left to strptime.
const FIXED_WIDTH: Record<string, string> = { Y: '[0-9]{4}', y: '[0-9]{2}', m: '[0-9]{2}', d: '[0-9]{2}', H: '[0-9]{2}', I: '[0-9]{2}', M: '[0-9]{2}', S: '[0-9]{2}', j: '[0-9]{3}', g: '[0-9]{3}', f: '[0-9]{6}', n: '[0-9]{9}', '%': '%' };

export function formatRegex(format: string): string {
  let re = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] as string;
    if (ch !== '%') {
      re += /[\\^$.|?*+()[\]{}]/.test(ch) ? `\\${ch}` : ch;
      continue;
    }
    let spec = format[++i] ?? '';
    if (spec === '-') {
      spec = format[++i] ?? '';
      re += /[dmHIMSj]/.test(spec) ? '[0-9]{1,3}' : '.+?';
      continue;
    }
    re += FIXED_WIDTH[spec] ?? '.+?';
  }
  return re;
}

/** Strict conversion for a castable_to rule: the type's own strict cast, or the exact format when one is given. */
function castSql(v: string, r: CastRule): { ok: string; value: string } {
  const t = normalizeType(r.to) ?? r.to;
  if (r.format === undefined) return strictCastSql(v, t);
  const txt = `CAST(${v} AS VARCHAR)`;
  const parsed = `try_strptime(${txt}, ${qlit(r.format)})`;
  return { ok: `(${v} IS NULL OR (regexp_full_match(${txt}, ${qlit(formatRegex(r.format))}) AND ${parsed} IS NOT NULL))`, value: `CAST(${parsed} AS ${t})` };
}

export const validateNode: NodeKind<z.infer<typeof config>> = {
  kind: 'validate',
  category: 'quality',
  title: 'Validate rows',
  description: 'Check every row against rules; failing rows go to quarantine with every rule they failed, or warn, or fail the run.',
  inputs: [
    { name: 'in', title: 'Input', role: 'data' },
    { name: 'reference', title: 'Reference (lookups)', role: 'reference', optional: true },
  ],
  outputs: [
    { name: 'valid', title: 'Valid', role: 'data' },
    { name: 'quarantine', title: 'Quarantine', role: 'quarantine' },
  ],
  config,
  // The rule's column is chosen once the input is known (the designer offers the input's first text column).
  defaults: { rules: [{ id: 'rule_1', type: 'not_null', column: '', severity: 'quarantine' }] },
  accounting: 'conserving',
  // No tableInputs: the pass that judges the rows also stores them (validate-pass.ts), so a view is read once.
  inputOrder: 'propagates',
  // A unique rule that lets the first (or last) occurrence pass judges by input position, and a rule across rows
  // may too (a window over the rows): then the rows must arrive in their upstream order (a join sorts for it).
  inputOrderOf: (c) => (c.rules.some((r) => (r.type === 'unique' && r.keep !== 'none') || (r.type === 'expression' && ACROSS_ROWS.test(r.expression))) ? 'requires' : 'propagates'),
  version: 3,
  migrations: [
    {
      // Version 2 converts a column that a castable_to rule proved, so valid rows leave typed. A file saved
      // before kept the column as text; it keeps doing so.
      note: 'castable_to rules gained "convert" (default true); older rules keep the column as it was',
      up: (config) => {
        const rules = config['rules'];
        if (!Array.isArray(rules)) return config;
        return { ...config, rules: rules.map((r: unknown) => (r !== null && typeof r === 'object' && (r as Record<string, unknown>)['type'] === 'castable_to' && !('convert' in r) ? { ...r, convert: false } : r)) };
      },
    },
    {
      // Version 3 lets the first occurrence of a repeated value pass (keep: first). Before, every occurrence
      // failed; an older unique rule keeps doing so. (nulls and nullKeys default to the old behaviour.)
      note: 'unique rules gained "keep" (default first); older rules keep "none", failing every occurrence',
      up: (config) => {
        const rules = config['rules'];
        if (!Array.isArray(rules)) return config;
        return { ...config, rules: rules.map((r: unknown) => (r !== null && typeof r === 'object' && (r as Record<string, unknown>)['type'] === 'unique' && !('keep' in r) ? { ...r, keep: 'none' } : r)) };
      },
    },
  ],
  traits: { rows: 'row-wise', replay: 'judges', counts: 'balanced' },
  outputSchema: validateSchema.outputSchema,
  statics: (c) =>
    c.rules.flatMap((r, i): StaticItem[] =>
      r.type === 'expression' ? [{ type: 'expression' as const, field: `rules[${i}].expression`, text: r.expression }] : r.type === 'regex' ? [{ type: 'regex' as const, field: `rules[${i}].pattern`, pattern: r.pattern }] : [],
    ),
  async execute(ctx, c) {
    const input = ctx.input('in');
    const inputColumns = await ctx.columns(input);
    const ids = new Set<string>();
    for (const [i, r] of c.rules.entries()) {
      if (ids.has(r.id)) throw new UserError(`rules[${i}].id "${r.id}" is used by another rule`, { nodeId: ctx.nodeId, field: `rules[${i}].id` });
      ids.add(r.id);
      if ('column' in r) requireColumns(ctx.nodeId, `rules[${i}].column`, [r.column], inputColumns);
    }
    const typeOf = (name: string) => inputColumns.find((x) => x.name === name)?.type;
    const checks: RuleCheck[] = [];
    for (const [i, r] of c.rules.entries()) {
      // Rules across rows are judged over alias `o` of the input's rows (validate-pass.ts).
      const f = await failSql(ctx, r, i, 'o', typeOf);
      const judge: Judge =
        r.type === 'unique'
          ? { type: 'unique', column: r.column, keep: r.keep, nullKeys: r.nullKeys, nullsFail: r.nulls === 'fail' }
          : r.type === 'lookup' || (r.type === 'expression' && ACROSS_ROWS.test(r.expression))
            ? { type: 'set', fails: f.fails }
            : { type: 'row', fails: f.fails };
      checks.push({ id: r.id, severity: r.severity, reason: r.message ?? f.reason, judge });
    }
    // Columns proven by a castable_to rule leave converted: every valid row passed it (a warn rule's failing rows
    // stay, so it never converts; a value that would become NULL is never made up). The last rule on a column wins,
    // as in the output schema.
    const conversions = new Map<string, Conversion>();
    for (const r of c.rules) {
      if (r.type !== 'castable_to' || !convertsColumn(r) || typeOf(r.column) === (normalizeType(r.to) ?? r.to)) continue;
      const cast = castSql(qi(r.column), r);
      // The value is computed for failing rows too: JSON's cast is the one that errs on a bad value, so it is
      // made only for a value the rule accepts.
      const type = normalizeType(r.to) ?? r.to;
      conversions.set(r.column, { column: r.column, type, value: type === 'JSON' ? `CASE WHEN ${cast.ok} THEN ${cast.value} END` : cast.value });
    }
    return judgeRows(ctx, { input, columns: inputColumns, checks, conversions: [...conversions.values()], valid: ctx.output('valid'), quarantinePort: ctx.output('quarantine') });
  },
};

