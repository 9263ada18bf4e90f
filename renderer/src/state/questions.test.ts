// The in-app questions: one open at a time per kind, answered once, a second ask cancelling the first.
import { beforeEach, describe, expect, it } from 'vitest';
import { useDesigner } from '../store';
import { askRunParams, askUnsaved, useAsk, useQuestion } from './questions';

const saved = new Map<string, string>();
beforeEach(() => {
  saved.clear();
  // The run-parameter question remembers answers in localStorage; a Map stands in for it in Node.
  (globalThis as { localStorage?: Pick<Storage, 'getItem' | 'setItem'> }).localStorage = { getItem: (k) => saved.get(k) ?? null, setItem: (k, v) => void saved.set(k, v) };
});

describe('questions', () => {
  it('asks about unsaved changes, and a second ask answers the open one with cancel', async () => {
    const first = askUnsaved('orders');
    expect(useQuestion.getState().open?.name).toBe('orders');
    const second = askUnsaved('customers');
    await expect(first).resolves.toBe('cancel');
    expect(useQuestion.getState().open?.name).toBe('customers');
    useQuestion.getState().open?.answer('save');
    await expect(second).resolves.toBe('save');
    expect(useQuestion.getState().open).toBeUndefined();
  });

  it('asks only for parameters without a default, offers last values, and remembers the answer', async () => {
    useDesigner.setState({ meta: { ...useDesigner.getState().meta, params: { day: { type: 'string' }, region: { default: 'eu' } } } });
    const first = askRunParams();
    expect(useAsk.getState().open?.params.map(([n]) => n)).toEqual(['day']);
    useAsk.getState().open?.answer({ day: '2026-12-07' });
    await expect(first).resolves.toEqual({ day: '2026-12-07' });
    const again = askRunParams();
    expect(useAsk.getState().open?.initial).toEqual({ day: '2026-12-07' });
    const third = askRunParams();
    await expect(again).resolves.toBeUndefined();
    useAsk.getState().open?.answer(undefined);
    await expect(third).resolves.toBeUndefined();
  });
});
