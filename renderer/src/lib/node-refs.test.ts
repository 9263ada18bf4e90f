import { describe, expect, it } from 'vitest';
import { nodeName, nodeNameWithKind } from '@sluice/format/pipeline/node-name';
import { splitNodeRefs } from './node-refs';

const labels = new Map([
  ['checks', 'Order rules'],
  ['f', ''],
]);

describe('splitNodeRefs', () => {
  it('finds a labelled node as the engine names it, label first and id in brackets', () => {
    const text = `${nodeNameWithKind({ id: 'checks', label: 'Order rules', kind: 'validate' })}: rules[0] is wrong`;
    expect(text).toBe('Order rules [checks]: rules[0] is wrong');
    expect(splitNodeRefs(text, labels)).toEqual([{ nodeId: 'checks', prefix: '' }, { text: ': rules[0] is wrong' }]);
  });

  it('finds a node without a label by its quoted id, and leaves unknown ids and other brackets as text', () => {
    const text = `upstream ${nodeName({ id: 'f' })} did not finish; node "gone" [field expression] [checks]`;
    expect(splitNodeRefs(text, labels)).toEqual([
      { text: 'upstream ' },
      { nodeId: 'f', prefix: 'node ' },
      { text: ' did not finish; node "gone" [field expression] [checks]' },
    ]);
  });
});
