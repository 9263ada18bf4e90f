// Quarantine entries as the inspector shows and exports them.
import type { QuarantineEntry } from '@sluice/format/api/contract';

export interface RuleCount {
  rule: string;
  count: number;
}

/** Counts per rule, most frequent first; an entry failing two rules counts under both (as the engine's byRule does). */
export function countByRule(entries: readonly QuarantineEntry[]): RuleCount[] {
  const counts = new Map<string, number>();
  for (const e of entries) for (const r of e.ruleIds) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([rule, count]) => ({ rule, count })).sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
}

export function fromRecord(byRule: Readonly<Record<string, number>>): RuleCount[] {
  return Object.entries(byRule)
    .map(([rule, count]) => ({ rule, count }))
    .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * RFC 4180 CSV, one line per quarantined row: one column per source column (in the order the rows carry them),
 * then the rule, the reason and the source line, then lineage and the raw text of a malformed line. Values are
 * written exactly (no spreadsheet-formula escaping): the file is evidence of what arrived, and altering it
 * would defeat the point.
 */
export function quarantineCsv(entries: readonly QuarantineEntry[]): string {
  const values = entries.map((e) => (e.row === null ? [] : rowValues(e.row)));
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of values) {
    for (const [k] of row) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  // A source column named like one of ours keeps its own name; ours take a prefix instead.
  const own = ['rule', 'reason', 'line', 'lineage', 'raw'].map((c) => (seen.has(c) ? `_quarantine_${c}` : c));
  const header = [...columns, ...own];
  const lines = entries.map((e, i) => {
    const byKey = new Map(values[i]);
    return [...columns.map((c) => text(byKey.get(c))), e.ruleIds.join('; '), e.reasons.join('; '), e.sourceLine === null ? '' : String(e.sourceLine), e.lineage, e.raw ?? '']
      .map(csvField)
      .join(',');
  });
  return `${[header.map(csvField).join(','), ...lines].join('\r\n')}\r\n`;
}

/** A row's values for display, in the row's own key order; unparseable JSON is shown as one raw value. */
export function rowValues(row: string): [string, unknown][] {
  try {
    const v: unknown = JSON.parse(row);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v);
  } catch {
    // fall through
  }
  return [['row', row]];
}
