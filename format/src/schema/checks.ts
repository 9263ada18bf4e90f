// Building blocks the node kinds' `outputSchema` use to state problems the same way everywhere: which field,
// what is wrong, what the input offers instead, and a fix the designer can apply in one click.
import type { Fix } from '../api/contract.js';
import { describeType, type Schema, type SchemaColumn, type SchemaProblem } from './types.js';

export function columnOf(schema: Schema, name: string): SchemaColumn | undefined {
  return schema.find((c) => c.name === name);
}

function listNames(schema: Schema): string {
  if (schema.length === 0) return 'no columns';
  const names = schema.map((c) => c.name);
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, … (${names.length} in all)` : names.join(', ');
}

/** A config names a column the input does not have. */
export function unknownColumn(field: string, name: string, schema: Schema, what = 'the input'): SchemaProblem {
  if (name === '') return { code: 'needs_column', field, message: `choose a column of ${what} (it has ${listNames(schema)})` };
  const close = schema.find((c) => c.name.toLowerCase() === name.toLowerCase());
  const hint = close ? ` Did you mean "${close.name}"?` : '';
  const problem: SchemaProblem = { code: 'unknown_column', field, message: `"${name}" is not a column of ${what} (it has ${listNames(schema)}).${hint}` };
  if (close) problem.fix = { action: 'set_field', label: `Use "${close.name}"`, field, value: close.name };
  return problem;
}

/** Every name in `names` must be a column of `schema`; returns the problems for the ones that are not. */
export function requireKnown(schema: Schema, items: { field: string; name: string }[], what?: string): SchemaProblem[] {
  return items.filter((i) => !columnOf(schema, i.name)).map((i) => unknownColumn(i.field, i.name, schema, what));
}

/**
 * The one fix for a column of the wrong type: where its type was decided by a node that declares types (a
 * source or Cast node), change it there; otherwise insert a Cast node on the edge into the node.
 */
export function typeFix(col: SchemaColumn, type: string, nodeId: string, port: string): Fix {
  if (col.typedAt) return { action: 'set_type', label: `Read "${col.name}" as ${type} in "${col.typedAt}"`, nodeId: col.typedAt, column: col.name, type };
  return { action: 'insert_cast', label: `Insert a Cast node: "${col.name}" as ${type}`, nodeId, port, column: col.name, type };
}

/** A column whose type does not fit what the field does with it (sum over text, a range over dates …). */
export function wrongType(field: string, col: SchemaColumn, need: string, suggested: string, nodeId: string, port = 'in'): SchemaProblem {
  const where = col.typedAt ? `set its type in "${col.typedAt}"` : 'set its type in the source';
  return {
    code: 'type_mismatch',
    field,
    message: `"${col.name}" is ${describeType(col.type)} here, but ${need}: ${where} or add a Cast node (e.g. ${suggested})`,
    fix: typeFix(col, suggested, nodeId, port),
  };
}

/** Output names must be unique (DuckDB would refuse or silently rename them). */
export function duplicateNames(items: { field: string; name: string }[]): SchemaProblem[] {
  const seen = new Map<string, string>();
  const out: SchemaProblem[] = [];
  for (const i of items) {
    const key = i.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) out.push({ code: 'duplicate_column', field: i.field, message: `the output would have two columns named "${i.name}" (the other from ${first}); give this one another name` });
    else seen.set(key, i.field);
  }
  return out;
}

/** The same columns, passing a node unchanged (a filter, a sort …). */
export function same(schema: Schema): Schema {
  return schema;
}
