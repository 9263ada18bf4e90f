// Generated dirty CSV files and random chains of nodes for the "nothing is lost" property test.
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------------------------
// Generated input

export type V = string | number | null;

export type Line =
  | { kind: 'good'; a: string | null; b: string | null; n: string | null; quote: boolean[] }
  | { kind: 'ragged'; fields: string[] }
  | { kind: 'stray'; at: number; closing: boolean }
  | { kind: 'nul' }
  | { kind: 'badutf8' }
  | { kind: 'blank' };

export const A_VALUES = ['x', 'k1', 'kk', 'Alpha', 'a,b', 'say "hi"', ' sp ', 'ü', 'zz'];
export const B_VALUES = ['x', 'y', 'z', 'cancelled', 'Q'];
export const N_VALUES = ['1', '42', '-7', '4.5', '0x10', 'abc', '007', '99999999999', ' 3', '1e3', '+5', '0', '100', '15'];

export const lineArb: fc.Arbitrary<Line> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('good' as const),
      a: fc.option(fc.constantFrom(...A_VALUES), { freq: 5 }),
      b: fc.option(fc.constantFrom(...B_VALUES), { freq: 5 }),
      n: fc.option(fc.constantFrom(...N_VALUES), { freq: 6 }),
      quote: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ragged' as const), fields: fc.array(fc.constantFrom('1', 'x', 'yy', '2.5'), { minLength: 1, maxLength: 7 }).filter((f) => f.length !== 4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stray' as const), at: fc.integer({ min: 0, max: 3 }), closing: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'nul' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'badutf8' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'blank' as const }) },
);

export function field(v: string | null, quote: boolean): string {
  if (v === null) return '';
  const needs = /[",\r\n]/.test(v);
  return needs || quote ? `"${v.replaceAll('"', '""')}"` : v;
}

/** A file's bytes; data line i (0-based) is physical line i + 2. Good lines get id = their line number. */
export function renderCsv(lines: Line[], crlf: boolean): Buffer {
  const nl = crlf ? '\r\n' : '\n';
  const parts: Buffer[] = [Buffer.from(`id,a,b,n${nl}`)];
  lines.forEach((l, i) => {
    const lineNo = i + 2;
    let text: Buffer;
    switch (l.kind) {
      case 'good':
        text = Buffer.from([field(String(lineNo), l.quote[0] ?? false), field(l.a, l.quote[1] ?? false), field(l.b, l.quote[2] ?? false), field(l.n, l.quote[3] ?? false)].join(','));
        break;
      case 'ragged':
        text = Buffer.from(l.fields.join(','));
        break;
      case 'stray': {
        const f = [String(lineNo), 'x', 'y', '1'];
        f[l.at] = l.closing ? `"v"w` : `v"w`;
        text = Buffer.from(f.join(','));
        break;
      }
      case 'nul':
        text = Buffer.from(`${lineNo},a\u0000b,x,1`);
        break;
      case 'badutf8':
        text = Buffer.concat([Buffer.from(`${lineNo},`), Buffer.from([0x4d, 0xfc, 0x6e]), Buffer.from(',x,1')]);
        break;
      case 'blank':
        text = Buffer.alloc(0);
        break;
    }
    parts.push(text, Buffer.from(nl));
  });
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------------------------
// Generated chains, each step with its engine config and its JavaScript meaning

export type Rule =
  | { type: 'not_null'; column: 'a' }
  | { type: 'in_set'; column: 'b'; values: string[] }
  | { type: 'max_length'; column: 'a'; max: number }
  | { type: 'range'; column: 'n'; min: number; max: number }
  | { type: 'regex'; column: 'b'; pattern: string }
  | { type: 'castable_to'; column: 'n'; to: 'INTEGER' }
  | { type: 'unique'; column: 'a' };

export type Step =
  | { kind: 'filter'; expr: number }
  | { kind: 'derive'; expr: number }
  | { kind: 'validate'; rules: { rule: Rule; warn: boolean }[] }
  | { kind: 'deduplicate'; keys: string[]; keep: 'first' | 'last'; orderBy: boolean; duplicates: 'quarantine' | 'filter' }
  | { kind: 'cast' };

export const FILTERS = ['a IS NOT NULL', "b <> 'cancelled'", 'length(a) <= 2', "CAST(n AS VARCHAR) LIKE '%1%'", "id >= '3'"];
export const DERIVES = [
  { name: 'c', expression: 'upper(a)' },
  { name: 'a', expression: "coalesce(a, 'none')" },
  { name: 'b', expression: "b || '!'" },
  { name: 'd', expression: "CAST(n AS VARCHAR) || '#'" },
];

export const ruleArb: fc.Arbitrary<Rule> = fc.constantFrom<Rule>(
  { type: 'not_null', column: 'a' },
  { type: 'in_set', column: 'b', values: ['x', 'y'] },
  { type: 'max_length', column: 'a', max: 2 },
  { type: 'range', column: 'n', min: 0, max: 100 },
  { type: 'regex', column: 'b', pattern: '[a-z]+' },
  { type: 'castable_to', column: 'n', to: 'INTEGER' },
  { type: 'unique', column: 'a' },
);

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('filter' as const), expr: fc.nat(FILTERS.length - 1) }),
  fc.record({ kind: fc.constant('derive' as const), expr: fc.nat(DERIVES.length - 1) }),
  // One rule in five only warns (rows pass).
  fc.record({ kind: fc.constant('validate' as const), rules: fc.array(fc.record({ rule: ruleArb, warn: fc.nat(4).map((x) => x === 0) }), { minLength: 1, maxLength: 3 }) }),
  fc.record({
    kind: fc.constant('deduplicate' as const),
    keys: fc.constantFrom<string[]>(['a'], ['b'], ['a', 'b']),
    keep: fc.constantFrom('first' as const, 'last' as const),
    orderBy: fc.boolean(),
    duplicates: fc.constantFrom('quarantine' as const, 'filter' as const),
  }),
  fc.constant({ kind: 'cast' as const }),
);

export function stepNode(s: Step, id: string): { id: string; kind: string; config: Record<string, unknown> } {
  switch (s.kind) {
    case 'filter':
      return { id, kind: 'filter', config: { expression: FILTERS[s.expr] as string } };
    case 'derive':
      return { id, kind: 'derive', config: { columns: [DERIVES[s.expr]] } };
    case 'validate':
      return { id, kind: 'validate', config: { rules: s.rules.map((r, i) => ({ id: `r${i}_${r.rule.type}`, ...r.rule, severity: r.warn ? 'warn' : 'quarantine' })) } };
    case 'deduplicate':
      return { id, kind: 'deduplicate', config: { keys: s.keys, keep: s.keep, duplicates: s.duplicates, ...(s.orderBy ? { orderBy: 'id' } : {}) } };
    case 'cast':
      return { id, kind: 'cast', config: { types: { n: 'INTEGER' } } };
  }
}
