// The engine's verdict on the open document: shortly after an edit the designer cannot judge itself
// (state/schemas.ts), `schemasFor` judges the nodes it touched (`schemas` the whole document after a structural
// one), and its problems are placed on fields, nodes and the pipeline (see lib/problems).
// Stale answers are dropped.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { Problem } from '@sluice/format/pipeline/problems';
import type { SchemasResult } from '@sluice/format/api/contract';
import { previewKey } from '../lib/doc-ops';
import { placeProblems, type NodeProblems, type PlacedProblems } from '../lib/problems';
import { isDirty, useDesigner } from '../store';
import { usePreview } from './preview';
import { designerSchemas } from './schemas';

/** node id → output port → its columns as the engine worked them out without running (null: not knowable yet). */
export type PortSchemas = SchemasResult['ports'];

interface ChecksState {
  problems: Problem[];
  /** Every port's static columns, from the same answer as the problems. */
  ports: PortSchemas;
  /**
   * Every port's columns as they were when the document was last saved or opened (the first answer for the
   * document as its file holds it); edges whose columns differ from these are marked as changed.
   */
  savedPorts: PortSchemas | undefined;
  /** The last validation's problems, and failures the open preview ran into (a node that failed to compute). */
  validation: Problem[];
  fromPreview: Problem[];
  placed: PlacedProblems;
  /** The engine could not be asked (it is unreachable); the last answer is kept, marked as old. */
  failed: string | undefined;
}

const EMPTY_NODE: NodeProblems = { fields: new Map(), node: [], total: 0 };

export const useChecks = create<ChecksState>()(() => ({
  problems: [],
  ports: {},
  savedPorts: undefined,
  validation: [],
  fromPreview: [],
  placed: placeProblems([]),
  failed: undefined,
}));

export function nodeProblems(s: ChecksState, nodeId: string): NodeProblems {
  return s.placed.byNode.get(nodeId) ?? EMPTY_NODE;
}

const DEBOUNCE_MS = 250;

/** Validation problems plus the preview's failures (each said once), placed on fields and nodes together. */
function merged(validation: Problem[], fromPreview: Problem[]): Pick<ChecksState, 'problems' | 'placed'> {
  const seen = new Set(validation.map((p) => `${p.nodeId ?? ''}|${p.path}|${p.message}`));
  const extra = fromPreview.filter((p) => !seen.has(`${p.nodeId ?? ''}|${p.path}|${p.message}`));
  const problems = [...validation, ...extra];
  return { problems, placed: placeProblems(problems) };
}

/**
 * What the preview found wrong, as problems on nodes and fields: the engine's problems when it sent them, a
 * failed node of the preview's run, or the node named in its error message.
 */
export function previewProblems(s: Pick<ReturnType<typeof usePreview.getState>, 'phase' | 'error' | 'result'>, nodeIds: readonly string[]): Problem[] {
  if (s.phase === 'error' && s.error) {
    if (s.error.problems.length > 0) return s.error.problems;
    const named = nodeIds.find((id) => s.error?.message.includes(`node "${id}"`));
    return named ? [{ path: '', nodeId: named, message: `The preview failed here: ${s.error.message}` }] : [];
  }
  if (s.phase === 'ready' && s.result) {
    return s.result.metrics.filter((m) => m.status === 'failed').map((m) => ({ path: '', nodeId: m.nodeId, message: `The preview failed here: ${m.error ?? 'this node failed'}` }));
  }
  return [];
}

/** Mounted once (in App): validates the document after edits settle. */
export function useValidationDriver(): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let seq = 0;
    let lastKey = '';
    let last: unknown;
    // The columns of the document as saved: taken from the first answer for a document equal to its file after
    // each load or save (a save with the answer for that very document already in hand takes it at once).
    let lastSaved: unknown;
    let baselinePending = true;
    let answeredKey = '';
    const schemas = designerSchemas();

    const watchSaved = () => {
      const s = useDesigner.getState();
      if (s.saved === lastSaved) return;
      lastSaved = s.saved;
      if (!isDirty(s) && answeredKey !== '' && answeredKey === lastKey) {
        useChecks.setState({ savedPorts: useChecks.getState().ports });
        baselinePending = false;
      } else {
        // Another document (or this one's new file state) until its answer comes: no marks meanwhile.
        baselinePending = true;
        if (useChecks.getState().savedPorts !== undefined) useChecks.setState({ savedPorts: undefined });
      }
    };

    const check = () => {
      watchSaved();
      const s = useDesigner.getState();
      if (s.status !== 'ready' || !s.api) return;
      // Cheap identity test first: most store updates (selection, sizes) leave the document alone.
      if (s.doc === last) return;
      last = s.doc;
      const pipeline = s.toPipeline();
      const key = previewKey(pipeline, '', s.origin.baseDir) + JSON.stringify([pipeline.name, pipeline.nodes.map((n) => n.label)]);
      if (key === lastKey) return;
      lastKey = key;
      clearTimeout(timer);
      // Kinds whose columns follow from their inputs and config are worked out here at once (state/schemas.ts);
      // the engine is asked only about nodes it alone can judge whose config or input columns changed.
      const local = schemas.local(pipeline);
      // Shows a local pass the designer holds complete (nothing stale): no engine answer is needed.
      const showLocal = (l: typeof local): boolean => {
        if (l.unjudged) return false;
        const complete = l.stale.length === 0;
        const now = useDesigner.getState();
        const baseline = complete && baselinePending && Object.keys(l.ports).length > 0 && !isDirty(now);
        if (baseline) baselinePending = false;
        useChecks.setState({ validation: l.problems, ports: l.ports, ...(baseline ? { savedPorts: l.ports } : {}), ...merged(l.problems, useChecks.getState().fromPreview), failed: undefined });
        if (complete) answeredKey = key;
        return complete;
      };
      if (showLocal(local)) {
        // An engine answer still on its way is about an older document.
        seq++;
        return;
      }
      const api = s.api;
      const baseDir = s.origin.baseDir;
      const failed = (mine: number) => (err: unknown) => {
        if (mine === seq) useChecks.setState({ failed: err instanceof Error ? err.message : String(err) });
      };
      const askWhole = (mine: number) => {
        // One answer holds both the document's problems and every port's columns (computed without running).
        api.schemas({ pipeline, ...(baseDir ? { baseDir } : {}) }).then(
          (r) => {
            // A document with a config problem (a field being retyped) gets no schemas: the last ones stay, so
            // pickers and completions do not blink empty while the user types.
            const ports = Object.keys(r.ports).length === 0 && r.problems.length > 0 ? useChecks.getState().ports : r.ports;
            if (mine !== seq) return;
            schemas.learn(pipeline, r);
            answeredKey = key;
            // Judged on arrival: a save may have happened while the check was on its way.
            const now = useDesigner.getState();
            const baseline = baselinePending && key === lastKey && Object.keys(r.ports).length > 0 && !isDirty(now);
            if (baseline) baselinePending = false;
            useChecks.setState({ validation: r.problems, ports, ...(baseline ? { savedPorts: ports } : {}), ...merged(r.problems, useChecks.getState().fromPreview), failed: undefined });
          },
          failed(mine),
        );
      };
      timer = setTimeout(() => {
        const mine = ++seq;
        if (local.unjudged) return askWhole(mine);
        // Only the stale nodes (and, if their columns changed, those below them), with their input columns from the
        // local pass: the engine describes just those expressions; what it cannot judge so sends the whole document.
        schemas.settle(pipeline, (nodes) => api.schemasFor({ nodes, ...(baseDir ? { baseDir } : {}) })).then((l) => {
          // An answer about an older document (the next edit's timer has not fired yet) is not shown.
          if (mine !== seq || key !== lastKey) return;
          if (!showLocal(l)) askWhole(mine);
        }, failed(mine));
      }, DEBOUNCE_MS);
    };

    const unsubscribe = useDesigner.subscribe(check);
    // A preview that fails marks the node (and field) it failed at, as a validation problem would; waiting and
    // loading keep the last verdict, so the mark does not flicker while an edit settles.
    let lastPreview: unknown;
    const unsubscribePreview = usePreview.subscribe((p) => {
      if (p.phase === 'waiting' || p.phase === 'loading' || p === lastPreview) return;
      lastPreview = p;
      const fromPreview = previewProblems(p, useDesigner.getState().nodes.map((n) => n.id));
      const before = useChecks.getState().fromPreview;
      if (fromPreview.length === 0 && before.length === 0) return;
      useChecks.setState({ fromPreview, ...merged(useChecks.getState().validation, fromPreview) });
    });
    check();
    return () => {
      unsubscribe();
      unsubscribePreview();
      clearTimeout(timer);
    };
  }, []);
}
