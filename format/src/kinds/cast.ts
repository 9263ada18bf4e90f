// Cast: the listed columns take their declared types (and this node is where a type fix points).
import * as z from 'zod';
import { applyTypesToSchema } from '../schema/typed.js';
import { typesSchema } from './shared.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({ types: typesSchema });
export type CastConfig = z.infer<typeof config>;

export const castSchema: KindSchema<CastConfig> = {
  kind: 'cast',
  config,
  outputSchema({ nodeId, config: c, input }) {
    return applyTypesToSchema(nodeId, input('in'), c.types, 'out');
  },
};
