// The document is the truth; React Flow's objects are derived from it, one kept object per unchanged node.
import { describe, expect, it } from 'vitest';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { KindIndex } from '../lib/graph';
import { derive, emptyView } from './derive';
import { sameContent, savedForm } from './document';

const validate: NodeKindInfo = {
  kind: 'validate',
  category: 'quality',
  title: 'Validate rows',
  description: '',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [
    { name: 'valid', title: 'Valid', role: 'data' },
    { name: 'quarantine', title: 'Quarantine', role: 'quarantine' },
  ],
  configSchema: {},
  version: 1,
  traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
  defaults: {},
};
const kinds: KindIndex = { validate };

const pipeline: Pipeline = {
  version: 1,
  name: 'p',
  params: {},
  nodes: [
    { id: 'src', kind: 'mystery', config: { path: 'a.csv' }, position: { x: 0, y: 0 } },
    { id: 'check', kind: 'validate', label: 'Check', config: { rules: [] }, position: { x: 260.4, y: 10 } },
    { id: 'bad', kind: 'mystery', config: {}, position: { x: 520, y: 10 } },
  ],
  edges: [
    { from: { node: 'src', port: 'out' }, to: { node: 'check', port: 'in' } },
    { from: { node: 'check', port: 'quarantine' }, to: { node: 'bad', port: 'in' } },
  ],
};

describe('document -> React Flow, and back to the file', () => {
  it('round-trips a pipeline, rounding positions', () => {
    const back = savedForm(pipeline);
    expect(back.nodes[1]?.position).toEqual({ x: 260, y: 10 });
    expect({ ...back, nodes: back.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })) }).toEqual({
      ...pipeline,
      nodes: pipeline.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })),
    });
  });

  it('marks quarantine edges by the source port role', () => {
    const { edges } = derive(pipeline, emptyView(), kinds);
    expect(edges.map((e) => e.data?.role)).toEqual(['data', 'quarantine']);
  });

  it('gives nodes of unknown kinds the ports their edges use, so the edges still draw', () => {
    const { nodes } = derive(pipeline, emptyView(), kinds);
    expect(nodes[0]?.data.unknownPorts).toEqual({ inputs: [], outputs: ['out'] });
    expect(nodes[2]?.data.unknownPorts).toEqual({ inputs: ['in'], outputs: [] });
    expect(nodes[1]?.data.unknownPorts).toBeUndefined();
  });
});


describe('derived objects keep their identity', () => {
  it('keeps every unchanged node, its data through a move, and the arrays when nothing changed', () => {
    const first = derive(pipeline, emptyView(), kinds);
    const movedDoc = { ...pipeline, nodes: pipeline.nodes.map((n) => (n.id === 'check' ? { ...n, position: { x: 300, y: 10 } } : n)) };
    const second = derive(movedDoc, emptyView(), kinds, first);
    expect(second.nodes[0]).toBe(first.nodes[0]);
    expect(second.nodes[1]).not.toBe(first.nodes[1]);
    expect(second.nodes[1]?.data).toBe(first.nodes[1]?.data);
    expect(second.edges).toBe(first.edges);
    // A view change that touches no node (another node's size unknown to this document) keeps the arrays.
    const third = derive(movedDoc, { ...emptyView(), measured: new Map([['gone', { width: 1, height: 1 }]]) }, kinds, second);
    expect(third.nodes).toBe(second.nodes);
    const selected = derive(movedDoc, { ...emptyView(), selectedNodes: new Set(['src']) }, kinds, third);
    expect(selected.nodes[0]?.selected).toBe(true);
    expect(selected.nodes[1]).toBe(third.nodes[1]);
  });
});

describe('comparing versions without serialising', () => {
  it('sees a change of config, label, position (as saved, rounded), edge or meta, and not a reordered config', () => {
    const withNode = (f: (n: Pipeline['nodes'][number]) => Pipeline['nodes'][number]): Pipeline => ({ ...pipeline, nodes: pipeline.nodes.map((n) => (n.id === 'check' ? f(n) : n)) });
    expect(sameContent(pipeline, { ...pipeline })).toBe(true);
    expect(sameContent(pipeline, withNode((n) => ({ ...n, config: { rules: [] } })))).toBe(true);
    expect(sameContent(pipeline, withNode((n) => ({ ...n, position: { x: 260.2, y: 10 } })))).toBe(true);
    expect(sameContent(pipeline, withNode((n) => ({ ...n, position: { x: 261, y: 10 } })))).toBe(false);
    expect(sameContent(pipeline, withNode((n) => ({ ...n, config: { rules: [{ kind: 'not_null' }] } })))).toBe(false);
    expect(sameContent(pipeline, withNode((n) => ({ ...n, label: 'Other' })))).toBe(false);
    expect(sameContent(pipeline, { ...pipeline, edges: pipeline.edges.slice(1) })).toBe(false);
    expect(sameContent(pipeline, { ...pipeline, name: 'q' })).toBe(false);
    const a = { ...pipeline, nodes: [{ ...pipeline.nodes[0]!, config: { a: 1, b: 2 } }] };
    const b = { ...pipeline, nodes: [{ ...pipeline.nodes[0]!, config: { b: 2, a: 1 } }] };
    expect(sameContent(a, b)).toBe(true);
  });
});
