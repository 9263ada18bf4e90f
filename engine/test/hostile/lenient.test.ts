// Lenient conversions are choices a source makes visibly: trimming spaces before typing (" 7 " → 7) and JSON
// strings accepted as numbers ("20" → 20) are settable per source, with strict as a choice.
import { afterAll, describe, expect, it } from 'vitest';
import { chain, run } from '../helpers.js';

let cases = 0;
afterAll(() => console.log(`lenient conversions: ${cases} hostile cases`));

async function csv(text: string, types: Record<string, string>, extra: Record<string, unknown> = {}) {
  const p = chain([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv', types, ...extra } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }]);
  return run(p, { files: { 'in.csv': text } });
}

async function json(text: string, types: Record<string, string>, extra: Record<string, unknown> = {}) {
  const p = chain([{ id: 'src', kind: 'source.json', config: { path: 'in.ndjson', types, ...extra } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }]);
  return run(p, { files: { 'in.ndjson': text } });
}

describe('trimming before typing is a setting (defect 11)', () => {
  it('by default " 7 " is 7; with trim off it is quarantined with the reason', async () => {
    cases++;
    const lenient = await csv('n\n" 7 "\n8\n', { n: 'BIGINT' });
    expect(lenient.metric('src')).toMatchObject({ rowsOut: 2, quarantined: 0 });
    const strict = await csv('n\n" 7 "\n8\n', { n: 'BIGINT' }, { trim: false });
    expect(strict.metric('src')).toMatchObject({ rowsOut: 1, quarantined: 1 });
    expect((await strict.quarantine('src')).entries[0]?.reasons[0]).toBe('column n: " 7 " is not a valid BIGINT');
  });

  it.each([
    ['a boolean with a trailing space', 'true ', 'BOOLEAN'],
    ['a date with a leading tab', '\t2024-01-02', 'DATE'],
    ['a decimal with spaces', ' 1.5 ', 'DECIMAL(10,2)'],
  ])('strict: %s is refused, lenient: read', async (_what, value, type) => {
    cases++;
    const text = `v\n"${value}"\n`;
    expect((await csv(text, { v: type })).metric('src').quarantined).toBe(0);
    expect((await csv(text, { v: type }, { trim: false })).metric('src').quarantined).toBe(1);
  });

  it('a JSON source trims the same way, and can refuse to', async () => {
    cases++;
    expect((await json('{"n":" 7 "}\n', { n: 'INTEGER' })).metric('src').quarantined).toBe(0);
    expect((await json('{"n":" 7 "}\n', { n: 'INTEGER' }, { trim: false, numericStrings: true })).metric('src').quarantined).toBe(1);
  });
});

describe('JSON strings as numbers are a setting (defect 11)', () => {
  it('by default "20" is accepted as a number; strict refuses it and keeps JSON numbers', async () => {
    cases++;
    const text = '{"n":"20","b":true}\n{"n":5,"b":"true"}\n{"n":7,"b":false}\n';
    const lenient = await json(text, { n: 'INTEGER', b: 'BOOLEAN' });
    expect(lenient.metric('src')).toMatchObject({ rowsOut: 3, quarantined: 0 });
    const strict = await json(text, { n: 'INTEGER', b: 'BOOLEAN' }, { numericStrings: false });
    expect(strict.metric('src')).toMatchObject({ rowsOut: 1, quarantined: 2 });
    const q = await strict.quarantine('src');
    expect(q.entries.map((e) => e.reasons[0])).toEqual(['column n: "\\"20\\"" is not a valid INTEGER', 'column b: "\\"true\\"" is not a valid BOOLEAN']);
  });

  it('strict still reads dates and text from JSON strings', async () => {
    cases++;
    const r = await json('{"d":"2024-01-02","s":"x"}\n', { d: 'DATE', s: 'VARCHAR' }, { numericStrings: false });
    expect(r.metric('src')).toMatchObject({ rowsOut: 1, quarantined: 0 });
  });

  it('strict refuses a numeric string for DOUBLE and DECIMAL too', async () => {
    cases++;
    const r = await json('{"x":"1.5","y":"2.25"}\n{"x":1.5,"y":2.25}\n', { x: 'DOUBLE', y: 'DECIMAL(10,2)' }, { numericStrings: false });
    expect(r.metric('src')).toMatchObject({ rowsOut: 1, quarantined: 1 });
  });
});
