// Writing a file atomically: DuckDB writes a temporary file in the target's folder, which is renamed over the
// target only once complete, so a failed or killed run leaves the previous output intact.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
export { fileSinkFields, fileSinkSchema } from '@sluice/format/kinds/file-sink';
import type { ExecContext } from '../../runtime/exec-context.js';
import { LINEAGE, UserError } from '../../runtime/exec-context.js';
import type { ExecResult } from '../types.js';
import { qi, qlit } from '../../sql/quote.js';
import { requireColumns, requireSomeColumns } from './columns.js';
import { RetriesExhausted, classifyFsFailure, retryPolicySchema, withRetry } from '../../sources/rest/retry.js';
import type { IoStats } from '@sluice/format/api/contract';
import { stillPlaced } from '../../runtime/paths.js';

/** A busy or briefly locked target (antivirus, an open viewer, too many open files) clears within seconds. */
const RENAME_RETRY = retryPolicySchema.parse({ maxAttempts: 5, baseMs: 100, maxMs: 2_000 });

export interface FileSinkConfig {
  path: string;
  mode: 'overwrite' | 'append' | 'merge';
  key: string[];
  includeLineage: boolean;
  deleteColumn?: string | undefined;
}

export interface FileFormat {
  /** COPY options, e.g. `FORMAT csv, HEADER true`. */
  copyOptions: string;
  /** SQL reading an existing output back, for append and merge. */
  readExisting(quotedPathLiteral: string): string;
  /**
   * Text cells to look at before writing (e.g. a CSV sink's formula check): given the input table and its text
   * columns, returns the expression each such column is written as (undefined: as it is) and warnings.
   */
  textCells?(ctx: ExecContext, input: string, textColumns: string[]): Promise<{ cell?: (quotedColumn: string) => string; warnings: string[] }>;
}

export async function writeFileSink(ctx: ExecContext, c: FileSinkConfig, format: FileFormat): Promise<ExecResult> {
  const input = ctx.input('in');
  const target = ctx.resolveOutput(c.path, 'path');
  const dir = path.dirname(target);
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true });
  const cols = await ctx.columns(input);
  const del = deleteColumnOf(ctx.nodeId, c.mode, c.deleteColumn, cols);
  // The delete marker says what to do with a row; it is not data of the target.
  const names = cols.map((x) => x.name).filter((n) => n !== del);
  await requireSomeColumns(ctx, input, cols, c.includeLineage);
  const text = format.textCells ? await format.textCells(ctx, input, cols.filter((x) => x.type === 'VARCHAR').map((x) => x.name)) : { warnings: [] };
  const textNames = new Set(cols.filter((x) => x.type === 'VARCHAR').map((x) => x.name));
  const cell = text.cell;
  const item = (n: string): string => (cell && textNames.has(n) ? `${cell(qi(n))} AS ${qi(n)}` : qi(n));
  const select = `SELECT ${c.includeLineage ? `${qi(LINEAGE)}, ` : ''}${names.map(item).join(', ')} FROM ${input}${del ? ` WHERE NOT coalesce(${qi(del)}, false)` : ''}`;
  let body = select;
  const exists = fs.existsSync(target);
  if (c.mode === 'merge') {
    if (c.key.length === 0) throw new UserError('merge mode needs "key" columns', { nodeId: ctx.nodeId, field: 'key' });
    requireColumns(ctx.nodeId, 'key', c.key, cols);
    const dupes = await ctx.count(`SELECT count(*) FROM (SELECT ${c.key.map(qi).join(', ')} FROM ${input} GROUP BY ALL HAVING count(*) > 1)`);
    if (dupes > 0) throw new UserError(`merge key ${c.key.join(', ')} is not unique in the input (${dupes} key(s) repeat); deduplicate first`, { nodeId: ctx.nodeId, field: 'key' });
  }
  if (exists && c.mode !== 'overwrite') {
    const old = format.readExisting(qlit(target));
    if (c.mode === 'append') body = `SELECT * FROM (${old}) UNION ALL BY NAME ${select}`;
    else {
      const match = c.key.map((k) => `CAST(o.${qi(k)} AS VARCHAR) IS NOT DISTINCT FROM CAST(n.${qi(k)} AS VARCHAR)`).join(' AND ');
      body = `SELECT * FROM (${old}) o WHERE NOT EXISTS (SELECT 1 FROM ${input} n WHERE ${match}) UNION ALL BY NAME ${select}`;
    }
  }
  // An unpredictable name (48 random bits), so no one can plant a symlink under it in advance. It is not created
  // beforehand: DuckDB would then stage through a `tmp_` file of its own and leave it behind on a failed write.
  // A run that crashed after staging is settled from its journal on resume, which records the staged name; any
  // other leftover staging file of this target is removed below.
  const tmp = path.join(dir, `.${path.basename(target)}.sluice-${crypto.randomBytes(6).toString('hex')}.tmp`);
  // When the file gets exactly the input's rows, COPY's own answer (the rows it wrote) is the count: counting the
  // input first would run a view input's whole chain again (a CSV source re-read) for the same number. Appending,
  // merging or dropping delete markers writes other rows than the input's, so those count the input.
  const plain = body === select && !del;
  const counted = plain ? undefined : await ctx.count(`SELECT count(*) FROM ${input}`);
  removeStaleStaging(target, tmp);
  const dirReal = fs.realpathSync(dir);
  let written = 0;
  try {
    const copied = await ctx.count(`COPY (${body}) TO ${qlit(tmp)} (${format.copyOptions})`);
    written = counted ?? copied;
    await publish(ctx, tmp, target, written);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof Error && /EACCES|EROFS|ENOSPC|EPERM|EISDIR|ENOTDIR|EBUSY|EFBIG|EEXIST|ENAMETOOLONG|IO Error|Permission Error/.test(e.message)) {
      throw new UserError(`cannot write ${target}: ${e.message.split('\n')[0]}; the previous output is untouched`, { nodeId: ctx.nodeId, field: 'path' });
    }
    throw e;
  }
  // The folder was verified before writing; if it was swapped for a link meanwhile, the file went elsewhere: undo.
  if (!stillPlaced(target, dirReal)) {
    fs.rmSync(target, { force: true });
    throw new UserError(`the folder of ${target} changed while it was being written (it now leads elsewhere); the file was removed`, { nodeId: ctx.nodeId, field: 'path' });
  }
  // `written` is the input's rows in every mode (COPY's count of them, or their count): what it read (countsInputs).
  return { written, inputRowsRead: { in: written }, ...(text.warnings.length > 0 ? { warnings: text.warnings } : {}) };
}

/**
 * A run that died while staging leaves its `.NAME.sluice-TAG.tmp` behind. Resuming that run would replace it; a
 * new run writing the same target removes it instead (a resume finding its staged file gone stages again). Two
 * runs writing one target at the same time are not supported.
 */
function removeStaleStaging(target: string, own: string): void {
  const prefix = `.${path.basename(target)}.sluice-`;
  for (const name of fs.readdirSync(path.dirname(target))) {
    if (!name.startsWith(prefix) || !/^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length))) continue;
    const file = path.join(path.dirname(target), name);
    if (file === own) continue;
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // Not removable here (e.g. a read-only folder): harmless, and the write below reports the folder's state.
    }
  }
}

/** The publish (the final rename), retried on transient file-system errors; retries show in the node's metrics. */
async function publish(ctx: ExecContext, tmp: string, target: string, rows: number): Promise<void> {
  const io: IoStats = { requests: 0, retries: 0, failures: 0, retryWaitMs: 0, breaker: 'closed' };
  try {
    await withRetry(
      () => {
        io.requests++;
        return ctx.publish(tmp, target, rows);
      },
      {
        policy: RENAME_RETRY,
        classify: classifyFsFailure,
        signal: ctx.signal,
        onFailure: (label) => {
          io.failures++;
          io.lastError = label;
        },
        onRetry: (e) => {
          io.retries++;
          io.retryWaitMs += e.delayMs;
          ctx.reportIo({ ...io }, `retry ${e.attempt}/${e.maxAttempts - 1} in ${e.delayMs} ms (${e.label}), renaming to ${path.basename(target)}`);
        },
      },
    );
  } catch (e) {
    // The user sees the file-system error itself (e.g. EBUSY), as without retries.
    throw e instanceof RetriesExhausted ? e.last : e;
  } finally {
    if (io.retries > 0) ctx.reportIo({ ...io });
  }
}

/** A sink has no output ports; what it can check statically is its merge key and its delete marker. */
/**
 * The checked delete-marker column of a merge (see `deleteColumn`): present, BOOLEAN, and only with merge mode,
 * since deleting by key means nothing to an overwrite or an append.
 */
export function deleteColumnOf(nodeId: string, mode: string, column: string | undefined, cols: { name: string; type: string }[]): string | undefined {
  if (column === undefined) return undefined;
  if (mode !== 'merge') throw new UserError(`"deleteColumn" works with mode "merge" only (this sink's mode is "${mode}")`, { nodeId, field: 'deleteColumn' });
  requireColumns(nodeId, 'deleteColumn', [column], cols);
  const type = cols.find((x) => x.name === column)?.type;
  if (type !== 'BOOLEAN') throw new UserError(`"deleteColumn" ${column} is ${type ?? 'missing'}, not BOOLEAN; declare or cast it as BOOLEAN`, { nodeId, field: 'deleteColumn' });
  return column;
}
