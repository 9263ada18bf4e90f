// The published JSON Schema of pipeline files, generated from the zod schema that loading uses.
import * as z from 'zod';
import { pipelineSchema, SCHEMA_URL } from './pipeline.js';

export function pipelineJsonSchema(): Record<string, unknown> {
  return { ...(z.toJSONSchema(pipelineSchema, { io: 'input' }) as Record<string, unknown>), $id: SCHEMA_URL, title: 'Sluice pipeline' };
}
