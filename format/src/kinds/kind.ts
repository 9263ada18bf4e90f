// The part of a node kind that both sides need: its config's shape and how its output columns follow from its
// input columns and config. Pure (no DuckDB, no files), so the engine's schema pass and the designer's
// in-browser pass run the same code. Each kind's engine module (engine/src/nodes/<kind>.ts) imports its half from
// here and adds what needs DuckDB or the file system: SQL compilation, statics, sniffing, execution.
import type * as z from 'zod';
import type { Problem } from '../pipeline/problems.js';
import type { PureSchemaArgs, SchemaOutcome, SchemaProblem } from '../schema/types.js';

export interface KindSchema<C> {
  kind: string;
  /** The config as saved in a file, with its defaults (the engine's kind uses this very schema). */
  config: z.ZodType<C>;
  /** Output columns per port, and the problems seen from columns and config alone. */
  outputSchema(args: PureSchemaArgs<C>): SchemaOutcome;
  /**
   * The engine adds problems only DuckDB can judge (a filter's condition, an expression rule): the designer
   * takes the outputs from here at once and asks the engine about the problems when this node's config or
   * inputs change.
   */
  engineProblems?: boolean;
}

/** A kind's problems as the pipeline's: placed at the node's config field (`at` is the node's index in the file). */
export function problemsAt(at: number, nodeId: string, problems: readonly SchemaProblem[]): Problem[] {
  return problems.map((pr) => ({
    path: `nodes[${at}].config${pr.field ? (pr.field.startsWith('[') ? pr.field : `.${pr.field}`) : ''}`,
    nodeId,
    ...(pr.field ? { field: pr.field } : {}),
    message: pr.message,
    code: pr.code,
    ...(pr.fix ? { fix: pr.fix } : {}),
  }));
}

/** Config values with an unresolved `${param}` are known only at run time. */
export function hasParamRef(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('${');
  if (Array.isArray(v)) return v.some(hasParamRef);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasParamRef);
  return false;
}
