// The accepted schema of a pipeline: the static pass with each CSV source whose `types` are a whole schema (as
// Accept writes them; see acceptedColumns) taking exactly those columns, not the header the file has today. A run compares what each
// edge actually carried with this, so a column the data gained, lost or changed shows on every edge it reaches.
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { Schema, SchemaEnv } from '@sluice/format/schema/types';
import { kindOf } from '../nodes/registry.js';
import { acceptedColumns } from '../nodes/source-csv.js';
import { engineSchemaEnv } from './env.js';
import { inferSchemas } from './infer.js';

export async function acceptedSchemas(p: Pipeline, o: { baseDir: string; roots: string[] }): Promise<Map<string, Record<string, Schema | undefined>>> {
  const base = engineSchemaEnv(o);
  // A path read by two CSV sources with different declared columns has no one accepted header: the file's is used.
  const declared = new Map<string, string[] | null>();
  for (const n of p.nodes) {
    if (n.kind !== 'source.csv') continue;
    const path = n.config['path'];
    const types = n.config['types'];
    const names = types !== null && typeof types === 'object' ? acceptedColumns(types as Record<string, string>) : undefined;
    if (typeof path !== 'string' || !names) continue;
    const seen = declared.get(path);
    declared.set(path, seen === undefined || JSON.stringify(seen) === JSON.stringify(names) ? names : null);
  }
  const env: SchemaEnv = {
    ...base,
    async csvHeader(pattern, dialect) {
      const names = declared.get(pattern);
      return names ? { names } : base.csvHeader(pattern, dialect);
    },
  };
  return (await inferSchemas(p, env, kindOf)).ports;
}
