// A node whose output is computed lazily (a view) hands that work to the nodes downstream: a damaged page of a
// Parquet source, or a value a derive's expression cannot compute, is met by whichever node first reads it, as a
// raw DuckDB error there. The node leaves an explainer behind; when a node downstream of it fails with an error
// of the kind it explains, the explainer re-reads what it can and, if it is the cause, the failure is told as its
// (naming the source node and the file, or the derive node and its field) instead of DuckDB's bare message.
import { QueryError } from '@sluice/format/api/errors';
import type { Edge } from '@sluice/format/pipeline/pipeline';

import type { ExplainedFailures, FailureProbe, ReadFailureExplainer } from '../exec-context.js';

export type { ExplainedFailures, FailureProbe, ReadFailureExplainer };

const explainers = new WeakMap<object, Map<string, { explain: ReadFailureExplainer; kind: ExplainedFailures }>>();

/** Kept per run (`run` is the executor's options object), for the nodes that read this node's output later. */
export function leaveExplainer(run: object, nodeId: string, explain: ReadFailureExplainer, kind: ExplainedFailures = 'reading'): void {
  let m = explainers.get(run);
  if (!m) explainers.set(run, (m = new Map()));
  m.set(nodeId, { explain, kind });
}

/**
 * DuckDB's classes that are decided before any data page is read (binding, parsing, the catalog, a cast the
 * pipeline asked for, a cancel): a damaged file is not their cause, so no file is re-read for them.
 */
const NOT_FROM_READING = new Set(['Binder', 'Parser', 'Catalog', 'Conversion', 'Out of Range', 'Constraint', 'Permission', 'INTERRUPT']);
/** Decided before any value is computed: no expression's value is their cause. */
const NOT_FROM_VALUES = new Set(['Binder', 'Parser', 'Catalog', 'Permission', 'INTERRUPT', 'IO']);
/** A failure to write (a full disk, a refused output): re-reading every input file would only delay its message. */
const WRITING = /\b(could not write|writing|no space left|disk (is )?full|permission denied|read-only file system)\b/i;

/**
 * The failure of `nodeId` as the unreadable file of a lazily read source upstream of it, or the value a derive
 * upstream cannot compute, if there is one; else the failure as it was. A FATAL error invalidated the database,
 * so nothing is re-read after one.
 */
export async function explainFailure(run: object, nodeId: string, into: Map<string, Edge[]>, failure: unknown, probe: FailureProbe): Promise<unknown> {
  const m = explainers.get(run);
  if (!m || !(failure instanceof QueryError) || WRITING.test(failure.message) || /^FATAL/i.test(failure.message)) return failure;
  const asks = (kind: ExplainedFailures): boolean => !(kind === 'reading' ? NOT_FROM_READING : NOT_FROM_VALUES).has(failure.duckdbType);
  const seen = new Set<string>();
  const todo = [nodeId];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const left = m.get(id);
    if (left && asks(left.kind)) {
      try {
        const told = await left.explain(failure, probe);
        if (told) return told;
      } catch {
        // The re-read is only a diagnosis: when it cannot be made, the failure stays as DuckDB told it.
      }
    }
    for (const e of into.get(id) ?? []) todo.push(e.from.node);
  }
  return failure;
}
