// A source whose rows are read lazily (a view over its files, e.g. Parquet) hands its reading to the nodes
// downstream: a damaged page is met by whichever node first decodes it, as a raw DuckDB error there. The source
// leaves an explainer behind; when a node downstream of it fails with an error that may come from reading, the
// explainer re-reads the source's files and, if one is unreadable, the failure is told as that file's, naming the
// source node and the file instead of DuckDB's bare message.
import { QueryError } from '@sluice/format/api/errors';
import type { Edge } from '@sluice/format/pipeline/pipeline';

import type { FailureProbe, ReadFailureExplainer } from '../exec-context.js';

export type { FailureProbe, ReadFailureExplainer };

const explainers = new WeakMap<object, Map<string, ReadFailureExplainer>>();

/** Kept per run (`run` is the executor's options object), for the nodes that read this source later. */
export function leaveExplainer(run: object, nodeId: string, explain: ReadFailureExplainer): void {
  let m = explainers.get(run);
  if (!m) explainers.set(run, (m = new Map()));
  m.set(nodeId, explain);
}

/**
 * DuckDB's classes that are decided before any data page is read (binding, parsing, the catalog, a cast the
 * pipeline asked for, a cancel): a damaged file is not their cause, so no file is re-read for them.
 */
const NOT_FROM_READING = new Set(['Binder', 'Parser', 'Catalog', 'Conversion', 'Out of Range', 'Constraint', 'Permission', 'INTERRUPT']);
/** A failure to write (a full disk, a refused output): re-reading every input file would only delay its message. */
const WRITING = /\b(could not write|writing|no space left|disk (is )?full|permission denied|read-only file system)\b/i;

/**
 * The failure of `nodeId` as the unreadable file of a lazily read source upstream of it, if there is one; else
 * the failure as it was. A FATAL error invalidated the database, so nothing is re-read after one.
 */
export async function explainFailure(run: object, nodeId: string, into: Map<string, Edge[]>, failure: unknown, probe: FailureProbe): Promise<unknown> {
  const m = explainers.get(run);
  if (!m || !(failure instanceof QueryError) || NOT_FROM_READING.has(failure.duckdbType) || WRITING.test(failure.message) || /^FATAL/i.test(failure.message)) return failure;
  const seen = new Set<string>();
  const todo = [nodeId];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const explain = m.get(id);
    if (explain) {
      try {
        const told = await explain(failure, probe);
        if (told) return told;
      } catch {
        // The re-read is only a diagnosis: when it cannot be made, the failure stays as DuckDB told it.
      }
    }
    for (const e of into.get(id) ?? []) todo.push(e.from.node);
  }
  return failure;
}
