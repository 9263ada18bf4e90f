// Every kind whose output columns are a pure function of its input columns and config, by kind name. The designer
// computes these in the browser after an edit; the other kinds (sources read files, derive/window/SQL need
// DuckDB to type their expressions) are answered by the engine. The engine's kind modules use the same objects
// (a test checks they are the very same config and schema functions).
import type { KindSchema } from './kind.js';
import { aggregateSchema } from './aggregate.js';
import { castSchema } from './cast.js';
import { deduplicateSchema } from './deduplicate.js';
import { filterSchema } from './filter.js';
import { joinSchema } from './join.js';
import { limitSchema } from './limit.js';
import { schemaContractSchema } from './schema-contract.js';
import { selectSchema } from './select.js';
import { sinkCsvSchema } from './sink-csv.js';
import { sinkDuckdbSchema } from './sink-duckdb.js';
import { sinkJsonSchema } from './sink-json.js';
import { sinkParquetSchema } from './sink-parquet.js';
import { sinkParquetDatasetSchema } from './sink-parquet-dataset.js';
import { sortSchema } from './sort.js';
import { unionSchema } from './union.js';
import { validateSchema } from './validate.js';

const ALL = [
  selectSchema, sortSchema, limitSchema, unionSchema, castSchema, deduplicateSchema, joinSchema, aggregateSchema, filterSchema,
  validateSchema, schemaContractSchema,
  sinkCsvSchema, sinkParquetSchema, sinkJsonSchema, sinkDuckdbSchema, sinkParquetDatasetSchema,
] as unknown as KindSchema<unknown>[];

const byKind = new Map(ALL.map((k) => [k.kind, k]));

export function pureKind(kind: string): KindSchema<unknown> | undefined {
  return byKind.get(kind);
}

export function pureKinds(): readonly KindSchema<unknown>[] {
  return ALL;
}
