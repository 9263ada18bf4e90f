// Splits a CSV file into records ourselves, before DuckDB sees it, because DuckDB's reader guesses and drops:
// an unterminated quote swallows every following line, ragged rows lose their text past 10,000 bytes, and
// line numbers count records rather than physical lines. This scanner keeps every physical line accounted
// for: good records are copied (with their line number prepended) to a clean file that DuckDB reads with a
// fixed dialect; bad ones are returned with their exact bytes, line number and reason.
import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { CR, CsvFileError, MAX_LINES_PER_RECORD, NL, invalidUtf8Where, parseHeader, parseRecord, dialectBytes, type CsvDialect, type DialectBytes } from './csv-record.js';

export interface BadRecord {
  line: number;
  raw: Uint8Array;
  reason: string;
  rule: string;
}

/** A blank line as a refused record (when the source quarantines blank lines), with its line number. */
export const blankLineRecord = (line: number): BadRecord => ({ line, raw: new Uint8Array(0), reason: 'blank line', rule: 'blank_line' });

/** Why a record with the wrong number of fields is refused. */
export const raggedReason = (expected: number, found: number): string => `expected ${expected} field${expected === 1 ? '' : 's'}, found ${found}`;

export interface ScanResult {
  header: string[];
  /** Physical records seen after the header, blank lines included. */
  records: number;
  good: number;
  blank: number;
  bad: BadRecord[];
  /** The scan stopped early because of a preview limit. */
  truncated: boolean;
  warnings: string[];
  /** Clean copies of the good records, read by DuckDB. */
  parts: CleanPart[];
}

export function sniffUtf16(bytes: Uint8Array): { encoding: 'utf-16le' | 'utf-16be'; bom: boolean; nuls: number; probed: number } | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bom: true, nuls: 0, probed: 0 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bom: true, nuls: 0, probed: 0 };
  const probe = bytes.subarray(0, 4096);
  const nuls = probe.filter((b) => b === 0).length;
  if (probe.length < 16 || nuls <= probe.length / 4) return undefined;
  return { encoding: probe[1] === 0 && probe[0] !== 0 ? 'utf-16le' : 'utf-16be', bom: false, nuls, probed: probe.length };
}

/** Decode the file to UTF-8 bytes, honouring a BOM and refusing encodings it cannot be. */
export function readAsUtf8(file: string, encoding: CsvDialect['encoding'], maxBytes?: number): Buffer {
  const bytes = maxBytes === undefined ? fs.readFileSync(file) : readPrefix(file, maxBytes);
  const bom16le = bytes[0] === 0xff && bytes[1] === 0xfe;
  const bom16be = bytes[0] === 0xfe && bytes[1] === 0xff;
  if (encoding === 'utf-8') {
    const u16 = sniffUtf16(bytes);
    if (u16?.bom) throw new CsvFileError(`the file starts with a UTF-16 byte order mark; set the source's "encoding" to "${u16.encoding}"`, 'encoding');
    if (u16) throw new CsvFileError(`the file looks like UTF-16 (${u16.nuls} NUL bytes in its first ${u16.probed}); set the source's "encoding" to "${u16.encoding}"`, 'encoding');
    return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  }
  if (encoding === 'latin1') return Buffer.from(bytes.toString('latin1'), 'utf8');
  const body = (bom16le && encoding === 'utf-16le') || (bom16be && encoding === 'utf-16be') ? bytes.subarray(2) : bytes;
  if (body.length % 2 !== 0) throw new CsvFileError(`the file has an odd number of bytes, so it cannot be ${encoding}`, 'encoding');
  const text = new TextDecoder(encoding, { fatal: false }).decode(body);
  return Buffer.from(text, 'utf8');
}

/**
 * The decimal digits of the current line number, kept as ASCII and incremented in place: lines mostly advance
 * by one, and formatting a number per line costs more than the rest of the copy.
 */
class LineDigits {
  private digits = new Uint8Array(20);
  private len = 1;
  private value = 0;

  constructor() {
    this.set(0);
  }

  private set(n: number): void {
    const s = String(n);
    this.len = s.length;
    for (let k = 0; k < s.length; k++) this.digits[k] = s.charCodeAt(k);
    this.value = n;
  }

  write(out: Buffer, pos: number, n: number): number {
    if (n === this.value + 1) {
      let k = this.len - 1;
      while (k >= 0 && this.digits[k] === 0x39) this.digits[k--] = 0x30;
      if (k < 0) this.set(n);
      else {
        this.digits[k] = (this.digits[k] as number) + 1;
        this.value = n;
      }
    } else if (n !== this.value) this.set(n);
    for (let k = 0; k < this.len; k++) out[pos + k] = this.digits[k] as number;
    return pos + this.len;
  }
}

/**
 * Scan `file`, writing good records to `cleanFile` as `<line><delim><record>\n` and returning the rest.
 * `expectedFields` (from another file's header) makes every file of a glob agree.
 */
export interface CleanPart {
  path: string;
  /** Added to the line numbers written in this part to get physical line numbers. */
  lineOffset: number;
  /** Bytes of the longest record written to this part, so its reader can be told to expect it. */
  longest: number;
}

export interface BodyScan {
  records: number;
  good: number;
  blank: number;
  bad: BadRecord[];
  truncated: boolean;
  invalidUtf8: number;
  expected: number;
  /** Physical lines consumed. */
  lines: number;
  /** The buffer ended inside a quoted field: only meaningful for a chunk that is not the end of the file. */
  openAtEnd: boolean;
  /** Bytes of the longest good record. */
  longest: number;
}

/**
 * Scan records from `pos` to the end of `buf`, numbering lines from `firstLine`, writing good records to
 * `cleanFile`. With `chunk`, the buffer is one slice of a file split at line ends; a quoted field still open at
 * its end means the split fell inside a record, and the caller rescans the file in one piece.
 */
export function scanBody(buf: Buffer, pos: number, firstLine: number, expectedFields: number, db: DialectBytes, cleanFile: string, limit?: number, chunk = false): BodyScan {
  const s = new BodyScanner(firstLine, expectedFields, db, cleanFile, limit);
  try {
    s.feed(buf, pos, false, chunk);
  } finally {
    s.close();
  }
  return s.result();
}

/**
 * The body scan as a state that is fed the file a piece at a time, so a file of any size is scanned in a buffer of
 * bounded size (csv-scan-stream.ts). Counts, the clean copy and the bad records carry over from one piece to the
 * next; a record that runs past the end of a piece is left for the next one.
 */
export class BodyScanner {
  private readonly bad: BadRecord[] = [];
  private line: number;
  private readonly writer: CleanWriter;
  private records = 0;
  private good = 0;
  private blank = 0;
  private truncated = false;
  private expected: number;
  private invalidUtf8 = 0;
  private longest = 0;
  private openAtEnd = false;
  private readonly digits = new LineDigits();

  constructor(
    private readonly firstLine: number,
    expectedFields: number,
    private readonly db: DialectBytes,
    cleanFile: string,
    private readonly limit?: number,
  ) {
    this.line = firstLine;
    this.expected = expectedFields;
    this.writer = new CleanWriter(cleanFile);
  }

  /** Good records so far. */
  get goodSoFar(): number {
    return this.good;
  }

  /** The scan is over before the input is (a preview's limit, or a slice that ended inside a quoted field). */
  get stopped(): boolean {
    return this.truncated || this.openAtEnd;
  }

  /**
   * Scan the records of `buf` from `pos`. `more`: bytes follow `buf`, so only records ending in a line feed are
   * taken, and a quoted field still open at its end waits for them. Without `more`, `chunk` says the buffer is a
   * slice of a file that ends inside a quoted field, if it does. Returns where the bytes not yet scanned start.
   */
  feed(whole: Buffer, start: number, more: boolean, chunk = false): number {
    const { delim, quote, escape } = this.db;
    // With more to come, only the complete lines are this piece's; the last, partial one waits for the rest.
    const buf = more ? whole.subarray(0, whole.lastIndexOf(NL) + 1) : whole;
    let pos = start;
    const wholeIsUtf8 = isUtf8(buf.subarray(pos));
    let out = this.writer.buf;
    let o = this.writer.used;
    const bad = this.bad;
    const digits = this.digits;
    let line = this.line;
    try {
      while (pos < buf.length) {
        if (out.length - o < MIN_ROOM) o = this.writer.flush(o);
        if (this.limit !== undefined && this.good >= this.limit) {
          this.truncated = true;
          break;
        }
        // Blank line: counted, not data (or quarantined, when the source says so). Either way it keeps its number.
        if (buf[pos] === NL || (buf[pos] === CR && buf[pos + 1] === NL)) {
          this.records++;
          if (this.db.blankAsBad) bad.push(blankLineRecord(line));
          else this.blank++;
          pos += buf[pos] === NL ? 1 : 2;
          line++;
          continue;
        }
        if (this.expected > 0 && wholeIsUtf8) {
          let p = digits.write(out, o, line);
          out[p++] = delim;
          const end = copySimpleRecord(buf, pos, out, p, delim, quote, this.expected);
          if (end > 0) {
            if (end - 1 - p > this.longest) this.longest = end - 1 - p;
            o = end;
            this.records++;
            this.good++;
            pos = simpleNext;
            line++;
            continue;
          }
        }
        // One line, one record: the parser sees only this line, so a quote left open fails this line alone.
        const one = this.db.singleLine ? lineAt(buf, pos) : undefined;
        const r = one ? parseRecord(buf.subarray(0, one.end), pos, delim, quote, escape) : parseRecord(buf, pos, delim, quote, escape);
        if (one && r.next >= one.end) r.next = one.next;
        if (r.next >= buf.length && r.error === 'unterminated quoted field' && r.lines <= MAX_LINES_PER_RECORD) {
          if (more) break;
          if (chunk) {
            this.openAtEnd = true;
            break;
          }
        }
        this.records++;
        let reason = r.error;
        let rule = 'malformed';
        if (!reason && this.expected === 0) this.expected = r.fields;
        if (!reason && r.fields !== this.expected) {
          reason = raggedReason(this.expected, r.fields);
          rule = 'ragged_row';
        }
        if (!reason && !wholeIsUtf8 && !isUtf8(buf.subarray(pos, r.end))) {
          reason = `the line is not valid UTF-8${invalidUtf8Where(buf.subarray(pos, r.end))}`;
          rule = 'bad_encoding';
          this.invalidUtf8++;
        }
        if (reason && r.lines > 1) {
          // A bad multi-line record is most likely one stray quote; give up only its first line and rescan the rest.
          const nl = buf.indexOf(NL, pos);
          const lineEnd = nl < 0 ? buf.length : nl;
          const contentEnd = lineEnd > pos && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
          const single = parseRecord(buf.subarray(0, lineEnd), pos, delim, quote, escape);
          bad.push({ line, raw: Uint8Array.prototype.slice.call(buf, pos, contentEnd), reason: single.error ?? reason, rule: single.error ? 'malformed' : rule });
          pos = nl < 0 ? buf.length : nl + 1;
          line++;
          continue;
        }
        if (reason) {
          bad.push({ line, raw: Uint8Array.prototype.slice.call(buf, pos, r.end), reason, rule });
        } else {
          // A record longer than the room left (a quoted field of megabytes): flush, and grow the buffer if needed.
          const need = r.end - pos + 24;
          if (out.length - o < need) {
            o = this.writer.flush(o, need);
            out = this.writer.buf;
          }
          o = digits.write(out, o, line);
          out[o++] = delim;
          // A byte loop beats Buffer.copy for the short spans of a typical record.
          for (let k = pos; k < r.end; k++) out[o++] = buf[k] as number;
          out[o++] = NL;
          this.good++;
          if (r.end - pos > this.longest) this.longest = r.end - pos;
        }
        pos = r.next;
        line += r.lines;
      }
    } finally {
      this.writer.used = o;
      this.line = line;
    }
    return pos;
  }

  /** Write what is buffered and close the clean copy. */
  close(): void {
    try {
      this.writer.flush(this.writer.used);
    } finally {
      this.writer.close();
    }
  }

  result(): BodyScan {
    return { records: this.records, good: this.good, blank: this.blank, bad: this.bad, truncated: this.truncated, invalidUtf8: this.invalidUtf8, expected: this.expected, lines: this.line - this.firstLine, openAtEnd: this.openAtEnd, longest: this.longest };
  }
}

/** The line at `pos`: where its content ends (before CR LF or LF) and where the next line starts. */
function lineAt(buf: Buffer, pos: number): { end: number; next: number } {
  const nl = buf.indexOf(NL, pos);
  if (nl < 0) return { end: buf.length, next: buf.length };
  return { end: nl > pos && buf[nl - 1] === CR ? nl - 1 : nl, next: nl + 1 };
}

/** Records shorter than this always fit in the output buffer, so the common path never has to check for room. */
const MIN_ROOM = 64 * 1024;
const CLEAN_CHUNK = 8 * 1024 * 1024;

/**
 * The clean copy, written through one reused buffer: holding the whole copy in memory would cost the file's size
 * again, and a buffer that stays in the CPU cache fills faster than a cold one.
 */
class CleanWriter {
  buf = Buffer.allocUnsafe(CLEAN_CHUNK);
  /** Bytes of `buf` filled and not yet written. */
  used = 0;
  private readonly fd: number;

  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  /** Write the first `used` bytes of the buffer; returns the new fill (0). With `need`, the buffer then holds at least that much. */
  flush(used: number, need = 0): number {
    for (let done = 0; done < used; ) done += fs.writeSync(this.fd, this.buf, done, used - done);
    if (this.buf.length < need) this.buf = Buffer.allocUnsafe(need);
    this.used = 0;
    return 0;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Where the input resumes after the record copySimpleRecord last accepted (a module variable: no allocation per record). */
let simpleNext = 0;

/**
 * The common case in a single loop: a record without quotes, NUL bytes or lone carriage returns is checked and
 * copied as it is scanned. Returns the output position after the copied record and its line feed, or -1 when the
 * record needs the full parser (quoted fields, anything unusual, a wrong field count); a refused attempt leaves
 * nothing that counts in `out`.
 */
function copySimpleRecord(buf: Buffer, pos: number, out: Buffer, o: number, delim: number, quote: number, expected: number): number {
  const n = buf.length;
  // Stop where the output would be full (less one byte for the line feed); only the end of the input ends a record.
  const stop = Math.min(n, pos + out.length - o - 1);
  let fields = 1;
  let k = pos;
  for (;;) {
    if (k >= stop) {
      if (stop < n) return -1;
      simpleNext = n;
      break;
    }
    const c = buf[k] as number;
    if (c === NL) {
      simpleNext = k + 1;
      break;
    }
    if (c === delim) fields++;
    else if (c === quote || c === 0) return -1;
    else if (c === CR) {
      if (buf[k + 1] !== NL) return -1;
      simpleNext = k + 2;
      break;
    }
    out[o++] = c;
    k++;
  }
  if (fields !== expected) return -1;
  out[o++] = NL;
  return o;
}

export function finishScan(header: string[], hasHeader: boolean, parts: CleanPart[], body: Omit<BodyScan, 'lines' | 'openAtEnd' | 'longest'>, warnings: string[]): ScanResult {
  if (body.invalidUtf8 > 0) warnings.push(`${body.invalidUtf8} line(s) are not valid UTF-8; if the whole file uses another encoding, set the source's "encoding" (e.g. "latin1")`);
  const names = hasHeader ? header : Array.from({ length: body.expected }, (_, i) => `column${i + 1}`);
  return { header: names, records: body.records, good: body.good, blank: body.blank, bad: body.bad, truncated: body.truncated, warnings, parts };
}

/** The first `max` bytes of a file, cut after its last complete line (the whole file if it is smaller). */
function readPrefix(file: string, max: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(Math.min(size, max));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    if (n >= size) return buf.subarray(0, n);
    const lastNl = buf.lastIndexOf(NL, n - 1);
    return buf.subarray(0, lastNl < 0 ? n : lastNl + 1);
  } finally {
    fs.closeSync(fd);
  }
}

/** Scan a whole file in this thread; `cleanFile` receives the good records. */
export function scanCsv(file: string, cleanFile: string, d: CsvDialect, limit?: number): ScanResult {
  if (limit !== undefined && d.encoding === 'utf-8') {
    // A preview needs only the first records: read a prefix, and more only if it held too few of them.
    const size = fs.statSync(file).size;
    for (let max = 4 << 20; max < size; max *= 4) {
      // A quoted field still open where the prefix ends may run on past it: read more rather than parse the
      // lines inside that field as records of their own.
      const r = scanCsvBuffer(readAsUtf8(file, d.encoding, max), cleanFile, d, limit, true);
      if (r?.truncated) return r;
    }
  }
  return scanCsvBuffer(readAsUtf8(file, d.encoding), cleanFile, d, limit);
}

function scanCsvBuffer(buf: Buffer, cleanFile: string, d: CsvDialect, limit: number | undefined, prefix: true): ScanResult | undefined;
function scanCsvBuffer(buf: Buffer, cleanFile: string, d: CsvDialect, limit?: number): ScanResult;
function scanCsvBuffer(buf: Buffer, cleanFile: string, d: CsvDialect, limit?: number, prefix = false): ScanResult | undefined {
  const db = dialectBytes(d);
  let header: string[] = [];
  const warnings: string[] = [];
  let pos = 0;
  let line = 1;
  if (d.header) {
    const h = parseHeader(buf, 0, db);
    header = h.names;
    warnings.push(...h.warnings);
    pos = h.next;
    line += h.lines;
  }
  const body = scanBody(buf, pos, line, header.length, db, cleanFile, limit, prefix);
  if (body.openAtEnd) return undefined;
  return finishScan(header, d.header, [{ path: cleanFile, lineOffset: 0, longest: body.longest }], body, warnings);
}
