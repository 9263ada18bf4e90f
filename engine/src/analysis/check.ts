// The static pass as `validate`, `schemas` and the CLI use it: a raw document in, every port's columns and the
// problems they show out. File-level problems come first; the schema pass runs only on a well-formed pipeline.
import { applyParams, checkPipeline } from '@sluice/format/pipeline/load';
import type { Problem } from '@sluice/format/pipeline/problems';
import { kindLookup, kindOf } from '../nodes/registry.js';
import { engineSchemaEnv } from './env.js';
import { inferSchemas } from './infer.js';
import type { Schema } from '@sluice/format/schema/types';

export interface StaticCheck {
  /** File and graph problems (the pipeline cannot be run as it is) followed by the static schema problems. */
  problems: Problem[];
  ports: Record<string, Record<string, PublicColumn[] | null>>;
  ms: number;
}

type PublicColumn = { name: string; type: string; nullable?: boolean; typedAt?: string };

export function publicColumns(s: Schema | undefined): PublicColumn[] | null {
  return s ? s.map((c) => ({ name: c.name, type: c.type, ...(c.nullable !== undefined ? { nullable: c.nullable } : {}), ...(c.typedAt !== undefined ? { typedAt: c.typedAt } : {}) })) : null;
}

export async function staticCheck(raw: unknown, o: { params?: Record<string, string>; baseDir: string; roots?: string[] }): Promise<StaticCheck> {
  const t0 = performance.now();
  const full = checkPipeline(raw, kindLookup);
  if (!full.pipeline) return { problems: full.problems, ports: {}, ms: performance.now() - t0 };
  // Parameters take their given or default values; a config still naming an unset one is judged at run time.
  const applied = applyParams(full.pipeline, o.params ?? {});
  const env = engineSchemaEnv({ baseDir: o.baseDir, roots: o.roots ?? [o.baseDir] });
  const r = await inferSchemas(applied.pipeline, env, kindOf);
  const ports: StaticCheck['ports'] = {};
  for (const [id, outs] of r.ports) ports[id] = Object.fromEntries(Object.entries(outs).map(([k, s]) => [k, publicColumns(s)]));
  return { problems: r.problems, ports, ms: performance.now() - t0 };
}
