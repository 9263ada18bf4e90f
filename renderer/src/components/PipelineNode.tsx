// One pipeline node on the canvas: label, kind, and a handle per catalog port (ids = port names).
import { Handle, NodeToolbar, Position, type NodeProps } from '@xyflow/react';
import { memo, useState, type ReactElement } from 'react';
import type { IoStats, PortSpec } from '@sluice/format/api/contract';
import { formatCount, formatDuration, plural } from '../lib/format';
import { ColumnList } from './ColumnList';
import type { FlowNode } from '../lib/graph';
import { AlertIcon, CategoryIcon, SpinnerIcon } from '../lib/icons';
import { nodeProblems, useChecks } from '../state/checks';
import { progressText, shownStatus, staleNote, useRun } from '../state/run';
import { useDesigner } from '../store';

type Port = Pick<PortSpec, 'name' | 'title' | 'role'>;

function asPorts(names: readonly string[] | undefined): Port[] {
  return (names ?? []).map((name) => ({ name, title: name, role: 'data' }));
}

/**
 * The columns on a port, as the engine works them out without running: an output port's own, an input port's
 * those of the edge into it. Mounted only while the port is hovered or focused, so an idle canvas subscribes
 * to nothing here.
 */
function PortSchema({ nodeId, port, side }: { nodeId: string; port: Port; side: 'in' | 'out' }): ReactElement {
  // A string, so the port re-renders only when the edge into it changes, not on every store update.
  const fromKey = useDesigner((s) => {
    if (side === 'out') return `${nodeId}\u0000${port.name}`;
    const e = s.edges.find((x) => x.target === nodeId && x.targetHandle === port.name);
    return e ? `${e.source}\u0000${e.sourceHandle ?? ''}` : '';
  });
  const [fromNode = '', fromPort = ''] = fromKey.split('\u0000');
  const from = fromKey ? { node: fromNode, port: fromPort } : undefined;
  const columns = useChecks((s) => (from ? s.ports[from.node]?.[from.port] : undefined));
  return (
    <NodeToolbar isVisible position={side === 'in' ? Position.Left : Position.Right} align="start" offset={8}>
      <div className="edge-schema port-schema" role="tooltip" id={`port-schema-${nodeId}-${side}-${port.name}`} data-testid="port-schema">
        <div className="port-schema__title">
          {side === 'in' ? 'Input' : 'Output'} {port.title}
        </div>
        {!from ? (
          <div className="edge-schema__note">Not connected</div>
        ) : (
          <ColumnList columns={columns} />
        )}
      </div>
    </NodeToolbar>
  );
}

function PortRow({ nodeId, port, side, focusable }: { nodeId: string; port: Port; side: 'in' | 'out'; focusable: boolean }): ReactElement {
  // Not while a button is down: a connection being dragged onto this port must find the handle, not a popover.
  const [shown, setShown] = useState(false);
  return (
    <div className={`sl-port sl-port--${side} sl-port--${port.role}`} data-port={port.name} onMouseOver={(e) => setShown(e.buttons === 0)} onMouseLeave={() => setShown(false)}>
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={port.name}
        className={`sl-handle sl-handle--${port.role}`}
        // No aria-label: a handle is not a control a screen reader can use (ports are connected from the
        // keyboard through the node's port picker); the port's visible title is next to it.
        title={`${side === 'in' ? 'Input' : 'Output'} ${port.title}`}
      />
      {/* The selected node's port titles take focus, so the keyboard can show their columns too; a big graph's
          other ports stay out of the tab order. */}
      <span
        className="sl-port__title"
        tabIndex={focusable ? 0 : -1}
        onFocus={() => setShown(true)}
        onBlur={() => setShown(false)}
        aria-describedby={shown ? `port-schema-${nodeId}-${side}-${port.name}` : undefined}
        data-testid={`port-title-${nodeId}-${side}-${port.name}`}
      >
        {port.title}
      </span>
      {shown && <PortSchema nodeId={nodeId} port={port} side={side} />}
    </div>
  );
}

/** One line for a tooltip: what the node's network or file I/O went through. */
export function ioSummary(io: IoStats): string {
  const parts = [plural(io.requests, 'request'), plural(io.retries, 'retry', 'retries'), `${formatCount(io.failures)} failed`, `circuit ${io.breaker}`];
  if (io.retryWaitMs > 0) parts.push(`${formatDuration(io.retryWaitMs)} waiting`);
  if (io.resumedPages) parts.push(`resumed after ${plural(io.resumedPages, 'page')}`);
  if (io.lastError && io.failures > 0) parts.push(`last error: ${io.lastError}`);
  return parts.join(' · ');
}

function IoBadge({ id, io }: { id: string; io: IoStats }): ReactElement | null {
  if (io.breaker === 'closed' && io.retries === 0 && io.failures === 0) return null;
  const open = io.breaker !== 'closed';
  return (
    <span className={`sl-badge ${open ? 'sl-badge--breaker' : 'sl-badge--retry'}`} title={ioSummary(io)} data-testid={`io-badge-${id}`} data-breaker={io.breaker}>
      {open ? `circuit ${io.breaker}` : `↻ ${plural(io.retries, 'retry', 'retries')}`}
    </span>
  );
}

function PipelineNodeView({ id, data, selected }: NodeProps<FlowNode>): ReactElement {
  // Subscribe to this kind's entry only: a node must not re-render when anything else in the store changes.
  const info = useDesigner((s) => s.kinds[data.kind]);
  const inputs: Port[] = info?.inputs ?? asPorts(data.unknownPorts?.inputs);
  const outputs: Port[] = info?.outputs ?? asPorts(data.unknownPorts?.outputs);
  const title = data.label || info?.title || data.kind;
  // Per-node slices of the checks and the last run: a validation or a run repaints only the nodes it changes.
  const problems = useChecks((s) => nodeProblems(s, id));
  const metrics = useRun((s) => s.metrics.get(id));
  const running = useRun((s) => s.running.has(id));
  const soFar = useRun((s) => progressText(s.progress.get(id)));
  const inputChanged = useRun((s) => s.inputChanged !== undefined);
  const liveIo = useRun((s) => s.io.get(id));
  const io = metrics?.io ?? liveIo?.stats;
  const stale = useRun((s) => s.stale);
  const outcome = useRun((s) => s.manifest?.outcome);
  const status = metrics ? shownStatus(metrics, outcome) : undefined;
  // Numbers from a run before the last edit stay visible as history, and say so in words, not only by fading.
  const note = useRun((s) => (s.stale && metrics ? staleNote(s.manifest, s.inputChanged) : undefined));
  const quality = useRun((s) => s.manifest?.quality?.nodes[id]);
  const problemText = [...problems.node, ...[...problems.fields.values()].flat()].map((p) => p.message).join('\n');

  return (
    <div
      className={`sl-node${selected ? ' is-selected' : ''}${info ? '' : ' is-unknown'}${problems.total > 0 ? ' has-problems' : ''}${metrics && stale ? ' is-stale' : ''}`}
      data-testid={`canvas-node-${id}`}
      data-kind={data.kind}
      data-category={info?.category ?? 'unknown'}
      data-status={running ? 'running' : status}
    >
      {(problems.total > 0 || (metrics && metrics.quarantined > 0) || io) && (
        <div className="sl-node__badges">
          {problems.total > 0 && (
            <span className="sl-badge sl-badge--problem" title={problemText} data-testid={`problem-badge-${id}`}>
              <AlertIcon size={11} />
              {problems.total}
            </span>
          )}
          {metrics && metrics.quarantined > 0 && (
            <span className="sl-badge sl-badge--quarantine" title={`${formatCount(metrics.quarantined)} rows quarantined ${note ?? 'in the last run'}`} data-testid={`quarantine-badge-${id}`} data-stale={note ? 'true' : undefined}>
              {formatCount(metrics.quarantined)} quarantined
            </span>
          )}
          {io && <IoBadge id={id} io={io} />}
        </div>
      )}
      <div className="sl-node__header">
        <span className="sl-node__icon">
          <CategoryIcon category={info?.category} size={14} />
        </span>
        <div className="sl-node__titles">
          <div className="sl-node__title" title={title}>
            {title}
          </div>
          <div className="sl-node__subtitle">
            {info ? (
              <>
                {data.label && <span>{info.title}</span>}
                <span className="sl-node__id">{id}</span>
              </>
            ) : (
              `Unknown kind “${data.kind}”`
            )}
          </div>
        </div>
      </div>
      {(inputs.length > 0 || outputs.length > 0) && (
        <div className="sl-node__ports">
          <div className="sl-node__col">
            {inputs.map((p) => (
              <PortRow key={p.name} nodeId={id} port={p} side="in" focusable={selected} />
            ))}
          </div>
          <div className="sl-node__col sl-node__col--out">
            {outputs.map((p) => (
              <PortRow key={p.name} nodeId={id} port={p} side="out" focusable={selected} />
            ))}
          </div>
        </div>
      )}
      {running && !metrics && (
        <div className="sl-node__run sl-node__run--running" data-testid={`node-run-${id}`}>
          <SpinnerIcon size={11} />
          <span className="sl-node__run-text" title={liveIo?.note ?? (soFar ? 'How far the current step of this node is, as DuckDB reports it while the run goes' : undefined)} data-testid={soFar ? `node-progress-${id}` : undefined}>
            {liveIo?.note ? `running… ${liveIo.note}` : soFar ? `running… ${soFar}` : 'running…'}
          </span>
        </div>
      )}
      {metrics && (
        <div className="sl-node__run" data-testid={`node-run-${id}`} data-stale={note ? 'true' : undefined} title={[note ? `Counts ${note}.` : '', metrics.error ?? metrics.warnings.join('\n')].filter(Boolean).join('\n')}>
          <span className={`status-dot status-dot--${status}`} />
          <span className="sl-node__run-text">
            {status === 'cancelled'
              ? 'cancelled'
              : status === 'failed'
              ? 'failed'
              : metrics.status === 'skipped'
                ? 'not run'
                : info?.category === 'sink'
                  ? `${formatCount(metrics.passed)} written`
                  : `${formatCount(metrics.rowsIn)} in · ${formatCount(metrics.rowsOut)} out${metrics.filtered > 0 ? ` · ${formatCount(metrics.filtered)} filtered` : ''}`}
          </span>
          {quality !== undefined && status !== 'failed' && status !== 'cancelled' && (
            <span className={`sl-node__quality${quality < 100 ? ' is-low' : ''}`} title={`Quality score ${quality}: the share of the rows this node took in that it passed (0 when its gate failed); docs/OPERATIONS.md`} data-testid={`node-quality-${id}`}>
              Q {quality}
            </span>
          )}
          {note && (
            <span className="sl-node__stale" data-testid={`stale-note-${id}`}>
              {note.replace('from the run ', '').replace(/, (before your last edit|input .* changed since)$/, '')} · {inputChanged ? 'input changed' : 'before edit'}
            </span>
          )}
        </div>
      )}
    </div>
  );
}

export const PipelineNode = memo(PipelineNodeView);
