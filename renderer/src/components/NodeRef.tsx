// How the designer names a node in any message: its label first, its id after it in code style ("Drop
// cancelled `not_cancelled`"), the same in the preview, the run summary and the engine's messages.
import { Fragment, type ReactElement } from 'react';
import { useDesigner } from '../store';

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
 * An engine message with each `node "ID"` of a node in the document shown as a NodeRef (the engine knows ids;
 * the designer knows the labels users gave them). Other text is left as it is.
 */
export function WithNodeRefs({ text }: { text: string }): ReactElement {
  const ids = useDesigner((s) => s.nodes.map((n) => n.id).join('\u0000'));
  const known = new Set(ids.split('\u0000'));
  const parts = text.split(/node "([^"\n]{1,200})"/);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 && known.has(part) ? (
          <Fragment key={i}>
            node <NodeRef nodeId={part} />
          </Fragment>
        ) : i % 2 === 1 ? (
          <Fragment key={i}>node &quot;{part}&quot;</Fragment>
        ) : (
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  );
}
