// Keep the first N rows, or a reproducible random sample of N; the rest are counted as filtered.
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { limitSchema } from '@sluice/format/kinds/limit';

const config = limitSchema.config;

export const limitNode: NodeKind<z.infer<typeof config>> = {
  kind: 'limit',
  category: 'transform',
  title: 'Limit / sample',
  description: 'Keep the first N rows or a reproducible sample of N rows.',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Output', role: 'data' }],
  config,
  defaults: { count: 1000, mode: 'first' },
  tableInputs: ['in'],
  accounting: 'conserving',
  version: 1,
  migrations: [],
  traits: { rows: 'set-wise', replay: 'refuses', counts: 'balanced' },
  outputSchema: limitSchema.outputSchema,
  async execute(ctx, c) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    if (c.mode === 'first') {
      await ctx.run(`CREATE TABLE ${out} AS SELECT * FROM ${input} ORDER BY rowid LIMIT $n`, { n: c.count });
    } else {
      await ctx.run(`CREATE TABLE ${out} AS SELECT * FROM ${input} USING SAMPLE reservoir(${c.count} ROWS) REPEATABLE (${c.seed})`);
    }
    const total = await ctx.count(`SELECT count(*) FROM ${input}`);
    const kept = await ctx.count(`SELECT count(*) FROM ${out}`);
    return { filtered: { count: total - kept, reason: c.mode === 'first' ? `beyond the first ${c.count} rows` : `not in the sample of ${c.count} rows` } };
  },
};
