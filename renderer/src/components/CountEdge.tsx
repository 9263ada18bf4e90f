// An edge that carries, after a run, the number of rows that went through it; hovered, it shows the columns
// and types that flow along it, as the engine works them out without running anything. An edge whose columns
// changed since the file was saved (or opened) is drawn dashed in the warning colour, with a marker saying what.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo, useState, type ReactElement } from 'react';
import { useChecks } from '../state/checks';
import { formatCount } from '../lib/format';
import { ColumnList } from './ColumnList';
import type { FlowEdge } from '../lib/graph';
import { staleNote, useRun } from '../state/run';
import { schemaDrift } from '../lib/schema-drift';
import { runEdgeDrift } from '../lib/run-drift';

function CountEdgeView({ id, source, sourceHandleId, target, targetHandleId, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, style, interactionWidth, data }: EdgeProps<FlowEdge>): ReactElement {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  // Subscribe to this edge's number only, so a run repaints the labels and not every edge's path.
  // An edge drawn after the run was not part of it and carries no count from it.
  const count = useRun((s) => (sourceHandleId && s.runEdges.has(id) ? s.metrics.get(source)?.outputs[sourceHandleId] : undefined));
  const stale = useRun((s) => s.stale);
  const note = useRun((s) => (s.stale ? staleNote(s.manifest, s.inputChanged) : undefined));
  const quarantine = data?.role === 'quarantine';
  const [hover, setHover] = useState(false);
  const columns = useChecks((s) => (sourceHandleId ? s.ports[source]?.[sourceHandleId] : undefined));
  // A string (or undefined), so an answer that changes nothing here does not repaint the edge.
  const drift = useChecks((s) => (sourceHandleId && s.savedPorts ? schemaDrift(s.savedPorts[source]?.[sourceHandleId], s.ports[source]?.[sourceHandleId]) : undefined));
  // What the last run found on this edge against the accepted schema (the manifest's schemaDrift).
  const ranDrift = useRun((s) => (s.runEdges.has(id) ? runEdgeDrift(s.manifest, { node: source, port: sourceHandleId }, { node: target, port: targetHandleId }) : undefined));
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={drift || ranDrift ? { ...style, stroke: 'var(--warn)', strokeDasharray: '6 4' } : style} interactionWidth={interactionWidth} />
      <path d={path} fill="none" stroke="transparent" strokeWidth={Math.max(interactionWidth ?? 20, 14)} onMouseEnter={() => setHover(true)} onMouseLeave={() => setHover(false)} data-testid={`edge-hover-${id}`} />
      {hover && (
        <EdgeLabelRenderer>
          <div className="edge-schema" style={{ transform: `translate(-50%, 12px) translate(${labelX}px, ${labelY}px)` }} data-testid="edge-schema">
            {drift && (
              <div className="edge-schema__drift" data-testid="edge-schema-drift">
                Changed since saved: {drift}
              </div>
            )}
            {ranDrift && (
              <div className="edge-schema__drift" data-testid="edge-run-drift">
                In the last run: {ranDrift}
              </div>
            )}
            <ColumnList columns={columns} />
          </div>
        </EdgeLabelRenderer>
      )}
      {drift && (
        <EdgeLabelRenderer>
          <div
            className="edge-drift"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY - (count !== undefined ? 22 : 0)}px)` }}
            title={`Columns changed since the file was saved: ${drift}`}
            data-testid={`edge-drift-${id}`}
          >
            columns changed
          </div>
        </EdgeLabelRenderer>
      )}
      {count !== undefined && (
        <EdgeLabelRenderer>
          <div
            className={`edge-count${quarantine ? ' edge-count--quarantine' : ''}${stale ? ' is-stale' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`edge-count-${id}`}
            data-stale={stale ? 'true' : undefined}
            title={`${formatCount(count)} ${quarantine ? 'quarantined rows' : 'rows'} ${note ?? 'in the last run'}`}
          >
            {formatCount(count)}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const CountEdge = memo(CountEdgeView);
