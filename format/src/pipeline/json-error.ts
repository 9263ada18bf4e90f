// Where JSON.parse gave up, as a line and column a person can find, and its reason without engine jargon.

/** 1-based line and column of the character at `pos`. */
function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  return { line: before.split('\n').length, column: pos - before.lastIndexOf('\n') };
}

/**
 * The location of a JSON.parse error in `text`: from the message's position when it has one, the end of the
 * text for a document that stops early, else found by bisection.
 */
export function jsonErrorLocation(text: string, message: string): { line: number; column: number } | undefined {
  const m = /position (\d+)/.exec(message);
  if (m) return lineColumn(text, Number(m[1]));
  if (/end of (JSON )?input/i.test(message)) return lineColumn(text, text.length);
  const pos = errorOffset(text);
  return pos === undefined ? undefined : lineColumn(text, pos);
}

/** JSON.parse's reason without the position and the echo of the text, which the location replaces. */
export function jsonErrorReason(message: string): string {
  return message.replace(/ in JSON at position \d+.*$/, '').replace(/, "[\s\S]*" is not valid JSON$/, '').replace(/^Unexpected token '(.)', .*$/s, "unexpected '$1'");
}

/**
 * Where JSON.parse gave up, for runtimes whose message has no position: every prefix before the error fails
 * only for being incomplete, every prefix that includes it fails otherwise, so a binary search finds it.
 */
function errorOffset(text: string): number | undefined {
  if (text.length > 2_000_000) return undefined;
  const incomplete = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      return /end of (JSON )?input|Unterminated string|Expected .* after/i.test(e instanceof Error ? e.message : '');
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (incomplete(mid + 1)) lo = mid + 1;
    else hi = mid;
  }
  return lo < text.length ? lo : undefined;
}
