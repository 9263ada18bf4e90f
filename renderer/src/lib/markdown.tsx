// A small Markdown subset for sticky notes, rendered as React elements: a pipeline file is untrusted, so a
// note's text never reaches the page as HTML (a `<script>` in a note shows as those characters), and links are
// followed only for http(s) addresses.
// Blocks: paragraphs, `#`–`###` headings, `-`/`*`/`1.` list items, ``` fenced code. Inline: `code`,
// **bold**, *italic* / _italic_, [text](https://…).
import { Fragment, type ReactElement, type ReactNode } from 'react';

const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/g;

function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  let i = 0;
  for (const m of text.matchAll(INLINE)) {
    const start = m.index;
    if (start > at) out.push(text.slice(at, start));
    const token = m[0];
    const k = `${key}.${i++}`;
    if (m[1]) out.push(<code key={k}>{token.slice(1, -1)}</code>);
    else if (m[2]) out.push(<strong key={k}>{inline(token.slice(2, -2), k)}</strong>);
    else if (m[3]) out.push(<em key={k}>{inline(token.slice(1, -1), k)}</em>);
    else {
      const close = token.indexOf('](');
      const label = token.slice(1, close);
      const href = token.slice(close + 2, -1);
      out.push(
        /^https?:\/\//i.test(href) ? (
          <a key={k} href={href} target="_blank" rel="noopener noreferrer">
            {label}
          </a>
        ) : (
          <Fragment key={k}>{token}</Fragment>
        ),
      );
    }
    at = start + token.length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

export function Markdown({ text }: { text: string }): ReactElement {
  const blocks: ReactNode[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  let list: { ordered: boolean; items: string[] } | undefined;
  const flush = () => {
    const k = `b${blocks.length}`;
    if (para.length > 0) blocks.push(<p key={k}>{inline(para.join(' '), k)}</p>);
    else if (list) {
      const items = list.items.map((item, j) => <li key={j}>{inline(item, `${k}.${j}`)}</li>);
      blocks.push(list.ordered ? <ol key={k}>{items}</ol> : <ul key={k}>{items}</ul>);
    }
    para = [];
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('```')) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !(lines[i] ?? '').startsWith('```')) code.push(lines[i] ?? '');
      blocks.push(
        <pre key={`b${blocks.length}`}>
          <code>{code.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (line.trim() === '') flush();
    else if (heading) {
      flush();
      const k = `b${blocks.length}`;
      const level = heading[1]?.length ?? 1;
      const body = inline(heading[2] ?? '', k);
      blocks.push(level === 1 ? <h3 key={k}>{body}</h3> : level === 2 ? <h4 key={k}>{body}</h4> : <h5 key={k}>{body}</h5>);
    } else if (bullet || numbered) {
      const ordered = !bullet;
      if (para.length > 0 || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push((bullet ?? numbered)?.[1] ?? '');
    } else {
      if (list) flush();
      para.push(line.trim());
    }
  }
  flush();
  return <>{blocks}</>;
}
