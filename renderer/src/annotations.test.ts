// Sticky notes and groups: saved in the file in a stable form, edited and moved as undo steps, and a note's
// Markdown never becomes HTML.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { serializePipeline } from '@sluice/format/pipeline/save';
import { Markdown } from './lib/markdown';
import { canonicalText, useDesigner } from './store';

const filter: NodeKindInfo = {
  kind: 'filter',
  category: 'transform',
  title: 'Filter',
  description: '',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Kept', role: 'data' }],
  configSchema: {},
  version: 1,
  traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
  defaults: { expression: 'true' },
};

const doc: Pipeline = {
  version: 1,
  name: 'p',
  params: {},
  nodes: [
    { id: 'a', kind: 'filter', config: { expression: 'x > 1' }, position: { x: 0, y: 0 } },
    { id: 'b', kind: 'filter', config: { expression: 'true' }, position: { x: 300, y: 0 } },
    { id: 'c', kind: 'filter', config: { expression: 'true' }, position: { x: 600, y: 0 } },
  ],
  edges: [{ from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } }],
};

const s = () => useDesigner.getState();
const md = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

beforeEach(() => {
  s().setCatalog({ engineVersion: 't', kinds: [filter] });
  s().loadPipeline(doc);
  s().setStatus('ready');
});

describe('annotations', () => {
  it('adds, edits and deletes a note, each an undo step, and saves it in the file', () => {
    const id = s().addNote({ x: 10.4, y: 20.6 }, '# Why');
    s().updateNote(id, { text: '# Why\nbecause' });
    s().updateNote(id, { text: '# Why\nbecause of **this**' });
    const saved = JSON.parse(canonicalText(s())) as Pipeline;
    expect(saved.annotations).toEqual({ notes: [{ id: 'note_1', position: { x: 10, y: 21 }, text: '# Why\nbecause of **this**' }], groups: [] });
    // Typing into the note was one step; undoing it, then the add, leaves the file as it was.
    useDesigner.getState().undo();
    expect(s().meta.annotations?.notes[0]?.text).toBe('# Why');
    useDesigner.getState().undo();
    expect(JSON.parse(canonicalText(s())).annotations).toBeUndefined();
    s().redo();
    s().deleteNote(id);
    expect(JSON.parse(canonicalText(s())).annotations).toBeUndefined();
  });

  it('groups the selected nodes; dragging the group moves its nodes in one step; a deleted node leaves its group', () => {
    useDesigner.setState({ nodes: s().nodes.map((n) => ({ ...n, selected: n.id !== 'c' })), selectedNodeIds: ['a', 'b'] });
    const g = s().groupSelection('Cleaning')!;
    expect(s().meta.annotations?.groups).toEqual([{ id: g, title: 'Cleaning', nodes: ['a', 'b'] }]);
    s().moveAnnotation({ group: g }, 5, 5, true);
    s().moveAnnotation({ group: g }, 10, 0, false);
    s().endAnnotationDrag();
    expect(s().nodes.map((n) => n.position)).toEqual([{ x: 15, y: 5 }, { x: 315, y: 5 }, { x: 600, y: 0 }]);
    s().undo();
    expect(s().nodes.map((n) => n.position)).toEqual([{ x: 0, y: 0 }, { x: 300, y: 0 }, { x: 600, y: 0 }]);
    s().deleteSelection();
    // Both grouped nodes were selected and deleted: the empty group is not saved.
    expect(s().nodes.map((n) => n.id)).toEqual(['c']);
    expect(JSON.parse(canonicalText(s())).annotations).toBeUndefined();
  });

  it('loads annotations from a file and saves them back byte for byte', () => {
    const text = serializePipeline({ ...doc, annotations: { notes: [{ id: 'n1', text: 'hi', position: { x: 1, y: 2 }, width: 300 }], groups: [{ id: 'g1', title: 'All', nodes: ['a', 'b', 'c'] }] } });
    const parsed = parsePipelineText(text);
    expect(parsed.problems).toEqual([]);
    s().loadPipeline(parsed.pipeline!);
    expect(canonicalText(s())).toBe(text);
  });

  it('renders Markdown as elements and raw HTML as text', () => {
    expect(md('# Title\n\nSome **bold** and *italic* with `code`.\n\n- one\n- two')).toBe(
      '<h3>Title</h3><p>Some <strong>bold</strong> and <em>italic</em> with <code>code</code>.</p><ul><li>one</li><li>two</li></ul>',
    );
    const html = md('<img src=x onerror="alert(1)"><script>alert(2)</script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;');
    expect(md('[site](https://example.com) [bad](javascript:alert(1))')).toBe('<p><a href="https://example.com" target="_blank" rel="noopener noreferrer">site</a> [bad](javascript:alert(1))</p>');
  });
});
