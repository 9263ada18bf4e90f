// `sluice run`'s flags derived from the contract's run options (engine/src/cli/run-flags.ts).
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runOptionFlags, runOptionsSchema } from '@sluice/format/api/contract';
import { addRunOptionFlags, runOptionsFromFlags } from '../src/cli/run-flags.js';

function parse(argv: string[]): Record<string, unknown> {
  const cmd = addRunOptionFlags(new Command('run').exitOverride().argument('<file>'));
  cmd.parse(argv, { from: 'user' });
  return runOptionsFromFlags(cmd.opts());
}

describe('run option flags', () => {
  it('offers a flag for every run option the contract marks, and nothing else', () => {
    const marked = Object.entries(runOptionsSchema.shape).filter(([, s]) => runOptionFlags.get(s)).map(([k]) => k);
    expect(marked).toContain('fullRefresh');
    const cmd = addRunOptionFlags(new Command('run'));
    expect(cmd.options.map((o) => o.long)).toEqual(marked.map((k) => runOptionFlags.get(runOptionsSchema.shape[k as keyof typeof runOptionsSchema.shape])?.flag.split(' ')[0]));
  });

  it('puts a given flag back under the option’s contract name, and leaves out flags not given', () => {
    expect(parse(['p.json', '--full-refresh'])).toEqual({ fullRefresh: true });
    expect(parse(['p.json'])).toEqual({});
    expect(runOptionsSchema.safeParse(parse(['p.json', '--full-refresh'])).success).toBe(true);
  });
});
