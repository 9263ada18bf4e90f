import { describe, expect, it } from 'vitest';
import { getIn, moveItem, removeAt, renameKey, setIn } from './immutable';

describe('immutable config edits', () => {
  const config = { rules: [{ id: 'a', column: 'x' }, { id: 'b' }], types: { qty: 'INTEGER' } };

  it('sets a value by path and copies only along the path', () => {
    const next = setIn(config, ['rules', 1, 'column'], 'y') as typeof config;
    expect(getIn(next, ['rules', 1, 'column'])).toBe('y');
    expect(next.rules[0]).toBe(config.rules[0]);
    expect(next.types).toBe(config.types);
    expect(config.rules[1]).toEqual({ id: 'b' });
  });

  it('removes an object key when the value is undefined', () => {
    expect(setIn(config, ['types', 'qty'], undefined)).toEqual({ rules: config.rules, types: {} });
  });

  it('treats "__proto__" as a plain key', () => {
    const next = setIn({}, ['__proto__'], 'x') as Record<string, unknown>;
    expect(Object.keys(next)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
  });

  it('moves, removes and renames in order', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
    expect(removeAt(['a', 'b', 'c'], 1)).toEqual(['a', 'c']);
    expect(Object.keys(renameKey({ a: 1, b: 2, c: 3 }, 'b', 'z'))).toEqual(['a', 'z', 'c']);
  });
});
