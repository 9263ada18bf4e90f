// Live counters of a running node: while its statements run, DuckDB's query progress is read a few times a second
// and reported as a `node-progress` event, so a 20-second read shows rows going by instead of a still "running".
import type { Database } from '../../db/database.js';
import type { RunEvent } from './execute-options.js';

/** How often a running node's progress is read (each read is one cheap call into DuckDB). */
export const PROGRESS_EVERY_MS = 250;

/**
 * Starts reporting `nodeId`'s progress; the caller clears the returned interval when the node ends.
 * `countsRows`: DuckDB's processed-row count is a row count only for queries over tables (a node downstream of
 * its sources). While a file is read DuckDB counts in its own units (parts of files), so a source reports the
 * share done and no rows: a number that looked like rows and was not would be worse than none.
 */
export function followProgress(db: Pick<Database, 'progress'>, nodeId: string, countsRows: boolean, emit: (e: RunEvent) => void): NodeJS.Timeout {
  let last = '';
  const timer = setInterval(() => {
    const p = db.progress();
    if (!p) return;
    const percent = Math.round(p.percent * 10) / 10;
    const e: RunEvent = { type: 'node-progress', nodeId, percent, ...(countsRows ? { rows: p.rows } : {}) };
    // Between two of a node's statements DuckDB reports nothing; the last figures stay on screen meanwhile.
    const key = `${percent}:${countsRows ? p.rows : ''}`;
    if (key === last) return;
    last = key;
    emit(e);
  }, PROGRESS_EVERY_MS);
  timer.unref();
  return timer;
}

/**
 * Progress a node measures itself, where DuckDB has no query to report on (a CSV source scanning its lines before
 * DuckDB reads them): rows so far and the share done, at most every PROGRESS_EVERY_MS, and always the end.
 */
export function ownProgress(nodeId: string, emit: (e: RunEvent) => void): (p: { fraction: number; rows: number }) => void {
  let lastAt = -Infinity;
  return (p) => {
    const now = performance.now();
    if (now - lastAt < PROGRESS_EVERY_MS && p.fraction < 1) return;
    lastAt = now;
    emit({ type: 'node-progress', nodeId, percent: Math.round(Math.min(1, p.fraction) * 1000) / 10, rows: p.rows });
  };
}
