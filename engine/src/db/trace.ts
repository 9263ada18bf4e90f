// SLUICE_TRACE_SQL: the engine's timeline of statements and run steps on stderr, on one clock.
/** SLUICE_TRACE_SQL=1 prints every statement and query with its duration and when it ended (ms since the process started), for profiling the engine against plain SQL. */
export const TRACE = process.env['SLUICE_TRACE_SQL'] === '1';

/** One trace line for a statement that began at `started` (performance.now()), when tracing is on. */
export function traced(sql: string, started: number): void {
  if (TRACE) process.stderr.write(`[sql ${Math.round(performance.now() - started)} ms] (done at ${Math.round(performance.now())} ms) ${sql.slice(0, 160)}\n`);
}

/** With SLUICE_TRACE_SQL=1, a step of the run that is not a statement (on the same clock), for its timeline. */
export function traceStep(what: string): void {
  if (TRACE) process.stderr.write(`[step] (at ${Math.round(performance.now())} ms) ${what}\n`);
}
