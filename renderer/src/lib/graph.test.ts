import { describe, expect, it } from 'vitest';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { freshNodeId, toFlow, toPipeline, type KindIndex } from './graph';
import { nearestFreeSpot, NODE_HEIGHT_ESTIMATE, NODE_WIDTH } from './placement';

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

describe('pipeline <-> flow', () => {
  it('round-trips a pipeline, rounding positions', () => {
    const { meta, nodes, edges } = toFlow(pipeline, kinds);
    const back = toPipeline(meta, nodes, edges);
    expect(back.nodes[1]?.position).toEqual({ x: 260, y: 10 });
    expect({ ...back, nodes: back.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })) }).toEqual({
      ...pipeline,
      nodes: pipeline.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })),
    });
  });

  it('marks quarantine edges by the source port role', () => {
    const { edges } = toFlow(pipeline, kinds);
    expect(edges.map((e) => e.data?.role)).toEqual(['data', 'quarantine']);
  });

  it('gives nodes of unknown kinds the ports their edges use, so the edges still draw', () => {
    const { nodes } = toFlow(pipeline, kinds);
    expect(nodes[0]?.data.unknownPorts).toEqual({ inputs: [], outputs: ['out'] });
    expect(nodes[2]?.data.unknownPorts).toEqual({ inputs: ['in'], outputs: [] });
    expect(nodes[1]?.data.unknownPorts).toBeUndefined();
  });
});

describe('freshNodeId', () => {
  it('counts on from the existing nodes of the kind', () => {
    expect(freshNodeId('filter', new Set())).toBe('filter_1');
    expect(freshNodeId('filter', new Set(['filter']))).toBe('filter_2');
    expect(freshNodeId('filter', new Set(['filter_1', 'filter_2']))).toBe('filter_3');
    expect(freshNodeId('filter', new Set(['filter_2']))).toBe('filter_3');
  });

  it('keeps to the id alphabet of the file format', () => {
    expect(freshNodeId('source.csv', new Set())).toBe('source_csv_1');
    expect(freshNodeId('3d', new Set())).toBe('n_3d_1');
  });
});

describe('nearestFreeSpot', () => {
  it('uses the centre when it is free', () => {
    expect(nearestFreeSpot({ x: 500, y: 500 }, [])).toEqual({ x: 500 - NODE_WIDTH / 2, y: 500 - NODE_HEIGHT_ESTIMATE / 2 });
  });

  it('moves off a node that sits at the centre', () => {
    const taken = { id: 'a', type: 'pipeline' as const, position: { x: 400, y: 450 }, data: { kind: 'k', config: {} }, measured: { width: 208, height: 100 } };
    const spot = nearestFreeSpot({ x: 500, y: 500 }, [taken]);
    const overlapsX = spot.x < 400 + 208 && 400 < spot.x + NODE_WIDTH;
    const overlapsY = spot.y < 450 + 100 && 450 < spot.y + NODE_HEIGHT_ESTIMATE;
    expect(overlapsX && overlapsY).toBe(false);
  });
});
