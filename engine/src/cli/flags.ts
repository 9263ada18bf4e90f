// Flag parsers and flag blocks that several commands share (run, check, watch, schedule), written once so that a
// flag means the same and fails the same way everywhere.
import type { Command } from 'commander';
import { UserError } from '@sluice/format/api/errors';

/** A repeatable flag's values, in order. */
export function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}

/** `-p NAME=VALUE`, repeatable, into one record of parameters. */
export function collectParam(value: string, prev: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new UserError(`--param expects NAME=VALUE, got "${value}"`);
  return { ...prev, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** The flags of a command that runs one pipeline file: its parameters, where outputs and history go, extra folders. */
export function addPipelineRunFlags(cmd: Command): Command {
  return cmd
    .option('-p, --param <name=value>', 'set a pipeline parameter (repeatable)', collectParam, {})
    .option('-o, --out <dir>', 'folder that relative output paths resolve against (default: the pipeline\'s folder)')
    .option('--history <dir>', 'run history folder (default: <pipeline folder>/.sluice/runs)')
    .option('--allow <dir>', 'another folder the pipeline may read or write (repeatable)', collect, []);
}
