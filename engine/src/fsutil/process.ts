// Whether a process still lives, for the lock files the runtime and the run store keep (a lock whose process is
// gone is broken). No engine imports, so any layer may use it.

/** True when `pid` is a live process, including one this user may not signal (EPERM: it exists). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
