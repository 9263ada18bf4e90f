// How the designer names a node in any message: its label first, its id after it in code style ("Drop
// cancelled `not_cancelled`"), the same in the preview, the run summary and the engine's messages.
import { Fragment, type ReactElement } from 'react';
import { useDesigner } from '../store';
import { splitNodeRefs } from '../lib/node-refs';

/** A node by label and id; `link` selects it on click. A node without a label is shown by its id alone. */
export function NodeRef({ nodeId, link }: { nodeId: string; link?: boolean }): ReactElement {
  const selectOnly = useDesigner((s) => s.selectOnly);
  const label = useDesigner((s) => s.nodes.find((n) => n.id === nodeId)?.data.label);
  const inner = (
    <>
      {label && label !== nodeId ? <>{label} </> : null}
      <code className="node-ref__id">{nodeId}</code>
    </>
  );
  if (!link) return <span className="node-ref" data-node-ref={nodeId}>{inner}</span>;
  return (
    <button type="button" className="link-button node-ref" data-node-ref={nodeId} onClick={() => selectOnly(nodeId)}>
      {inner}
    </button>
  );
}

/**
 * An engine message with each node it names (`Order rules [checks]`, or `node "checks"` for a node without a
 * label; lib/node-refs.ts) shown as a NodeRef, a link to the node. Other text is left as it is.
 */
export function WithNodeRefs({ text }: { text: string }): ReactElement {
  // One string, so the component re-renders only when an id or a label changes.
  const key = useDesigner((s) => s.nodes.map((n) => `${n.id}\u0001${n.data.label ?? ''}`).join('\u0000'));
  const labels = new Map(key.split('\u0000').map((pair) => pair.split('\u0001') as [string, string]));
  return (
    <>
      {splitNodeRefs(text, labels).map((part, i) =>
        'nodeId' in part ? (
          <Fragment key={i}>
            {part.prefix}
            <NodeRef nodeId={part.nodeId} />
          </Fragment>
        ) : (
          <Fragment key={i}>{part.text}</Fragment>
        ),
      )}
    </>
  );
}
