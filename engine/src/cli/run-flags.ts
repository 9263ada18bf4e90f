// `sluice run`'s flags for the run options the contract marks with a flag (runOptionFlags in the contract): each
// becomes a commander option, and its value goes back into the run spec under the option's own name, so an option
// added to the contract reaches the CLI without code here. Options with CLI-only semantics (--resume latest, the
// limit flags, --allow-host's check, --no-checkpoint) stay hand-written in main.ts.
import { Option, type Command } from 'commander';
import * as z from 'zod';
import { runOptionFlags, runOptionsSchema, type RunOptionsInput } from '@sluice/format/api/contract';

interface FlagOption {
  key: string;
  option: Option;
}

/** The flagged run options as commander options; an option kind the CLI cannot offer fails here, at start-up. */
function flagOptions(): FlagOption[] {
  const out: FlagOption[] = [];
  for (const [key, schema] of Object.entries(runOptionsSchema.shape)) {
    const meta = runOptionFlags.get(schema);
    if (!meta) continue;
    const inner = schema instanceof z.ZodOptional || schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : (schema as z.ZodType);
    const option = new Option(meta.flag, meta.help);
    const takesValue = /[<[]/.test(meta.flag);
    if (inner instanceof z.ZodBoolean) {
      if (takesValue) throw new Error(`run option ${key}: a boolean's flag takes no value ("${meta.flag}")`);
    } else if (inner instanceof z.ZodEnum) {
      if (!takesValue) throw new Error(`run option ${key}: an enum's flag needs a <value> ("${meta.flag}")`);
      option.choices(inner.options.map(String));
    } else if (inner instanceof z.ZodString) {
      if (!takesValue) throw new Error(`run option ${key}: a string's flag needs a <value> ("${meta.flag}")`);
    } else throw new Error(`run option ${key}: the CLI derives flags for booleans, strings and enums only`);
    out.push({ key, option });
  }
  return out;
}

/** Adds a flag for every flagged run option to `cmd`. */
export function addRunOptionFlags(cmd: Command): Command {
  for (const { option } of flagOptions()) cmd.addOption(option);
  return cmd;
}

/** The flagged run options the user gave, under their contract names (the run spec's schema checks them). */
export function runOptionsFromFlags(opts: Record<string, unknown>): Partial<RunOptionsInput> {
  const out: Record<string, unknown> = {};
  for (const { key, option } of flagOptions()) {
    const value = opts[option.attributeName()];
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<RunOptionsInput>;
}
