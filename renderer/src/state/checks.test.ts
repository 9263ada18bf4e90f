// Failures a preview runs into are placed on the node (and field) they happened at, like validation problems.
import { describe, expect, it } from 'vitest';
import type { PreviewResult } from '@sluice/format/api/contract';
import { previewProblems } from './checks';

const failedResult = {
  nodeId: 'b',
  port: 'out',
  columns: [],
  rows: [],
  totalRows: 0,
  metrics: [
    { nodeId: 'a', kind: 'source.csv', status: 'ok', rowsIn: 1, rowsOut: 1, quarantined: 0, filtered: 0, passed: 1, durationMs: 1, outputs: {}, warnings: [] },
    { nodeId: 'b', kind: 'sql', status: 'failed', rowsIn: 0, rowsOut: 0, quarantined: 0, filtered: 0, passed: 0, durationMs: 1, outputs: {}, warnings: [], error: 'column "x" not found' },
  ],
  quarantine: [],
  quarantineTotal: 0,
  sampled: false,
} satisfies PreviewResult;

describe('preview failures as problems', () => {
  it('marks a node the preview run failed at', () => {
    expect(previewProblems({ phase: 'ready', error: undefined, result: failedResult }, ['a', 'b'])).toEqual([{ path: '', nodeId: 'b', message: 'The preview failed here: column "x" not found' }]);
  });

  it('keeps the engine\'s problems (with their fields) when the preview was refused', () => {
    const problem = { path: 'nodes[1].config.query', nodeId: 'b', field: 'query', message: 'bad' };
    expect(previewProblems({ phase: 'error', error: { message: 'invalid', problems: [problem] }, result: undefined }, ['a', 'b'])).toEqual([problem]);
  });

  it('finds the node named in an error message that came without problems', () => {
    const found = previewProblems({ phase: 'error', error: { message: 'node "b" (sql): Binder Error', problems: [] }, result: undefined }, ['a', 'b']);
    expect(found.map((p) => p.nodeId)).toEqual(['b']);
    expect(previewProblems({ phase: 'idle', error: undefined, result: undefined }, ['a'])).toEqual([]);
  });
});
