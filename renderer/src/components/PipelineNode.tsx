// One pipeline node on the canvas: label, kind, and a handle per catalog port (ids = port names).
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, type ReactElement } from 'react';
import type { PortSpec } from '../../../engine/src/api/contract';
import type { FlowNode } from '../lib/graph';
import { CategoryIcon } from '../lib/icons';
import { useDesigner } from '../store';

type Port = Pick<PortSpec, 'name' | 'title' | 'role'>;

function asPorts(names: readonly string[] | undefined): Port[] {
  return (names ?? []).map((name) => ({ name, title: name, role: 'data' }));
}

function PortRow({ port, side }: { port: Port; side: 'in' | 'out' }): ReactElement {
  return (
    <div className={`sl-port sl-port--${side} sl-port--${port.role}`} data-port={port.name}>
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={port.name}
        className={`sl-handle sl-handle--${port.role}`}
        aria-label={`${side === 'in' ? 'Input' : 'Output'} ${port.title}`}
      />
      <span className="sl-port__title">{port.title}</span>
    </div>
  );
}

function PipelineNodeView({ id, data, selected }: NodeProps<FlowNode>): ReactElement {
  // Subscribe to this kind's entry only: a node must not re-render when anything else in the store changes.
  const info = useDesigner((s) => s.kinds[data.kind]);
  const inputs: Port[] = info?.inputs ?? asPorts(data.unknownPorts?.inputs);
  const outputs: Port[] = info?.outputs ?? asPorts(data.unknownPorts?.outputs);
  const title = data.label || info?.title || data.kind;

  return (
    <div
      className={`sl-node${selected ? ' is-selected' : ''}${info ? '' : ' is-unknown'}`}
      data-testid={`canvas-node-${id}`}
      data-kind={data.kind}
      data-category={info?.category ?? 'unknown'}
    >
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
              <PortRow key={p.name} port={p} side="in" />
            ))}
          </div>
          <div className="sl-node__col sl-node__col--out">
            {outputs.map((p) => (
              <PortRow key={p.name} port={p} side="out" />
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

export const PipelineNode = memo(PipelineNodeView);
