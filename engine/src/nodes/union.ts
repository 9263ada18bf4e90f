// Stack inputs by column name; columns missing from one input are NULL there.
import { z } from 'zod';
import type { NodeKind } from './types.js';
import { unionSchema } from '@sluice/format/kinds/union';

const config = unionSchema.config;

export const unionNode: NodeKind<z.infer<typeof config>> = {
  kind: 'union',
  category: 'transform',
  title: 'Union',
  description: 'Stack several inputs, matching columns by name.',
  inputs: [{ name: 'in', title: 'Inputs', role: 'data', multiple: true }],
  outputs: [{ name: 'out', title: 'Output', role: 'data' }],
  config,
  defaults: {},
  accounting: 'conserving',
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
  outputSchema: unionSchema.outputSchema,
  async execute(ctx) {
    const inputs = ctx.inputs('in');
    await ctx.run(`CREATE TABLE ${ctx.output('out')} AS ${inputs.map((t) => `SELECT * FROM ${t}`).join(' UNION ALL BY NAME ')}`);
    return {};
  },
};
