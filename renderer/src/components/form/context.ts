// What every generated field needs besides its own schema and value: where its problems are, which columns
// arrive at the node, and how to write a value back into the node's config.
import { createContext, useContext } from 'react';
import type { Column } from '@sluice/format/api/contract';
import type { Problem } from '@sluice/format/pipeline/problems';
import { pathToString } from '@sluice/format/pipeline/problems';
import type { Path } from '../../lib/immutable';

export interface FormContextValue {
  nodeId: string;
  /** Problems by config path, as the engine writes it (`rules[0].column`). */
  problems: ReadonlyMap<string, Problem[]>;
  columns: readonly Column[];
  /** The node's input port names (what a SQL node's query reads as tables). */
  inputs: readonly string[];
  /** Writes `value` at `path` in the config; `undefined` removes the key. Typing in one field is one undo step. */
  set(path: Path, value: unknown): void;
}

export const FormContext = createContext<FormContextValue | undefined>(undefined);

export function useForm(): FormContextValue {
  const ctx = useContext(FormContext);
  if (!ctx) throw new Error('config fields must be rendered inside a ConfigForm');
  return ctx;
}

/** The problems of exactly this field. */
export function useFieldProblems(path: Path): Problem[] {
  const { problems } = useForm();
  return problems.get(pathToString(path)) ?? [];
}

/** A DOM id for a field, unique per node, so labels and error messages can point at their input. */
export function fieldId(nodeId: string, path: Path): string {
  return `cfg-${nodeId}-${pathToString(path).replace(/[^A-Za-z0-9_-]+/g, '_') || 'root'}`;
}
