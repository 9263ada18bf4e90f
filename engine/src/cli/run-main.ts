// The entry of `sluice run` (bin/sluice.js picks it for that command): the run command alone, without the rest of
// the CLI, which loads the engine. A supervised run starts its worker before anything else is loaded, so that the
// worker loads the engine and DuckDB while this process loads the flags' code and reads the pipeline file; `npm run
// bench` measures what supervision still costs.
import { runsSupervised, spawnWorker, workerAvailable } from '../runtime/supervision/worker-process.js';

export async function runRunCli(argv: string[]): Promise<number> {
  const help = argv.some((a) => a === '-h' || a === '--help');
  let ahead = runsSupervised() && !help && workerAvailable() ? spawnWorker() : undefined;
  const [{ Command }, { ENGINE_VERSION }, { allowEnv }, { EXIT }, { errWrite }, { SLUICE_DESCRIPTION, outLine, reportError }, { addRunCommand }] = await Promise.all([
    import('commander'),
    import('../version.js'),
    import('../runtime/secrets.js'),
    import('./exit-codes.js'),
    import('./inputs.js'),
    import('./report.js'),
    import('./run-command.js'),
  ]);
  let code: number = EXIT.ok;
  const program = new Command().name('sluice').description(SLUICE_DESCRIPTION).version(ENGINE_VERSION).exitOverride().configureOutput({ writeErr: (s) => errWrite(s) });
  program.hook('preAction', (_cmd, action) => {
    const names = (action.opts() as { allowEnv?: string[] }).allowEnv;
    if (names?.length) allowEnv(names);
  });
  addRunCommand(program, {
    out: outLine,
    setCode: (c) => (code = c),
    takeWorker: () => {
      const w = ahead;
      ahead = undefined;
      return w;
    },
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    return reportError(e, argv, program.args[0] ?? 'sluice', outLine);
  } finally {
    // A worker started ahead for a run that never began (a usage error, a missing file): it must not linger.
    if (ahead) {
      ahead.stdin.end();
      ahead.kill('SIGTERM');
    }
  }
}
