import { describe, expect, it } from 'vitest';
import type { QuarantineEntry } from '@sluice/format/api/contract';
import { countByRule, quarantineCsv, rowValues } from './quarantine';

const entries: QuarantineEntry[] = [
  { lineage: 'o:orders.csv:12', sourceLine: 12, ruleIds: ['malformed'], reasons: ['unterminated quoted field'], row: null, raw: '1011,"US,1' },
  { lineage: 'o:orders.csv:9', sourceLine: 9, ruleIds: ['type:quantity'], reasons: ['column quantity: "4.5" is not a valid INTEGER'], row: '{"quantity":"4.5","note":null}', raw: null },
  { lineage: 'o:orders.csv:10', sourceLine: 10, ruleIds: ['type:quantity', 'malformed'], reasons: ['a', 'b'], row: '{}', raw: null },
];

describe('quarantine', () => {
  it('counts by rule, most frequent first', () => {
    expect(countByRule(entries)).toEqual([
      { rule: 'malformed', count: 2 },
      { rule: 'type:quantity', count: 2 },
    ]);
  });

  it('writes RFC 4180 CSV with one column per source column, then rule, reason and line', () => {
    const csv = quarantineCsv([...entries.slice(0, 2), { lineage: 'o:orders.csv:11', sourceLine: 11, ruleIds: ['r'], reasons: ['bad'], row: '{"note":"a,b","quantity":7,"extra":true}', raw: null }]);
    expect(csv.split('\r\n')).toEqual([
      'quantity,note,extra,rule,reason,line,lineage,raw',
      ',,,malformed,unterminated quoted field,12,o:orders.csv:12,"1011,""US,1"',
      '4.5,,,type:quantity,"column quantity: ""4.5"" is not a valid INTEGER",9,o:orders.csv:9,',
      '7,"a,b",true,r,bad,11,o:orders.csv:11,',
      '',
    ]);
  });

  it('keeps a source column named like one of its own columns', () => {
    const csv = quarantineCsv([{ lineage: 'l', sourceLine: 1, ruleIds: ['r'], reasons: ['x'], row: '{"rule":"mine"}', raw: null }]);
    expect(csv.split('\r\n')[0]).toBe('rule,_quarantine_rule,reason,line,lineage,raw');
  });

  it('reads row values in their order, keeping unparseable text whole', () => {
    expect(rowValues('{"b":1,"a":null}')).toEqual([
      ['b', 1],
      ['a', null],
    ]);
    expect(rowValues('not json')).toEqual([['row', 'not json']]);
  });
});
