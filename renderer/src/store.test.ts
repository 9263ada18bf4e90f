// Undo/redo over the document: a drag is one step, typing into one field is one step, selection is not history.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { canonicalText, isDirty, useDesigner } from './store';

// Counts serialisations of the whole document (what the dirty check used to do on every store change).
const serialised = vi.hoisted(() => ({ count: 0 }));
vi.mock('@sluice/format/pipeline/save', async (original) => {
  const actual = await original<typeof import('@sluice/format/pipeline/save')>();
  return {
    ...actual,
    serializePipeline: (p: Parameters<typeof actual.serializePipeline>[0]) => {
      serialised.count += 1;
      return actual.serializePipeline(p);
    },
  };
});

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
const history = () => s().history;

beforeEach(() => {
  s().setCatalog({ engineVersion: 't', kinds: [filter] });
  s().loadPipeline(doc);
  s().setStatus('ready');
});

describe('designer history', () => {
  it('starts a loaded document clean and with no history', () => {
    expect(history().past).toHaveLength(0);
    expect(canonicalText(s())).toBe(s().savedText);
  });

  it('records a whole drag as one step', () => {
    for (let i = 1; i <= 5; i++) s().onNodesChange([{ type: 'position', id: 'a', position: { x: i * 10, y: 0 }, dragging: true }]);
    s().onNodesChange([{ type: 'position', id: 'a', position: { x: 50, y: 0 }, dragging: false }]);
    expect(history().past).toHaveLength(1);
    s().undo();
    expect(s().nodes[0]?.position).toEqual({ x: 0, y: 0 });
    s().redo();
    expect(s().nodes[0]?.position).toEqual({ x: 50, y: 0 });
  });

  it('records typing into one field as one step, and another field as another', () => {
    for (const text of ['y', 'y ', 'y >', 'y > 2']) s().setNodeConfig('a', { expression: text }, 'expression');
    s().setNodeConfig('b', { expression: 'false' }, 'expression');
    expect(history().past).toHaveLength(2);
    s().undo();
    expect(s().nodes[1]?.data.config).toEqual({ expression: 'true' });
    s().undo();
    expect(s().nodes[0]?.data.config).toEqual({ expression: 'x > 1' });
    expect(canonicalText(s())).toBe(s().savedText);
  });

  it('does not record selection or measuring, and keeps the selection across undo', () => {
    s().onNodesChange([{ type: 'select', id: 'b', selected: true }]);
    s().onNodesChange([{ type: 'dimensions', id: 'b', dimensions: { width: 208, height: 90 } }]);
    expect(history().past).toHaveLength(0);
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
    expect(history().past).toHaveLength(1);
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

describe('the dirty check', () => {
  it('never serialises the document: not after an edit, not on selection, measuring or panel changes', () => {
    serialised.count = 0;
    expect(isDirty(s())).toBe(false);
    s().setNodeConfig('a', { expression: 'x > 2' }, 'expression');
    expect(isDirty(s())).toBe(true);
    for (let i = 0; i < 20; i++) {
      s().onNodesChange([{ type: 'select', id: i % 2 ? 'a' : 'b', selected: true }]);
      s().onNodesChange([{ type: 'dimensions', id: 'b', dimensions: { width: 200 + i, height: 90 } }]);
      s().setSelection([i % 2 ? 'a' : 'b']);
      expect(isDirty(s())).toBe(true);
    }
    // Typing the old value back makes it clean again, as does undoing to the saved version.
    s().setNodeConfig('a', { expression: 'x > 1' }, 'expression');
    expect(isDirty(s())).toBe(false);
    s().onNodesChange([{ type: 'position', id: 'b', position: { x: 300.3, y: 0 } }]);
    expect(isDirty(s())).toBe(false);
    s().onNodesChange([{ type: 'position', id: 'b', position: { x: 320, y: 0 } }]);
    expect(isDirty(s())).toBe(true);
    s().undo();
    s().undo();
    expect(isDirty(s())).toBe(false);
    expect(serialised.count).toBe(0);
  });

  it('is clean after a save and dirty against a restored draft\'s file until it matches', () => {
    s().setNodeLabel('a', 'First');
    s().markSaved();
    expect(isDirty(s())).toBe(false);
    const file = canonicalText(s());
    s().loadPipeline({ ...doc, name: 'draft' }, undefined, file);
    expect(isDirty(s())).toBe(true);
    s().setMeta({ name: 'p' });
    s().setNodeLabel('a', 'First');
    expect(isDirty(s())).toBe(false);
  });
});

describe('undo and redo over document versions', () => {
  it('keeps whole versions that share unchanged nodes, and goes back and forth between them', () => {
    const v0 = s().doc;
    s().setNodeConfig('a', { expression: 'x > 5' });
    const v1 = s().doc;
    s().onNodesChange([{ type: 'position', id: 'b', position: { x: 400, y: 40 }, dragging: true }]);
    s().onNodesChange([{ type: 'position', id: 'b', position: { x: 410, y: 40 }, dragging: false }]);
    const v2 = s().doc;
    expect(history().past).toEqual([v0, v1]);
    // Structural sharing: each version holds new objects only for what changed.
    expect(v1.nodes[1]).toBe(v0.nodes[1]);
    expect(v2.nodes[0]).toBe(v1.nodes[0]);
    expect(v2.edges).toBe(v0.edges);
    s().undo();
    expect(s().doc).toBe(v1);
    expect(s().nodes[1]?.position).toEqual({ x: 300, y: 0 });
    s().undo();
    expect(s().doc).toBe(v0);
    expect(s().nodes[0]?.data.config).toEqual({ expression: 'x > 1' });
    s().undo();
    expect(s().doc).toBe(v0);
    s().redo();
    s().redo();
    expect(s().doc).toBe(v2);
    expect(history().future).toHaveLength(0);
    // A new edit after an undo drops the versions that were undone.
    s().undo();
    s().setNodeLabel('b', 'New');
    expect(history().future).toHaveLength(0);
    expect(history().past).toEqual([v0, v1]);
  });

  it('keeps the last 200 steps', () => {
    for (let i = 0; i < 205; i++) s().setNodeConfig('a', { expression: `x > ${i}` });
    expect(history().past).toHaveLength(200);
    for (let i = 0; i < 200; i++) s().undo();
    expect(s().nodes[0]?.data.config).toEqual({ expression: 'x > 4' });
  });

  it('derives React Flow objects that stay the same for nodes a change did not touch', () => {
    const before = s().nodes;
    s().onNodesChange([{ type: 'position', id: 'b', position: { x: 350, y: 0 }, dragging: true }]);
    expect(s().nodes[0]).toBe(before[0]);
    expect(s().nodes[1]).not.toBe(before[1]);
    expect(s().nodes[1]?.data).toBe(before[1]?.data);
    s().onNodesChange([{ type: 'position', id: 'b', position: { x: 350, y: 0 }, dragging: false }]);
    const settled = s().nodes;
    s().setSamples([]);
    s().setSelection([]);
    expect(s().nodes).toBe(settled);
    // A measured size or a selection re-derives only the node it is about.
    s().onNodesChange([{ type: 'dimensions', id: 'b', dimensions: { width: 210, height: 80 } }]);
    expect(s().nodes[0]).toBe(settled[0]);
    expect(s().nodes[1]?.measured).toEqual({ width: 210, height: 80 });
    s().selectOnly('b');
    expect(s().nodes[0]).toBe(settled[0]);
    expect(s().nodes[1]?.selected).toBe(true);
    s().selectOnly('a');
    expect(s().nodes.map((n) => Boolean(n.selected))).toEqual([true, false]);
  });
});
