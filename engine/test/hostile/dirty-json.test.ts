// Dirty JSON and text input: a lone surrogate or any undecodable JSON string quarantines its line (exact bytes,
// right line number), never the file; reasons say where in the line a bad byte is; a JSON array read as NDJSON
// says which format to use; no engine scratch file is ever named.
import { afterAll, describe, expect, it } from 'vitest';
import { chain, run } from '../helpers.js';

let cases = 0;
afterAll(() => console.log(`dirty JSON/text: ${cases} hostile cases`));

async function readJson(content: string | Uint8Array, format: 'ndjson' | 'array' = 'ndjson') {
  const p = chain([{ id: 'src', kind: 'source.json', config: { path: 'in.json', format } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }]);
  return run(p, { files: { 'in.json': content } });
}

describe('a lone surrogate quarantines its line, not the file (defect 9)', () => {
  it.each([
    ['a lone high surrogate in a value', '{"a":"ok"}\n{"a":"\\ud800"}\n{"a":"fine"}\n', 2],
    ['a lone low surrogate in a value', '{"a":"ok"}\n{"a":"x\\udfffy"}\n{"a":"fine"}\n', 2],
    ['a lone surrogate in a key', '{"a":"ok"}\n{"\\ud83d":"v"}\n{"a":"fine"}\n', 2],
    ['a lone surrogate nested in an object', '{"a":"ok"}\n{"a":{"b":["\\ud800"]}}\n{"a":"fine"}\n', 2],
    ['a reversed surrogate pair on line 3', '{"a":"ok"}\n{"a":"fine"}\n{"a":"\\udc00\\ud800"}\n', 3],
  ])('%s', async (_what, text, line) => {
    cases++;
    const r = await readJson(text);
    expect(r.manifest.errors).toEqual([]);
    expect(r.metric('src')).toMatchObject({ rowsIn: 3, rowsOut: 2, quarantined: 1 });
    const q = await r.quarantine('src');
    expect(q.entries[0]?.sourceLine).toBe(line);
    expect(q.entries[0]?.reasons[0]).toMatch(/lone UTF-16 surrogate/);
    expect(q.entries[0]?.raw).toBe(text.split('\n')[line - 1]);
    expect(JSON.stringify(r.manifest)).not.toMatch(/clean_\d|scratch/);
  });

  it('a valid surrogate pair (an emoji escape) is read', async () => {
    const r = await readJson('{"a":"\\ud83d\\ude00"}\n');
    expect(r.metric('src')).toMatchObject({ rowsOut: 1, quarantined: 0 });
    expect(r.read('out.csv')).toContain('😀');
  });
});

describe('reasons say where (defect 13)', () => {
  it('invalid UTF-8 in an NDJSON line gives its byte offset in the line and the file', async () => {
    cases++;
    const bytes = Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"b'), Buffer.from([0xff]), Buffer.from('"}\n')]);
    const r = await readJson(bytes);
    const q = await r.quarantine('src');
    expect(q.entries[0]?.reasons[0]).toMatch(/not valid UTF-8 at byte 8 of the line \(byte 19 of the file, 0xff\)/);
  });

  it('invalid UTF-8 in a CSV line gives its byte offset in the line', async () => {
    cases++;
    const p = chain([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }]);
    const r = await run(p, { files: { 'in.csv': Buffer.concat([Buffer.from('a,b\n1,x'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]) } });
    const q = await r.quarantine('src');
    expect(q.entries[0]?.reasons[0]).toMatch(/not valid UTF-8 at byte 4 of the line \(0xc3\)/);
  });

  it('a NUL byte in a CSV line gives its field and byte', async () => {
    cases++;
    const p = chain([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }]);
    const r = await run(p, { files: { 'in.csv': Buffer.from('a,b,c\n1,2,3\n4,x\u0000y,6\n') } });
    const q = await r.quarantine('src');
    expect(q.entries[0]?.sourceLine).toBe(3);
    expect(q.entries[0]?.reasons[0]).toMatch(/NUL byte \(field 2, byte 4 of the line\)/);
  });

  it('a JSON array read as NDJSON says to use format "array"', async () => {
    cases++;
    const r = await readJson('[\n  {"a": 1},\n  {"a": 2}\n]\n');
    expect(r.metric('src').error).toMatch(/one JSON array, not one object per line \(NDJSON\); set the source's "format" to "array"/);
    const one = await readJson('[{"a": 1}, {"a": 2}]');
    expect(one.metric('src').error).toMatch(/set the source's "format" to "array"/);
  });

  it('a file of NDJSON with one array line still reads the others', async () => {
    cases++;
    const r = await readJson('[1,2]\n{"a":1}\n');
    expect(r.metric('src')).toMatchObject({ rowsOut: 1, quarantined: 1 });
  });
});
