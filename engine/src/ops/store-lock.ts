// The run store's lock: DuckDB lets one process open the file for writing, so every open takes this lock file
// first (with retries; a lock whose process is gone is broken). Only the holder's own token is ever removed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive } from '../fsutil/process.js';

const LOCK_FILE = 'runstore.lock';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Take `<dir>/runstore.lock` exclusively; a lock whose process is gone is broken. */
export async function acquireLock(dir: string, timeoutMs: number): Promise<() => void> {
  const file = path.join(dir, LOCK_FILE);
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, token, { flag: 'wx' });
      return () => {
        // Only our own lock is removed, never one a stale-lock breaker handed to someone else.
        try {
          if (fs.readFileSync(file, 'utf8') === token) fs.rmSync(file, { force: true });
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = '';
    try {
      holder = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // released between our attempts
    }
    const pid = Number.parseInt(holder.split(':')[0] ?? '', 10);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the run store in ${dir} is busy (locked by process ${pid}); try again`);
    await sleep(Math.min(200, 10 + attempt * 10) * (0.5 + Math.random()));
  }
}
