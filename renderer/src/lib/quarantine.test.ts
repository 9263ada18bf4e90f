import { describe, expect, it } from 'vitest';
import type { QuarantineEntry } from '../../../engine/src/api/contract';
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

  it('writes RFC 4180 CSV with quoting where needed', () => {
    const csv = quarantineCsv(entries.slice(0, 2));
    expect(csv.split('\r\n')).toEqual([
      'lineage,source_line,rules,reasons,row_json,raw',
      'o:orders.csv:12,12,malformed,unterminated quoted field,,"1011,""US,1"',
      'o:orders.csv:9,9,type:quantity,"column quantity: ""4.5"" is not a valid INTEGER","{""quantity"":""4.5"",""note"":null}",',
      '',
    ]);
  });

  it('reads row values in their order, keeping unparseable text whole', () => {
    expect(rowValues('{"b":1,"a":null}')).toEqual([
      ['b', 1],
      ['a', null],
    ]);
    expect(rowValues('not json')).toEqual([['row', 'not json']]);
  });
});
