// Reading the JSON Schemas the engine's catalog publishes for node configs, to generate config forms.
// The catalog is produced by zod's JSON Schema export, so only the shapes it emits need handling; anything
// else is shown as raw JSON rather than dropped, so no config value is ever hidden from the user.

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  /** Set by the engine on config strings that hold SQL (format/src/api/editor-hints.ts). */
  'x-sluice-editor'?: string;
  /** What a string field holds, as the node kind declares it: `column`, `path` or `type`. */
  'x-sluice-widget'?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The catalog types schemas as `Record<string, unknown>`; this reads one as a schema, or an empty (any) schema. */
export function asSchema(v: unknown): JsonSchema {
  return isObject(v) ? (v as JsonSchema) : {};
}

function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  return s.type;
}

export interface UnionVariant {
  /** The discriminator's value for this variant, e.g. "not_null". */
  value: string;
  schema: JsonSchema;
}

export type FieldShape =
  | { kind: 'text' }
  | { kind: 'enum'; options: string[] }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'list'; item: JsonSchema }
  | { kind: 'record'; value: JsonSchema }
  | { kind: 'object'; schema: JsonSchema }
  | { kind: 'union'; discriminator: string; variants: UnionVariant[] }
  | { kind: 'json' };

/** A property every variant fixes with `const` names the variant (zod's discriminated unions look like this). */
function discriminatorOf(variants: JsonSchema[]): string | undefined {
  const first = variants[0];
  if (!first?.properties) return undefined;
  return Object.keys(first.properties).find((key) =>
    variants.every((v) => {
      const p = v.properties?.[key];
      return p !== undefined && typeof p.const === 'string';
    }),
  );
}

export function fieldShape(s: JsonSchema): FieldShape {
  const variants = s.oneOf ?? s.anyOf;
  if (variants && variants.length > 0) {
    const discriminator = discriminatorOf(variants);
    if (discriminator) {
      return {
        kind: 'union',
        discriminator,
        variants: variants.map((v) => ({ value: String(v.properties?.[discriminator]?.const), schema: v })),
      };
    }
    return { kind: 'json' };
  }
  if (Array.isArray(s.enum) && s.enum.every((x) => typeof x === 'string')) return { kind: 'enum', options: s.enum as string[] };
  switch (typeOf(s)) {
    case 'string':
      return { kind: 'text' };
    case 'number':
      return { kind: 'number', integer: false };
    case 'integer':
      return { kind: 'number', integer: true };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array':
      return { kind: 'list', item: s.items ?? {} };
    case 'object':
      if (s.properties && Object.keys(s.properties).length > 0) return { kind: 'object', schema: s };
      if (isObject(s.additionalProperties)) return { kind: 'record', value: s.additionalProperties };
      return s.properties ? { kind: 'object', schema: s } : { kind: 'json' };
    default:
      return { kind: 'json' };
  }
}

/** A value a new list item or a newly chosen variant starts with: defaults, else empty required fields. */
export function emptyValue(s: JsonSchema): unknown {
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return structuredClone(s.default);
  const shape = fieldShape(s);
  switch (shape.kind) {
    case 'text':
      return '';
    case 'enum':
      return shape.options[0] ?? '';
    case 'number':
      return s.minimum ?? 0;
    case 'boolean':
      return false;
    case 'list':
      return [];
    case 'record':
      return {};
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) {
        const p = s.properties?.[key];
        if (p) out[key] = emptyValue(p);
      }
      return out;
    }
    case 'union': {
      const first = shape.variants[0];
      return first ? emptyValue(first.schema) : {};
    }
    case 'json':
      return null;
  }
}

/**
 * Switching a union's variant keeps the fields both variants share (id, column, message…) and starts the
 * new variant's other required fields empty, so the user does not retype what still applies.
 */
export function switchVariant(current: unknown, to: UnionVariant, discriminator: string): Record<string, unknown> {
  const base = emptyValue(to.schema) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...base, [discriminator]: to.value };
  if (isObject(current)) {
    for (const [k, v] of Object.entries(current)) {
      if (k !== discriminator && to.schema.properties?.[k] !== undefined) out[k] = v;
    }
  }
  return out;
}

export type CodeKind = 'sql-expression' | 'sql-query';

/** Whether a string field holds SQL, and which kind: the engine marks such fields in the catalog. */
export function codeKindOf(_key: string | undefined, s: JsonSchema, _parentKey?: string): CodeKind | undefined {
  const hint = s['x-sluice-editor'];
  if ((hint === 'sql-expression' || hint === 'sql-query') && fieldShape(s).kind === 'text') return hint;
  return undefined;
}

/** Fields that take a whole row: prose, SQL, and nested lists or records. */
export function isWide(key: string, s: JsonSchema): boolean {
  const kind = fieldShape(s).kind;
  return key === 'message' || key === 'description' || codeKindOf(key, s) !== undefined || kind === 'list' || kind === 'record' || kind === 'object' || kind === 'json';
}

/**
 * Property order: required first (as the schema lists them), then optional short fields, then optional wide
 * ones, so the form leads with what matters and short fields can pair up in narrow layouts.
 */
export function orderedProperties(s: JsonSchema): [string, JsonSchema][] {
  const entries = Object.entries(s.properties ?? {});
  const required = new Set(s.required ?? []);
  return [
    ...entries.filter(([k]) => required.has(k)),
    ...entries.filter(([k, p]) => !required.has(k) && !isWide(k, p)),
    ...entries.filter(([k, p]) => !required.has(k) && isWide(k, p)),
  ];
}

/** "rules" → "Rule", "aggregates" → "Aggregate": what one item of a list is called on its Add button. */
export function singular(listKey: string | undefined): string {
  if (!listKey) return 'Item';
  if (listKey === 'on') return 'Join condition';
  if (listKey === 'by') return 'Sort key';
  const words = humanizeKey(listKey);
  if (/ies$/.test(words)) return words.replace(/ies$/, 'y');
  if (/(ss|us)$/.test(words)) return words;
  return words.replace(/s$/, '');
}

/** "groupBy" → "Group by", "referenceColumn" → "Reference column", "nullsFirst" → "Nulls first". */
const LABELS: Record<string, string> = { fn: 'Function' };

export function humanizeKey(key: string): string {
  if (Object.hasOwn(LABELS, key)) return LABELS[key] as string;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * What a string field holds: each node kind marks its fields in its config schema (`x-sluice-widget`: a column
 * of the input, a file path or a DuckDB type; `x-sluice-editor`: SQL), and the catalog publishes the marks.
 */
export type StringRole = 'plain' | 'column' | 'sql' | 'type' | 'path';

export function stringRole(_key: string | undefined, _parentKey?: string, s?: JsonSchema): StringRole {
  if (!s) return 'plain';
  const widget = s['x-sluice-widget'];
  if (widget === 'column' || widget === 'path' || widget === 'type') return widget;
  if (s['x-sluice-editor'] !== undefined) return 'sql';
  return 'plain';
}

/** Types offered while typing a cast or contract type; any DuckDB type may still be typed. */
export const COMMON_TYPES = [
  'VARCHAR',
  'BIGINT',
  'INTEGER',
  'SMALLINT',
  'DOUBLE',
  'DECIMAL(18,2)',
  'DECIMAL(10,2)',
  'BOOLEAN',
  'DATE',
  'TIMESTAMP',
  'TIMESTAMPTZ',
  'TIME',
  'UUID',
  'JSON',
];
