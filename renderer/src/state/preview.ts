// Preview of the selected node. Requests go out 400 ms after the last edit (at once when the selection
// changes), each carries a sequence number, and an answer that is no longer the latest is dropped.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { PreviewResult } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { Problem } from '@sluice/format/pipeline/problems';
import { EngineError } from '../api/client';
import { previewKey, upstreamPipeline } from '../lib/doc-ops';
import type { KindIndex } from '../lib/graph';
import { previewTarget, type PreviewTarget } from '@sluice/format/pipeline/preview-target';
import { useDesigner } from '../store';
import { useRun } from './run';

export const PREVIEW_LIMIT = 200;
const EDIT_DEBOUNCE_MS = 400;
const CACHE_SIZE = 24;

/** What is previewed for the selected node: the engine's rule (a sink shows the upstream port that feeds it). */
export type { PreviewTarget };

export interface PreviewError {
  message: string;
  problems: Problem[];
}

interface PreviewState {
  target: PreviewTarget | undefined;
  /** `waiting`: an edit is settling; `loading`: the engine is computing. The last result stays visible meanwhile. */
  phase: 'idle' | 'waiting' | 'loading' | 'ready' | 'error';
  result: PreviewResult | undefined;
  error: PreviewError | undefined;
  /**
   * An input file the shown result read has changed since (its path); set when noticed, cleared by the next
   * answer. The result stays on screen marked as from before the change while the new one is computed.
   */
  inputChanged: string | undefined;
  /** Bumped to ask for a fresh answer even though the document did not change (files on disk may have). */
  refreshes: number;
  refresh(): void;
}

export const usePreview = create<PreviewState>()((set, get) => ({
  target: undefined,
  phase: 'idle',
  result: undefined,
  error: undefined,
  inputChanged: undefined,
  refreshes: 0,
  refresh: () => set({ refreshes: get().refreshes + 1 }),
}));

export function previewTargetFor(nodeId: string, pipeline: Pipeline, kinds: KindIndex): PreviewTarget | undefined {
  return previewTarget(pipeline, nodeId, (kind) => kinds[kind]);
}

function toPreviewError(err: unknown): PreviewError {
  if (err instanceof EngineError) return { message: err.message, problems: err.problems };
  return { message: err instanceof Error ? err.message : String(err), problems: [] };
}

/** Mounted once (in App). */
export function usePreviewDriver(): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let seq = 0;
    let lastKey: string | undefined;
    let lastNode: string | undefined;
    let lastDoc = -1;
    let lastRefresh = 0;
    let last: { doc: unknown; sel: unknown; origin: unknown } | undefined;
    const cache = new Map<string, PreviewResult>();

    const remember = (key: string, r: PreviewResult) => {
      cache.delete(key);
      cache.set(key, r);
      if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    };

    const check = () => {
      const s = useDesigner.getState();
      const refreshes = usePreview.getState().refreshes;
      if (s.status !== 'ready' || !s.api) return;
      if (s.docId !== lastDoc) {
        // A newly loaded document: nothing cached belongs to it.
        lastDoc = s.docId;
        cache.clear();
      }
      const forced = refreshes !== lastRefresh;
      lastRefresh = refreshes;
      // The document changes only by edits (not by selection flags or sizes on React Flow's objects).
      if (!forced && last && last.doc === s.doc && last.sel === s.selectedNodeIds && last.origin === s.origin) return;
      last = { doc: s.doc, sel: s.selectedNodeIds, origin: s.origin };

      const nodeId = s.selectedNodeIds.length === 1 ? s.selectedNodeIds[0] : undefined;
      const pipeline = s.toPipeline();
      const target = nodeId ? previewTargetFor(nodeId, pipeline, s.kinds) : undefined;
      if (!target) {
        clearTimeout(timer);
        seq++;
        lastKey = undefined;
        lastNode = undefined;
        usePreview.setState({ target: undefined, phase: 'idle', result: undefined, error: undefined, inputChanged: undefined });
        return;
      }
      const sub = upstreamPipeline(pipeline, target.requestNodeId);
      const baseDir = s.origin.baseDir;
      const key = previewKey(sub, target.requestNodeId, baseDir);
      const nodeChanged = target.nodeId !== lastNode;
      if (!forced && key === lastKey && !nodeChanged) return;
      lastKey = key;
      lastNode = target.nodeId;
      clearTimeout(timer);
      seq++;
      if (forced) cache.delete(key);
      const cached = cache.get(key);
      if (cached) {
        usePreview.setState({ target, phase: 'ready', result: cached, error: undefined, inputChanged: undefined });
        return;
      }
      // Switching nodes clears the grid at once; an edit keeps the old rows on screen until the new ones arrive.
      usePreview.setState(nodeChanged ? { target, phase: 'waiting', result: undefined, error: undefined, inputChanged: undefined } : { target, phase: 'waiting' });
      const api = s.api;
      timer = setTimeout(
        () => {
          const mine = ++seq;
          usePreview.setState({ phase: 'loading' });
          // Checking first answers a half-configured pipeline with its problems (a 200), instead of asking for a
          // preview the engine must refuse; the refusal would also land in the browser console as a failed request.
          api
            .validate({ pipeline: sub, ...(baseDir ? { baseDir } : {}) })
            .then((verdict) => {
              if (!verdict.ok) throw new EngineError('invalid_pipeline', 'the pipeline up to this node has problems', 422, verdict.problems);
              const { allowHosts, allowEnv } = useRun.getState();
              return api.preview({ pipeline: sub, nodeId: target.requestNodeId, limit: PREVIEW_LIMIT, ...(baseDir ? { baseDir } : {}), ...(allowHosts.length > 0 ? { allowHosts } : {}), ...(allowEnv.length > 0 ? { allowEnv } : {}) });
            })
            .then(
            (result) => {
              remember(key, result);
              if (mine === seq) usePreview.setState({ phase: 'ready', result, error: undefined, inputChanged: undefined });
            },
            (err: unknown) => {
              if (mine === seq) usePreview.setState({ phase: 'error', result: undefined, error: toPreviewError(err), inputChanged: undefined });
            },
          );
        },
        nodeChanged || forced ? 0 : EDIT_DEBOUNCE_MS,
      );
    };

    const unsubscribe = useDesigner.subscribe(check);
    const unsubscribeRefresh = usePreview.subscribe((s, prev) => {
      if (s.refreshes !== prev.refreshes) check();
    });
    check();
    return () => {
      unsubscribe();
      unsubscribeRefresh();
      clearTimeout(timer);
    };
  }, []);
}
