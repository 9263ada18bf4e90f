import { describe, expect, it } from 'vitest';
import type { NodeMetrics } from '@sluice/format/api/contract';
import { codeFieldMessages } from './field-problems';

const failed = (nodeId: string, error: string): NodeMetrics => ({
  nodeId,
  kind: 'derive',
  status: 'failed',
  rowsIn: 0,
  rowsOut: 0,
  quarantined: 0,
  filtered: 0,
  passed: 0,
  durationMs: 0,
  outputs: {},
  warnings: [],
  error,
});

describe('codeFieldMessages', () => {
  const base = { nodeId: 'd', field: 'columns[1].expression', text: 'amout * 2', checks: [], previewProblems: [] };

  it("takes a failed node's error when it names this field", () => {
    const metrics = [failed('d', 'node "d" (derive), field "columns[1].expression": invalid expression: syntax error at character 3')];
    expect(codeFieldMessages({ ...base, metrics })).toEqual(['invalid expression: syntax error at character 3']);
    expect(codeFieldMessages({ ...base, field: 'columns[0].expression', metrics })).toEqual([]);
  });

  it('takes an error naming no field only when it quotes a name the text uses', () => {
    const metrics = [failed('d', 'node "d" (derive): Binder Error: Referenced column "amout" not found in FROM clause!')];
    expect(codeFieldMessages({ ...base, metrics })).toHaveLength(1);
    expect(codeFieldMessages({ ...base, text: 'amount * 2', metrics })).toEqual([]);
  });

  it("ignores other nodes' failures and keeps validation problems", () => {
    const metrics = [failed('x', 'node "x" (derive), field "columns[1].expression": bad')];
    const checks = [{ path: 'nodes[0].config.columns[1].expression', message: 'Required' }];
    expect(codeFieldMessages({ ...base, checks, metrics })).toEqual(['Required']);
  });
});
