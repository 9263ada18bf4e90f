// The plain JavaScript meaning of a generated chain, which the engine's results must equal.
import { DERIVES, type Line, type Rule, type Step, type V } from './cases.js';

// ---------------------------------------------------------------------------------------------------------------
// The JavaScript model

export interface Row {
  lineage: string;
  vals: Record<string, V>;
}

export interface NodeModel {
  rowsIn: number;
  out: Row[];
  quarantine: { lineage: string; rules: string[] }[];
  filtered: string[];
}

export const str = (v: V): string | null => (v === null ? null : typeof v === 'number' ? String(v) : v);
export const FLOAT_RE = /^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$/;
export const INT_RE = /^\s*[+-]?[0-9]+\s*$/;
export const num = (v: V): number => (typeof v === 'number' ? v : v !== null && FLOAT_RE.test(v) ? Number(v) : NaN);
export function strictInt(v: V): number | undefined {
  if (typeof v === 'number') return v;
  if (v === null || !INT_RE.test(v)) return undefined;
  const x = Number(v.trim());
  return x >= -2147483648 && x <= 2147483647 ? x : undefined;
}
export const chars = (s: string): number => [...s].length;

/** Lineage of data line i (0-based) of file f: the file's name and the physical line number. */
export const lineageOf = (f: number, i: number): string => `s:f${f}.csv:${i + 2}`;

export function modelSource(files: Line[][]): NodeModel {
  const m: NodeModel = { rowsIn: files.reduce((n, f) => n + f.length, 0), out: [], quarantine: [], filtered: [] };
  files.forEach((lines, f) => lines.forEach((l, i) => {
    const lineage = lineageOf(f, i);
    switch (l.kind) {
      case 'good':
        m.out.push({ lineage, vals: { id: String(i + 2), a: l.a, b: l.b, n: l.n } });
        break;
      case 'blank':
        m.filtered.push(lineage);
        break;
      case 'ragged':
        m.quarantine.push({ lineage, rules: ['ragged_row'] });
        break;
      case 'badutf8':
        m.quarantine.push({ lineage, rules: ['bad_encoding'] });
        break;
      default:
        m.quarantine.push({ lineage, rules: ['malformed'] });
    }
  }));
  return m;
}

export function filterTrue(expr: number, r: Row): boolean {
  const { a, b, n, id } = r.vals as { a: V; b: V; n: V; id: V };
  switch (expr) {
    case 0:
      return a !== null;
    case 1:
      return b !== null && b !== 'cancelled';
    case 2:
      return a !== null && chars(String(a)) <= 2;
    case 3:
      return n !== null && (str(n) as string).includes('1');
    default:
      return id !== null && String(id) >= '3';
  }
}

export function deriveValue(expr: number, r: Row): V {
  const { a, b, n } = r.vals as { a: V; b: V; n: V };
  switch (expr) {
    case 0:
      return a === null ? null : String(a).toUpperCase();
    case 1:
      return a === null ? 'none' : a;
    case 2:
      return b === null ? null : `${String(b)}!`;
    default:
      return n === null ? null : `${str(n) as string}#`;
  }
}

export function ruleFails(rule: Rule, r: Row, rows: Row[]): boolean {
  const v = r.vals[rule.column] ?? null;
  if (v === null) return rule.type === 'not_null';
  switch (rule.type) {
    case 'not_null':
      return false;
    case 'in_set':
      return !rule.values.includes(str(v) as string);
    case 'max_length':
      return chars(str(v) as string) > rule.max;
    case 'range': {
      const x = num(v);
      return Number.isNaN(x) || x < rule.min || x > rule.max;
    }
    case 'regex':
      return !new RegExp(`^(?:${rule.pattern})$`).test(str(v) as string);
    case 'castable_to':
      return strictInt(v) === undefined;
    case 'unique':
      return rows.filter((x) => x.vals[rule.column] === v).length > 1;
  }
}

export function modelStep(s: Step, input: Row[], cols: string[]): { m: NodeModel; cols: string[] } {
  const m: NodeModel = { rowsIn: input.length, out: [], quarantine: [], filtered: [] };
  switch (s.kind) {
    case 'filter':
      for (const r of input) {
        if (filterTrue(s.expr, r)) m.out.push(r);
        else m.filtered.push(r.lineage);
      }
      return { m, cols };
    case 'derive': {
      const d = DERIVES[s.expr] as { name: string };
      m.out = input.map((r) => ({ lineage: r.lineage, vals: { ...r.vals, [d.name]: deriveValue(s.expr, r) } }));
      return { m, cols: cols.includes(d.name) ? cols : [...cols, d.name] };
    }
    case 'validate':
      for (const r of input) {
        const failed = s.rules.flatMap((x, i) => (!x.warn && ruleFails(x.rule, r, input) ? [`r${i}_${x.rule.type}`] : []));
        if (failed.length > 0) m.quarantine.push({ lineage: r.lineage, rules: failed });
        else m.out.push(r);
      }
      return { m, cols };
    case 'deduplicate': {
      const groups = new Map<string, number[]>();
      input.forEach((r, i) => {
        const k = JSON.stringify(s.keys.map((c) => r.vals[c] ?? null));
        groups.set(k, [...(groups.get(k) ?? []), i]);
      });
      const keep = new Set<number>();
      for (const idx of groups.values()) {
        const sorted = [...idx].sort((x, y) => {
          if (s.orderBy) {
            const ix = String(input[x]?.vals['id']);
            const iy = String(input[y]?.vals['id']);
            if (ix !== iy) return (ix < iy ? -1 : 1) * (s.keep === 'first' ? 1 : -1);
          }
          return (x - y) * (s.keep === 'first' ? 1 : -1);
        });
        keep.add(sorted[0] as number);
      }
      input.forEach((r, i) => {
        if (keep.has(i)) m.out.push(r);
        else if (s.duplicates === 'quarantine') m.quarantine.push({ lineage: r.lineage, rules: ['duplicate'] });
        else m.filtered.push(r.lineage);
      });
      return { m, cols };
    }
    case 'cast':
      for (const r of input) {
        const n = r.vals['n'] ?? null;
        const x = n === null ? null : strictInt(n);
        if (x === undefined) m.quarantine.push({ lineage: r.lineage, rules: ['type:n'] });
        else m.out.push({ lineage: r.lineage, vals: { ...r.vals, n: x } });
      }
      return { m, cols };
  }
}
