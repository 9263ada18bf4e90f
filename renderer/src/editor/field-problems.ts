// Problems that belong in a SQL field's editor: the engine's validation problems for the field, and the
// failure of the node's preview (the engine checks expressions only when it compiles the node).
import type { NodeMetrics } from '@sluice/format/api/contract';
import type { Problem } from '@sluice/format/pipeline/problems';
import { mentionsText } from './locate';

/** `node "f" (filter), field "expression": invalid expression: …` as the engine words a failed node. */
const NODE_ERROR = /^node "([^"]*)" \([^)]*\)(?:, field "([^"]*)")?(?:, file [^:]*(?::\d+)?)?: ([\s\S]*)$/;

export function codeFieldMessages(opts: {
  nodeId: string;
  field: string;
  text: string;
  checks: readonly Problem[];
  previewProblems: readonly Problem[];
  metrics: readonly NodeMetrics[];
}): string[] {
  const out = new Set<string>(opts.checks.map((p) => p.message));
  for (const p of opts.previewProblems) if (p.nodeId === opts.nodeId && p.field === opts.field) out.add(p.message);
  for (const m of opts.metrics) {
    if (m.nodeId !== opts.nodeId || m.status !== 'failed' || !m.error) continue;
    const parsed = NODE_ERROR.exec(m.error);
    const field = parsed?.[2];
    const message = parsed?.[3] ?? m.error;
    // A DuckDB error names no field; it belongs here when it quotes a name this text uses.
    if (field === opts.field || (field === undefined && mentionsText(opts.text, message))) out.add(message);
  }
  return [...out];
}
