// Validate: the valid rows keep the input's columns, except those a castable_to rule converts; the quarantine port
// adds the failed rule ids and reasons. Rules must name columns of the input, of types they can judge.
import * as z from 'zod';
import { COLUMN, SQL_EXPRESSION, TYPE } from '../api/editor-hints.js';
import { columnOf, requireKnown, unknownColumn, wrongType } from '../schema/checks.js';
import { comparable, describeType, typeClass, type Schema, type SchemaProblem } from '../schema/types.js';
import { normalizeType } from '../schema/type-names.js';
import { nullKeysSchema } from './shared.js';
import type { KindSchema } from './kind.js';

const base = {
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "-" or "."'),
  message: z.string().max(500).optional(),
  severity: z.enum(['quarantine', 'warn', 'fail']).default('quarantine'),
};

// Rules on one column judge NULL by `nulls`: "pass" (the rule has nothing to check) or "fail" (a NULL fails it).
const onColumn = {
  ...base,
  column: z.string().meta(COLUMN),
  nulls: z.enum(['pass', 'fail']).default('pass').describe('Whether a NULL value passes or fails this rule'),
};

const rule = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('not_null'), column: z.string().meta(COLUMN) }),
  z.strictObject({
    ...onColumn,
    type: z.literal('unique'),
    keep: z.enum(['first', 'last', 'none']).default('first').describe('Which occurrence of a repeated value passes, by input order ("none": every occurrence fails)'),
    nullKeys: nullKeysSchema.default('distinct'),
  }),
  z.strictObject({ ...onColumn, type: z.literal('range'), min: z.number().optional(), max: z.number().optional() }),
  z.strictObject({ ...onColumn, type: z.literal('regex'), pattern: z.string().min(1) }),
  z.strictObject({ ...onColumn, type: z.literal('in_set'), values: z.array(z.string()).min(1) }),
  z.strictObject({ ...onColumn, type: z.literal('max_length'), max: z.number().int().min(0) }),
  z.strictObject({
    ...onColumn,
    type: z.literal('castable_to'),
    to: z.string().refine((t) => normalizeType(t) !== undefined, 'unknown type').meta(TYPE),
    format: z.string().min(1).max(100).optional().describe('For DATE and TIMESTAMP: the exact strptime format the text must have, e.g. %Y-%m-%d %H:%M:%S'),
    convert: z.boolean().default(true).describe('The valid rows carry the column converted to this type (quarantine severity only)'),
  }),
  z.strictObject({ ...base, type: z.literal('expression'), expression: z.string().min(1).meta(SQL_EXPRESSION) }),
  z.strictObject({ ...onColumn, type: z.literal('lookup'), referenceColumn: z.string().meta(COLUMN) }),
]);
export type Rule = z.infer<typeof rule>;

const config = z.strictObject({
  rules: z.array(rule).min(1),
});
export type ValidateConfig = z.infer<typeof config>;

export type CastRule = Extract<Rule, { type: 'castable_to' }>;

/** Why a castable_to rule's format cannot apply, if it cannot. */
export function formatProblem(r: CastRule): string | undefined {
  const t = normalizeType(r.to);
  return r.format !== undefined && t !== 'DATE' && t !== 'TIMESTAMP' ? `a format applies to DATE and TIMESTAMP only, not ${t ?? r.to}` : undefined;
}

/** A castable_to rule converts its column when asked to and when its failing rows cannot stay (not `warn`). */
export function convertsColumn(r: Extract<Rule, { type: 'castable_to' }>): boolean {
  return r.convert && r.severity !== 'warn';
}

export const validateSchema: KindSchema<ValidateConfig> = {
  kind: 'validate',
  config,
  outputSchema({ nodeId, config: c, input, inputs, connected }) {
    const inp = input('in');
    const problems: SchemaProblem[] = [];
    const ids = new Set<string>();
    const valid: Schema = [...inp];
    for (const [i, r] of c.rules.entries()) {
      if (ids.has(r.id)) problems.push({ code: 'duplicate_rule', field: `rules[${i}].id`, message: `rule id "${r.id}" is used by another rule; give each rule its own id` });
      ids.add(r.id);
      if (!('column' in r)) continue;
      const field = `rules[${i}].column`;
      const col = columnOf(inp, r.column);
      if (!col) {
        problems.push(unknownColumn(field, r.column, inp));
        continue;
      }
      if (r.type === 'range') {
        const cls = typeClass(col.type);
        if (cls !== 'text' && cls !== 'integer' && cls !== 'decimal' && cls !== 'float') problems.push(wrongType(field, col, 'a range rule compares numbers', 'DOUBLE', nodeId));
      }
      if (r.type === 'castable_to' && formatProblem(r)) problems.push({ code: 'bad_config', field: `rules[${i}].format`, message: formatProblem(r) as string });
      if (r.type === 'castable_to' && convertsColumn(r)) {
        const at = valid.findIndex((x) => x.name === r.column);
        valid[at] = { name: r.column, type: normalizeType(r.to) ?? r.to };
      }
      if (r.type === 'lookup') {
        const refs = connected('reference') ? inputs('reference') : [];
        const ref = refs[0];
        if (!ref) problems.push({ code: 'missing_input', field: `rules[${i}]`, message: 'a lookup rule needs the "reference" input connected' });
        else {
          const rc = columnOf(ref, r.referenceColumn);
          if (!rc) problems.push(...requireKnown(ref, [{ field: `rules[${i}].referenceColumn`, name: r.referenceColumn }], 'the reference input'));
          else if (!comparable(col.type, rc.type)) {
            problems.push({ code: 'type_mismatch', field: `rules[${i}].referenceColumn`, message: `the lookup compares "${r.column}" (${describeType(col.type)}) with "${r.referenceColumn}" (${describeType(rc.type)}), which never match: give both the same type` });
          }
        }
      }
    }
    const quarantine: Schema = [...inp, { name: '__rule_ids', type: 'VARCHAR[]' }, { name: '__reasons', type: 'VARCHAR[]' }];
    return { outputs: { valid, quarantine }, problems };
  },
};
