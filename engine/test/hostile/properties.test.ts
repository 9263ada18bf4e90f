// Properties of the two defences every hostile name and path goes through:
// - quoting: for any string, `SELECT qlit(s)` gives back s and `CREATE TABLE qi(s)` creates a table named s, in a
//   real DuckDB; a NUL, which DuckDB would cut the string at, is refused explicitly;
// - paths: whatever a pipeline writes (`..`, `.`, absolute paths, symlinks in and out of the root, globs), the
//   path resolveInside returns is inside the root once every symlink on it is followed, or it throws a user error.
// At least 1000 runs each (SLUICE_PROPERTY_RUNS raises it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qi, qlit } from '../../src/sql/quote.js';
import { isInside, resolveInside } from '../../src/runtime/paths.js';
import { UserError } from '../../src/runtime/exec-context.js';
import { tmpDir } from '../helpers.js';

const RUNS = Math.max(1000, Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 0));
const ran: Record<string, number> = {};

afterAll(() => {
  console.log(`hostile properties: ${Object.entries(ran).map(([k, n]) => `${k} ${n} runs`).join(', ')}; 0 failures`);
});

/** Characters that break naive quoting, mixed with any code point at all. */
const hostileUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("'", '"', "''", '""', '`', ';', '\\', '\n', '\r', '--', '/*', '*/', '$1', '?', '\u2028', '\ufeff', '\u0301', 'é', 'ß', 'İ', '☃', '😀') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const hostile = fc.string({ unit: hostileUnit, maxLength: 24 });

describe('quoting round-trips through DuckDB', () => {
  let inst: DuckDBInstance;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    inst = await DuckDBInstance.create(':memory:');
    conn = await inst.connect();
  });
  afterAll(() => {
    conn.closeSync();
    inst.closeSync();
  });
  // Compared inside DuckDB against the string bound as a parameter: reading text back into JavaScript would drop
  // a leading U+FEFF (the client decodes with a BOM-stripping TextDecoder), which is not what is being tested.
  const sqlTrue = async (sql: string, s: string): Promise<boolean> => (await conn.runAndReadAll(sql, { s })).getRowsJS()[0]?.[0] === true;

  it(`SELECT qlit(s) returns s; a NUL is refused (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (s) => {
        if (s.includes('\u0000')) {
          expect(() => qlit(s)).toThrow(/NUL/);
          return;
        }
        expect(await sqlTrue(`SELECT ${qlit(s)} = $s AND octet_length(encode(${qlit(s)})) = octet_length(encode($s))`, s)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    ran['qlit'] = RUNS;
  });

  it(`CREATE TABLE qi(s) and a column qi(s) are named exactly s; a NUL is refused (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(hostile.filter((s) => s.length > 0), async (s) => {
        if (s.includes('\u0000')) {
          expect(() => qi(s)).toThrow(/NUL/);
          return;
        }
        await conn.run(`CREATE TABLE ${qi(s)} (${qi(s)} INTEGER)`);
        try {
          expect(await sqlTrue('SELECT count(*) = 1 AND bool_and(table_name = $s) FROM duckdb_tables()', s)).toBe(true);
          expect(await sqlTrue(`SELECT count(*) = 1 AND bool_and(column_name = $s) FROM (DESCRIBE ${qi(s)})`, s)).toBe(true);
        } finally {
          await conn.run(`DROP TABLE ${qi(s)}`);
        }
      }),
      { numRuns: RUNS },
    );
    ran['qi'] = RUNS;
  });
});

describe('resolved paths never escape their root', () => {
  // root/ holds real folders a/b and links: in → a (stays inside), out → a sibling folder, up → root's parent,
  // loop → itself, file-out → a file outside. outside/ is the sibling the links try to reach.
  let root: string;
  let outside: string;
  beforeAll(() => {
    const top = fs.realpathSync(tmpDir('sluice-prop-paths-'));
    root = path.join(top, 'root');
    outside = path.join(top, 'outside');
    fs.mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.csv'), 'x\n');
    fs.writeFileSync(path.join(root, 'a', 'data.csv'), 'x\n');
    fs.symlinkSync(path.join(root, 'a'), path.join(root, 'in'));
    fs.symlinkSync(outside, path.join(root, 'out'));
    fs.symlinkSync('..', path.join(root, 'a', 'up'));
    fs.symlinkSync('../..', path.join(root, 'a', 'b', 'upup'));
    fs.symlinkSync(path.join(root, 'loop'), path.join(root, 'loop'));
    fs.symlinkSync(path.join(outside, 'secret.csv'), path.join(root, 'file-out.csv'));
  });

  const segment = fc.oneof(
    fc.constantFrom('..', '.', '', 'a', 'b', 'in', 'out', 'up', 'upup', 'loop', 'file-out.csv', 'data.csv', 'secret.csv', 'outside', 'root', '*', '**', '...', '%2e%2e', '~', ' .. '),
    fc.string({ unit: 'grapheme-ascii', maxLength: 4 }).filter((s) => !s.includes('/') && !s.includes('\u0000')),
  );
  const rawPath = fc.tuple(fc.constantFrom('', '/', 'ROOT/', 'OUTSIDE/', './'), fc.array(segment, { maxLength: 7 }), fc.boolean());

  /** Follow every symlink on the existing part of p, as the operating system would when the path is opened. */
  function physical(p: string): string | undefined {
    let cur = p;
    const rest: string[] = [];
    for (;;) {
      try {
        return path.join(fs.realpathSync(cur), ...rest.reverse());
      } catch (e) {
        // A symlink loop cannot be opened at all: no escape through it.
        if ((e as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
        rest.push(path.basename(cur));
        const parent = path.dirname(cur);
        if (parent === cur) return p;
        cur = parent;
      }
    }
  }

  it(`resolveInside returns a path that stays inside its root after every symlink, or refuses it (${RUNS} runs)`, () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(rawPath, fc.constantFrom('', 'a', 'a/b'), ([prefix, segs, trailingSlash], baseRel) => {
        const start = prefix === 'ROOT/' ? `${root}/` : prefix === 'OUTSIDE/' ? `${outside}/` : prefix;
        const p = `${start}${segs.join('/')}${trailingSlash ? '/' : ''}`;
        if (p === '') return;
        const base = path.join(root, baseRel);
        let resolved: string;
        try {
          resolved = resolveInside(base, [root], p, { nodeId: 'n', field: 'path' });
        } catch (e) {
          expect(e).toBeInstanceOf(UserError);
          expect((e as UserError).where).toEqual({ nodeId: 'n', field: 'path' });
          refused++;
          return;
        }
        accepted++;
        expect(path.isAbsolute(resolved)).toBe(true);
        expect(isInside(resolved, root)).toBe(true);
        const real = physical(resolved);
        if (real !== undefined) expect(isInside(real, root)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    // Both answers occur, so the property says something about each.
    expect(accepted).toBeGreaterThan(RUNS / 20);
    expect(refused).toBeGreaterThan(RUNS / 20);
    ran['resolveInside'] = RUNS;
  });

  it(`plain relative paths through real folders are never refused (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '.', 'x', 'data.csv', 'new'), { minLength: 1, maxLength: 6 }), (segs) => {
        const resolved = resolveInside(root, [root], segs.join('/'), { nodeId: 'n', field: 'path' });
        expect(resolved).toBe(path.resolve(root, ...segs));
      }),
      { numRuns: RUNS },
    );
    ran['resolveInside (plain paths)'] = RUNS;
  });
});
