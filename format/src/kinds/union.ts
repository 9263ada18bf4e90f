// Union: inputs stacked by column name.
import * as z from 'zod';
import { unionSchemas } from '../schema/typed.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({});
export type UnionConfig = z.infer<typeof config>;

export const unionSchema: KindSchema<UnionConfig> = {
  kind: 'union',
  config,
  outputSchema({ inputs }) {
    return unionSchemas(inputs('in'));
  },
};
