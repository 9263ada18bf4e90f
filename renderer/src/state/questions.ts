// Questions the designer asks the user in the app (not with the browser's confirm()): what to do with unsaved
// changes, and the values of a run's parameters that have no default. The state lives here, so that the actions
// that ask (state/files.ts, state/run.ts) do not import the dialogs that show it (components/).
import { create } from 'zustand';
import type { PARAM_TYPES } from '@sluice/format/pipeline/pipeline';
import { useDesigner } from '../store';

export type Answer = 'save' | 'discard' | 'cancel';

export interface Question {
  name: string;
  answer: (a: Answer) => void;
}

export const useQuestion = create<{ open: Question | undefined }>()(() => ({ open: undefined }));

/** Asks what to do with the unsaved changes of the document called `name`. */
export function askUnsaved(name: string): Promise<Answer> {
  // A question still open (a second menu click) is cancelled first: one dialog at a time.
  useQuestion.getState().open?.answer('cancel');
  return new Promise<Answer>((resolve) => {
    useQuestion.setState({
      open: {
        name,
        answer: (a) => {
          useQuestion.setState({ open: undefined });
          resolve(a);
        },
      },
    });
  });
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

export const useAsk = create<{ open: Ask | undefined }>()(() => ({ open: undefined }));

/**
 * The values for a run: parameters without a default are asked for (offering the values used last time);
 * undefined when the user cancels. Parameters with a default are not asked; the engine uses the default.
 */
export function askRunParams(): Promise<Record<string, string> | undefined> {
  const params = Object.entries(useDesigner.getState().meta.params as Params).filter(([, d]) => d.default === undefined);
  if (params.length === 0) return Promise.resolve({});
  const recent = recentValues();
  useAsk.getState().open?.answer(undefined);
  return new Promise((resolve) => {
    useAsk.setState({
      open: {
        params,
        initial: Object.fromEntries(params.map(([n]) => [n, recent[n] ?? ''])),
        answer: (v) => {
          useAsk.setState({ open: undefined });
          if (v) rememberValues(v);
          resolve(v);
        },
      },
    });
  });
}

