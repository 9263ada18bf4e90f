// Columns arriving at a node, for the pickers next to column fields and the completions in expressions. They
// come from the static schemas the engine computes with each check (no data read); only where those cannot be
// known (a REST or JSON source) from a small preview of the upstream node.
import { useEffect, useMemo, useState } from 'react';
import type { Column } from '@sluice/format/api/contract';
import { previewKey, upstreamPipeline } from '../lib/doc-ops';
import { useDesigner } from '../store';
import { useRun } from './run';
import { useChecks, type PortSchemas } from './checks';

/** Static columns on the edges into `nodeId`, or undefined when some are not known without running. */
function staticColumns(ports: PortSchemas, nodeId: string): Column[] | undefined {
  const s = useDesigner.getState();
  const incoming = s.edges.filter((e) => e.target === nodeId && e.data?.role !== 'quarantine');
  const lists: Column[][] = [];
  for (const e of incoming) {
    const cols = ports[e.source]?.[e.sourceHandle ?? ''];
    if (!cols) return undefined;
    lists.push(cols.map((c) => ({ name: c.name, type: c.type })));
  }
  const seen = new Map<string, Column>();
  for (const c of lists.flat()) if (!seen.has(c.name)) seen.set(c.name, c);
  return [...seen.values()];
}

const cache = new Map<string, Promise<Column[]>>();
const DEBOUNCE_MS = 400;

/** The last key worked out: the selector runs on every store update, the document changes far less often. */
let lastUpstream: { doc: unknown; nodeId: string; baseDir: string | undefined; key: string } | undefined;

function upstreamKey(s: ReturnType<typeof useDesigner.getState>, nodeId: string): string {
  const baseDir = s.origin.baseDir;
  if (lastUpstream && lastUpstream.doc === s.doc && lastUpstream.nodeId === nodeId && lastUpstream.baseDir === baseDir) return lastUpstream.key;
  const key = previewKey(upstreamPipeline(s.toPipeline(), nodeId), nodeId, baseDir);
  lastUpstream = { doc: s.doc, nodeId, baseDir, key };
  return key;
}

function upstreamIds(nodeId: string): string[] {
  const s = useDesigner.getState();
  return [...new Set(s.edges.filter((e) => e.target === nodeId && e.data?.role !== 'quarantine').map((e) => e.source))];
}

async function columnsOf(nodeId: string): Promise<Column[]> {
  const s = useDesigner.getState();
  if (!s.api) return [];
  const sub = upstreamPipeline(s.toPipeline(), nodeId);
  const baseDir = s.origin.baseDir;
  const { allowHosts, allowEnv } = useRun.getState();
  // Allowing a host (or a variable) can turn a REST source's failure into columns, so both are part of the key.
  const key = `${previewKey(sub, nodeId, baseDir)}|${allowHosts.join(',')}|${allowEnv.join(',')}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = s.api
      .preview({ pipeline: sub, nodeId, limit: 1, ...(baseDir ? { baseDir } : {}), ...(allowHosts.length > 0 ? { allowHosts } : {}), ...(allowEnv.length > 0 ? { allowEnv } : {}) })
      .then((r) => r.columns)
      // Hints are a convenience: an upstream node that cannot run yet simply offers none.
      .catch(() => []);
    cache.set(key, pending);
    if (cache.size > 64) cache.delete(cache.keys().next().value as string);
  }
  return pending;
}

/** Columns of the rows flowing into `nodeId` (all its data and reference inputs), refreshed after edits settle. */
export function useInputColumns(nodeId: string | undefined): Column[] {
  const [state, setState] = useState<{ nodeId: string; columns: Column[] } | undefined>(undefined);
  // Re-run when what flows into the node changes; a drag or an edit elsewhere leaves this key alone.
  const upstream = useDesigner((s) => (nodeId ? upstreamKey(s, nodeId) : ''));
  const ports = useChecks((s) => s.ports);
  const known = nodeId ? staticColumns(ports, nodeId) : undefined;
  const knownKey = known ? JSON.stringify(known) : '';
  useEffect(() => {
    if (!nodeId) return;
    let live = true;
    // Known statically: nothing to ask the engine for.
    if (knownKey) return;
    const timer = setTimeout(() => {
      void Promise.all(upstreamIds(nodeId).map(columnsOf)).then((lists) => {
        if (!live) return;
        const seen = new Map<string, Column>();
        for (const c of lists.flat()) if (!seen.has(c.name)) seen.set(c.name, c);
        const columns = [...seen.values()];
        setState((prev) => (prev?.nodeId === nodeId && JSON.stringify(prev.columns) === JSON.stringify(columns) ? prev : { nodeId, columns }));
      });
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [nodeId, upstream, knownKey]);
  const staticCols = useMemo(() => (knownKey ? (JSON.parse(knownKey) as Column[]) : undefined), [knownKey]);
  if (staticCols) return staticCols;
  return state && state.nodeId === nodeId ? state.columns : NONE;
}

const NONE: Column[] = [];
