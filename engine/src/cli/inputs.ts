// What several commands read from the command line and the files it names: the pipeline file, edited rows, limit
// and host flags. Free of the engine (DuckDB, node kinds), because `sluice run`'s supervisor uses it too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { nodeName, nodeNamerOfRaw, nodeTitle } from '@sluice/format/pipeline/node-name';
import { InvalidPipeline, UserError } from '@sluice/format/api/errors';
import { limitsInputSchema, type LimitsInput } from '@sluice/format/api/contract';
import { allowedHost } from '@sluice/format/api/hosts';
import { redact } from '../runtime/secrets.js';

/**
 * How this command names nodes: label first (`Order rules [checks]`) once it has read the pipeline file, so that
 * a message names the box the user sees; by id before that. `title` is the form for a table cell or a line's head.
 */
export const names = { name: (id: string) => nodeName({ id }), title: (id: string) => id };

export function readPipeline(file: string): unknown {
  const full = path.resolve(file);
  if (!fs.existsSync(full)) throw new UserError(`no such file: ${file}`);
  const parsed = parsePipelineText(fs.readFileSync(full, 'utf8'));
  if (parsed.raw === undefined) throw new InvalidPipeline(parsed.problems);
  names.name = nodeNamerOfRaw(parsed.raw);
  names.title = nodeNamerOfRaw(parsed.raw, nodeTitle);
  return parsed.raw;
}

/** Edited rows for a replay: NDJSON or a JSON array of objects. */
export function readRows(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) throw new UserError(`no such file: ${file}`);
  const text = fs.readFileSync(file, 'utf8').trim();
  const parse = (s: string, line: number): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      throw new UserError(`${file}:${line}: not valid JSON`, { file, line });
    }
  };
  const values = text.startsWith('[') ? (parse(text, 1) as unknown[]) : text.split('\n').map((l, i) => (l.trim() === '' ? undefined : parse(l, i + 1))).filter((v) => v !== undefined);
  return values.map((v, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`${file}: row ${i + 1} is not an object`, { file });
    return v as Record<string, unknown>;
  });
}

/** The limit flags as a run request's limits; a malformed value is a usage error naming the flag. */
export function limitsFromFlags(o: { memoryLimit?: string; tempLimit?: string; tempDir?: string; nodeTimeout?: string; previewTimeout?: string }): LimitsInput {
  const seconds = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UserError(`${flag} expects a number of seconds (0 for no limit), got "${v}"`);
    return n;
  };
  const given = {
    ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}),
    ...(o.tempLimit !== undefined ? { tempLimit: o.tempLimit } : {}),
    ...(o.tempDir !== undefined ? { tempDir: path.resolve(o.tempDir) } : {}),
    ...(o.nodeTimeout !== undefined ? { nodeTimeoutSeconds: seconds('--node-timeout', o.nodeTimeout) } : {}),
    ...(o.previewTimeout !== undefined ? { previewTimeoutSeconds: seconds('--timeout', o.previewTimeout) } : {}),
  };
  if (Object.keys(given).length === 0) return undefined;
  const r = limitsInputSchema.safeParse(given);
  if (!r.success) {
    const key = String(r.error.issues[0]?.path[0] ?? '');
    const flag = key === 'memoryLimit' ? '--memory-limit' : key === 'tempLimit' ? '--temp-limit' : key === 'tempDir' ? '--temp-dir' : key === 'nodeTimeoutSeconds' ? '--node-timeout' : '--timeout';
    throw new UserError(`${flag}: ${r.error.issues[0]?.message ?? 'invalid value'}`);
  }
  return r.data;
}

export function collectHost(value: string, prev: string[]): string[] {
  if (!allowedHost(value)) throw new UserError(`--allow-host expects HOST or HOST:PORT (e.g. api.example.com or 127.0.0.1:8080), got "${value}"`);
  return [...prev, value];
}

/** stderr, with every secret this process read replaced (an API may echo a credential in an error). */
export function errWrite(s: string): boolean {
  return process.stderr.write(redact(s));
}
