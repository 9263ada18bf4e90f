// What the format layer needs to know about node kinds, without depending on the engine's runtime.
import type { PortSpec } from '../api/contract.js';

export interface ConfigCheck {
  success: boolean;
  data?: unknown;
  issues: { path: PropertyKey[]; message: string }[];
}

export interface KindSpec {
  kind: string;
  inputs: PortSpec[];
  outputs: PortSpec[];
  checkConfig(config: unknown): ConfigCheck;
  /** The kind's current config version. */
  version: number;
  /** A config saved at version `from` brought to `version` (from < version); throws with a message when it cannot. */
  migrate(config: Record<string, unknown>, from: number): Record<string, unknown>;
}

export type KindLookup = (kind: string) => KindSpec | undefined;
