import { Fragment, type ReactElement } from 'react';

/** Renders `backticked` parts of a plain message as code, so engine messages can name commands readably. */
export function InlineCode({ text }: { text: string }): ReactElement {
  const parts = text.split('`');
  return (
    <>
      {parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>))}
    </>
  );
}
