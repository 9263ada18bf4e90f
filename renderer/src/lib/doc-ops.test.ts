import { describe, expect, it } from 'vitest';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { copyNodes, deleteElements, duplicateNodes, pasteNodes, previewKey, sameDocument, upstreamPipeline } from './doc-ops';
import type { FlowEdge, FlowNode } from './graph';

const n = (id: string, kind = 'filter', x = 0): FlowNode => ({ id, type: 'pipeline', position: { x, y: 0 }, data: { kind, config: { expression: 'true' } } });
const e = (s: string, t: string): FlowEdge => ({ id: `${s}.out->${t}.in`, source: s, target: t, sourceHandle: 'out', targetHandle: 'in', data: { role: 'data' } });

describe('document edits', () => {
  const g = { nodes: [n('a', 'src'), n('b'), n('c')], edges: [e('a', 'b'), e('b', 'c')] };

  it('deletes nodes with every edge touching them', () => {
    expect(deleteElements(g, new Set(['b']), new Set())).toEqual({ nodes: [g.nodes[0], g.nodes[2]], edges: [] });
    expect(deleteElements(g, new Set(), new Set(['a.out->b.in'])).edges).toEqual([g.edges[1]]);
  });

  it('duplicates nodes with fresh ids and the edges between them only', () => {
    const out = duplicateNodes({ ...g, nodes: g.nodes.map((x) => ({ ...x, selected: x.id !== 'a' })) }, new Set(['b', 'c']), {});
    expect(out.created).toEqual(['filter_1', 'filter_2']);
    expect(out.edges.map((x) => x.id)).toEqual(['a.out->b.in', 'b.out->c.in', 'filter_1.out->filter_2.in']);
    const copy = out.nodes.find((x) => x.id === 'filter_1');
    expect(copy?.selected).toBe(true);
    expect(copy?.data.config).toEqual(g.nodes[1]?.data.config);
    expect(copy?.data.config).not.toBe(g.nodes[1]?.data.config);
    expect(out.nodes.filter((x) => x.selected).map((x) => x.id)).toEqual(['filter_1', 'filter_2']);
  });

  it('copies nodes with their internal edges and pastes them with fresh ids, even into another graph', () => {
    const clip = copyNodes(g, new Set(['b', 'c']));
    expect(clip?.nodes.map((x) => x.id)).toEqual(['b', 'c']);
    expect(clip?.edges.map((x) => x.id)).toEqual(['b.out->c.in']);
    expect(copyNodes(g, new Set())).toBeUndefined();
    if (!clip) return;
    // The clipboard is a snapshot: later edits of the originals do not change what is pasted.
    (g.nodes[1] as FlowNode).data.config['expression'] = 'changed';
    expect(clip.nodes[0]?.data.config['expression']).toBe('true');
    (g.nodes[1] as FlowNode).data.config['expression'] = 'true';

    const once = pasteNodes(g, clip, 40);
    expect(once.created).toEqual(['filter_1', 'filter_2']);
    expect(once.edges.map((x) => x.id)).toEqual(['a.out->b.in', 'b.out->c.in', 'filter_1.out->filter_2.in']);
    expect(once.nodes.find((x) => x.id === 'filter_1')?.position).toEqual({ x: 40, y: 40 });
    const twice = pasteNodes(once, clip, 80);
    expect(twice.created).toEqual(['filter_3', 'filter_4']);
    expect(twice.nodes.filter((x) => x.selected).map((x) => x.id)).toEqual(['filter_3', 'filter_4']);
    const other = pasteNodes({ nodes: [n('filter_1')], edges: [] }, clip, 0);
    expect(other.created).toEqual(['filter_2', 'filter_3']);
    expect(other.edges.map((x) => x.id)).toEqual(['filter_2.out->filter_3.in']);
  });

  it('compares documents, ignoring selection and measured sizes', () => {
    const meta = { version: 1 as const, name: 'p', params: {} };
    const a = { meta, nodes: g.nodes, edges: g.edges };
    expect(sameDocument(a, { meta, nodes: g.nodes.map((x) => ({ ...x, selected: true, measured: { width: 1, height: 2 } })), edges: g.edges })).toBe(true);
    expect(sameDocument(a, { meta, nodes: g.nodes.map((x) => ({ ...x, position: { x: 5, y: 0 } })), edges: g.edges })).toBe(false);
    expect(sameDocument(a, { meta, nodes: g.nodes.map((x) => ({ ...x, data: { ...x.data } })), edges: g.edges })).toBe(false);
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
