import { describe, expect, it } from 'vitest';
import type { Edge, Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import { copyNodes, deleteElements, duplicateNodes, pasteNodes, previewKey, upstreamPipeline } from './doc-ops';
import { edgeId } from './graph';

const n = (id: string, kind = 'filter', x = 0): PipelineNode => ({ id, kind, position: { x, y: 0 }, config: { expression: 'true' } });
const e = (s: string, t: string): Edge => ({ from: { node: s, port: 'out' }, to: { node: t, port: 'in' } });
const doc = (nodes: PipelineNode[], edges: Edge[]): Pipeline => ({ version: 1, name: 'p', params: {}, nodes, edges });

describe('document edits', () => {
  const g = doc([n('a', 'src'), n('b'), n('c')], [e('a', 'b'), e('b', 'c')]);

  it('deletes nodes with every edge touching them', () => {
    const out = deleteElements(g, new Set(['b']), new Set());
    expect(out.nodes).toEqual([g.nodes[0], g.nodes[2]]);
    expect(out.edges).toEqual([]);
    expect(deleteElements(g, new Set(), new Set(['a.out->b.in'])).edges).toEqual([g.edges[1]]);
  });

  it('duplicates nodes with fresh ids and the edges between them only', () => {
    const out = duplicateNodes(g, new Set(['b', 'c']));
    expect(out.created).toEqual(['filter_1', 'filter_2']);
    expect(out.doc.edges.map(edgeId)).toEqual(['a.out->b.in', 'b.out->c.in', 'filter_1.out->filter_2.in']);
    const copy = out.doc.nodes.find((x) => x.id === 'filter_1');
    expect(copy?.config).toEqual(g.nodes[1]?.config);
    expect(copy?.config).not.toBe(g.nodes[1]?.config);
    expect(copy?.position).toEqual({ x: 40, y: 40 });
    // The originals are the same objects: an unchanged node keeps its identity through an edit.
    expect(out.doc.nodes.slice(0, 3)).toEqual(g.nodes);
    expect(out.doc.nodes[1]).toBe(g.nodes[1]);
  });

  it('copies nodes with their internal edges and pastes them with fresh ids, even into another graph', () => {
    const clip = copyNodes(g, new Set(['b', 'c']));
    expect(clip?.nodes.map((x) => x.id)).toEqual(['b', 'c']);
    expect(clip?.edges.map(edgeId)).toEqual(['b.out->c.in']);
    expect(copyNodes(g, new Set())).toBeUndefined();
    if (!clip) return;
    // The clipboard is a snapshot: later edits of the originals do not change what is pasted.
    (g.nodes[1] as PipelineNode).config['expression'] = 'changed';
    expect(clip.nodes[0]?.config['expression']).toBe('true');
    (g.nodes[1] as PipelineNode).config['expression'] = 'true';

    const once = pasteNodes(g, clip, 40);
    expect(once.created).toEqual(['filter_1', 'filter_2']);
    expect(once.doc.edges.map(edgeId)).toEqual(['a.out->b.in', 'b.out->c.in', 'filter_1.out->filter_2.in']);
    expect(once.doc.nodes.find((x) => x.id === 'filter_1')?.position).toEqual({ x: 40, y: 40 });
    const twice = pasteNodes(once.doc, clip, 80);
    expect(twice.created).toEqual(['filter_3', 'filter_4']);
    const other = pasteNodes(doc([n('filter_1')], []), clip, 0);
    expect(other.created).toEqual(['filter_2', 'filter_3']);
    expect(other.doc.edges.map(edgeId)).toEqual(['filter_2.out->filter_3.in']);
  });
});

describe('preview scope', () => {
  const p: Pipeline = {
    version: 1,
    name: 'p',
    params: {},
    nodes: [
      { id: 'a', kind: 'src', config: {}, position: { x: 0, y: 0 } },
      { id: 'b', kind: 'filter', config: {}, position: { x: 0, y: 0 } },
      { id: 'c', kind: 'filter', config: {}, position: { x: 0, y: 0 } },
      { id: 'loose', kind: 'filter', config: { expression: '' }, position: { x: 0, y: 0 } },
    ],
    edges: [
      { from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } },
      { from: { node: 'b', port: 'out' }, to: { node: 'c', port: 'in' } },
    ],
  };

  it('keeps only the node and what feeds it', () => {
    const sub = upstreamPipeline(p, 'b');
    expect(sub.nodes.map((x) => x.id)).toEqual(['a', 'b']);
    expect(sub.edges).toHaveLength(1);
  });

  it('changes its key with configs, not with positions', () => {
    const moved = { ...p, nodes: p.nodes.map((x) => ({ ...x, position: { x: 9, y: 9 } })) };
    expect(previewKey(moved, 'b', '/d')).toBe(previewKey(p, 'b', '/d'));
    const edited = { ...p, nodes: p.nodes.map((x) => (x.id === 'b' ? { ...x, config: { expression: 'x' } } : x)) };
    expect(previewKey(edited, 'b', '/d')).not.toBe(previewKey(p, 'b', '/d'));
  });
});
