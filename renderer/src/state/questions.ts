// Questions the designer asks the user in the app (not with the browser's confirm()): what to do with unsaved
// changes, and the values of a run's parameters that have no default. The state lives here, so that the actions
// that ask (state/files.ts, state/run.ts) do not import the dialogs that show it (components/).
import { create } from 'zustand';
import type { PARAM_TYPES } from '@sluice/format/pipeline/pipeline';
import { useDesigner } from '../store';

/**
 * A store for one kind of question, with one open at a time: asking again first answers the open one with
 * `cancelled` (a second menu click), and answering closes it. The dialog reads `open` and calls its `answer`.
 */
function questionStore<Q extends object, A>(cancelled: A) {
  const store = create<{ open: (Q & { answer: (a: A) => void }) | undefined }>()(() => ({ open: undefined }));
  const ask = (question: Q): Promise<A> => {
    store.getState().open?.answer(cancelled);
    return new Promise<A>((resolve) => {
      store.setState({
        open: {
          ...question,
          answer: (a: A) => {
            store.setState({ open: undefined });
            resolve(a);
          },
        },
      });
    });
  };
  return { store, ask };
}

export type Answer = 'save' | 'discard' | 'cancel';

export interface Question {
  name: string;
  answer: (a: Answer) => void;
}

const unsaved = questionStore<{ name: string }, Answer>('cancel');
export const useQuestion = unsaved.store;

/** Asks what to do with the unsaved changes of the document called `name`. */
export function askUnsaved(name: string): Promise<Answer> {
  return unsaved.ask({ name });
}

export type ParamDef = { type?: (typeof PARAM_TYPES)[number] | undefined; default?: string | undefined; description?: string | undefined };
export type Params = Record<string, ParamDef>;

function storageKey(): string {
  const s = useDesigner.getState();
  return `sluice.params.${s.origin.file?.path ?? s.origin.fileName ?? s.meta.name}`;
}

export function recentValues(): Record<string, string> {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(storageKey()) ?? '{}');
    return v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) : {};
  } catch {
    return {};
  }
}

export function rememberValues(values: Record<string, string>): void {
  if (Object.keys(values).length === 0) return;
  localStorage.setItem(storageKey(), JSON.stringify({ ...recentValues(), ...values }));
}

export interface Ask {
  params: [string, ParamDef][];
  initial: Record<string, string>;
  answer: (values: Record<string, string> | undefined) => void;
}

const runParams = questionStore<Omit<Ask, 'answer'>, Record<string, string> | undefined>(undefined);
export const useAsk = runParams.store;

/**
 * The values for a run: parameters without a default are asked for (offering the values used last time);
 * undefined when the user cancels. Parameters with a default are not asked; the engine uses the default.
 */
export async function askRunParams(): Promise<Record<string, string> | undefined> {
  const params = Object.entries(useDesigner.getState().meta.params as Params).filter(([, d]) => d.default === undefined);
  if (params.length === 0) return {};
  const recent = recentValues();
  const values = await runParams.ask({ params, initial: Object.fromEntries(params.map(([n]) => [n, recent[n] ?? ''])) });
  if (values) rememberValues(values);
  return values;
}
