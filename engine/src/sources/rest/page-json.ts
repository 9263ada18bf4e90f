// One page of a REST answer: the records at a path of the JSON body, each kept as its original text so numbers
// beyond 2^53 keep every digit, and scalar fields (a cursor, a total) read exactly.
import { MAX_JSON_DEPTH, jsonDepth, rawMembers, splitArrayElements } from '../json-scan.js';

export class PageFormatError extends Error {}

export interface Page {
  text: string;
  doc: unknown;
}

export function parsePage(text: string): Page {
  const body = text.replace(/^\uFEFF/, '');
  if (jsonDepth(body) > MAX_JSON_DEPTH + 4) throw new PageFormatError(`the answer nests deeper than ${MAX_JSON_DEPTH + 4} levels`);
  try {
    return { text: body, doc: JSON.parse(body) as unknown };
  } catch (e) {
    throw new PageFormatError(`the answer is not valid JSON (${e instanceof Error ? e.message : String(e)}): ${preview(body)}`);
  }
}

function preview(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > 120 ? `${t.slice(0, 120)}…` : t || '(empty body)';
}

export function splitPath(path: string): string[] {
  return path.split('.').filter((s) => s !== '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a dotted path, with its original text; undefined when a step is missing. */
function locate(page: Page, path: string[]): { value: unknown; text: string } | undefined {
  let value = page.doc;
  let text = page.text;
  for (const [i, key] of path.entries()) {
    if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = value[key];
    const last = i === path.length - 1;
    // Only containers are walked into by text; a scalar's exact text is taken from its parent below.
    if (typeof value === 'object' && value !== null) text = rawMembers(text)[key] ?? '';
    else if (!last) return undefined;
    else {
      const raw = rawMembers(text)[key];
      return { value, text: typeof value === 'string' ? JSON.stringify(value) : (raw ?? 'null') };
    }
  }
  return { value, text };
}

/** The records of a page: the array at `recordsPath` (empty path: the body itself), each element's text. */
export function pageRecords(page: Page, recordsPath: string): string[] {
  const path = splitPath(recordsPath);
  const at = locate(page, path);
  const where = path.length ? `"${recordsPath}"` : 'the top level';
  if (!at) throw new PageFormatError(`the answer has no ${where}; its keys are ${isObject(page.doc) ? Object.keys(page.doc).map((k) => `"${k}"`).join(', ') || 'none' : `(it is ${describe(page.doc)})`}`);
  if (!Array.isArray(at.value)) throw new PageFormatError(`${where} of the answer is ${describe(at.value)}, not an array of records`);
  const spans = splitArrayElements(at.text);
  if (spans.length !== at.value.length) throw new Error(`array split found ${spans.length} elements, JSON.parse ${at.value.length}`);
  return spans.map((s) => at.text.slice(s.start, s.end));
}

/**
 * A scalar field (a next cursor, a total count) as exact text: strings as themselves, numbers as written.
 * Missing, null and empty string all mean "no value".
 */
export function pageField(page: Page, fieldPath: string): string | undefined {
  const at = locate(page, splitPath(fieldPath));
  if (!at || at.value === null || at.value === '') return undefined;
  if (typeof at.value === 'string') return at.value;
  if (typeof at.value === 'number' || typeof at.value === 'boolean') return at.text;
  throw new PageFormatError(`"${fieldPath}" of the answer is ${describe(at.value)}, not a string or number`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
