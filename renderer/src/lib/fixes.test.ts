import { describe, expect, it } from 'vitest';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import { applyFix, parseField } from './fixes';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { KindIndex } from './graph';

const kind = (k: string): NodeKindInfo => ({
  kind: k,
  category: 'transform',
  title: k,
  description: '',
  inputs: [{ name: 'in', title: 'in', role: 'data' }],
  outputs: [{ name: 'out', title: 'out', role: 'data' }],
  configSchema: {},
  defaults: {},
  version: 3,
  traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
});
const kinds: KindIndex = { 'source.csv': kind('source.csv'), cast: kind('cast'), aggregate: kind('aggregate') };

const doc = (): Pipeline => (
    {
      version: 1,
      name: 'p',
      params: {},
      nodes: [
        { id: 's', kind: 'source.csv', config: { path: 'a.csv' }, position: { x: 0, y: 0 } },
        { id: 'a', kind: 'aggregate', config: { aggregates: [{ fn: 'sum', column: 'amout', as: 't' }] }, position: { x: 400, y: 0 } },
      ],
      edges: [{ from: { node: 's', port: 'out' }, to: { node: 'a', port: 'in' } }],
    });

describe('one-click fixes', () => {
  it('parses config paths the engine writes', () => {
    expect(parseField('aggregates[0].column')).toEqual(['aggregates', 0, 'column']);
    expect(parseField('rightPrefix')).toEqual(['rightPrefix']);
  });

  it('sets a column type in the node that declares types', () => {
    const d = doc();
    const r = applyFix(d, 'a', { action: 'set_type', label: '', nodeId: 's', column: 'amount', type: 'DOUBLE' }, kinds);
    expect(r?.doc.nodes[0]?.config).toEqual({ path: 'a.csv', types: { amount: 'DOUBLE' } });
  });

  it('sets the field the problem names', () => {
    const d = doc();
    const r = applyFix(d, 'a', { action: 'set_field', label: '', field: 'aggregates[0].column', value: 'amount' }, kinds);
    expect(r?.doc.nodes[1]?.config).toEqual({ aggregates: [{ fn: 'sum', column: 'amount', as: 't' }] });
  });

  it('inserts a Cast node on the edge into the node, at the kind version of the catalog', () => {
    const d = doc();
    const r = applyFix(d, 'a', { action: 'insert_cast', label: '', nodeId: 'a', port: 'in', column: 'amount', type: 'DOUBLE' }, kinds);
    if (!r) throw new Error('fix did not apply');
    const p = r.doc;
    expect(p.nodes.find((n) => n.id === r.created)).toMatchObject({ kind: 'cast', kindVersion: 3, config: { types: { amount: 'DOUBLE' } } });
    expect(p.edges).toEqual([
      { from: { node: 's', port: 'out' }, to: { node: r.created, port: 'in' } },
      { from: { node: r.created, port: 'out' }, to: { node: 'a', port: 'in' } },
    ]);
  });

  it('does nothing when what the fix names is gone', () => {
    expect(applyFix(doc(), 'a', { action: 'set_type', label: '', nodeId: 'gone', column: 'x', type: 'DOUBLE' }, kinds)).toBeUndefined();
  });
});
