// How a NULL key compares with another NULL key, one policy for `unique` rules and `deduplicate`: "distinct"
// (SQL's meaning: a NULL equals nothing, so it is never a duplicate) or "equal" (all NULLs are one key).
import { z } from 'zod';

export const nullKeysSchema = z.enum(['distinct', 'equal']).describe('"distinct": a NULL key is never a duplicate; "equal": NULL keys count as one key');
export type NullKeys = z.infer<typeof nullKeysSchema>;

/** SQL that is TRUE when any of the key expressions is NULL (those rows are exempt under "distinct"). */
export function anyNullSql(keys: string[]): string {
  return `(${keys.map((k) => `${k} IS NULL`).join(' OR ')})`;
}
