// Which failures downstream of a lazily read source make it re-read its files (runtime/execution/read-failures.ts).
import { describe, expect, it } from 'vitest';
import { QueryError } from '@sluice/format/api/errors';
import type { Edge } from '@sluice/format/pipeline/pipeline';
import { explainFailure, leaveExplainer } from '../src/runtime/execution/read-failures.js';

const edge = (from: string, to: string): Edge => ({ from: { node: from, port: 'out' }, to: { node: to, port: 'in' } });
const into = new Map<string, Edge[]>([['mid', [edge('src', 'mid')]], ['out', [edge('mid', 'out')]]]);
const probe = { count: () => Promise.resolve(0) };

function setup() {
  const run = {};
  const asked: string[] = [];
  leaveExplainer(run, 'src', (failure) => {
    asked.push(failure.message);
    return Promise.resolve(new Error(`told: ${failure.message}`));
  });
  return { run, asked };
}

describe('explainFailure', () => {
  it('asks a source upstream (through other nodes) about an error that may come from reading', async () => {
    const { run, asked } = setup();
    const told = await explainFailure(run, 'out', into, new QueryError('Invalid Error: TProtocolException: Invalid data', 'Invalid', false), probe);
    expect(asked).toEqual(['Invalid Error: TProtocolException: Invalid data']);
    expect((told as Error).message).toBe('told: Invalid Error: TProtocolException: Invalid data');
  });

  it('leaves alone errors decided before reading, failures to write, other errors and unrelated nodes', async () => {
    const { run, asked } = setup();
    const cases: unknown[] = [
      new QueryError('Binder Error: column "x" not found', 'Binder', true),
      new QueryError('Conversion Error: could not convert string "a" to INT32', 'Conversion', true),
      new QueryError('IO Error: Could not write file "out.parquet": No space left on device', 'IO', true),
      new Error('a plain error'),
    ];
    for (const e of cases) expect(await explainFailure(run, 'out', into, e, probe)).toBe(e);
    const elsewhere = new QueryError('Invalid Error: bad page', 'Invalid', false);
    expect(await explainFailure(run, 'other', into, elsewhere, probe)).toBe(elsewhere);
    expect(asked).toEqual([]);
  });
});
