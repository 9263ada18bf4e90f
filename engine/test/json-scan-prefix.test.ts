// A preview of an NDJSON source reads a prefix of the file (growing until it holds the records asked for): the
// records, their line numbers, the bad lines and the `truncated` flag are exactly those of a scan of the whole file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanNdjson } from '../src/sources/json-scan.js';
import { tmpDir } from './helpers.js';

function scanned(file: string, limit: number | undefined) {
  const clean = path.join(path.dirname(file), `clean-${limit ?? 'all'}.ndjson`);
  const r = scanNdjson(file, clean, limit, true);
  return { ...r, clean: fs.readFileSync(clean, 'utf8').split('\n').filter(Boolean) };
}

describe('NDJSON scan with a limit', () => {
  it('reads a prefix and finds the same first records, lines and bad lines as the whole file', () => {
    const dir = tmpDir('sluice-json-prefix-');
    const file = path.join(dir, 'big.ndjson');
    // A first line longer than the first read (1 MB) and one in the middle longer than the second (4 MB), short
    // records with a blank and a bad line now and then, and no newline at the very end.
    const lines = [JSON.stringify({ id: 0, note: 'x'.repeat(1_500_000) })];
    for (let i = 1; i < 6_000; i++) {
      if (i === 3_000) lines.push(JSON.stringify({ id: i, note: 'z'.repeat(3_000_000) }));
      else lines.push(i % 997 === 0 ? '' : i % 1499 === 0 ? `{"id": ${i},` : JSON.stringify({ id: i, name: `name ${i}`, pad: 'y'.repeat(i % 50) }));
    }
    fs.writeFileSync(file, lines.join('\n'));
    const whole = scanned(file, undefined);
    expect(whole.truncated).toBe(false);
    for (const limit of [1, 2, 2_990, 2_991, 5_970, 9_000]) {
      const part = scanned(file, limit);
      const good = Math.min(limit, whole.good);
      expect(part.good).toBe(good);
      expect(part.clean).toEqual(whole.clean.slice(0, good));
      const lastLine = Number(/^\{"l":(\d+)/.exec(part.clean[good - 1] ?? '')?.[1]);
      // Everything up to the last good record was scanned, and nothing after it.
      expect(part.bad).toEqual(whole.bad.filter((b) => b.line < lastLine));
      expect(part.records).toBe(lastLine);
      expect(part.truncated).toBe(limit < whole.good || (limit === whole.good && lastLine < whole.records));
      expect(part.keys).toEqual(['id', 'note', 'name', 'pad'].slice(0, limit === 1 ? 2 : 4));
    }
  });
});
