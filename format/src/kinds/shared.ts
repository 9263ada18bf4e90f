// Config pieces several kinds share.
import * as z from 'zod';
import { normalizeType } from '../schema/type-names.js';

export const typesSchema = z
  .record(z.string(), z.string().refine((t) => normalizeType(t) !== undefined, { message: 'unknown type; use VARCHAR, BOOLEAN, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, …' }))
  .default({})
  .describe('Column name → type; columns not listed stay text');

// How a NULL key compares with another NULL key, one policy for `unique` rules and `deduplicate`: "distinct"
// (SQL's meaning: a NULL equals nothing, so it is never a duplicate) or "equal" (all NULLs are one key).
export const nullKeysSchema = z.enum(['distinct', 'equal']).describe('"distinct": a NULL key is never a duplicate; "equal": NULL keys count as one key');
export type NullKeys = z.infer<typeof nullKeysSchema>;
