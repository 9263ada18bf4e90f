// Output schemas shared by several kinds: declared types applied to columns, and inputs stacked by name.
import { normalizeType } from './type-names.js';
import { requireKnown } from './checks.js';
import { isNumeric, typeClass, type Schema, type SchemaOutcome, type SchemaProblem } from './types.js';

/**
 * `types` (column → type) applied to `input`: the typed columns take the type and record that this node decided
 * it, so a later type problem can be fixed here. Columns `types` names that the input lacks are problems.
 */
export function applyTypesToSchema(nodeId: string, input: Schema, types: Record<string, string>, port: string, source = false): SchemaOutcome {
  const problems = requireKnown(input, Object.keys(types).map((name) => ({ field: 'types', name })), source ? 'the file' : 'the input');
  const out = input.map((c) => {
    const t = Object.hasOwn(types, c.name) ? normalizeType(types[c.name] as string) : undefined;
    return t ? { name: c.name, type: t, typedAt: nodeId } : c;
  });
  return { outputs: { [port]: out }, problems };
}

/** Inputs stacked by column name: a column missing from an input is NULL there; differing types are a problem. */
export function unionSchemas(inputs: Schema[]): SchemaOutcome {
  const order: string[] = [];
  const seen = new Map<string, { types: string[]; in: number }>();
  for (const s of inputs) {
    for (const c of s) {
      const e = seen.get(c.name);
      if (e) {
        if (!e.types.includes(c.type)) e.types.push(c.type);
        e.in++;
      } else {
        seen.set(c.name, { types: [c.type], in: 1 });
        order.push(c.name);
      }
    }
  }
  const problems: SchemaProblem[] = [];
  const out = order.map((name) => {
    const e = seen.get(name) as { types: string[]; in: number };
    let type = e.types[0] as string;
    if (e.types.length > 1) {
      if (e.types.every(isNumeric)) type = e.types.some((t) => typeClass(t) === 'float') ? 'DOUBLE' : e.types.some((t) => typeClass(t) === 'decimal') ? 'DOUBLE' : 'HUGEINT';
      else {
        type = 'VARCHAR';
        problems.push({ code: 'type_mismatch', message: `column "${name}" is ${e.types.join(' in one input and ')} in another, so the union would turn it into text; give it the same type in every input (a Cast node before the union)` });
      }
    }
    return { name, type, ...(e.in < inputs.length ? { nullable: true } : {}) };
  });
  return { outputs: { out }, problems };
}
