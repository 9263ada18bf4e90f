// The one-click fix of a static problem (set a column's type in its source, insert a Cast node, use the column
// meant): applied to the document as one undo step, after which the engine checks the pipeline again.
import type { ReactElement } from 'react';
import type { Problem } from '@sluice/format/pipeline/problems';
import { useDesigner } from '../store';

export function FixButton({ problem }: { problem: Problem }): ReactElement | null {
  const apply = useDesigner((s) => s.applyFix);
  const fix = problem.fix;
  if (!fix) return null;
  return (
    <button
      type="button"
      className="fix-button"
      data-testid="fix-button"
      title="Apply this fix (undo with Ctrl+Z)"
      onClick={(e) => {
        e.stopPropagation();
        apply(problem.nodeId, fix);
      }}
    >
      Fix: {fix.label}
    </button>
  );
}
