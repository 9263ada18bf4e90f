// NDJSON and JSON-array input, checked record by record before DuckDB reads it: DuckDB's JSON reader has no
// rejects table and fails a whole file on one bad line. Values are not converted here; DuckDB extracts them
// from the original text later, so numbers beyond 2^53 keep every digit.
import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { isReservedColumn, isRowidName } from '../runtime/exec-context.js';
import { jsonErrorLocation, jsonErrorReason } from '@sluice/format/pipeline/json-error';
import { sniffUtf16 } from './csv-scan.js';
import { invalidUtf8Where } from './csv-record.js';

export const MAX_JSON_DEPTH = 32;

export interface JsonBad {
  line: number;
  raw: Uint8Array;
  reason: string;
  rule: string;
}

export interface JsonScan {
  keys: string[];
  records: number;
  good: number;
  blank: number;
  bad: JsonBad[];
  truncated: boolean;
}

export class JsonFileError extends Error {}

/** Nesting depth of a JSON text, counted outside strings; stops counting past the limit. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inStr) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inStr = false;
    } else if (ch === 0x22) inStr = true;
    else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > MAX_JSON_DEPTH) return max;
      }
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

/**
 * The top-level members of a JSON object text (assumed valid) as key → exact value text: strings decoded,
 * everything else (numbers, booleans, nested values) as written, so 12345678901234567.5 keeps every digit.
 * null stays null.
 */
export function rawMembers(text: string, duplicates?: string[], strings?: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
  let i = text.indexOf('{') + 1;
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const stringEnd = (from: number): number => {
    let j = from + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  };
  for (;;) {
    skipWs();
    if (text[i] !== '"') break;
    const keyEnd = stringEnd(i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = keyEnd;
    skipWs();
    i++; // the colon
    skipWs();
    const start = i;
    let depth = 0;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '"') {
        i = stringEnd(i);
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        if (depth === 0) break;
        depth--;
      } else if (ch === ',' && depth === 0) break;
      i++;
    }
    const raw = text.slice(start, i).trim();
    if (Object.hasOwn(out, key)) duplicates?.push(key);
    if (raw.startsWith('"')) strings?.push(key);
    Object.defineProperty(out, key, { value: raw === 'null' ? null : raw.startsWith('"') ? (JSON.parse(raw) as string) : raw, enumerable: true, writable: true, configurable: true });
    if (text[i] === ',') i++;
  }
  return out;
}

/**
 * A string (key or value, at any depth) holding a lone UTF-16 surrogate such as "\ud800": JSON allows the
 * escape, but it is not a character and cannot be stored as UTF-8, so the record is refused, naming where.
 */
function loneSurrogate(v: object): string | undefined {
  const stack: { v: unknown; at: string }[] = [{ v, at: '' }];
  while (stack.length > 0) {
    const cur = stack.pop() as { v: unknown; at: string };
    if (typeof cur.v === 'string') {
      const i = loneSurrogateAt(cur.v);
      if (i >= 0) return `the value of ${cur.at} holds a lone UTF-16 surrogate (\\u${cur.v.charCodeAt(i).toString(16)}) at character ${i + 1}, which is not a character`;
    } else if (Array.isArray(cur.v)) cur.v.forEach((x, i) => stack.push({ v: x, at: `${cur.at}[${i}]` }));
    else if (cur.v !== null && typeof cur.v === 'object') {
      for (const [k, x] of Object.entries(cur.v)) {
        const i = loneSurrogateAt(k);
        if (i >= 0) return `a key holds a lone UTF-16 surrogate (\\u${k.charCodeAt(i).toString(16)}), which is not a character`;
        stack.push({ v: x, at: cur.at ? `${cur.at}.${JSON.stringify(k)}` : JSON.stringify(k) });
      }
    }
  }
  return undefined;
}

function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (n >= 0xdc00 && n <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

export function checkRecord(text: string, keys: Map<string, true>): string | undefined {
  if (jsonDepth(text) > MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const lone = loneSurrogate(v);
  if (lone) return lone;
  for (const k of Object.keys(v)) {
    if (k === '') return 'an empty key cannot name a column';
    // A `rowid` key is data: the source names its column differently (normalizeHeader), so only others are refused.
    if (isReservedColumn(k) && !isRowidName(k)) return `key "${k}" is a name Sluice reserves for lineage and helper columns`;
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
    if (/["\\\u0000-\u001f]/.test(k)) return `key ${JSON.stringify(k)} contains a quote, backslash or control character`;
    keys.set(k, true);
  }
  return undefined;
}

/**
 * A record's clean line `{"l":LINE,"r":MEMBERS}`, or why it is refused: JSON.parse keeps only the last of a
 * repeated key, which would drop the others' values without a word.
 */
function cleanLine(text: string, line: number): { clean: string } | { reason: string } {
  const duplicates: string[] = [];
  const strings: string[] = [];
  const members = rawMembers(text, duplicates, strings);
  if (duplicates.length > 0) return { reason: `key "${duplicates[0]}" appears more than once in the object` };
  // "s": the keys whose values were JSON strings, for sources that refuse strings as numbers.
  return { clean: `{"l":${line},"r":${JSON.stringify(members)},"s":${JSON.stringify(strings)}}` };
}

/** Refuse UTF-16 by its byte order mark or its NUL bytes, and strip a UTF-8 byte order mark. */
function utf8Body(buf: Buffer): Buffer {
  const u16 = sniffUtf16(buf);
  if (u16) throw new JsonFileError(`the file is UTF-16 (${u16.bom ? 'it starts with a UTF-16 byte order mark' : `${u16.nuls} NUL bytes in its first ${u16.probed}`}); JSON input must be UTF-8`);
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
}

/** How much of an NDJSON file a preview reads first; the read grows fourfold until it holds `limit` records. */
const PREFIX_BYTES = 1 << 20;

/** The first `bytes` bytes of a file (fewer when it is shorter). */
function readPrefix(file: string, bytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    let got = 0;
    for (let n = -1; n !== 0 && got < bytes; got += n) n = fs.readSync(fd, buf, got, bytes - got, got);
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Scan an NDJSON file; good lines are written to `cleanFile` as `{"l":LINE,"r":RECORD}`. With a `limit` (a
 * preview) only a prefix of the file is read, large enough to hold `limit` good records: a preview of a large file
 * then costs what its first records cost, not a read of the whole file.
 */
export function scanNdjson(file: string, cleanFile: string, limit?: number, blankAsBad = false): JsonScan {
  if (limit === undefined) return writeClean(cleanFile, scanNdjsonBytes(fs.readFileSync(file), true, undefined, blankAsBad, file));
  for (let bytes = PREFIX_BYTES; ; bytes *= 4) {
    const prefix = readPrefix(file, bytes);
    const complete = prefix.length < bytes;
    const scan = scanNdjsonBytes(prefix, complete, limit, blankAsBad, file);
    if (complete || scan.truncated) return writeClean(cleanFile, scan);
  }
}

function writeClean(cleanFile: string, scan: JsonScan & { out: string[] }): JsonScan {
  const { out, ...rest } = scan;
  fs.writeFileSync(cleanFile, out.length ? `${out.join('\n')}\n` : '');
  return rest;
}

/**
 * The scan of `whole`, the file's bytes or (not `complete`) its first bytes: then only its whole lines are read, and
 * the scan is `truncated` only when it reached `limit` good records within them.
 */
function scanNdjsonBytes(whole: Buffer, complete: boolean, limit: number | undefined, blankAsBad: boolean, file: string): JsonScan & { out: string[] } {
  const buf = utf8Body(whole);
  const bomBytes = whole.length - buf.length;
  const keys = new Map<string, true>();
  const bad: JsonBad[] = [];
  const out: string[] = [];
  let pos = 0;
  let line = 0;
  let records = 0;
  let good = 0;
  let blank = 0;
  let truncated = false;
  // A prefix may end inside a line: that line is left for a longer read.
  const stop = complete ? buf.length : buf.lastIndexOf(0x0a) + 1;
  while (pos < buf.length) {
    if (limit !== undefined && good >= limit) {
      truncated = true;
      break;
    }
    if (pos >= stop) break;
    line++;
    records++;
    const nl = buf.indexOf(0x0a, pos);
    const end = nl < 0 ? buf.length : nl;
    const contentEnd = end > pos && buf[end - 1] === 0x0d ? end - 1 : end;
    const bytes = buf.subarray(pos, contentEnd);
    const lineStart = pos;
    pos = end + 1;
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      if (blankAsBad) bad.push({ line, raw: Uint8Array.prototype.slice.call(bytes), reason: 'blank line', rule: 'blank_line' });
      else blank++;
      continue;
    }
    let reason: string | undefined;
    let rule = 'malformed';
    if (!isUtf8(bytes)) {
      reason = `the line is not valid UTF-8${invalidUtf8Where(bytes, lineStart + bomBytes)}`;
      rule = 'bad_encoding';
    } else reason = checkRecord(text, keys);
    const rec = reason ? { reason } : cleanLine(text, line);
    if ('reason' in rec) bad.push({ line, raw: Uint8Array.prototype.slice.call(bytes), reason: rec.reason, rule });
    else {
      out.push(rec.clean);
      good++;
    }
  }
  // NDJSON records are objects, one a line; a file that starts with "[" and parses whole as an array is one.
  if (bad.length > 0 && firstNonBlank(buf) === 0x5b && isJsonArray(complete ? buf : utf8Body(fs.readFileSync(file)))) {
    throw new JsonFileError('the file holds one JSON array, not one object per line (NDJSON); set the source\'s "format" to "array"');
  }
  return { keys: [...keys.keys()], records, good, blank, bad, truncated, out };
}

function isJsonArray(buf: Buffer): boolean {
  try {
    return Array.isArray(JSON.parse(buf.toString('utf8')));
  } catch {
    return false;
  }
}

function firstNonBlank(buf: Buffer): number | undefined {
  for (const b of buf) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  return undefined;
}

/** Offsets of the top-level elements of a JSON array text (assumed valid JSON), so each keeps its original text. */
export function splitArrayElements(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let depth = 0;
  let inStr = false;
  let elStart = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inStr) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inStr = false;
      continue;
    }
    if (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) continue;
    if (depth === 1 && elStart < 0 && ch !== 0x5d && ch !== 0x2c) elStart = i;
    if (ch === 0x22) inStr = true;
    else if (ch === 0x7b || ch === 0x5b) depth++;
    else if (ch === 0x7d || ch === 0x5d) {
      depth--;
      if (depth === 0 && elStart >= 0) {
        spans.push({ start: elStart, end: i });
        elStart = -1;
      }
    } else if (ch === 0x2c && depth === 1 && elStart >= 0) {
      spans.push({ start: elStart, end: i });
      elStart = -1;
    }
  }
  return spans.map((sp) => ({ start: sp.start, end: trimEnd(text, sp.end) }));
}

function trimEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1] as string)) e--;
  return e;
}

/** Scan a file holding one JSON array of objects; each element is a record numbered from 1. */
export function scanJsonArray(file: string, cleanFile: string, limit?: number): JsonScan {
  const buf = utf8Body(fs.readFileSync(file));
  if (!isUtf8(buf)) {
    const line = firstInvalidUtf8Line(buf);
    throw new JsonFileError(`line ${line.line} is not valid UTF-8${invalidUtf8Where(line.bytes, line.start)}; JSON input must be UTF-8`);
  }
  const text = buf.toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = jsonErrorLocation(text, msg);
    throw new JsonFileError(`not valid JSON${at ? ` at line ${at.line}, column ${at.column}` : ''}: ${jsonErrorReason(msg)}; use format "ndjson" for one object per line`);
  }
  if (!Array.isArray(doc)) throw new JsonFileError('the file is not a JSON array; use format "ndjson" for one object per line');
  const spans = splitArrayElements(text);
  if (spans.length !== doc.length) throw new Error(`array split found ${spans.length} elements, JSON.parse ${doc.length}`);
  const keys = new Map<string, true>();
  const bad: JsonBad[] = [];
  const out: string[] = [];
  let good = 0;
  let truncated = false;
  for (const [i, sp] of spans.entries()) {
    if (limit !== undefined && good >= limit) {
      truncated = true;
      break;
    }
    // The element's original text goes on, so DuckDB sees every digit of its numbers.
    const elText = text.slice(sp.start, sp.end);
    const reason = checkRecord(elText, keys);
    const rec = reason ? { reason } : cleanLine(elText, i + 1);
    if ('reason' in rec) bad.push({ line: i + 1, raw: Buffer.from(elText, 'utf8'), reason: rec.reason, rule: 'malformed' });
    else {
      out.push(rec.clean);
      good++;
    }
  }
  fs.writeFileSync(cleanFile, out.length ? `${out.join('\n')}\n` : '');
  return { keys: [...keys.keys()], records: truncated ? good + bad.length : doc.length, good, blank: 0, bad, truncated };
}

function firstInvalidUtf8Line(buf: Buffer): { line: number; start: number; bytes: Buffer } {
  let line = 1;
  for (let pos = 0; pos < buf.length; line++) {
    const nl = buf.indexOf(0x0a, pos);
    const end = nl < 0 ? buf.length : nl;
    if (!isUtf8(buf.subarray(pos, end))) return { line, start: pos, bytes: buf.subarray(pos, end) };
    pos = end + 1;
  }
  return { line, start: buf.length, bytes: buf.subarray(buf.length) };
}

/** One sampled record: its members as the run extracts them (rawMembers), and which were JSON strings. */
export interface JsonSampleRecord {
  members: Record<string, string | null>;
  strings: string[];
}

/**
 * Up to `limit` records from the first `maxBytes` of a JSON source's file, by the run's own checks (records the
 * run would quarantine are left out: they say nothing about the columns), for sniffing column types. A record
 * cut off by the end of the sample is not read.
 */
export function sampleJsonRecords(file: string, format: 'ndjson' | 'array', limit: number, maxBytes: number): { keys: string[]; records: JsonSampleRecord[] } {
  const fd = fs.openSync(file, 'r');
  let whole: Buffer;
  try {
    const size = Math.min(fs.fstatSync(fd).size, maxBytes);
    whole = Buffer.alloc(size);
    fs.readSync(fd, whole, 0, size, 0);
  } finally {
    fs.closeSync(fd);
  }
  const cut = whole.length >= maxBytes;
  const text = utf8Body(whole).toString('utf8');
  const keys = new Map<string, true>();
  const records: JsonSampleRecord[] = [];
  const take = (t: string) => {
    if (records.length >= limit || t.trim() === '' || checkRecord(t, keys) !== undefined) return;
    const duplicates: string[] = [];
    const strings: string[] = [];
    const members = rawMembers(t, duplicates, strings);
    if (duplicates.length === 0) records.push({ members, strings });
  };
  if (format === 'ndjson') {
    const lines = text.split('\n');
    if (cut) lines.pop();
    for (const l of lines) take(l.endsWith('\r') ? l.slice(0, -1) : l);
  } else {
    // A cut-off array is not valid JSON as a whole; its complete elements still are.
    for (const sp of splitArrayElements(text)) take(text.slice(sp.start, sp.end));
  }
  return { keys: [...keys.keys()], records };
}
