// Checkpoint files: a node's table output (or quarantine) written to Parquet so that a resumed run can load it
// instead of recomputing it. Parquet has no exact form for some DuckDB types (HUGEINT is written as DOUBLE), so
// those columns travel as text and are cast back to the recorded type on restore; a restored table whose
// columns differ from the record is not trusted.
import * as fs from 'node:fs';
import type { Column } from '@sluice/format/api/contract';
import { qi, qlit } from '../../sql/quote.js';
import type { Database } from '../../db/database.js';
import { sha256File } from '../../fsutil/files.js';

export { sha256File };

/** Types Parquet would store inexactly (or not at all); matched anywhere in a nested type too. */
const STORED_AS_TEXT = /\b(HUGEINT|UHUGEINT|BIGNUM|VARINT|BIT|TIME WITH TIME ZONE|TIMETZ|UNION)\b/;

export interface CheckpointFile {
  file: string;
  sha256: string;
  rows: number;
  columns: Column[];
}

/**
 * A type a text column may be cast back to. The type is read from the journal on restore, so it is spliced into
 * SQL only when it is a plain name (e.g. `HUGEINT`, `TIME WITH TIME ZONE`, `HUGEINT[]`).
 */
const PLAIN_TYPE = /^[A-Z][A-Z0-9_ ]*(\[\d*\])*$/;

/**
 * Write `table` to `file` (through a temporary name, so a file under the final name is always complete), or
 * return undefined when a column's type cannot make the round trip exactly (the node then simply reruns).
 */
export async function writeCheckpoint(db: Database, table: string, file: string, rows: number): Promise<CheckpointFile | undefined> {
  const columns = await db.describe(qi(table));
  if (columns.some((c) => STORED_AS_TEXT.test(c.type) && !PLAIN_TYPE.test(c.type))) return undefined;
  const select = columns.map((c) => (STORED_AS_TEXT.test(c.type) ? `CAST(${qi(c.name)} AS VARCHAR) AS ${qi(c.name)}` : qi(c.name))).join(', ');
  const tmp = `${file}.tmp`;
  await db.run(`COPY (SELECT ${select || '*'} FROM ${qi(table)}) TO ${qlit(tmp)} (FORMAT parquet)`);
  fs.renameSync(tmp, file);
  return { file, sha256: await sha256File(file), rows, columns };
}

/**
 * Load a checkpoint as `table`, or say why it cannot be trusted (file missing or changed, columns or row count
 * not as recorded). A refused checkpoint only means the node runs again.
 */
export async function restoreCheckpoint(db: Database, table: string, cp: CheckpointFile, opts: { hashChecked?: boolean } = {}): Promise<string | undefined> {
  if (!fs.existsSync(cp.file)) return `checkpoint ${cp.file} is missing`;
  if (!opts.hashChecked && (await sha256File(cp.file)) !== cp.sha256) return `checkpoint ${cp.file} changed since it was written`;
  if (cp.columns.some((c) => STORED_AS_TEXT.test(c.type) && !PLAIN_TYPE.test(c.type))) return `checkpoint ${cp.file} records a type it cannot restore`;
  const select = cp.columns.map((c) => (STORED_AS_TEXT.test(c.type) ? `CAST(${qi(c.name)} AS ${c.type}) AS ${qi(c.name)}` : qi(c.name))).join(', ');
  await db.dropRelation(table);
  try {
    await db.run(`CREATE TABLE ${qi(table)} AS SELECT ${select || '*'} FROM read_parquet(${qlit(cp.file)})`);
  } catch (e) {
    await db.dropRelation(table);
    return `checkpoint ${cp.file} could not be loaded: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  const got = await db.describe(qi(table));
  const same = got.length === cp.columns.length && got.every((c, i) => c.name === cp.columns[i]?.name && c.type === cp.columns[i]?.type);
  const rows = await db.count(`SELECT count(*) FROM ${qi(table)}`);
  if (!same || rows !== cp.rows) {
    await db.dropRelation(table);
    return `checkpoint ${cp.file} does not hold what was recorded`;
  }
  return undefined;
}
