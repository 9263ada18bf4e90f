// Schemas of ports, known before anything runs (as Apache Hop's getFields does for each transform): what each
// node kind says about its output columns, and the problems it can see in its config against its inputs.
// Pure module: no DuckDB and no file access here; those come in through `SchemaEnv`.
import type { Fix } from '../api/contract.js';

export interface SchemaColumn {
  name: string;
  /** A DuckDB type name, e.g. VARCHAR, BIGINT, DECIMAL(18,2), DATE. */
  type: string;
  /** False when the column can never be NULL (a count, a group key of a non-null column); unset when unknown. */
  nullable?: boolean;
  /**
   * The node whose `types` decided this column's type (a source or cast node), carried along unchanged columns,
   * so a fix can say "set its type there" rather than "insert a Cast node".
   */
  typedAt?: string;
}

/** The columns on a port, or undefined when they cannot be known before a run (e.g. a REST source). */
export type Schema = SchemaColumn[];

export interface SchemaProblem {
  /** Config field the problem belongs to, e.g. `aggregates[0].column`. */
  field?: string;
  message: string;
  /** A stable code: unknown_column, type_mismatch, duplicate_column, needs_file, … */
  code: string;
  fix?: Fix;
}

export interface SchemaOutcome {
  outputs: Record<string, Schema | undefined>;
  problems: SchemaProblem[];
}

/** What a kind's `outputSchema` may ask of the outside world. Implementations cache; all are cheap. */
export interface SchemaEnv {
  /** Types of scalar expressions over rows of `input` (no rows are read); a failure is a user-facing message. */
  describeExpressions(input: Schema, expressions: string[]): Promise<{ types: string[] } | { error: string; column?: string }>;
  /** Output columns of a user SELECT over empty, typed inputs named `in1`, `in2`, … */
  describeQuery(inputs: Record<string, Schema>, query: string): Promise<{ columns: Schema } | { error: string }>;
  /** Column names of a CSV file's header (the first file a glob matches), or why they cannot be read. */
  csvHeader(pattern: string, dialect: { delimiter: string; quote: string; escape: string; header: boolean; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1' }): Promise<{ names: string[] } | { error: string; code: string }>;
  /**
   * Columns of Parquet files from their footers (the data is not read): of every file the glob matches, or with
   * `firstOnly` of the first one (a folder that keeps growing, where reading every footer would cost more each time).
   */
  parquetColumns(pattern: string, opts?: { firstOnly?: boolean }): Promise<{ columns: Schema } | { error: string; code: string }>;
  /**
   * Up to `limit` records from the start of a CSV file (the first file a glob matches), fields as text, with
   * empty fields and the source's null texts as null. Ragged records are left out: the run quarantines them.
   */
  csvSample(pattern: string, dialect: { delimiter: string; quote: string; escape: string; header: boolean; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1'; nullValues?: string[] | undefined }, limit: number): Promise<{ file: string; names: string[]; rows: (string | null)[][] } | { error: string; code: string }>;
  /**
   * Up to `limit` records from the start of a JSON source's file (the first file a glob matches), each member as
   * the run extracts it (strings decoded, numbers and nested values as written, JSON null as null), with the
   * members that were JSON strings. Records the run would quarantine are left out.
   */
  jsonSample(pattern: string, format: 'ndjson' | 'array', limit: number): Promise<{ file: string; keys: string[]; records: { members: Record<string, string | null>; strings: string[] }[] } | { error: string; code: string }>;
  /** For each column's sampled text, the strictest type all of it converts to by Sluice's strict casts. */
  classifyText(columns: { name: string; values: (string | null)[] }[], cast: { trim: boolean }): Promise<SniffedColumn[]>;
}

/** What a pure output schema is given: no file or DuckDB access (see kinds/kind.ts). */
export interface PureSchemaArgs<C> {
  nodeId: string;
  config: C;
  /** The schema arriving at an input port (several edges into a `multiple` port are given in order). */
  input(port: string): Schema;
  inputs(port: string): Schema[];
  connected(port: string): boolean;
}

export interface SchemaArgs<C> extends PureSchemaArgs<C> {
  env: SchemaEnv;
}

/** Type classes the static checks reason with. */
export type TypeClass = 'text' | 'integer' | 'decimal' | 'float' | 'boolean' | 'date' | 'timestamp' | 'time' | 'other';

export function typeClass(type: string): TypeClass {
  const t = type.toUpperCase();
  if (t === 'VARCHAR' || t === 'JSON' || t === 'UUID' || t.startsWith('VARCHAR')) return t === 'VARCHAR' || t.startsWith('VARCHAR') ? 'text' : 'other';
  if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))$/.test(t)) return 'integer';
  if (t.startsWith('DECIMAL')) return 'decimal';
  if (t === 'DOUBLE' || t === 'FLOAT') return 'float';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t.startsWith('TIME')) return 'time';
  return 'other';
}

export function isNumeric(type: string): boolean {
  const c = typeClass(type);
  return c === 'integer' || c === 'decimal' || c === 'float';
}

/** How a type reads to a user: "text", "a date", "a whole number" … */
export function describeType(type: string): string {
  switch (typeClass(type)) {
    case 'text': return 'text';
    case 'integer': return `a whole number (${type})`;
    case 'decimal': return `a decimal (${type})`;
    case 'float': return `a number (${type})`;
    case 'boolean': return 'true/false';
    case 'date': return 'a date';
    case 'timestamp': return 'a timestamp';
    case 'time': return 'a time of day';
    default: return type;
  }
}

/** Whether values of these two types can be compared for equality without an explicit conversion. */
export function comparable(a: string, b: string): boolean {
  const ca = typeClass(a);
  const cb = typeClass(b);
  if (ca === cb) return true;
  const num = (c: TypeClass) => c === 'integer' || c === 'decimal' || c === 'float';
  if (num(ca) && num(cb)) return true;
  return (ca === 'date' && cb === 'timestamp') || (ca === 'timestamp' && cb === 'date');
}

/** One column's type as sniffed from a sample of a source's text, by the same strict casts a run applies. */
export interface SniffedColumn {
  name: string;
  /** The strictest type every sampled value converts to (VARCHAR when none does, or the sample has no value). */
  type: string;
  /** Sampled values that were present (not empty, not one of the source's null texts). */
  values: number;
  /**
   * A stricter type than `type` that most values fit (when none fits all, any type), how many values do not,
   * and a few of them; accepting it would send those rows to quarantine at the source.
   */
  closest?: { type: string; misfits: number; examples: string[] };
}

export interface SniffOutcome {
  /** The file the sample came from (relative, as the config names it, or the first file a glob matched). */
  file: string;
  rows: number;
  columns: SniffedColumn[];
  /** The config field that holds the column types accepted into the file, e.g. `types`. */
  field: string;
}
