// How a NULL key compares with another NULL key, one policy for `unique` rules and `deduplicate`: "distinct"
// (SQL's meaning: a NULL equals nothing, so it is never a duplicate) or "equal" (all NULLs are one key).
export { nullKeysSchema, type NullKeys } from '@sluice/format/kinds/shared';

/** SQL that is TRUE when any of the key expressions is NULL (those rows are exempt under "distinct"). */
export function anyNullSql(keys: string[]): string {
  return `(${keys.map((k) => `${k} IS NULL`).join(' OR ')})`;
}
