// Limit / sample: fewer rows, the same columns.
import * as z from 'zod';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  count: z.number().int().min(0),
  mode: z.enum(['first', 'sample']).default('first'),
  seed: z.number().int().min(0).max(2 ** 31).default(42).describe('Sample seed, so that reruns pick the same rows'),
});
export type LimitConfig = z.infer<typeof config>;

export const limitSchema: KindSchema<LimitConfig> = {
  kind: 'limit',
  config,
  outputSchema({ input }) {
    return { outputs: { out: input('in') }, problems: [] };
  },
};
