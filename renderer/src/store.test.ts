// Undo/redo over the document: a drag is one step, typing into one field is one step, selection is not history.
import { beforeEach, describe, expect, it } from 'vitest';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
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
  ],
  edges: [{ from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } }],
};

const s = () => useDesigner.getState();
const history = () => useDesigner.temporal.getState();

beforeEach(() => {
  s().setCatalog({ engineVersion: 't', kinds: [filter] });
  s().loadPipeline(doc);
  s().setStatus('ready');
});

describe('designer history', () => {
  it('starts a loaded document clean and with no history', () => {
    expect(history().pastStates).toHaveLength(0);
    expect(canonicalText(s())).toBe(s().savedText);
  });

  it('records a whole drag as one step', () => {
    for (let i = 1; i <= 5; i++) s().onNodesChange([{ type: 'position', id: 'a', position: { x: i * 10, y: 0 }, dragging: true }]);
    s().onNodesChange([{ type: 'position', id: 'a', position: { x: 50, y: 0 }, dragging: false }]);
    expect(history().pastStates).toHaveLength(1);
    s().undo();
    expect(s().nodes[0]?.position).toEqual({ x: 0, y: 0 });
    s().redo();
    expect(s().nodes[0]?.position).toEqual({ x: 50, y: 0 });
  });

  it('records typing into one field as one step, and another field as another', () => {
    for (const text of ['y', 'y ', 'y >', 'y > 2']) s().setNodeConfig('a', { expression: text }, 'expression');
    s().setNodeConfig('b', { expression: 'false' }, 'expression');
    expect(history().pastStates).toHaveLength(2);
    s().undo();
    expect(s().nodes[1]?.data.config).toEqual({ expression: 'true' });
    s().undo();
    expect(s().nodes[0]?.data.config).toEqual({ expression: 'x > 1' });
    expect(canonicalText(s())).toBe(s().savedText);
  });

  it('does not record selection or measuring, and keeps the selection across undo', () => {
    s().onNodesChange([{ type: 'select', id: 'b', selected: true }]);
    s().onNodesChange([{ type: 'dimensions', id: 'b', dimensions: { width: 208, height: 90 } }]);
    expect(history().pastStates).toHaveLength(0);
    s().setSelection(['b']);
    s().setNodeLabel('b', 'Keep');
    s().onNodesChange([{ type: 'select', id: 'b', selected: false }, { type: 'select', id: 'a', selected: true }]);
    s().setSelection(['a']);
    s().undo();
    expect(s().nodes.find((n) => n.id === 'b')?.data.label).toBeUndefined();
    expect(s().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['a']);
  });

  it('deletes a node and its edges in one step', () => {
    s().onNodesChange([{ type: 'select', id: 'a', selected: true }]);
    s().deleteSelection();
    expect(s().nodes.map((n) => n.id)).toEqual(['b']);
    expect(s().edges).toHaveLength(0);
    expect(history().pastStates).toHaveLength(1);
    s().undo();
    expect(s().nodes).toHaveLength(2);
    expect(s().edges).toHaveLength(1);
  });
});

describe('faster wiring', () => {
  it('connects a node added while one node is selected to that node\'s free output', () => {
    s().selectOnly('b');
    const id = s().addNode('filter', { x: 600, y: 0 }, { autoConnect: true });
    expect(s().edges.some((e) => e.source === 'b' && e.sourceHandle === 'out' && e.target === id && e.targetHandle === 'in')).toBe(true);
    // One step: undo takes the node and its edge away together.
    s().undo();
    expect(s().nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(s().edges).toHaveLength(1);
  });

  it('does not connect to an output that already feeds something', () => {
    s().selectOnly('a');
    s().addNode('filter', { x: 0, y: 200 }, { autoConnect: true });
    expect(s().edges).toHaveLength(1);
  });

  it('puts a node dropped on an edge into it, as one step', () => {
    const edge = s().edges[0];
    const id = s().addNode('filter', { x: 150, y: 0 }) as string;
    expect(s().insertOnEdge(edge?.id ?? '', id)).toBe(true);
    expect(s().edges.map((e) => `${e.source}>${e.target}`).sort()).toEqual([`${id}>b`, `a>${id}`].sort());
    s().undo();
    expect(s().edges.map((e) => `${e.source}>${e.target}`)).toEqual(['a>b']);
  });

  it('resets a node\'s config to its kind\'s defaults', () => {
    s().resetNode('a');
    expect(s().nodes.find((n) => n.id === 'a')?.data.config).toEqual({ expression: 'true' });
  });
});
