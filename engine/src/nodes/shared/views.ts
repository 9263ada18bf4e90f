// When a node may answer with a view (a query its readers run as part of their own) instead of a stored copy.
import type { ExecContext } from '../../runtime/exec-context.js';

/** True when the quoted relation name (as `ctx.input` gives it) is a view, not a stored table. */
export async function isView(ctx: ExecContext, quoted: string): Promise<boolean> {
  // The runtime's catalog, which it keeps anyway: a lookup in duckdb_views() per node grew with the run's catalog.
  return ctx.isView(quoted);
}

// A view is evaluated again by each reader (the counts, then the consumers): an expression whose value changes
// between two evaluations would make those disagree, so it is computed once into a table instead.
const VOLATILE = /\b(random|uuid|gen_random_uuid|uuidv4|uuidv7|nextval|currval|setseed|now|current_timestamp|current_time|current_date|get_current_time|get_current_timestamp|today|transaction_timestamp)\b/i;

/** True when the SQL expression may give another value when evaluated again over the same row. */
export function mayChange(expression: string): boolean {
  return VOLATILE.test(expression);
}
