// Sizes as DuckDB reads them, and DuckDB's share of a process's memory limit.
export const MiB = 1024 * 1024;
const UNIT: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: MiB, gib: 1024 * MiB, tib: 1024 * 1024 * MiB };

/** A size as DuckDB reads it (KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB of 1024), in bytes. */
export function sizeBytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B)$/i.exec(size.trim());
  if (!m) throw new Error(`not a size: "${size}"`);
  return Number(m[1]) * (UNIT[(m[2] ?? '').toLowerCase()] ?? NaN);
}

/** The part of a process's memory limit outside DuckDB's buffer pool that does not grow with it: Node, V8, the engine and DuckDB's own code (measured: ~200 MiB RSS before the first query). */
const PROCESS_BASE = 192 * MiB;
/** DuckDB's share of the rest; the remainder covers what DuckDB allocates outside its pool (see duckdbMemoryLimit). */
const POOL_SHARE = 0.7;

/**
 * DuckDB's memory_limit for a process that may use `processLimit` in all. DuckDB's limit bounds its buffer pool
 * only; the process also holds Node and the engine (~200 MiB), and DuckDB allocates outside the pool for operator
 * state, the Parquet writer's buffers and allocator slack. Measured on the validation workload at 10 M rows
 * (issue 18), peak RSS was about 200 MiB + 1.3–1.5 × the pool: a 1.5 GB pool peaked at 1,990–2,140 MiB, a 900 MB
 * pool at 1,267 MiB. So the pool gets 70 % of what is left after the base (at least half the limit, for small
 * limits), and the whole process, not only DuckDB, stays within the limit the user set (measured: 1,305 MiB at
 * 10 M rows under 1.5 GB, outputs exact).
 */
export function duckdbMemoryLimit(processLimit: string): string {
  const bytes = sizeBytes(processLimit);
  // DuckDB needs a few blocks of its own to work at all (the CSV reader's buffer is ~30 MiB): a limit so small
  // that it cannot hold the process anyway gives DuckDB all of itself, up to 64 MiB.
  const pool = Math.max(Math.min(bytes, 64 * MiB), bytes * 0.5, (bytes - PROCESS_BASE) * POOL_SHARE);
  return `${Math.max(16, Math.floor(pool / MiB))}MiB`;
}
