// Convert column types strictly; rows with values that do not convert go to quarantine, never to NULL.
import { z } from 'zod';
import type { NodeKind } from './types.js';
import { castSchema } from '@sluice/format/kinds/cast';
import { applyDeclaredTypes } from './shared/typing.js';

const config = castSchema.config;

export const castNode: NodeKind<z.infer<typeof config>> = {
  kind: 'cast',
  category: 'transform',
  title: 'Cast types',
  description: 'Convert columns to types; values that do not convert exactly are quarantined with the reason.',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Output', role: 'data' }],
  config,
  defaults: { types: {} },
  accounting: 'conserving',
  inputOrder: 'propagates',
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'judges', counts: 'balanced' },
  outputSchema: castSchema.outputSchema,
  async execute(ctx, c) {
    const input = ctx.input('in');
    const cols = (await ctx.columns(input)).map((x) => x.name);
    const { warnings } = await applyDeclaredTypes(ctx, input, ctx.output('out'), cols, c.types, 'types');
    return { warnings };
  },
};
