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
}

export type KindLookup = (kind: string) => KindSpec | undefined;
