// The engine's verdict on the open document: `validate` runs shortly after each edit, and its problems
// are placed on fields, nodes and the pipeline (see lib/problems). Stale answers are dropped.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { Problem } from '../../../engine/src/format/problems';
import type { SchemasResult } from '../../../engine/src/api/contract';
import { previewKey } from '../lib/doc-ops';
import { placeProblems, type NodeProblems, type PlacedProblems } from '../lib/problems';
import { useDesigner } from '../store';

/** node id → output port → its columns as the engine worked them out without running (null: not knowable yet). */
export type PortSchemas = SchemasResult['ports'];

interface ChecksState {
  problems: Problem[];
  /** Every port's static columns, from the same answer as the problems. */
  ports: PortSchemas;
  placed: PlacedProblems;
  /** The engine could not be asked (it is unreachable); the last answer is kept, marked as old. */
  failed: string | undefined;
}

const EMPTY_NODE: NodeProblems = { fields: new Map(), node: [], total: 0 };

export const useChecks = create<ChecksState>()(() => ({
  problems: [],
  ports: {},
  placed: placeProblems([]),
  failed: undefined,
}));

export function nodeProblems(s: ChecksState, nodeId: string): NodeProblems {
  return s.placed.byNode.get(nodeId) ?? EMPTY_NODE;
}

const DEBOUNCE_MS = 250;

/** Mounted once (in App): validates the document after edits settle. */
export function useValidationDriver(): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let seq = 0;
    let lastKey = '';
    let last: { nodes: unknown; edges: unknown; meta: unknown } = { nodes: undefined, edges: undefined, meta: undefined };

    const check = () => {
      const s = useDesigner.getState();
      if (s.status !== 'ready' || !s.api) return;
      // Cheap identity test first: most store updates (selection, sizes) leave the document alone.
      if (s.nodes === last.nodes && s.edges === last.edges && s.meta === last.meta) return;
      last = { nodes: s.nodes, edges: s.edges, meta: s.meta };
      const pipeline = s.toPipeline();
      const key = previewKey(pipeline, '', s.origin.baseDir) + JSON.stringify([pipeline.name, pipeline.nodes.map((n) => n.label)]);
      if (key === lastKey) return;
      lastKey = key;
      clearTimeout(timer);
      const api = s.api;
      timer = setTimeout(() => {
        const mine = ++seq;
        // One answer holds both the document's problems and every port's columns (computed without running).
        const baseDir = s.origin.baseDir;
        api.schemas({ pipeline, ...(baseDir ? { baseDir } : {}) }).then(
          (r) => {
            // A document with a config problem (a field being retyped) gets no schemas: the last ones stay, so
            // pickers and completions do not blink empty while the user types.
            const ports = Object.keys(r.ports).length === 0 && r.problems.length > 0 ? useChecks.getState().ports : r.ports;
            if (mine === seq) useChecks.setState({ problems: r.problems, ports, placed: placeProblems(r.problems), failed: undefined });
          },
          (err: unknown) => {
            if (mine === seq) useChecks.setState({ failed: err instanceof Error ? err.message : String(err) });
          },
        );
      }, DEBOUNCE_MS);
    };

    const unsubscribe = useDesigner.subscribe(check);
    check();
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, []);
}
