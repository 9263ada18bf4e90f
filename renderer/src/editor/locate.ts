// Where in a SQL field an engine message points. DuckDB's parser gives a position (the engine appends it as
// "at character N"), its binder quotes the unknown name, and raw DuckDB errors may still carry
// "LINE 1: …" with a caret under the spot. Pure, so it is unit-tested without a browser.

export interface TextSpan {
  /** 0-based offsets into the field's text, end exclusive. */
  start: number;
  end: number;
}

const WORD = /[A-Za-z0-9_$]/;

/** The word (or single symbol) at `at`, so a marker underlines something visible. */
function spanAt(text: string, at: number): TextSpan {
  if (text.length === 0) return { start: 0, end: 0 };
  const i = Math.max(0, Math.min(at, text.length - 1));
  if (!WORD.test(text[i] ?? '')) {
    // Past the end (a missing operand): underline the last non-blank character instead of nothing.
    if (at >= text.length) {
      const last = text.trimEnd().length - 1;
      return { start: Math.max(0, last), end: Math.max(0, last) + 1 };
    }
    return { start: i, end: i + 1 };
  }
  let start = i;
  let end = i;
  while (start > 0 && WORD.test(text[start - 1] ?? '')) start--;
  while (end < text.length && WORD.test(text[end] ?? '')) end++;
  return { start, end };
}

/** Finds a quoted name from the message ("amout") as a whole word in the text, case-insensitively. */
function quotedName(text: string, message: string): TextSpan | undefined {
  for (const m of message.matchAll(/"([^"]+)"/g)) {
    const name = m[1] as string;
    const re = new RegExp(`(^|[^A-Za-z0-9_$])("?)(${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})\\2(?![A-Za-z0-9_$])`, 'i');
    const hit = re.exec(text);
    if (hit) {
      const start = hit.index + (hit[1]?.length ?? 0) + (hit[2]?.length ?? 0);
      return { start, end: start + name.length };
    }
  }
  return undefined;
}

/** A caret under "LINE 1: <sql>" points into the SQL DuckDB ran, which contains the field's text somewhere. */
function caret(text: string, message: string): TextSpan | undefined {
  const m = /LINE \d+: (.*)\n( *)\^/.exec(message);
  if (!m) return undefined;
  const line = m[1] as string;
  const col = (m[2] as string).length - 'LINE 1: '.length;
  const inLine = line.indexOf(text.trim() === '' ? '\0' : text.trim());
  if (inLine < 0 || col < inLine || col > inLine + text.length) return undefined;
  return spanAt(text, col - inLine + (text.length - text.trimStart().length));
}

/**
 * The part of `text` a problem message is about, or undefined when the message does not say (then the
 * caller marks the whole field). `mustMention` restricts to messages that quote a name found in the text.
 */
export function locateProblem(text: string, message: string): TextSpan | undefined {
  const at = /at character (\d+)\b/.exec(message);
  if (at) return spanAt(text, Number(at[1]) - 1);
  return caret(text, message) ?? quotedName(text, message);
}

/** Whether a message that names no field (a DuckDB binder error at run time) is about this text. */
export function mentionsText(text: string, message: string): boolean {
  return quotedName(text, message) !== undefined;
}
