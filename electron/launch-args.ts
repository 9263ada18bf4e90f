// Which pipeline file the app was asked to open: from the command line (Windows, Linux, a second instance) or
// the OS (macOS open-file). Pure, tested in Node.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Pipeline files: `*.sluice` (the associated extension) and `*.pipeline.json` (what the samples and CLI use). */
export const PIPELINE_EXTENSIONS = ['sluice', 'json'] as const;

export function isPipelineFileName(file: string): boolean {
  return /\.sluice$/i.test(file) || /\.json$/i.test(file);
}

/**
 * The first argument naming an existing pipeline file, resolved against `cwd`. Electron's and Chromium's own
 * switches (`--foo`) and the app's entry script are skipped.
 */
export function pipelineFileFromArgv(argv: readonly string[], cwd: string): string | undefined {
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-') || !isPipelineFileName(arg)) continue;
    const file = path.resolve(cwd, arg);
    try {
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // Not a file here: keep looking (e.g. a switch value that happens to end in .json).
    }
  }
  return undefined;
}
