// Aggregate: the group keys, then one column per aggregate, typed as DuckDB types them; sum/avg need numbers.
import * as z from 'zod';
import { COLUMN } from '../api/editor-hints.js';
import { columnOf, duplicateNames, requireKnown, unknownColumn, wrongType } from '../schema/checks.js';
import { isNumeric, typeClass, type Schema } from '../schema/types.js';
import type { KindSchema } from './kind.js';

const fns = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max'] as const;

const config = z.strictObject({
  groupBy: z.array(z.string().min(1).meta(COLUMN)).default([]),
  aggregates: z
    .array(z.strictObject({ fn: z.enum(fns), column: z.string().meta(COLUMN).optional().describe('Not needed for count'), as: z.string().min(1) }))
    .min(1),
});
export type AggregateConfig = z.infer<typeof config>;

export const aggregateSchema: KindSchema<AggregateConfig> = {
  kind: 'aggregate',
  config,
  outputSchema({ nodeId, config: c, input }) {
    const inp = input('in');
    const problems = requireKnown(inp, c.groupBy.map((name, i) => ({ field: `groupBy[${i}]`, name })));
    const cols: Schema = c.groupBy.flatMap((g) => {
      const col = columnOf(inp, g);
      return col ? [{ name: g, type: col.type, ...(col.nullable === false ? { nullable: false } : {}) }] : [];
    });
    c.aggregates.forEach((a, i) => {
      const field = `aggregates[${i}].column`;
      if (!a.column) {
        if (a.fn !== 'count') problems.push({ code: 'missing_column', field, message: `"${a.fn}" needs a column: choose which column to ${a.fn}` });
        cols.push({ name: a.as, type: a.fn === 'count' ? 'BIGINT' : 'DOUBLE', ...(a.fn === 'count' ? { nullable: false } : {}) });
        return;
      }
      const col = columnOf(inp, a.column);
      if (!col) {
        problems.push(unknownColumn(field, a.column, inp));
        return;
      }
      if ((a.fn === 'sum' || a.fn === 'avg') && !isNumeric(col.type)) {
        problems.push(wrongType(field, col, `${a.fn} needs numbers`, 'DOUBLE', nodeId));
      }
      cols.push({ name: a.as, type: aggregateType(a.fn, col.type), ...(a.fn.startsWith('count') ? { nullable: false } : {}) });
    });
    problems.push(...duplicateNames([...c.groupBy.map((name, i) => ({ field: `groupBy[${i}]`, name })), ...c.aggregates.map((a, i) => ({ field: `aggregates[${i}].as`, name: a.as }))]));
    return { outputs: { out: cols }, problems };
  },
};

/** DuckDB's result types: sum widens whole numbers to HUGEINT and decimals to 38 digits; avg is a DOUBLE. */
function aggregateType(fn: (typeof fns)[number], input: string): string {
  if (fn === 'count' || fn === 'count_distinct') return 'BIGINT';
  if (fn === 'min' || fn === 'max') return input;
  if (fn === 'avg') return 'DOUBLE';
  const cls = typeClass(input);
  if (cls === 'integer') return 'HUGEINT';
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(input);
  if (dec) return `DECIMAL(38,${dec[2]})`;
  return 'DOUBLE';
}
