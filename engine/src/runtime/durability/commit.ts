// Exactly-once publishing of sink files. A sink stages its complete output next to the target; publishing then
// journals `prepared` (with the staged file's hash), renames it over the target, and journals `committed`. A
// crash anywhere in between is settled on resume by comparing hashes: the target already holds the staged bytes
// (the rename happened), or the staged file is still there (rename it now), or neither (stage again). So a
// resumed run never publishes twice, and the target is never a half-written file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { faultPoint } from '../faults.js';
import { sha256File } from './checkpoint.js';
import type { Journal, JournalState, PreparedEntry } from './journal.js';

export async function publishFile(journal: Journal, nodeId: string, fingerprint: string, staged: string, target: string, rows: number): Promise<void> {
  faultPoint('sink-staged', nodeId);
  const sha256 = await sha256File(staged);
  await fsyncFile(staged);
  journal.append({ t: 'prepared', nodeId, fingerprint, target, staged, sha256, rows });
  faultPoint('before-rename', nodeId);
  await fs.promises.rename(staged, target);
  await fsyncDir(path.dirname(target));
  faultPoint('after-rename', nodeId);
  journal.append({ t: 'committed', nodeId, fingerprint, target, sha256, rows });
}

/**
 * Finish the publishes a crash interrupted (see the module comment). Returns the sinks whose output is now
 * committed, with the rows they published.
 */
export async function settlePending(journal: Journal, state: JournalState): Promise<Map<string, { rows: number; fingerprint: string }>> {
  const done = new Map<string, { rows: number; fingerprint: string }>();
  for (const [nodeId, c] of state.committed) done.set(nodeId, { rows: c.rows, fingerprint: c.fingerprint });
  for (const [nodeId, p] of state.prepared) {
    if (state.committed.has(nodeId)) continue;
    if (await settle(p)) {
      journal.append({ t: 'committed', nodeId, fingerprint: p.fingerprint, target: p.target, sha256: p.sha256, rows: p.rows });
      done.set(nodeId, { rows: p.rows, fingerprint: p.fingerprint });
    }
  }
  return done;
}

async function settle(p: PreparedEntry): Promise<boolean> {
  if (fs.existsSync(p.target) && (await sha256File(p.target)) === p.sha256) return true;
  if (fs.existsSync(p.staged) && (await sha256File(p.staged)) === p.sha256) {
    await fs.promises.rename(p.staged, p.target);
    await fsyncDir(path.dirname(p.target));
    return true;
  }
  fs.rmSync(p.staged, { force: true });
  return false;
}

async function fsyncFile(file: string): Promise<void> {
  const h = await fs.promises.open(file, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** A rename is durable only once its folder is synced. Some platforms cannot open a folder; the rename stands. */
async function fsyncDir(dir: string): Promise<void> {
  try {
    await fsyncFile(dir);
  } catch {
    // Windows: folders cannot be opened for sync; NTFS journals the rename itself.
  }
}
