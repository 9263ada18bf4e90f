// validate: all rules in one pass; a failing row carries every rule it failed. Severity decides between
// quarantine, a warning, and failing the run (a quality gate).
import { describe, expect, it } from 'vitest';
import type { QuarantineEntry } from '@sluice/format/api/contract';
import { counts, duck, expectSucceeded, parseCsv, pipeline, run, sq, tmpDir } from '../helpers.js';

const PEOPLE = [
  'id,email,age,country,code,ref',
  '1,a@x.io,34,DE,AB1,r1', // line 2: email not unique
  '2,,17,FR,AB2,r2', // line 3: email missing, age out of range
  '3,b@x,130,XX,TOOLONG,r9', // line 4: range, regex, in_set, max_length, lookup
  '4,a@x.io,abc,DE,AB4,', // line 5: not unique, range (not a number), castable
  '5,c@x.io,,US,AB5,r1', // line 6: expression
  '6,d@x.io,40,FR,AB6,r2', // line 7: valid
  '',
].join('\n');
const REFS = 'key,label\nr1,one\nr2,two\n';

const ALL_RULES = [
  { id: 'email_required', type: 'not_null', column: 'email' },
  { id: 'email_unique', type: 'unique', column: 'email' },
  { id: 'age_range', type: 'range', column: 'age', min: 18, max: 120 },
  { id: 'email_format', type: 'regex', column: 'email', pattern: '[^@]+@[^@]+\\.[a-z]+' },
  { id: 'known_country', type: 'in_set', column: 'country', values: ['DE', 'FR', 'US'] },
  { id: 'code_len', type: 'max_length', column: 'code', max: 3 },
  { id: 'age_int', type: 'castable_to', column: 'age', to: 'INTEGER' },
  { id: 'no_us', type: 'expression', expression: "country <> 'US'", message: 'US orders are handled elsewhere' },
  { id: 'ref_known', type: 'lookup', column: 'ref', referenceColumn: 'key' },
];

const withValidate = (rules: unknown[], opts: { reference?: boolean } = {}) =>
  pipeline(
    [
      { id: 'src', kind: 'source.csv', config: { path: 'people.csv' } },
      { id: 'refs', kind: 'source.csv', config: { path: 'refs.csv' } },
      { id: 'v', kind: 'validate', config: { rules } },
      { id: 'good', kind: 'sink.csv', config: { path: 'good.csv', includeLineage: true } },
      { id: 'bad', kind: 'sink.csv', config: { path: 'bad.csv' } },
    ],
    ['src -> v', ...(opts.reference === false ? [] : ['refs -> v.reference']), 'v.valid -> good', 'v.quarantine -> bad'],
  );

const FILES = { 'people.csv': PEOPLE, 'refs.csv': REFS };
const byLine = (entries: QuarantineEntry[]): QuarantineEntry[] => [...entries].sort((a, b) => (a.sourceLine ?? 0) - (b.sourceLine ?? 0));

describe('validate', () => {
  it('evaluates every rule kind, and a row failing several rules carries all their ids and reasons', async () => {
    const r = await run(withValidate(ALL_RULES), { files: FILES });
    expectSucceeded(r);
    const m = r.metric('v');
    expect(counts(m)).toEqual({ status: 'warning', rowsIn: 6, rowsOut: 1, quarantined: 5, filtered: 0 });
    expect(m.outputs).toEqual({ valid: 1, quarantine: 5 });
    expect(parseCsv(r.read('good.csv'))).toEqual([
      ['__lineage', 'id', 'email', 'age', 'country', 'code', 'ref'],
      ['src:people.csv:7', '6', 'd@x.io', '40', 'FR', 'AB6', 'r2'],
    ]);
    const q = await r.quarantine('v');
    expect(q.total).toBe(5);
    expect(byLine(q.entries).map((e) => [e.lineage, e.ruleIds])).toEqual([
      ['src:people.csv:2', ['email_unique']],
      ['src:people.csv:3', ['email_required', 'age_range']],
      ['src:people.csv:4', ['age_range', 'email_format', 'known_country', 'code_len', 'ref_known']],
      ['src:people.csv:5', ['email_unique', 'age_range', 'age_int']],
      ['src:people.csv:6', ['no_us']],
    ]);
    expect(byLine(q.entries)[2]?.reasons).toEqual([
      'age is outside 18..120',
      'email does not match [^@]+@[^@]+\\.[a-z]+',
      'country is not one of DE, FR, US',
      'code is longer than 3 characters',
      'ref has no match in reference column key',
    ]);
    expect(byLine(q.entries)[1]?.reasons).toEqual(['email is missing', 'age is outside 18..120']);
    expect(byLine(q.entries)[3]?.reasons).toEqual(['email is not unique', 'age is outside 18..120', 'age is not a valid INTEGER']);
    expect(byLine(q.entries)[4]?.reasons).toEqual(['US orders are handled elsewhere']);
    expect(JSON.parse(byLine(q.entries)[0]?.row as string)).toEqual({ id: '1', email: 'a@x.io', age: '34', country: 'DE', code: 'AB1', ref: 'r1' });
    expect(q.byRule).toEqual({ age_range: 3, email_unique: 2, age_int: 1, code_len: 1, email_format: 1, email_required: 1, known_country: 1, no_us: 1, ref_known: 1 });
    expect((await r.quarantine('v', 'age_range')).total).toBe(3);
    // The quarantine port carries the rows with their rule lists, so they can be written out.
    const bad = parseCsv(r.read('bad.csv'));
    expect(bad[0]).toEqual(['id', 'email', 'age', 'country', 'code', 'ref', '__rule_ids', '__reasons']);
    expect(bad.slice(1).find((x) => x[0] === '2')?.[6]).toBe('[email_required, age_range]');
    expect(counts(r.metric('bad'))).toMatchObject({ rowsIn: 5 });
    // The reference input is read, not consumed.
    expect(r.metric('refs').rowsOut).toBe(2);
  });

  it('severity "warn" lets rows pass and reports a warning per rule', async () => {
    const r = await run(
      withValidate([
        { id: 'adult', type: 'range', column: 'age', min: 18, severity: 'warn' },
        { id: 'email_required', type: 'not_null', column: 'email' },
      ]),
      { files: FILES },
    );
    expectSucceeded(r);
    const m = r.metric('v');
    expect(counts(m)).toEqual({ status: 'warning', rowsIn: 6, rowsOut: 5, quarantined: 1, filtered: 0 });
    expect(m.warnings).toEqual(['rule "adult": 2 row(s) age is outside 18..∞']);
    const q = await r.quarantine('v');
    // Line 3 fails both, but only the quarantining rule is listed.
    expect(q.entries.map((e) => [e.sourceLine, e.ruleIds])).toEqual([[3, ['email_required']]]);
  });

  it('severity "warn" alone passes every row', async () => {
    const r = await run(withValidate([{ id: 'w', type: 'not_null', column: 'email', severity: 'warn' }]), { files: FILES });
    expectSucceeded(r);
    expect(counts(r.metric('v'))).toEqual({ status: 'warning', rowsIn: 6, rowsOut: 6, quarantined: 0, filtered: 0 });
  });

  it('severity "fail" fails the run as a quality gate, and nothing downstream is written', async () => {
    const r = await run(withValidate([{ id: 'known_country', type: 'in_set', column: 'country', values: ['DE', 'FR', 'US'], severity: 'fail' }]), { files: FILES });
    expect(r.manifest.outcome).toBe('gate_failed');
    expect(r.metric('v').status).toBe('failed');
    expect(r.manifest.errors).toEqual(['node "v" (validate): quality gate failed: rule "known_country" (country is not one of DE, FR, US) failed for 1 row(s)']);
    expect(r.metric('good').status).toBe('skipped');
    expect(r.exists('good.csv')).toBe(false);
  });

  it('severity "fail" that no row trips lets the run succeed', async () => {
    const r = await run(withValidate([{ id: 'has_id', type: 'not_null', column: 'id', severity: 'fail' }]), { files: FILES });
    expectSucceeded(r);
    expect(counts(r.metric('v'))).toMatchObject({ rowsOut: 6, quarantined: 0 });
  });

  it('a lookup rule needs the reference input', async () => {
    const r = await run(withValidate([{ id: 'ref_known', type: 'lookup', column: 'ref', referenceColumn: 'key' }], { reference: false }), { files: FILES });
    expect(r.manifest.errors[0]).toBe('node "v" (validate), field "rules[0]": rules[0]: a lookup rule needs the "reference" input connected');
  });

  it('refuses duplicate rule ids, invalid regexes and unknown columns with the rule index', async () => {
    const dup = await run(withValidate([{ id: 'a', type: 'not_null', column: 'id' }, { id: 'a', type: 'not_null', column: 'email' }]), { files: FILES });
    expect(dup.manifest.errors[0]).toBe('node "v" (validate), field "rules[1].id": rules[1].id "a" is used by another rule');
    const re = await run(withValidate([{ id: 'r', type: 'regex', column: 'email', pattern: '(' }]), { files: FILES });
    expect(re.manifest.errors[0]).toMatch(/^node "v" \(validate\), field "rules\[0\]\.pattern": rules\[0\]\.pattern is not a valid regular expression \(.*missing \)/);
    const col = await run(withValidate([{ id: 'r', type: 'not_null', column: 'mail' }]), { files: FILES });
    expect(col.manifest.errors[0]).toMatch(/^node "v" \(validate\), field "rules\[0\]\.column": "rules\[0\]\.column" names column "mail"/);
  });

  it('when another node also reads its input, validate leaves that input whole and gives the same results', async () => {
    // Alone, validate takes its input table over and deletes the failing rows in place; here the sink "all"
    // reads the same rows, so validate must work on a copy.
    const shared = pipeline(
      [
        { id: 'src', kind: 'source.csv', config: { path: 'people.csv' } },
        { id: 'refs', kind: 'source.csv', config: { path: 'refs.csv' } },
        { id: 'v', kind: 'validate', config: { rules: ALL_RULES } },
        { id: 'good', kind: 'sink.csv', config: { path: 'good.csv', includeLineage: true } },
        { id: 'bad', kind: 'sink.csv', config: { path: 'bad.csv' } },
        { id: 'all', kind: 'sink.csv', config: { path: 'all.csv' } },
      ],
      ['src -> v', 'refs -> v.reference', 'v.valid -> good', 'v.quarantine -> bad', 'src -> all'],
    );
    const alone = await run(withValidate(ALL_RULES), { files: FILES });
    const both = await run(shared, { files: FILES });
    expectSucceeded(both);
    expect(parseCsv(both.read('all.csv'))).toHaveLength(7);
    expect(both.read('good.csv')).toBe(alone.read('good.csv'));
    expect(both.read('bad.csv')).toBe(alone.read('bad.csv'));
    expect(counts(both.metric('v'))).toEqual(counts(alone.metric('v')));
    expect((await both.quarantine('v')).entries).toEqual((await alone.quarantine('v')).entries);
  });

  it('keeps the valid rows in input order when most rows fail a lookup', async () => {
    const lines = ['id,ref', ...Array.from({ length: 3000 }, (_, i) => `${i},${i % 7 === 0 ? 'r1' : 'zz'}`), ''];
    const r = await run(withValidate([{ id: 'ref_known', type: 'lookup', column: 'ref', referenceColumn: 'key' }]), { files: { 'people.csv': lines.join('\n'), 'refs.csv': REFS } });
    expectSucceeded(r);
    const ids = parseCsv(r.read('good.csv')).slice(1).map((row) => Number(row[1]));
    expect(ids).toEqual(Array.from({ length: 3000 }, (_, i) => i).filter((i) => i % 7 === 0));
    const bad = parseCsv(r.read('bad.csv')).slice(1).map((row) => Number(row[0]));
    expect(bad).toEqual(Array.from({ length: 3000 }, (_, i) => i).filter((i) => i % 7 !== 0));
  });

  it('a range rule without bounds is refused', async () => {
    const r = await run(withValidate([{ id: 'r', type: 'range', column: 'age' }]), { files: FILES });
    expect(r.manifest.errors[0]).toMatch(/range rule needs "min", "max" or both/);
  });
});

// Rules written by this version (kindVersion 3): an unstamped node is read as version 1 and migrated.
const v3 = (rules: unknown[], files: { 'in.csv': string; types?: Record<string, string> }) => {
  const doc = pipeline(
    [
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv', ...(files.types ? { types: files.types } : {}) } },
      { id: 'v', kind: 'validate', config: { rules } },
      { id: 'good', kind: 'sink.csv', config: { path: 'good.csv' } },
    ],
    ['src -> v', 'v.valid -> good'],
  );
  (doc['nodes'] as Record<string, unknown>[])[1]!['kindVersion'] = 3;
  return run(doc, { files: { 'in.csv': files['in.csv'] } });
};
const failedLines = async (r: Awaited<ReturnType<typeof run>>) => byLine((await r.quarantine('v')).entries).map((e) => e.sourceLine);

describe('validate: semantics without SQL nodes (version 3)', () => {
  const KEYS = 'k,n\na,1\nb,2\na,3\n,4\n,5\na,6\n';

  it('unique keep "first" passes the first occurrence by input order, "last" the last, "none" none', async () => {
    const first = await v3([{ id: 'u', type: 'unique', column: 'k' }], { 'in.csv': KEYS });
    expectSucceeded(first);
    expect(await failedLines(first)).toEqual([4, 7]);
    expect((await first.quarantine('v')).entries[0]?.reasons).toEqual(['k repeats the value of an earlier row']);
    expect(await failedLines(await v3([{ id: 'u', type: 'unique', column: 'k', keep: 'last' }], { 'in.csv': KEYS }))).toEqual([2, 4]);
    expect(await failedLines(await v3([{ id: 'u', type: 'unique', column: 'k', keep: 'none' }], { 'in.csv': KEYS }))).toEqual([2, 4, 7]);
  });

  it('unique nullKeys "equal" judges NULLs as one value; nulls "fail" fails every NULL', async () => {
    expect(await failedLines(await v3([{ id: 'u', type: 'unique', column: 'k', nullKeys: 'equal' }], { 'in.csv': KEYS }))).toEqual([4, 6, 7]);
    expect(await failedLines(await v3([{ id: 'u', type: 'unique', column: 'k', nulls: 'fail' }], { 'in.csv': KEYS }))).toEqual([4, 5, 6, 7]);
  });

  it('a file saved at version 2 keeps unique failing every occurrence', async () => {
    const doc = withValidate([{ id: 'u', type: 'unique', column: 'email' }], { reference: false });
    (doc['nodes'] as Record<string, unknown>[])[2]!['kindVersion'] = 2;
    const r = await run(doc, { files: FILES });
    expect(await failedLines(r)).toEqual([2, 5]);
  });

  it('nulls "fail" makes regex, in_set and castable_to fail a NULL; "pass" (default) lets it through', async () => {
    const csv = 'a,b\nx,1\n,2\n';
    for (const r of [
      { type: 'regex', pattern: 'x' },
      { type: 'in_set', values: ['x'] },
      { type: 'castable_to', to: 'VARCHAR' },
    ]) {
      expect(await failedLines(await v3([{ id: 'r', column: 'a', ...r, nulls: 'fail' }], { 'in.csv': csv })), r.type).toEqual([3]);
      expect(await failedLines(await v3([{ id: 'r', column: 'a', ...r }], { 'in.csv': csv })), r.type).toEqual([]);
    }
  });

  it('castable_to with a format accepts only values written exactly in it, and converts them', async () => {
    const csv = 't\n2025-01-01 10:00:00\n2025-01-01 10:00\n2025-01-01\n2025-01-01T10:00:00\n2025-1-01 10:00:00\n2025-01-01 10:00:00.5\n 2025-01-01 10:00:00\n2025-02-30 10:00:00\n';
    const r = await v3([{ id: 'ts', type: 'castable_to', column: 't', to: 'TIMESTAMP', format: '%Y-%m-%d %H:%M:%S' }], { 'in.csv': csv });
    expectSucceeded(r);
    expect(await failedLines(r)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect((await r.quarantine('v')).entries[0]?.reasons).toEqual(['t is not a valid TIMESTAMP in the format %Y-%m-%d %H:%M:%S']);
    expect(r.read('good.csv')).toBe('t\n2025-01-01 10:00:00\n');
    const d = await v3([{ id: 'd', type: 'castable_to', column: 't', to: 'DATE', format: '%d/%m/%Y' }], { 'in.csv': 't\n31/12/2025\n2025-12-31\n1/12/2025\n' });
    expect(await failedLines(d)).toEqual([3, 4]);
    expect(d.read('good.csv')).toBe('t\n2025-12-31\n');
  });

  it('a converted column keeps its input text in the quarantine, also for a row only a rule across rows failed', async () => {
    // "1.5" leaves converted to 1.50; line 4 fails only the uniqueness of k (a rule across rows) and line 5 only
    // the conversion: both show the text the input had, and the valid rows keep their order. Line 6 repeats b with
    // a value its converted form writes back exactly ("2.50"), which the pass does not keep twice.
    const csv = 'k,amount\na,1.5\nb,2.50\na, 7\nc,x\nb,2.50\n';
    const r = await v3(
      [
        { id: 'num', type: 'castable_to', column: 'amount', to: 'DECIMAL(12,2)' },
        { id: 'u', type: 'unique', column: 'k' },
      ],
      { 'in.csv': csv },
    );
    expectSucceeded(r);
    const entries = byLine((await r.quarantine('v')).entries);
    expect(entries.map((e) => [e.sourceLine, e.ruleIds, JSON.parse(e.row ?? '{}')])).toEqual([
      [4, ['u'], { k: 'a', amount: ' 7' }],
      [5, ['num'], { k: 'c', amount: 'x' }],
      [6, ['u'], { k: 'b', amount: '2.50' }],
    ]);
    expect(r.read('good.csv')).toBe('k,amount\na,1.50\nb,2.50\n');
  });

  it('a format on a non-date type or with an unknown specifier is refused, naming the field', async () => {
    const wrong = await v3([{ id: 'x', type: 'castable_to', column: 't', to: 'INTEGER', format: '%Y' }], { 'in.csv': 't\n1\n' });
    expect(wrong.manifest.errors.join('\n')).toMatch(/rules\[0\]\.format.*DATE and TIMESTAMP only/);
    const bad = await v3([{ id: 'x', type: 'castable_to', column: 't', to: 'DATE', format: '%Q' }], { 'in.csv': 't\n1\n' });
    expect(bad.manifest.errors.join('\n')).toMatch(/rules\[0\]\.format is not a valid strptime format/);
  });

  it('range compares in the column type: NaN and the infinities fail, for text and DOUBLE columns alike', async () => {
    const csv = 'x\n1\nnan\ninf\n-inf\n-1\n5\n';
    expect(await failedLines(await v3([{ id: 'r', type: 'range', column: 'x', min: 0 }], { 'in.csv': csv }))).toEqual([3, 4, 5, 6]);
    // A typed source refuses non-finite numbers, so the DOUBLE column is made by a derive.
    const doc = pipeline(
      [
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'd', kind: 'derive', config: { columns: [{ name: 'x', expression: 'CAST(x AS DOUBLE)' }] } },
        { id: 'v', kind: 'validate', config: { rules: [{ id: 'r', type: 'range', column: 'x', min: 0 }] } },
        { id: 'good', kind: 'sink.csv', config: { path: 'good.csv' } },
      ],
      ['src -> d', 'd -> v', 'v.valid -> good'],
    );
    (doc['nodes'] as Record<string, unknown>[])[2]!['kindVersion'] = 3;
    const typed = await run(doc, { files: { 'in.csv': csv } });
    expectSucceeded(typed);
    expect(await failedLines(typed)).toEqual([3, 4, 5, 6]);
    const big = await v3([{ id: 'r', type: 'range', column: 'x', max: 9007199254740992 }], { 'in.csv': 'x\n9007199254740993\n9007199254740992\n', types: { x: 'BIGINT' } });
    expect(await failedLines(big)).toEqual([2]);
  });
});

describe('validate: user columns named like its helper columns', () => {
  it('a column named "__f0" does not hide the first rule\'s failures (or is refused by name)', async () => {
    const p = pipeline(
      [
        { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
        { id: 'x', kind: 'derive', config: { columns: [{ name: '__f0', expression: 'false' }] } },
        { id: 'v', kind: 'validate', config: { rules: [{ id: 'a_required', type: 'not_null', column: 'a' }] } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ],
      ['src -> x', 'x -> v', 'v.valid -> out'],
    );
    const r = await run(p, { files: { 'data.csv': 'id,a\n1,x\n2,\n' } });
    if (r.manifest.outcome === 'succeeded') {
      expect(counts(r.metric('v'))).toMatchObject({ rowsIn: 2, rowsOut: 1, quarantined: 1 });
    } else {
      expect(r.manifest.errors[0]).toMatch(/__f0/);
      expect(r.manifest.errors[0]).not.toMatch(/Binder Error/);
    }
  });
});

describe('validate: input order over several row groups', () => {
  // 300,000 rows are three row groups of DuckDB's 122,880: rows stored out of order (as a join may store them)
  // would move whole groups, so the first occurrence of a key would no longer be the first by input order. Rows
  // 299,001..300,000 repeat the keys of rows 1..1,000.
  const N = 300_000;
  // Made once for every case (each run writes only its own good.parquet there, one after another).
  let input: Promise<string> | undefined;
  const makeInput = (): Promise<string> => (input ??= (async () => {
    const base = tmpDir('sluice-base-');
    await duck(
      `COPY (SELECT i, CASE WHEN i > ${N - 1000} THEN i - ${N - 1000} ELSE i END AS k, chr(CAST(97 + i % 8 AS INTEGER)) AS c, printf('%d.5', i % 1000) AS amount FROM range(1, ${N + 1}) t(i)) TO ${sq(`${base}/data.parquet`)} (FORMAT parquet)`,
    );
    return base;
  })());
  const UNIQUE = { id: 'k_unique', type: 'unique', column: 'k', keep: 'first' };
  const LETTERS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const cases: [string, unknown[], boolean][] = [
    // One pass from the source's view: judged, converted and stored in one statement; an in_set of 8 values.
    ['one pass, with a conversion', [UNIQUE, { id: 'c_known', type: 'in_set', column: 'c', values: LETTERS }, { id: 'amount_num', type: 'castable_to', column: 'amount', to: 'DECIMAL(12,2)' }], false],
    // An expression with an IN list of 8 values is planned by DuckDB as a join: judged on rows stored in order.
    ['an IN list in an expression rule', [UNIQUE, { id: 'c_in', type: 'expression', expression: `c IN (${LETTERS.map((x) => `'${x}'`).join(', ')})` }, { id: 'amount_num', type: 'castable_to', column: 'amount', to: 'DECIMAL(12,2)' }], false],
    // A sorted table that validate takes over: judged in place without a conversion, in one pass with one.
    ['in place, after a sort', [UNIQUE, { id: 'c_known', type: 'in_set', column: 'c', values: LETTERS }], true],
    ['one pass from a table it takes over', [UNIQUE, { id: 'amount_num', type: 'castable_to', column: 'amount', to: 'DECIMAL(12,2)' }], true],
  ];
  it.each(cases)('unique keep "first" passes the first occurrence by input order: %s', async (_, rules, sorted) => {
    const base = await makeInput();
    const doc = pipeline(
      [
        { id: 'pq', kind: 'source.parquet', config: { path: 'data.parquet' } },
        ...(sorted ? [{ id: 's', kind: 'sort', config: { by: [{ column: 'i' }] } }] : []),
        { id: 'v', kind: 'validate', config: { rules } },
        { id: 'good', kind: 'sink.parquet', config: { path: 'good.parquet' } },
      ],
      [...(sorted ? ['pq -> s', 's -> v'] : ['pq -> v']), 'v.valid -> good'],
    );
    (doc['nodes'] as Record<string, unknown>[]).find((n) => n['id'] === 'v')!['kindVersion'] = 3;
    const r = await run(doc, { baseDir: base });
    expectSucceeded(r);
    expect(counts(r.metric('v'))).toMatchObject({ rowsIn: N, rowsOut: N - 1000, quarantined: 1000 });
    const q = await r.quarantine('v');
    const failed = q.entries.map((e) => Number(JSON.parse(e.row ?? '{}').i)).sort((a, b) => a - b);
    expect(failed).toEqual(Array.from({ length: 1000 }, (_, j) => N - 999 + j));
    expect(q.entries.every((e) => e.ruleIds.join() === 'k_unique')).toBe(true);
    // The valid rows (those before the repeats) leave in input order, the amount converted where a rule proved it.
    const [good] = await duck<{ n: bigint; unordered: bigint; first: string; type: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE i <> file_row_number + 1) AS unordered, any_value(CAST(amount AS VARCHAR)) FILTER (WHERE i = 1) AS first, min(typeof(amount)) AS type FROM read_parquet(${sq(`${base}/good.parquet`)}, file_row_number = true)`,
    );
    expect(good).toEqual({ n: BigInt(N - 1000), unordered: 0n, first: (rules as { type: string }[]).some((x) => x.type === 'castable_to') ? '1.50' : '1.5', type: (rules as { type: string }[]).some((x) => x.type === 'castable_to') ? 'DECIMAL(12,2)' : 'VARCHAR' });
  });
});
