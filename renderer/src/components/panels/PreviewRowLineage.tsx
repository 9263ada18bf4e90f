// "Where did this come from?" for a preview row: decoded from the lineage id the preview sent with the row and the
// graph as it is now, so it needs no run. Looks like RowLineage.tsx (the same answer for a run's rows);
// Escape in the preview closes it (PreviewTab.tsx).
import type { ReactElement } from 'react';
import { nodesPassed, parseLineage } from '@sluice/format/pipeline/lineage-id';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { LineageOrigin, LineagePath } from './RowLineage';

export interface PreviewRowLineageProps {
  pipeline: Pick<Pipeline, 'nodes' | 'edges'>;
  /** The previewed node (for a sink, the node whose rows would reach it). */
  nodeId: string;
  /** The row's number, from 1, and its lineage id (null: the row carries none). */
  row: number;
  lineage: string | null;
  onClose: () => void;
}

export function PreviewRowLineage({ pipeline, nodeId, row, lineage, onClose }: PreviewRowLineageProps): ReactElement {
  const byId = new Map(pipeline.nodes.map((n) => [n.id, n]));
  const label = (id: string) => byId.get(id)?.label || id;
  if (lineage === null) {
    return (
      <div className="row-lineage__panel preview-lineage" role="region" aria-label={`Where row ${row} came from`} data-testid="preview-row-lineage">
        <p className="row-lineage__note">Row {row} carries no lineage id, so its origin is not known.</p>
      </div>
    );
  }
  const origin = parseLineage(lineage, (id) => byId.get(id)?.kind);
  const path = origin.node !== '' && byId.has(origin.node) ? nodesPassed(pipeline, origin.node, nodeId) : [];
  return (
    <div className="row-lineage__panel preview-lineage" role="region" aria-label={`Where row ${row} came from`} data-testid="preview-row-lineage">
      <button type="button" className="button button--ghost preview-lineage__close" onClick={onClose} aria-label={`Close where row ${row} came from`} data-testid="preview-row-lineage-close">
        Close
      </button>
      <LineageOrigin origin={origin} label={label} />
      {path.length > 0 && <LineagePath path={path} />}
    </div>
  );
}
