// What a resume needs from the disk: which journaled nodes' files are intact (the resume planner, resume-plan.ts,
// trusts only those), and loading back the checkpoints its plan lists.
import * as fs from 'node:fs';
import type { Database } from '../../db/database.js';
import { restoreCheckpoint, sha256File, type CheckpointFile } from './checkpoint.js';
import type { JournalState, NodeEntry } from './journal.js';

/** The nodes whose journaled files are all still there with their recorded hashes (only current entries count). */
export async function verifiedNodes(journal: JournalState, fingerprints: Map<string, string>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const [id, entry] of journal.nodes) {
    if (entry.fingerprint !== fingerprints.get(id)) continue;
    if (await filesIntact(entry)) out.add(id);
  }
  return out;
}

async function filesIntact(entry: NodeEntry): Promise<boolean> {
  for (const f of [...Object.values(entry.outputs), entry.quarantine]) {
    if (f === null || f === 'unread') continue;
    if (!fs.existsSync(f.file) || (await sha256File(f.file)) !== f.sha256) return false;
  }
  return true;
}

/**
 * Load back the checkpoints a restored node's plan step lists. The executor calls it in topological order, so a
 * consumer's inputs are in place before it runs.
 */
export async function loadCheckpoints(db: Database, nodeId: string, load: { port: string; checkpoint: CheckpointFile }[], tableName: (nodeId: string, port: string) => string): Promise<void> {
  for (const { port, checkpoint } of load) {
    // verifiedNodes already checked every file's hash; reading a large checkpoint twice would only cost time.
    const why = await restoreCheckpoint(db, tableName(nodeId, port), checkpoint, { hashChecked: true });
    if (why) throw new Error(`cannot resume node "${nodeId}": ${why}`);
  }
}
