import { describe, expect, it } from 'vitest';
import { originText } from './lineage';

const label = (id: string) => (id === 'orders' ? 'Orders CSV' : id);

describe('originText', () => {
  it('names the file and line first, then the node that read it by its label', () => {
    expect(originText({ type: 'line', node: 'orders', file: 'orders.csv', line: 7 }, label)).toEqual({ where: 'orders.csv, line 7', by: 'Orders CSV' });
    expect(originText({ type: 'page', node: 'api', page: 3, record: 12 }, label)).toEqual({ where: 'API page 3, record 12', by: 'api' });
  });
  it('says when a row has no single source line', () => {
    expect(originText({ type: 'group', node: 'agg', key: '["GB"]' }, label).where).toContain('no single source line');
    expect(originText({ type: 'unknown', node: '', text: 'x' }, label)).toEqual({ where: 'an origin this version does not recognize: x', by: '' });
  });
});
