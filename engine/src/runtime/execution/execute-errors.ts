// How a node's failure is told: a DuckDB FATAL, a full disk or refused file, a user's mistake, or an engine fault.
import type { PipelineNode } from '@sluice/format/pipeline/pipeline';
import { nodeNameWithKind } from '@sluice/format/pipeline/node-name';
import { ERROR_CODES, QueryError, isUserFacing } from '@sluice/format/api/errors';

/** A DuckDB FATAL error: the database is invalidated and refuses every later statement. */
export function isFatal(e: unknown): boolean {
  return e instanceof Error && /^FATAL Error|database has been invalidated/i.test(e.message);
}

const FULL = new Set(['ENOSPC', 'EFBIG', 'EDQUOT']);
const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** A full disk or a refused file is the machine's state, not a bug: said plainly, with what to do. */
export function fileSystemFault(e: unknown, workDir: string): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string' || (!FULL.has(err.code) && !DENIED.has(err.code))) return undefined;
  // A failed write names no file; it was one of the node's working files.
  const where = err.path ? '' : ` (writing the run's working files in ${workDir})`;
  const hint = FULL.has(err.code) ? 'free disk space (or raise the file-size limit) and run again' : 'check the permissions of the file and its folder';
  return `${err.message}${where}; ${hint}`;
}

export function describeError(e: unknown, node: PipelineNode): string {
  const where = nodeNameWithKind(node);
  if (e instanceof QueryError && e.code === ERROR_CODES.cancelled) return `${where}: stopped because the run was cancelled; nothing of this node was published`;
  if (e instanceof QueryError && e.userCaused) {
    // DuckDB's messages are already user-readable (binder and conversion errors); keep their first lines.
    return `${where}: ${e.message.split('\n').slice(0, 3).join(' ').trim()}`;
  }
  if (isUserFacing(e)) {
    const bits = [e.where.field ? `field "${e.where.field}"` : '', e.where.file ? `file ${e.where.file}${e.where.line ? `:${e.where.line}` : ''}` : '']
      .filter(Boolean)
      .join(', ');
    return `${where}${bits ? `, ${bits}` : ''}: ${e.message}`;
  }
  // A fault of the engine: its first line says what broke; the stack is in the run record, not in this message.
  const msg = e instanceof Error ? e.message : String(e);
  return `${where}: internal error: ${msg.split('\n')[0]?.trim() ?? ''}`;
}
