// A problem found in a pipeline: what is wrong and exactly where.
import type { Fix } from '../api/contract.js';
import { nodeName } from './node-name.js';

export interface Problem {
  /** JSON path into the pipeline file, e.g. `nodes[2].config.path`. */
  path: string;
  /** Node id when the problem belongs to one node. */
  nodeId?: string;
  /** Config field when the problem belongs to one field. */
  field?: string;
  message: string;
  /** Stable code of a static problem (unknown_column, type_mismatch, …). */
  code?: string;
  /** A change that fixes it, which the designer can apply in one click. */
  fix?: Fix;
}

/** One line per problem; `name` names its node label first (nodeNamer of the file's nodes), else by id. */
export function formatProblem(p: Problem, file?: string, name: (id: string) => string = (id) => nodeName({ id })): string {
  const where = [file, p.path || undefined, p.nodeId ? name(p.nodeId) : undefined]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${p.message}` : p.message;
}

export function pathToString(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const s = String(part);
      out += /^[A-Za-z_$][\w$]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}
