// One CSV record at a time: the dialect as bytes, where a record ends (quotes may span lines), its fields, and
// the header's names made usable. The file-level scan (csv-scan.ts) is built on these.
import { isUtf8 } from 'node:buffer';
import { ROWID_REASON, isReservedColumn, isRowidName } from '../runtime/exec-context.js';

export interface CsvDialect {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1';
  /** A blank line is skipped (counted) or returned as a bad record with its line number. */
  blankLines?: 'skip' | 'quarantine';
  /** false: one physical line is one record, so a quote left open ends at its line (default true). */
  multiline?: boolean;
}

/** A file the scanner cannot read at all, with the source setting that would fix it when there is one. */
export class CsvFileError extends Error {
  constructor(
    message: string,
    readonly field?: 'delimiter' | 'quote' | 'escape' | 'encoding' | 'header',
  ) {
    super(message);
  }
}

export const NL = 0x0a;
export const CR = 0x0d;
/** A quoted field may legitimately span lines, but a record this long is an unterminated quote. */
export const MAX_LINES_PER_RECORD = 1000;

function oneByte(s: string, what: 'delimiter' | 'quote' | 'escape'): number {
  if (s === '') return -1;
  const b = Buffer.from(s, 'utf8');
  if (b.length !== 1) throw new CsvFileError(`the ${what} must be a single ASCII character, got ${JSON.stringify(s)}`, what);
  return b[0] as number;
}

/**
 * Whether bytes are UTF-16, and in which byte order: a byte order mark says so, and so do NUL bytes in a
 * quarter of the first 4 KB (text in UTF-8 has none).
 */
export interface RecordEnd {
  /** Index just past the record's terminator (or buffer end). */
  next: number;
  /** Index where the record's content ends (terminator excluded). */
  end: number;
  fields: number;
  lines: number;
  error?: string;
}

/**
 * Parse one record starting at `start`. Quoted fields may contain delimiters, doubled quotes (or escaped
 * quotes) and newlines. A quote inside an unquoted field, or text after a closing quote, is an error: DuckDB's
 * strict reader would otherwise have to guess.
 */
export function parseRecord(buf: Buffer, start: number, delim: number, quote: number, escape: number): RecordEnd {
  const n = buf.length;
  let i = start;
  let fields = 1;
  let lines = 1;
  let fieldStart = true;
  let error: string | undefined;
  for (;;) {
    if (i >= n) return { next: n, end: n, fields, lines, ...(error ? { error } : {}) };
    let c = buf[i] as number;
    if (fieldStart && c === quote) {
      // Quoted field: scan to the closing quote.
      i++;
      let closed = false;
      while (i < n) {
        c = buf[i] as number;
        if (c === escape && escape !== quote && i + 1 < n) {
          i += 2;
          continue;
        }
        if (c === quote) {
          if (escape === quote && buf[i + 1] === quote) {
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (c === NL) {
          lines++;
          if (lines > MAX_LINES_PER_RECORD) return { next: n, end: n, fields, lines, error: 'unterminated quoted field' };
        }
        i++;
      }
      if (!closed) return { next: n, end: n, fields, lines, error: 'unterminated quoted field' };
      fieldStart = false;
      if (i < n) {
        const after = buf[i] as number;
        if (after !== delim && after !== NL && !(after === CR && (i + 1 >= n || buf[i + 1] === NL))) {
          error ??= `unexpected text after a closing quote (field ${fields})`;
        }
      }
      continue;
    }
    if (c === delim) {
      fields++;
      fieldStart = true;
      i++;
      continue;
    }
    if (c === NL) {
      const end = i > start && buf[i - 1] === CR ? i - 1 : i;
      return { next: i + 1, end, fields, lines, ...(error ? { error } : {}) };
    }
    if (c === quote) error ??= `quote character inside an unquoted field (field ${fields})`;
    else if (c === 0) error ??= `the line contains a NUL byte (field ${fields}, byte ${i - start + 1} of the line)`;
    // DuckDB ends a line at a lone carriage return, so it would split this record where the scanner did not.
    else if (c === CR && i + 1 < n && buf[i + 1] !== NL) error ??= `a carriage return without a line feed (field ${fields}); classic Mac line ends are not read, convert them to LF`;
    fieldStart = false;
    i++;
  }
}

/** Split one record's bytes into field values (used for the header only). */
export function splitFields(rec: Buffer, delim: number, quote: number, escape: number): string[] {
  const out: string[] = [];
  let cur: number[] = [];
  let i = 0;
  let inQuote = false;
  while (i < rec.length) {
    const c = rec[i] as number;
    if (inQuote) {
      if (c === escape && escape !== quote && i + 1 < rec.length) {
        cur.push(rec[i + 1] as number);
        i += 2;
        continue;
      }
      if (c === quote) {
        if (escape === quote && rec[i + 1] === quote) {
          cur.push(quote);
          i += 2;
          continue;
        }
        inQuote = false;
        i++;
        continue;
      }
      cur.push(c);
    } else if (c === quote && cur.length === 0) inQuote = true;
    else if (c === delim) {
      out.push(Buffer.from(cur).toString('utf8'));
      cur = [];
    } else cur.push(c);
    i++;
  }
  out.push(Buffer.from(cur).toString('utf8'));
  return out;
}

/** Make header names usable and unique: blanks get `column_N`, repeats get `_2`, `_3`… */
export function normalizeHeader(names: string[]): { names: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const used = new Set<string>();
  const out = names.map((raw, idx) => {
    let name = raw.trim();
    if (name === '') {
      name = `column_${idx + 1}`;
      warnings.push(`header field ${idx + 1} is blank; named it "${name}"`);
    }
    if (isRowidName(name)) {
      // Data exported from SQLite and others often has one; it is data, so it is kept under another name.
      const renamed = `${name}_1`;
      warnings.push(`header "${name}" ${ROWID_REASON}; named it "${renamed}"`);
      name = renamed;
    } else if (isReservedColumn(name)) {
      const renamed = name.replace(/^_+/, '') || `column_${idx + 1}`;
      warnings.push(`header "${name}" is a name Sluice reserves; named it "${renamed}"`);
      name = renamed;
    }
    let candidate = name;
    for (let k = 2; used.has(candidate.toLowerCase()); k++) candidate = `${name}_${k}`;
    if (candidate !== name) warnings.push(`header "${name}" appears more than once; this one is named "${candidate}"`);
    used.add(candidate.toLowerCase());
    return candidate;
  });
  return { names: out, warnings };
}

export interface DialectBytes {
  delim: number;
  quote: number;
  escape: number;
  blankAsBad?: boolean;
  /** Each record ends at its line's end: a quoted field cannot span lines. */
  singleLine?: boolean;
}

export function dialectBytes(d: Pick<CsvDialect, 'delimiter' | 'quote' | 'escape' | 'blankLines' | 'multiline'>): DialectBytes {
  const delim = oneByte(d.delimiter, 'delimiter');
  const quote = oneByte(d.quote, 'quote');
  const escape = d.escape === '' ? quote : oneByte(d.escape, 'escape');
  if (delim === quote) throw new CsvFileError('the delimiter and the quote must differ', 'quote');
  return { delim, quote, escape, ...(d.blankLines === 'quarantine' ? { blankAsBad: true } : {}), ...(d.multiline === false ? { singleLine: true } : {}) };
}

/** Parse the header record at `pos`; returns the normalized names and where the body starts. */
export function parseHeader(buf: Buffer, pos: number, db: DialectBytes): { names: string[]; warnings: string[]; next: number; lines: number } {
  if (pos >= buf.length) throw new CsvFileError('the file is empty, but the source expects a header line', 'header');
  const r = parseRecord(buf, pos, db.delim, db.quote, db.escape);
  if (r.error) throw new CsvFileError(`the header line cannot be read: ${r.error}`, 'header');
  const rawHeader = buf.subarray(pos, r.end);
  if (!isUtf8(rawHeader)) throw new CsvFileError('the header line is not valid UTF-8; set the source\'s "encoding" (e.g. "latin1")', 'encoding');
  const norm = normalizeHeader(splitFields(rawHeader, db.delim, db.quote, db.escape));
  return { names: norm.names, warnings: norm.warnings, next: r.next, lines: r.lines };
}

/**
 * Where the first byte that is not valid UTF-8 is (0-based offset into `bytes`), or -1 if there is none: the
 * reason for a bad line says where, so the byte can be found with a hex viewer.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** " at byte N of the line (0xBB)", 1-based, and the file offset when the line's start in its file is known. */
export function invalidUtf8Where(bytes: Uint8Array, lineStart?: number): string {
  const at = invalidUtf8Offset(bytes);
  if (at < 0) return '';
  const hex = `0x${(bytes[at] as number).toString(16).padStart(2, '0')}`;
  return ` at byte ${at + 1} of the line (${lineStart !== undefined ? `byte ${lineStart + at + 1} of the file, ` : ''}${hex})`;
}
