// Named crash points for the crash tests: with SLUICE_FAULT_KILL_AT listing a point (e.g. `before-rename` or
// `before-rename:orders_out`), the process kills itself there with SIGKILL, exactly as a power cut or an OOM
// kill would stop it. Only a supervised run's worker obeys, so a test process that sets the variable for the
// workers it spawns never kills itself. Unset (always, outside tests), a point costs one environment lookup.
export type FaultPoint = 'node-start' | 'checkpoint-write' | 'quarantine-write' | 'sink-staged' | 'before-rename' | 'after-rename' | 'duckdb-commit' | 'duckdb-committed' | 'state-commit';

export function faultPoint(point: FaultPoint, nodeId: string): void {
  const spec = process.env['SLUICE_FAULT_KILL_AT'];
  if (!spec || !process.env['SLUICE_RUN_WORKER']) return;
  for (const want of spec.split(',')) {
    const [p, n] = want.split(':');
    if (p === point && (n === undefined || n === nodeId)) process.kill(process.pid, 'SIGKILL');
  }
}
