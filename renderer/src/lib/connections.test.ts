import { describe, expect, it } from 'vitest';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import { connectionRefusal } from './connections';
import type { FlowEdge, FlowNode, KindIndex } from './graph';

const kind = (k: string, inputs: NodeKindInfo['inputs'], outputs: NodeKindInfo['outputs']): NodeKindInfo => ({
  kind: k,
  category: 'transform',
  title: k,
  description: '',
  inputs,
  outputs,
  configSchema: {},
  version: 1,
  traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
  defaults: {},
});
const kinds: KindIndex = {
  src: kind('src', [], [{ name: 'out', title: 'Rows', role: 'data' }]),
  filter: kind('filter', [{ name: 'in', title: 'Input', role: 'data' }], [{ name: 'out', title: 'Kept', role: 'data' }]),
  union: kind('union', [{ name: 'in', title: 'Inputs', role: 'data', multiple: true }], [{ name: 'out', title: 'Rows', role: 'data' }]),
};
const n = (id: string, k: string, extra: Partial<FlowNode['data']> = {}): FlowNode => ({ id, type: 'pipeline', position: { x: 0, y: 0 }, data: { kind: k, config: {}, ...extra } });
const e = (source: string, target: string, sourceHandle = 'out', targetHandle = 'in'): FlowEdge => ({ id: `${source}->${target}`, source, target, sourceHandle, targetHandle });

const nodes = [n('a', 'src'), n('b', 'filter'), n('c', 'filter'), n('u', 'union'), n('x', 'mystery', { unknownPorts: { inputs: ['in'], outputs: ['out'] } })];
const edges = [e('a', 'b'), e('b', 'c'), e('a', 'u')];
const attempt = (source: string, target: string, sourceHandle = 'out', targetHandle = 'in') => connectionRefusal({ source, target, sourceHandle, targetHandle }, nodes, edges, kinds);

describe('connectionRefusal', () => {
  it('accepts a free input and a multi-input', () => {
    expect(attempt('a', 'x')).toMatch(/unknown kind/);
    expect(attempt('c', 'u')).toBeUndefined();
  });

  it('says why it refuses', () => {
    expect(attempt('b', 'b')).toMatch(/cannot feed itself/);
    expect(attempt('a', 'c')).toMatch(/already has a connection/);
    expect(attempt('c', 'b', 'out', 'in')).toMatch(/already has a connection/);
    expect(attempt('a', 'b', 'nope')).toMatch(/has no output “nope”/);
    expect(attempt('a', 'u', 'out', 'left')).toMatch(/has no input “left”; its inputs are “Inputs”/);
    expect(attempt('a', 'u')).toMatch(/already connected/);
  });

  it('refuses a loop', () => {
    const free = [...nodes, n('d', 'filter')];
    expect(connectionRefusal({ source: 'c', target: 'd', sourceHandle: 'out', targetHandle: 'in' }, free, edges, kinds)).toBeUndefined();
    const looped = [...edges, e('c', 'd')];
    expect(connectionRefusal({ source: 'd', target: 'u', sourceHandle: 'out', targetHandle: 'in' }, free, looped, kinds)).toBeUndefined();
    const withU = [...looped, e('u', 'x')];
    expect(connectionRefusal({ source: 'c', target: 'b', sourceHandle: 'out', targetHandle: 'in' }, free, withU, { ...kinds, filter: kind('filter', [{ name: 'in', title: 'Input', role: 'data', multiple: true }], [{ name: 'out', title: 'Kept', role: 'data' }]) })).toMatch(/loop/);
  });
});
