// Every number knows where it came from: a preview and a run carry the input files they read (size, time, a
// hash of small files). This driver asks the engine for the files as they are now, on a short timer and when the
// window regains focus, and compares: a changed input recomputes the preview and marks the run's counts stale
// ("from the run at 10:42, input orders.csv changed since"), so an old count is never shown as current.
import { useEffect } from 'react';
import { changedInput, type InputFingerprint } from '@sluice/format/api/contract';
import { useDesigner } from '../store';
import { usePreview } from './preview';
import { useRun } from './run';

/** How often the files are looked at while the window is visible (a stat each, a read of files up to 1 MB). */
export const INPUT_CHECK_MS = 1500;

/** The inputs of the nodes in `nodes` only: a preview read its upstream sources, not every source. */
function within(now: readonly InputFingerprint[], nodes: ReadonlySet<string>): InputFingerprint[] {
  return now.filter((f) => nodes.has(f.nodeId));
}

let inFlight = false;

/** Compares once; exported for the driver and for whoever wants an answer now (e.g. after a save). */
export async function checkInputs(): Promise<void> {
  const s = useDesigner.getState();
  const preview = usePreview.getState();
  const run = useRun.getState();
  const previewInputs = preview.phase === 'ready' ? preview.result?.inputs : undefined;
  const runInputs = run.phase === 'done' && !run.inputChanged ? run.inputs : undefined;
  if (!s.api || s.status !== 'ready' || inFlight || (!previewInputs && !runInputs)) return;
  inFlight = true;
  try {
    const baseDir = s.origin.baseDir;
    const pipeline = s.toPipeline();
    // Parameters without a default cannot be applied here; the check then waits for the next edit or run.
    const { inputs: now } = await s.api.inputFingerprints({ pipeline, ...(baseDir ? { baseDir } : {}) });
    const p = usePreview.getState();
    if (previewInputs && p.result?.inputs === previewInputs && p.phase === 'ready') {
      const nodes = new Set(previewInputs.map((f) => f.nodeId));
      for (const n of p.result.metrics) nodes.add(n.nodeId);
      const changed = changedInput(previewInputs, within(now, nodes));
      if (changed) {
        usePreview.setState({ inputChanged: changed });
        p.refresh();
      }
    }
    const r = useRun.getState();
    if (runInputs && r.inputs === runInputs && r.phase === 'done') {
      const nodes = new Set(r.metrics.keys());
      const changed = changedInput(runInputs, within(now, nodes));
      if (changed) useRun.setState({ inputChanged: changed, stale: true });
    }
  } catch {
    // A pipeline that cannot be prepared (a missing parameter, a problem being typed) is checked next time.
  } finally {
    inFlight = false;
  }
}

/** Mounted once (in App). */
export function useInputsDriver(): void {
  useEffect(() => {
    const tick = () => {
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
      void checkInputs();
    };
    const timer = setInterval(tick, INPUT_CHECK_MS);
    window.addEventListener('focus', tick);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', tick);
    };
  }, []);
}
