// Two runs side by side: per node and per rule, the counts of each and the change. Pure (types only), so the
// designer's Runs view uses the same comparison as `sluice runs diff`.
import type { RunManifest } from '../api/contract.js';

export interface NodeDelta {
  nodeId: string;
  a: { rowsIn: number; rowsOut: number; quarantined: number; filtered: number; durationMs: number; status: string } | undefined;
  b: { rowsIn: number; rowsOut: number; quarantined: number; filtered: number; durationMs: number; status: string } | undefined;
}

export interface RuleDelta {
  nodeId: string;
  rule: string;
  a: number;
  b: number;
}

export interface RunDiff {
  a: string;
  b: string;
  nodes: NodeDelta[];
  rules: RuleDelta[];
  quality: { a: number | null; b: number | null };
}

export function diffRuns(a: RunManifest, b: RunManifest): RunDiff {
  const pick = (m: RunManifest, id: string) => {
    const n = m.nodes.find((x) => x.nodeId === id);
    return n ? { rowsIn: n.rowsIn, rowsOut: n.rowsOut, quarantined: n.quarantined, filtered: n.filtered, durationMs: n.durationMs, status: n.status } : undefined;
  };
  const ids = [...new Set([...a.nodes.map((n) => n.nodeId), ...b.nodes.map((n) => n.nodeId)])];
  const rules: RuleDelta[] = [];
  const ruleKeys = new Set<string>();
  for (const m of [a, b]) for (const [node, rs] of Object.entries(m.rules ?? {})) for (const r of Object.keys(rs)) ruleKeys.add(JSON.stringify([node, r]));
  // Rules that failed no row in either run appear in neither record; those that did are listed.
  for (const k of [...ruleKeys].sort()) {
    const [nodeId, rule] = JSON.parse(k) as [string, string];
    rules.push({ nodeId, rule, a: a.rules?.[nodeId]?.[rule] ?? 0, b: b.rules?.[nodeId]?.[rule] ?? 0 });
  }
  return { a: a.runId, b: b.runId, nodes: ids.map((nodeId) => ({ nodeId, a: pick(a, nodeId), b: pick(b, nodeId) })), rules, quality: { a: a.quality?.score ?? null, b: b.quality?.score ?? null } };
}

export function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `${n}` : '0';
}
