// Scanning a CSV file (or a slice of one) a piece at a time: the scan holds a piece buffer and the clean copy's
// buffer, whatever the file's size, so a 4 GB file does not become 4 GB of memory. The records and line numbers
// are those of the whole-buffer scan (csv-scan.ts): a record that runs past a piece waits for the next one.
import * as fs from 'node:fs';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { CsvFileError, MAX_LINES_PER_RECORD, NL, parseHeader, parseRecord, type CsvDialect, type DialectBytes } from './csv-record.js';
import { BodyScanner, sniffUtf16, type BodyScan } from './csv-scan.js';

/** Bytes read at a time: large enough that a piece costs little to start, small enough to stay bounded. */
export const PIECE_BYTES = 16 << 20;

/** How far a scan has come: bytes of the file (or slice) read, and good records so far. */
export interface ScanProgress {
  bytes: number;
  good: number;
}

interface Source {
  /** Append decoded UTF-8 bytes to `target` at `offset`, at most `room`; 0 only at the end. */
  read(target: Buffer, offset: number, room: number): number;
  /** Bytes of the file consumed so far. */
  readonly consumed: number;
}

/**
 * Where the text starts and how it decodes, with the same checks and byte order marks as readAsUtf8 (a UTF-16
 * file read as UTF-8 is refused by name).
 */
function openSource(fd: number, start: number, end: number, encoding: CsvDialect['encoding'], whole: boolean): Source {
  let at = start;
  if (whole) {
    const head = Buffer.alloc(Math.min(4096, end - start));
    fs.readSync(fd, head, 0, head.length, start);
    if (encoding === 'utf-8') {
      const u16 = sniffUtf16(head);
      if (u16?.bom) throw new CsvFileError(`the file starts with a UTF-16 byte order mark; set the source's "encoding" to "${u16.encoding}"`, 'encoding');
      if (u16) throw new CsvFileError(`the file looks like UTF-16 (${u16.nuls} NUL bytes in its first ${u16.probed}); set the source's "encoding" to "${u16.encoding}"`, 'encoding');
      if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) at += 3;
    } else if (encoding !== 'latin1') {
      const bom = (encoding === 'utf-16le' && head[0] === 0xff && head[1] === 0xfe) || (encoding === 'utf-16be' && head[0] === 0xfe && head[1] === 0xff);
      if (bom) at += 2;
      if ((end - at) % 2 !== 0) throw new CsvFileError(`the file has an odd number of bytes, so it cannot be ${encoding}`, 'encoding');
    }
  }
  if (encoding === 'utf-8') {
    return {
      read(target, offset, room) {
        const n = at >= end ? 0 : fs.readSync(fd, target, offset, Math.min(room, end - at), at);
        at += n;
        return n;
      },
      get consumed() {
        return at - start;
      },
    };
  }
  // Latin-1 doubles at most in UTF-8, UTF-16 grows by half: reading a third of the room always fits.
  const decoder = encoding === 'latin1' ? undefined : new TextDecoder(encoding, { fatal: false });
  return {
    read(target, offset, room) {
      for (;;) {
        const want = Math.min(Math.floor(room / 3), end - at);
        if (want <= 0) return 0;
        const raw = Buffer.allocUnsafe(want);
        const n = fs.readSync(fd, raw, 0, want, at);
        at += n;
        const text = decoder ? decoder.decode(raw.subarray(0, n), { stream: at < end }) : raw.toString('latin1', 0, n);
        // A UTF-16 piece may decode to nothing yet (half a character): read on.
        if (text.length > 0 || at >= end || n === 0) return target.write(text, offset, 'utf8');
      }
    },
    get consumed() {
      return at - start;
    },
  };
}

export interface StreamScanOptions {
  /** The byte range to scan (default: the whole file, with its header when the dialect has one). */
  start?: number;
  end?: number;
  /** Fields per record, from the header of the whole file (a slice has none). */
  expected?: number;
  /** The range is a slice that may end inside a quoted field (see scanBody's `chunk`). */
  chunk?: boolean;
  onProgress?: (p: ScanProgress) => void;
  /** The first buffer's size (tests use tiny pieces to put piece ends everywhere). */
  pieceBytes?: number;
}

export interface StreamScan {
  header?: { names: string[]; warnings: string[]; lines: number };
  body: BodyScan;
}

/** Scan `file` (or its range) into `cleanFile` a piece at a time. */
export async function scanCsvStream(file: string, cleanFile: string, db: DialectBytes, form: Pick<CsvDialect, 'encoding' | 'header'>, o: StreamScanOptions = {}): Promise<StreamScan> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const whole = o.start === undefined;
    const src = openSource(fd, o.start ?? 0, o.end ?? size, form.encoding, whole);
    let buf = Buffer.allocUnsafe(Math.max(16, o.pieceBytes ?? PIECE_BYTES));
    let have = 0;
    let eof = false;
    const fill = () => {
      while (have < buf.length) {
        if (buf.length - have < 16) break;
        const n = src.read(buf, have, buf.length - have);
        if (n === 0) {
          eof = true;
          break;
        }
        have += n;
      }
    };
    const grow = () => {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, have);
      buf = bigger;
    };
    fill();
    let pos = 0;
    let line = 1;
    let header: StreamScan['header'];
    if (whole && form.header) {
      for (;;) {
        // The header may span lines inside quotes: wait until it is whole (or the file ends).
        const region = eof ? buf.subarray(0, have) : buf.subarray(0, buf.lastIndexOf(NL, have - 1) + 1);
        const r = region.length > 0 ? parseRecord(region, 0, db.delim, db.quote, db.escape) : undefined;
        const open = !r || (r.error === 'unterminated quoted field' && r.next >= region.length && r.lines <= MAX_LINES_PER_RECORD);
        if (eof || !open) {
          const h = parseHeader(region, 0, db);
          header = { names: h.names, warnings: h.warnings, lines: h.lines };
          pos = h.next;
          line += h.lines;
          break;
        }
        if (buf.length - have < 16) grow();
        fill();
      }
    }
    const scanner = new BodyScanner(line, o.expected ?? header?.names.length ?? 0, db, cleanFile);
    try {
      for (;;) {
        const used = scanner.feed(buf.subarray(0, have), pos, !eof, o.chunk === true);
        if (eof || scanner.stopped) break;
        // The unscanned tail (a record not yet whole) moves to the front; the next piece is read after it.
        buf.copy(buf, 0, used, have);
        have -= used;
        pos = 0;
        if (buf.length - have < 16) grow();
        o.onProgress?.({ bytes: src.consumed, good: scanner.goodSoFar });
        // Between pieces the event loop runs: progress reaches the designer, a stop is heard.
        await yieldToEvents();
        fill();
      }
    } finally {
      scanner.close();
    }
    o.onProgress?.({ bytes: src.consumed, good: scanner.goodSoFar });
    return { ...(header ? { header } : {}), body: scanner.result() };
  } finally {
    fs.closeSync(fd);
  }
}
