// The result-size cap for anything shown or logged: a preview's cells, a quarantine page's rows, raw lines and
// reasons, and messages. A 5 MB field is cut to a few thousand characters with a marker saying how much was
// left out; the full value stays where the data lives (the quarantine file, the sink's output). Kept small and
// separate so the query limits (time, memory) can live elsewhere.
import type { Cell } from '@sluice/format/api/contract';

/** Characters of one value shown in a preview, a quarantine page or the CLI. */
export const MAX_DISPLAY_CHARS = 2_000;
/** Characters of one message (an error, a warning, a reason). */
export const MAX_MESSAGE_CHARS = 4_000;

/** `s` cut to `max` characters (never splitting a surrogate pair) with a marker naming the full length. */
export function capText(s: string, max: number = MAX_DISPLAY_CHARS, where = 'the full value is kept in the data'): string {
  if (s.length <= max) return s;
  let cut = max;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${s.slice(0, cut)}… [truncated: ${s.length.toLocaleString('en-US')} characters, ${where}]`;
}

export function capCell(c: Cell): Cell {
  return typeof c === 'string' ? capText(c) : c;
}

/**
 * A row stored as JSON text, with each long value capped (the JSON stays valid, so the designer can still show
 * it column by column). Text that is not a JSON object is capped as a whole.
 */
export function capRowJson(row: string, where = 'the full value is in the quarantine file'): string {
  if (row.length <= MAX_DISPLAY_CHARS) return row;
  try {
    const v: unknown = JSON.parse(row);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? capText(x, MAX_DISPLAY_CHARS, where) : typeof x === 'object' && x !== null ? capJsonValue(x, where) : x;
      return JSON.stringify(out);
    }
  } catch {
    // not JSON: capped as text below
  }
  return capText(row, MAX_DISPLAY_CHARS, where);
}

function capJsonValue(x: object, where: string): unknown {
  const text = JSON.stringify(x);
  return text.length <= MAX_DISPLAY_CHARS ? x : capText(text, MAX_DISPLAY_CHARS, where);
}
