import { describe, expect, it } from 'vitest';
import { asSchema, emptyValue, fieldShape, humanizeKey, orderedProperties, singular, stringRole, switchVariant } from './schema';

// Shapes as the engine's catalog publishes them (zod's JSON Schema export).
const rule = asSchema({
  items: {
    oneOf: [
      { type: 'object', properties: { id: { type: 'string', minLength: 1 }, type: { type: 'string', const: 'not_null' }, column: { type: 'string' }, message: { type: 'string' } }, required: ['id', 'type', 'column'] },
      { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string', const: 'range' }, column: { type: 'string' }, min: { type: 'number' }, max: { type: 'number' } }, required: ['id', 'type', 'column'] },
      { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string', const: 'expression' }, expression: { type: 'string' } }, required: ['id', 'type', 'expression'] },
    ],
  },
}).items;

describe('fieldShape', () => {
  it('reads the shapes of node configs', () => {
    expect(fieldShape({ type: 'string' })).toEqual({ kind: 'text' });
    expect(fieldShape({ type: 'string', enum: ['inner', 'left'] })).toEqual({ kind: 'enum', options: ['inner', 'left'] });
    expect(fieldShape({ type: 'integer', minimum: 0 })).toEqual({ kind: 'number', integer: true });
    expect(fieldShape({ type: 'boolean' })).toEqual({ kind: 'boolean' });
    expect(fieldShape({ type: 'array', items: { type: 'string' } })).toEqual({ kind: 'list', item: { type: 'string' } });
    expect(fieldShape({ type: 'object', additionalProperties: { type: 'string' } })).toEqual({ kind: 'record', value: { type: 'string' } });
  });

  it('recognises a discriminated union by the property every variant fixes', () => {
    const shape = fieldShape(rule ?? {});
    expect(shape.kind).toBe('union');
    if (shape.kind === 'union') {
      expect(shape.discriminator).toBe('type');
      expect(shape.variants.map((v) => v.value)).toEqual(['not_null', 'range', 'expression']);
    }
  });

  it('falls back to raw JSON for shapes it does not know, so no value is hidden', () => {
    expect(fieldShape({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({ kind: 'json' });
    expect(fieldShape({})).toEqual({ kind: 'json' });
  });
});

describe('emptyValue and switchVariant', () => {
  it('starts a new item with its required fields and fixed discriminator', () => {
    expect(emptyValue(rule ?? {})).toEqual({ id: '', type: 'not_null', column: '' });
    expect(emptyValue({ type: 'string', default: ',' })).toBe(',');
  });

  it('keeps shared fields when the variant changes and drops the others', () => {
    const shape = fieldShape(rule ?? {});
    if (shape.kind !== 'union') throw new Error('expected a union');
    const range = shape.variants[1];
    const expression = shape.variants[2];
    if (!range || !expression) throw new Error('variants missing');
    expect(switchVariant({ id: 'q', type: 'not_null', column: 'qty', message: 'm' }, range, 'type')).toEqual({ id: 'q', type: 'range', column: 'qty' });
    expect(switchVariant({ id: 'q', type: 'range', column: 'qty', min: 1 }, expression, 'type')).toEqual({ id: 'q', type: 'expression', expression: '' });
  });
});

describe('labels and roles', () => {
  it('words keys for people', () => {
    expect(humanizeKey('groupBy')).toBe('Group by');
    expect(humanizeKey('referenceColumn')).toBe('Reference column');
    expect(humanizeKey('fn')).toBe('Function');
    expect(singular('rules')).toBe('Rule');
    expect(singular('aggregates')).toBe('Aggregate');
    expect(singular('on')).toBe('Join condition');
  });

  it('knows which strings are columns, SQL, paths or types from the hints the kinds declare', () => {
    // As the catalog publishes them (engine/test/schema.test.ts checks the kinds carry these marks).
    expect(stringRole('expression', undefined, { type: 'string', 'x-sluice-editor': 'sql-expression' })).toBe('sql');
    expect(stringRole(undefined, 'groupBy', { type: 'string', 'x-sluice-widget': 'column' })).toBe('column');
    expect(stringRole('path', undefined, { type: 'string', 'x-sluice-widget': 'path' })).toBe('path');
    expect(stringRole('type', 'columns', { type: 'string', 'x-sluice-widget': 'type' })).toBe('type');
    // A name is not a hint: a field called "column" without the mark is plain text.
    expect(stringRole('column', undefined, { type: 'string' })).toBe('plain');
    expect(stringRole('column')).toBe('plain');
  });

  it('orders required fields first and wide optional ones last', () => {
    const s = asSchema({ properties: { message: { type: 'string' }, severity: { type: 'string' }, id: { type: 'string' }, values: { type: 'array' } }, required: ['id'] });
    expect(orderedProperties(s).map(([k]) => k)).toEqual(['id', 'severity', 'message', 'values']);
  });
});
