// Every node kind, and the catalog the designer and CLI are generated from. Adding a kind = one file + one line here.
import * as z from 'zod';
import type { Catalog, NodeKindInfo } from '@sluice/format/api/contract';
import type { KindLookup, KindSpec } from '@sluice/format/pipeline/kinds';
import type { NodeKind } from './types.js';
import { ENGINE_VERSION } from '../version.js';
import { sourceCsvNode } from './source-csv.js';
import { sourceJsonNode } from './source-json.js';
import { sourceParquetNode } from './source-parquet.js';
import { sourceRestNode } from './source-rest.js';
import { sourceFilesNode } from './source-files.js';
import { filterNode } from './filter.js';
import { selectNode } from './select.js';
import { deriveNode } from './derive.js';
import { castNode } from './cast.js';
import { joinNode } from './join.js';
import { unionNode } from './union.js';
import { aggregateNode } from './aggregate.js';
import { sortNode } from './sort.js';
import { deduplicateNode } from './deduplicate.js';
import { limitNode } from './limit.js';
import { windowNode } from './window.js';
import { sqlNode } from './sql.js';
import { validateNode } from './validate.js';
import { schemaContractNode } from './schema-contract.js';
import { sinkCsvNode } from './sink-csv.js';
import { sinkParquetNode } from './sink-parquet.js';
import { sinkJsonNode } from './sink-json.js';
import { sinkDuckdbNode } from './sink-duckdb.js';
import { sinkParquetDatasetNode } from './sink-parquet-dataset.js';

// Each kind has its own config type; the registry only needs them as the common interface.
const ALL = [
  sourceCsvNode, sourceJsonNode, sourceParquetNode, sourceRestNode, sourceFilesNode,
  filterNode, selectNode, deriveNode, castNode, joinNode, unionNode, aggregateNode, sortNode, deduplicateNode, limitNode, sqlNode, windowNode,
  validateNode, schemaContractNode,
  sinkCsvNode, sinkParquetNode, sinkJsonNode, sinkDuckdbNode, sinkParquetDatasetNode,
] as unknown as NodeKind[];

const byKind = new Map(ALL.map((k) => [k.kind, k]));

/** Every registered kind, for code that asks all kinds about a trait (replay, tests). */
export function nodeKinds(): readonly NodeKind[] {
  return ALL;
}

export function kindOf(kind: string): NodeKind | undefined {
  return byKind.get(kind);
}

function toSpec(k: NodeKind): KindSpec {
  return {
    kind: k.kind,
    inputs: k.inputs,
    outputs: k.outputs,
    version: k.version,
    migrate: (config, from) => migrateConfig(k, config, from),
    checkConfig(config) {
      const r = k.config.safeParse(config);
      return r.success ? { success: true, data: r.data, issues: [] } : { success: false, issues: r.error.issues.map((i) => ({ path: i.path, message: i.message })) };
    },
  };
}

/** Applies a kind's migrations in order, from the version a config was saved with to the current one. */
export function migrateConfig(k: NodeKind, config: Record<string, unknown>, from: number): Record<string, unknown> {
  let c = config;
  for (let v = from; v < k.version; v++) {
    const m = k.migrations[v - 1];
    if (!m) throw new Error(`${k.kind} has no migration from version ${v}`);
    c = m.up(c);
  }
  return c;
}

export const kindLookup: KindLookup = (kind) => {
  const k = byKind.get(kind);
  return k ? toSpec(k) : undefined;
};

export function catalog(): Catalog {
  const kinds: NodeKindInfo[] = ALL.map((k) => ({
    kind: k.kind,
    category: k.category,
    title: k.title,
    description: k.description,
    inputs: k.inputs,
    outputs: k.outputs,
    configSchema: z.toJSONSchema(k.config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    defaults: k.defaults,
    version: k.version,
    traits: k.traits,
    ...(k.sniff ? { sniffField: k.sniff.field } : {}),
  }));
  return { engineVersion: ENGINE_VERSION, kinds };
}
