// Reading a CSV file in DuckDB, one physical line per row, when the file is plain enough that splitting a line at
// its delimiters gives exactly the fields our scanner (csv-scan.ts) would: UTF-8 with no NUL bytes and no carriage
// returns, a one-line header, and quotes only around whole fields that hold neither a quote nor the delimiter
// (`"a@b.com"`, `""`). Machine-written exports mostly are. DuckDB then reads the lines in parallel into a table
// (line n is row n - 1, so line numbers cost nothing), and the good records are a view that splits them, which the
// source's readers compute inside their own queries. Against the scanner, this writes no clean copy of the file
// (~420 MB at 5 M rows: writing fresh pages cost 0.1-1.0 s of system time here, a run-to-run swing of its own) and
// reads it once in DuckDB instead of once in JavaScript and again in DuckDB.
//
// Nothing is taken on trust: a file that is not plain, quoting that is not trivial on any line, or a read whose line
// lengths do not add up to the file's size gives `undefined`, and the caller scans the file as before, so the
// records, line numbers, reasons and values are the scanner's in every case (a property test checks both ways).
import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { CR, NL, parseHeader, type DialectBytes } from './csv-record.js';
import { blankLineRecord, raggedReason, type BadRecord } from './csv-scan.js';
import { qi, qlit } from '../sql/quote.js';
import { COMPANION } from '../db/database.js';

/** The table of a file's lines: named after the source's output (quoted) so that it is dropped with it. */
export const linesTable = (output: string, file: number): string => `${output.slice(0, -1)}${COMPANION}${file}"`;

/** What reading lines needs of the run: statements and small queries on its database. */
export interface LineRunner {
  run(sql: string): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
}

export interface LineRead {
  header: string[];
  warnings: string[];
  /** Physical records after the header, blank lines included (as the scanner counts them). */
  records: number;
  good: number;
  blank: number;
  bad: BadRecord[];
  /**
   * The good records as a query: `lineage` (`prefix` and the line number) and one text column per header name,
   * each passed through `wrap` (the source's null values).
   */
  select(prefix: string, lineage: string, wrap: (expr: string) => string): string;
}

/**
 * Bytes read at a time while checking the file; the first check, which DuckDB's read waits for, reads less (2-5 ms
 * at 1 MB; with a 16 MB first piece 172 ms passed before the read began, a fresh buffer's pages being slow to touch).
 */
const PIECE = 4 << 20;
const FIRST_PIECE = 1 << 20;
/** The line reader's delimiter: a byte the file must not hold, so each line is one field. */
const SENTINEL = 0x01;
/** Quoted lines checked in the first piece before DuckDB reads anything (a file with harder quoting fails fast). */
const EARLY_QUOTED_LINES = 1000;

/** A byte as an RE2 escape, safe inside and outside a character class. */
const reByte = (b: number): string => `\\x{${b.toString(16)}}`;

/** One field quoted or not, with neither the quote nor the delimiter inside, as a regular expression. */
function trivialLine(db: DialectBytes): string {
  const d = reByte(db.delim);
  const q = reByte(db.quote);
  const field = `(?:[^${q}${d}]*|${q}[^${q}${d}]*${q})`;
  return `${field}(?:${d}${field})*`;
}

interface Plain {
  names: string[];
  warnings: string[];
  bom: number;
  size: number;
  mtimeMs: number;
  endsWithNewline: boolean;
}

/**
 * Whether the file is plain (see the top of this file), reading it a piece at a time; `first` only checks the first
 * piece (and its header), so a file that is not plain is refused before DuckDB reads anything.
 */
function checkPlain(file: string, db: DialectBytes, first: boolean): Plain | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    if (st.size === 0) return undefined;
    const buf = Buffer.allocUnsafe(Math.min(first ? FIRST_PIECE : PIECE, st.size));
    let at = 0;
    let plain: Omit<Plain, 'size' | 'mtimeMs' | 'endsWithNewline'> | undefined;
    // The same expression as the SQL check, in JavaScript's escapes (\xHH for RE2's \x{H}).
    const trivial = db.quote >= 0 ? new RegExp(`^${trivialLine(db).replaceAll(/\\x\{([0-9a-f]+)\}/g, (_, h: string) => `\\x${h.padStart(2, '0')}`)}$`) : undefined;
    while (at < st.size) {
      const n = fs.readSync(fd, buf, 0, buf.length, at);
      if (n <= 0) return undefined;
      const end = at + n >= st.size ? n : buf.lastIndexOf(NL, n - 1) + 1;
      // A line longer than a piece: the scanner copes with it, DuckDB needs to be told its size.
      if (end <= 0) return undefined;
      const piece = buf.subarray(0, end);
      if (!isUtf8(piece) || piece.indexOf(0) >= 0 || piece.indexOf(CR) >= 0 || piece.indexOf(SENTINEL) >= 0) return undefined;
      if (!plain) {
        // (A UTF-16 byte order mark is not UTF-8: refused above.)
        const bom = piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf ? 3 : 0;
        let h: ReturnType<typeof parseHeader>;
        try {
          h = parseHeader(piece, bom, db);
        } catch {
          return undefined;
        }
        if (h.lines !== 1 || h.names.length === 0) return undefined;
        plain = { names: h.names, warnings: h.warnings, bom };
        if (trivial) {
          let checked = 0;
          for (let q = piece.indexOf(db.quote, h.next); q >= 0 && checked < EARLY_QUOTED_LINES; checked++) {
            const start = piece.lastIndexOf(NL, q) + 1;
            const nl = piece.indexOf(NL, q);
            const stop = nl < 0 ? piece.length : nl;
            if (!trivial.test(piece.toString('utf8', start, stop))) return undefined;
            q = nl < 0 ? -1 : piece.indexOf(db.quote, nl);
          }
        }
        if (first) break;
      }
      at += end;
    }
    if (!plain) return undefined;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, st.size - 1);
    return { ...plain, size: st.size, mtimeMs: st.mtimeMs, endsWithNewline: last[0] === NL };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read `file` into `table` (a table of this run: the caller drops it with the view over it) and judge its records,
 * or undefined when the scanner must do it (the table is then gone). `expected` fields per record come from the
 * header. Blank lines are counted, or returned as bad records when `db.blankAsBad`.
 */
export async function readCsvLines(runner: LineRunner, file: string, table: string, db: DialectBytes, signal?: AbortSignal): Promise<LineRead | undefined> {
  if (db.escape !== db.quote || db.delim === NL || db.delim === CR || db.delim === SENTINEL || db.quote === SENTINEL) return undefined;
  if (!checkPlain(file, db, true)) return undefined;
  const d = qlit(String.fromCharCode(db.delim));
  const q = db.quote >= 0 ? qlit(String.fromCharCode(db.quote)) : undefined;
  // Every physical line as one text value: no quoting, a delimiter the file does not hold; a blank line is NULL.
  // Its field count is taken in the same parallel pass (a separate pass over 5 M lines cost 0.5 s, this 0.1-0.3).
  const read = runner.run(
    `CREATE TABLE ${table} AS SELECT l, CAST(len(string_split(l, ${d})) AS UINTEGER) AS n FROM read_csv(${qlit(file)}, columns = {'l': 'VARCHAR'}, delim = ${qlit(String.fromCharCode(SENTINEL))}, quote = '', escape = '', header = false, auto_detect = false, strict_mode = false)`,
  );
  const give = async (): Promise<undefined> => {
    await runner.run(`DROP TABLE IF EXISTS ${table}`);
    return undefined;
  };
  // The whole file is checked while DuckDB reads it (the read runs on DuckDB's threads).
  let plain: Plain | undefined;
  let unreadable: unknown;
  try {
    plain = checkPlain(file, db, false);
  } catch (e) {
    unreadable = e;
  }
  let failed = false;
  try {
    await read;
  } catch (e) {
    // A line DuckDB will not read (one over its 2 MB limit, say): the scanner reads it.
    if (signal?.aborted) throw e;
    failed = true;
  }
  if (unreadable !== undefined) {
    await give();
    throw unreadable;
  }
  if (failed || !plain) return give();
  const expected = plain.names.length;
  const quoted = q ? `contains(l, ${q})` : 'false';
  const [stats] = await runner.rows(`SELECT count(*) AS lines, coalesce(sum(strlen(l)), 0) AS bytes, count(*) FILTER (WHERE rowid > 0 AND l IS NULL) AS blank, count(*) FILTER (WHERE ${quoted}) AS quoted FROM ${table}`);
  const num = (k: string): number => Number(stats?.[k] ?? 0);
  // Each line's bytes and its line end add up to the file (less a byte order mark DuckDB skips): nothing was
  // dropped or merged, and the file did not change while read.
  const lines = num('lines');
  const st = fs.statSync(file);
  const bytes = num('bytes') + Math.max(0, lines - 1) + (plain.endsWithNewline ? 1 : 0) + plain.bom;
  if (lines === 0 || bytes !== plain.size || st.size !== plain.size || st.mtimeMs !== plain.mtimeMs) return give();
  // Over the quoted lines only (in a WHERE: a FILTER evaluated its expression on every line, 0.69 s at 5 M lines
  // against 0.05 s): whether any line's quoting is not trivial (a quote or the delimiter inside a quoted field, a
  // quote inside an unquoted one), which the scanner's parser must read; and the fields quoted on some good line,
  // the only ones the view unquotes.
  const quotedFields = new Set<number>();
  if (q && num('quoted') > 0) {
    const fields = `list_filter(range(1, ${expected + 1}), i -> starts_with(string_split(l, ${d})[i], ${q}))`;
    const [r] = await runner.rows(
      `SELECT count(*) FILTER (WHERE NOT regexp_full_match(l, ${qlit(trivialLine(db))})) AS hard, CAST(to_json(list_distinct(flatten(list(${fields}) FILTER (WHERE n = ${expected})))) AS VARCHAR) AS fields FROM ${table} WHERE rowid > 0 AND ${quoted}`,
    );
    if (Number(r?.['hard'] ?? 0) > 0) return give();
    for (const i of parseIntList(r?.['fields'])) quotedFields.add(i);
  }
  const bad: BadRecord[] = [];
  for (const r of await runner.rows(`SELECT rowid AS r, l, n FROM ${table} WHERE rowid > 0 AND (${db.blankAsBad ? 'l IS NULL OR ' : ''}n <> ${expected}) ORDER BY rowid`)) {
    const line = Number(r['r']) + 1;
    if (r['l'] === null || r['l'] === undefined) bad.push(blankLineRecord(line));
    else bad.push({ line, raw: Buffer.from(String(r['l']), 'utf8'), reason: raggedReason(expected, Number(r['n'])), rule: 'ragged_row' });
  }
  const blank = db.blankAsBad ? 0 : num('blank');
  const records = lines - 1;
  // A quoted field loses its quotes (an empty one is '', as the scanner's reader keeps it); an empty unquoted one is NULL.
  const value = (i: number): string => {
    const f = `f[${i + 1}]`;
    return q && quotedFields.has(i + 1) ? `CASE WHEN starts_with(${f}, ${q}) THEN ${f}[2:-2] ELSE nullif(${f}, '') END` : `nullif(${f}, '')`;
  };
  return {
    header: plain.names,
    warnings: plain.warnings,
    records,
    good: records - bad.length - blank,
    blank,
    bad,
    // Values are named in an inner projection so that `wrap`, which may name its value twice, splits nothing again.
    select: (prefix, lineage, wrap) =>
      `SELECT ${qlit(prefix)} || (rowid + 1) AS ${lineage}, ${plain.names.map((h) => `${wrap(qi(h))} AS ${qi(h)}`).join(', ')} FROM (SELECT rowid, ${plain.names.map((h, i) => `${value(i)} AS ${qi(h)}`).join(', ')} FROM (SELECT rowid, string_split(l, ${d}) AS f FROM ${table} WHERE rowid > 0 AND n = ${expected}))`,
  };
}

/** A list of integers the query sent as JSON text. */
function parseIntList(v: unknown): number[] {
  const list: unknown = typeof v === 'string' ? JSON.parse(v) : null;
  return Array.isArray(list) ? list.map(Number).filter(Number.isInteger) : [];
}
