// A run's quality and anomaly findings as terminal lines (end-of-run summary, `sluice runs show`).
import type { RunManifest } from '@sluice/format/api/contract';

/** Lines about a run's quality and anomaly gates, for the end-of-run summary and `runs show`. */
export function opsSummaryLines(m: RunManifest): string[] {
  const lines: string[] = [];
  for (const f of m.anomalies ?? []) if (f.tripped || f.deviation === null) lines.push(`  ${f.tripped ? `anomaly  [${f.severity}]` : 'anomaly  [not judged]'} ${f.message}`);
  if (m.held) lines.push('  held     nothing was published after the anomaly; resume the run to accept it and publish (sluice run <file> --resume ' + m.runId + ')');
  if (m.quality && m.quality.score !== null) lines.push(`  quality  ${m.quality.score} / 100 (${Object.entries(m.quality.nodes).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  return lines;
}
