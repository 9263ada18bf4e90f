// Immutable updates of config values by path. Every edit makes new objects along its path only, so a
// node whose config did not change keeps its identity (and React Flow skips re-rendering it).
export type Path = readonly (string | number)[];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Own properties only: a config key named "__proto__" is data, not a prototype. */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function copyObject(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) assign(out, k, x);
  return out;
}

export function getIn(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (typeof part === 'number') cur = Array.isArray(cur) ? cur[part] : undefined;
    else cur = isObject(cur) && Object.hasOwn(cur, part) ? cur[part] : undefined;
  }
  return cur;
}

/** Sets `value` at `path`; `undefined` removes an object key (an optional field left empty is left out). */
export function setIn(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const arr = Array.isArray(root) ? [...(root as unknown[])] : [];
    arr[head] = setIn(arr[head], rest, value);
    return arr;
  }
  const obj = isObject(root) ? copyObject(root) : {};
  const next = setIn(obj[head as string], rest, value);
  if (next === undefined) delete obj[head as string];
  else assign(obj, head as string, next);
  return obj;
}

export function removeAt<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}

export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}

/** Record entries renamed in place, keeping their order (a cast's column list reads top to bottom). */
export function renameKey(record: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) assign(out, k === from ? to : k, v);
  return out;
}
