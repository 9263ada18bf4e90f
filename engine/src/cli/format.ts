// Plain-text tables and lines for the terminal.
import type { NodeMetrics, RunManifest } from '@sluice/format/api/contract';
import { opsSummaryLines } from '../ops/summary.js';
import { describeDrift } from '@sluice/format/schema/drift';

/** How a node is named in these lines: label first when the pipeline is at hand (nodeNamer with nodeTitle), else by id. */
export type NameOf = (id: string) => string;
const byId: NameOf = (id) => id;

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const STATUS: Record<NodeMetrics['status'], string> = { ok: 'ok', warning: 'warn', failed: 'FAILED', skipped: 'skipped' };

export function metricsTable(nodes: NodeMetrics[], name: NameOf = byId): string {
  return table(
    ['node', 'kind', 'status', 'in', 'out', 'quarantined', 'filtered', 'ms'],
    nodes.map((m) => [name(m.nodeId), m.kind, STATUS[m.status], String(m.rowsIn), String(m.rowsOut), String(m.quarantined), String(m.filtered), String(m.durationMs)]),
  );
}

/** A node's retry or breaker event as one progress line, e.g. `fetch_orders: retry 2/5 in 800 ms (503), page 3`. */
export function ioProgressLine(nodeId: string, note: string | undefined, name: NameOf = byId): string | undefined {
  return note ? `  ${name(nodeId)}: ${note}` : undefined;
}

/** The I/O summary of a node that retried, for the end-of-run report. */
export function ioSummary(m: NodeMetrics, name: NameOf = byId): string | undefined {
  const io = m.io;
  if (!io) return undefined;
  const bits = [`${io.requests} request${io.requests === 1 ? '' : 's'}`, `${io.retries} retr${io.retries === 1 ? 'y' : 'ies'}`, `${io.failures} failed`];
  if (io.retryWaitMs > 0) bits.push(`${io.retryWaitMs} ms waiting`);
  if (io.pages !== undefined) bits.push(`${io.pages} page${io.pages === 1 ? '' : 's'}${io.resumedPages ? ` (${io.resumedPages} resumed)` : ''}`);
  bits.push(`breaker ${io.breaker}${io.breakerOpens ? `, opened ${io.breakerOpens}×` : ''}`);
  if (io.lastError && io.failures > 0) bits.push(`last error ${io.lastError}`);
  return `  io       ${name(m.nodeId)}: ${bits.join(', ')}`;
}

export function runSummary(m: RunManifest, runDir: string, name: NameOf = byId): string {
  const lines = [metricsTable(m.nodes, name), ''];
  for (const n of m.nodes) for (const w of n.warnings) lines.push(`  warning  ${name(n.nodeId)}: ${w}`);
  for (const n of m.nodes) {
    const io = ioSummary(n, name);
    if (io) lines.push(io);
  }
  for (const d of m.schemaDrift ?? []) lines.push(`  drift    ${d.from.node} -> ${d.to.node}: ${describeDrift(d)} (against the accepted schema)`);
  for (const e of m.errors) lines.push(`  error    ${e}`);
  if (m.upTo) lines.push(`  up to    ${m.upTo}: only it and the nodes that feed it ran; nothing after it was read or written`);
  if (m.replayOf) lines.push(`  replay   ${m.replayOf.rows} row(s) quarantined at ${m.replayOf.nodeId} in run ${m.replayOf.runId}`);
  lines.push(...replayLedger(m));
  const restored = m.nodes.filter((n) => n.resumed).map((n) => n.nodeId);
  if (restored.length > 0) lines.push(`  resumed  taken from the earlier attempt (its checkpoints, commits and recorded counts): ${restored.join(', ')}`);
  lines.push(...opsSummaryLines(m));
  lines.push(`run ${m.runId}: ${m.outcome.toUpperCase()}  (record: ${runDir})`);
  if (m.outcome === 'partial' || m.outcome === 'failed' || m.outcome === 'cancelled') {
    const kept = m.nodes.filter((n) => n.checkpointed).map((n) => n.nodeId);
    lines.push(`  to finish it after fixing the cause: sluice run <file> --resume ${m.runId}`);
    lines.push(`  checkpoints kept for: ${kept.length > 0 ? kept.join(', ') : 'no node'} (a resume reruns every other unfinished node; --checkpoint all keeps them all)`);
  }
  return lines.join('\n');
}

/** A run's quarantine after its replays: what each replay passed, and what is still quarantined. */
export function replayLedger(m: RunManifest): string[] {
  const lines: string[] = [];
  for (const r of m.replays ?? []) {
    lines.push(`  replayed ${r.replayed} row(s) at ${r.nodeId} in run ${r.runId} (${r.outcome}): ${r.passed} passed, ${r.quarantined} quarantined again, ${r.filtered} filtered`);
  }
  const byNode = new Map<string, number>();
  for (const r of m.replays ?? []) if (r.outcome === 'succeeded' || r.outcome === 'partial') byNode.set(r.nodeId, (byNode.get(r.nodeId) ?? 0) + r.passed);
  for (const [node, passed] of byNode) {
    const q = m.nodes.find((n) => n.nodeId === node)?.quarantined ?? 0;
    lines.push(`  ledger   ${node}: ${q} quarantined in this run, ${passed} since passed on replay, ${q - passed} still quarantined`);
  }
  return lines;
}
