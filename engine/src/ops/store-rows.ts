// One run manifest as rows of the run store's tables (runs, node, rule and column metrics), appended in one go.
import type { DuckDBAppender } from '@duckdb/node-api';
import type { RunManifest } from '@sluice/format/api/contract';

/** Rows read: what sources produced plus what they refused; rows written: what sinks took in. */
export function runTotals(m: RunManifest): { rowsRead: number; rowsWritten: number; quarantined: number; filtered: number; durationMs: number } {
  let rowsRead = 0;
  let rowsWritten = 0;
  let quarantined = 0;
  let filtered = 0;
  for (const n of m.nodes) {
    if (n.kind.startsWith('source.')) rowsRead += n.rowsOut + n.quarantined + n.filtered;
    if (n.kind.startsWith('sink.')) rowsWritten += n.rowsIn - n.quarantined - n.filtered;
    quarantined += n.quarantined;
    filtered += n.filtered;
  }
  const durationMs = Math.max(0, Date.parse(m.finishedAt) - Date.parse(m.startedAt)) || 0;
  return { rowsRead, rowsWritten, quarantined, filtered, durationMs };
}

export function appendRun(a: { runs: DuckDBAppender; nodes: DuckDBAppender; rules: DuckDBAppender; cols: DuckDBAppender }, m: RunManifest, fingerprint: string): void {
  const t = runTotals(m);
  const r = a.runs;
  r.appendVarchar(m.runId);
  r.appendVarchar(m.pipelineName);
  r.appendVarchar(m.pipelineHash);
  r.appendVarchar(m.startedAt);
  r.appendVarchar(m.finishedAt);
  r.appendBigInt(BigInt(t.durationMs));
  r.appendVarchar(m.outcome);
  r.appendVarchar(m.startedBy ?? 'unknown');
  r.appendBigInt(BigInt(t.rowsRead));
  r.appendBigInt(BigInt(t.rowsWritten));
  r.appendBigInt(BigInt(t.quarantined));
  r.appendBigInt(BigInt(t.filtered));
  if (m.quality?.score === null || m.quality?.score === undefined) r.appendNull();
  else r.appendDouble(m.quality.score);
  r.appendInteger((m.anomalies ?? []).filter((x) => x.tripped).length);
  r.appendVarchar(fingerprint);
  const bytes = Object.values(m.bytes ?? {});
  r.appendBigInt(BigInt(bytes.reduce((s, b) => s + (b.read ?? 0), 0)));
  r.appendBigInt(BigInt(bytes.reduce((s, b) => s + (b.written ?? 0), 0)));
  r.endRow();
  for (const n of m.nodes) {
    const x = a.nodes;
    x.appendVarchar(m.runId);
    x.appendVarchar(n.nodeId);
    x.appendVarchar(n.kind);
    x.appendVarchar(n.status);
    x.appendBigInt(BigInt(n.rowsIn));
    x.appendBigInt(BigInt(n.rowsOut));
    x.appendBigInt(BigInt(n.quarantined));
    x.appendBigInt(BigInt(n.filtered));
    x.appendBigInt(BigInt(Math.round(n.durationMs)));
    const q = m.quality?.nodes[n.nodeId];
    if (q === undefined) x.appendNull();
    else x.appendDouble(q);
    const b = m.bytes?.[n.nodeId];
    if (b?.read === undefined) x.appendNull();
    else x.appendBigInt(BigInt(b.read));
    if (b?.written === undefined) x.appendNull();
    else x.appendBigInt(BigInt(b.written));
    x.endRow();
  }
  for (const [nodeId, rules] of Object.entries(m.rules ?? {})) {
    for (const [rule, failures] of Object.entries(rules)) {
      a.rules.appendVarchar(m.runId);
      a.rules.appendVarchar(nodeId);
      a.rules.appendVarchar(rule);
      a.rules.appendBigInt(BigInt(failures));
      a.rules.endRow();
    }
  }
  for (const [nodeId, cols] of Object.entries(m.columns ?? {})) {
    for (const c of cols) {
      const x = a.cols;
      x.appendVarchar(m.runId);
      x.appendVarchar(nodeId);
      x.appendVarchar(c.port);
      x.appendVarchar(c.name);
      x.appendVarchar(c.type);
      x.appendBigInt(BigInt(c.rows));
      x.appendBigInt(BigInt(c.nulls));
      x.appendDouble(c.rows > 0 ? c.nulls / c.rows : 0);
      if (c.distinct === null) x.appendNull();
      else x.appendBigInt(BigInt(c.distinct));
      if (c.min === null) x.appendNull();
      else x.appendVarchar(c.min);
      if (c.max === null) x.appendNull();
      else x.appendVarchar(c.max);
      // The rows distinct_values was counted from; NULL for a run recorded before, whose count was an estimate.
      if (c.distinctRows === undefined) x.appendNull();
      else x.appendBigInt(BigInt(c.distinctRows));
      x.endRow();
    }
  }
}
