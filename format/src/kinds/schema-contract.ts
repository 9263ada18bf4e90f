// Schema contract: the listed columns with their types, then (when kept) the columns the contract does not list.
import * as z from 'zod';
import { COLUMN, TYPE } from '../api/editor-hints.js';
import type { Schema, SchemaProblem } from '../schema/types.js';
import { normalizeType } from '../schema/type-names.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  columns: z
    .array(
      z.strictObject({
        name: z.string().min(1).meta(COLUMN),
        type: z.string().refine((t) => normalizeType(t) !== undefined, 'unknown type').meta(TYPE),
        required: z.boolean().default(true),
      }),
    )
    .min(1),
  missing: z.enum(['fail', 'null']).default('fail').describe('A required column is absent: fail the run, or add it as NULL'),
  extra: z.enum(['keep', 'drop', 'fail']).default('keep').describe('Columns the contract does not list'),
  mistyped: z.enum(['quarantine', 'fail']).default('quarantine').describe('Values that do not convert to the contract type'),
});
export type SchemaContractConfig = z.infer<typeof config>;

export const schemaContractSchema: KindSchema<SchemaContractConfig> = {
  kind: 'schema_contract',
  config,
  outputSchema({ config: c, input }) {
    const have = input('in');
    const problems: SchemaProblem[] = [];
    const missing = c.columns.filter((x) => x.required && !have.some((h) => h.name === x.name));
    if (missing.length > 0 && c.missing === 'fail') {
      problems.push({ code: 'unknown_column', field: 'columns', message: `the input has no column${missing.length > 1 ? 's' : ''} ${missing.map((x) => `"${x.name}"`).join(', ')}, which the contract requires, so every run would fail here: fix the upstream columns, or set "missing" to "null"` });
    }
    const listed = new Set(c.columns.map((x) => x.name));
    const extra = have.filter((h) => !listed.has(h.name));
    if (extra.length > 0 && c.extra === 'fail') {
      problems.push({ code: 'extra_column', field: 'extra', message: `the input has column${extra.length > 1 ? 's' : ''} ${extra.map((x) => `"${x.name}"`).join(', ')} the contract does not list, so every run would fail here: list them, or set "extra" to "keep" or "drop"` });
    }
    const out: Schema = [...c.columns.map((x) => ({ name: x.name, type: normalizeType(x.type) ?? x.type })), ...(c.extra === 'keep' ? extra : [])];
    return { outputs: { out }, problems };
  },
};
