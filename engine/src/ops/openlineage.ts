// OpenLineage (spec 2.x) events for every run: START when it begins, then COMPLETE, FAIL or ABORT, with the input
// and output datasets, their schemas (from the run's column statistics) and the rules' results as data-quality
// assertions. Events go to `<run>/openlineage.ndjson`, and, when the pipeline names an endpoint whose host the run
// may reach, are POSTed there with retries. Lineage is a report about the run: it never fails it.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunManifest } from '@sluice/format/api/contract';
import { allowedHost } from '@sluice/format/api/hosts';
import type { Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import type { NodeKind } from '../nodes/types.js';
import { ENGINE_VERSION } from '../version.js';
import { redactDeep } from '../runtime/secrets.js';
import { staticCheck } from '../analysis/check.js';
import { columnOrigins, type Origins } from './column-lineage.js';

export const OL_SPEC = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';
const PRODUCER = `https://github.com/sluice/sluice/tree/v${ENGINE_VERSION}`;
const FACET = {
  schema: 'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  dq: 'https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet',
  error: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  jobType: 'https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
  outputStats: 'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
  columnLineage: 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet',
};

export interface Dataset {
  namespace: string;
  name: string;
  facets?: Record<string, unknown>;
  inputFacets?: Record<string, unknown>;
  outputFacets?: Record<string, unknown>;
}

export interface RunEventOL {
  eventType: 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: Record<string, unknown> };
  job: { namespace: string; name: string; facets?: Record<string, unknown> };
  inputs: Dataset[];
  outputs: Dataset[];
}

/** OpenLineage wants a UUID: a stable one derived from the run id (the same run, resumed, keeps it). */
export function runUuid(runId: string): string {
  const h = crypto.createHash('sha256').update(`sluice-run:${runId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16] as string, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function facet(url: string, body: Record<string, unknown>): Record<string, unknown> {
  return { _producer: PRODUCER, _schemaURL: url, ...body };
}

/** A dataset for a node that reads or writes one: files by their absolute path, REST sources by their URL. */
function datasetOf(n: PipelineNode, dir: string): Dataset | undefined {
  const c = n.config;
  if (typeof c['url'] === 'string') {
    try {
      const u = new URL(c['url']);
      return { namespace: `${u.protocol}//${u.host}`, name: u.pathname };
    } catch {
      return undefined;
    }
  }
  if (typeof c['path'] !== 'string') return undefined;
  const file = path.resolve(dir, c['path']);
  return { namespace: 'file', name: typeof c['table'] === 'string' ? `${file}/${c['table']}` : file };
}

export class LineageEmitter {
  private readonly file: string;
  private readonly url: string | undefined;
  /** Which source columns each port's columns derive from, worked out once for the end event. */
  private origins: Origins | undefined;
  /** The static pass behind `origins`, started with the run so that it overlaps the run instead of following it. */
  private originsWork: Promise<void> | undefined;
  /** Columns of outputs that were not profiled (views): their schema facets need names and types only. */
  private readonly schemas: Record<string, { port: string; name: string; type: string }[]> = {};

  constructor(
    private readonly p: Pipeline,
    historyDir: string,
    private readonly runId: string,
    private readonly kindOf: (kind: string) => NodeKind | undefined,
    allowHosts: string[],
    private readonly baseDir: string,
    private readonly outDir: string = baseDir,
  ) {
    this.file = path.join(historyDir, runId, 'openlineage.ndjson');
    const url = p.ops?.lineage?.url;
    if (url) {
      const u = new URL(url);
      const port = u.port || (u.protocol === 'https:' ? '443' : '80');
      const ok = allowHosts.some((h) => {
        const a = allowedHost(h);
        return a !== undefined && a.host === u.hostname.toLowerCase() && (a.port === undefined || a.port === port);
      });
      if (ok && (u.protocol === 'http:' || u.protocol === 'https:')) this.url = url;
      else process.stderr.write(`[sluice] OpenLineage events are not sent to ${u.host}: the host is not allowed for this run (--allow-host)\n`);
    }
  }

  private nodesOf(cat: NodeKind['category']): PipelineNode[] {
    return this.p.nodes.filter((n) => this.kindOf(n.kind)?.category === cat);
  }

  /** Sources upstream of a node (where a rule's assertion is about). */
  private sourcesAbove(id: string, seen = new Set<string>()): string[] {
    if (seen.has(id)) return [];
    seen.add(id);
    const node = this.p.nodes.find((n) => n.id === id);
    if (node && this.kindOf(node.kind)?.category === 'source') return [id];
    return this.p.edges.filter((e) => e.to.node === id).flatMap((e) => this.sourcesAbove(e.from.node, seen));
  }

  event(type: RunEventOL['eventType'], at: string, m?: RunManifest): RunEventOL {
    const cols: Record<string, { port: string; name: string; type: string }[]> = { ...this.schemas, ...(m?.columns ?? {}) };
    const schemaFacet = (stats: { name: string; type: string }[] | undefined) => (stats && stats.length > 0 ? { schema: facet(FACET.schema, { fields: stats.map((s) => ({ name: s.name, type: s.type })) }) } : {});
    const inputs: Dataset[] = [];
    for (const n of this.nodesOf('source')) {
      const d = datasetOf(n, this.baseDir);
      if (!d) continue;
      const assertions: { assertion: string; success: boolean; column?: string }[] = [];
      if (m) {
        for (const v of this.p.nodes.filter((x) => x.kind === 'validate' && this.sourcesAbove(x.id).includes(n.id))) {
          const ran = m.nodes.find((x) => x.nodeId === v.id);
          if (!ran || ran.status === 'skipped') continue;
          const rules = Array.isArray(v.config['rules']) ? (v.config['rules'] as { id?: unknown; column?: unknown }[]) : [];
          for (const r of rules) {
            if (typeof r.id !== 'string') continue;
            assertions.push({ assertion: `${v.id}.${r.id}`, success: (m.rules?.[v.id]?.[r.id] ?? 0) === 0, ...(typeof r.column === 'string' ? { column: r.column } : {}) });
          }
        }
      }
      const facets = { ...schemaFacet(cols[n.id]?.filter((c) => c.port === 'out')) };
      inputs.push({ ...d, ...(Object.keys(facets).length ? { facets } : {}), ...(assertions.length ? { inputFacets: { dataQualityAssertions: facet(FACET.dq, { assertions }) } } : {}) });
    }
    const outputs: Dataset[] = [];
    for (const n of this.nodesOf('sink')) {
      const d = datasetOf(n, this.outDir);
      if (!d) continue;
      const edge = this.p.edges.find((e) => e.to.node === n.id);
      const stats = edge ? cols[edge.from.node]?.filter((c) => c.port === edge.from.port) : undefined;
      const ran = m?.nodes.find((x) => x.nodeId === n.id);
      const written = ran && (ran.status === 'ok' || ran.status === 'warning') ? ran.rowsIn - ran.quarantined - ran.filtered : undefined;
      const facets = { ...schemaFacet(stats), ...(edge ? this.columnLineageFacet(edge.from.node, edge.from.port) : {}) };
      outputs.push({ ...d, ...(Object.keys(facets).length ? { facets } : {}), ...(written !== undefined ? { outputFacets: { outputStatistics: facet(FACET.outputStats, { rowCount: written }) } } : {}) });
    }
    const error = m && type !== 'COMPLETE' && m.errors.length > 0 ? { errorMessage: facet(FACET.error, { message: m.errors.join('\n'), programmingLanguage: 'sql' }) } : {};
    return {
      eventType: type,
      eventTime: at,
      producer: PRODUCER,
      schemaURL: `${OL_SPEC}#/$defs/RunEvent`,
      run: { runId: runUuid(this.runId), ...(Object.keys(error).length ? { facets: error } : {}) },
      job: {
        namespace: this.p.ops?.lineage?.namespace ?? 'sluice',
        name: this.p.name,
        facets: { jobType: facet(FACET.jobType, { processingType: 'BATCH', integration: 'SLUICE', jobType: 'PIPELINE' }) },
      },
      inputs,
      outputs,
    };
  }

  /** The columnLineage facet of a sink fed by `node`.`port`: each column with the source columns it comes from. */
  private columnLineageFacet(node: string, port: string): Record<string, unknown> {
    const cols = this.origins?.get(node)?.get(port);
    if (!cols) return {};
    const fields: Record<string, { inputFields: unknown[] }> = {};
    for (const [name, origins] of cols) {
      const inputFields = origins.flatMap((o) => {
        const src = this.p.nodes.find((x) => x.id === o.source);
        const d = src ? datasetOf(src, this.baseDir) : undefined;
        return d ? [{ namespace: d.namespace, name: d.name, field: o.field, transformations: [{ type: 'DIRECT', subtype: o.subtype }] }] : [];
      });
      if (inputFields.length > 0) Object.defineProperty(fields, name, { value: { inputFields }, enumerable: true });
    }
    return Object.keys(fields).length > 0 ? { columnLineage: facet(FACET.columnLineage, { fields }) } : {};
  }

  /** Column lineage from the static schema pass; lineage is a report, so a pass that fails only leaves it out. */
  private async workOutOrigins(): Promise<void> {
    try {
      const s = await staticCheck(this.p, { baseDir: this.baseDir, roots: [this.baseDir, this.outDir] });
      this.origins = columnOrigins(this.p, s.ports, this.kindOf);
    } catch (e) {
      process.stderr.write(`[sluice] OpenLineage column lineage left out: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }

  /** The columns of a node's output port that the run did not profile (a view), for the schema facets. */
  noteSchema(nodeId: string, port: string, columns: { name: string; type: string }[]): void {
    const kept = (this.schemas[nodeId] ?? []).filter((c) => c.port !== port);
    Object.defineProperty(this.schemas, nodeId, { value: [...kept, ...columns.map((c) => ({ port, name: c.name, type: c.type }))], enumerable: true, configurable: true });
  }

  start(at: string): void {
    void this.emit(this.event('START', at));
    // It reads only the pipeline and its inputs' schemas (never throws: a failure leaves column lineage out).
    this.originsWork = this.workOutOrigins();
  }

  async end(m: RunManifest): Promise<void> {
    await (this.originsWork ?? this.workOutOrigins());
    const type = m.outcome === 'succeeded' ? 'COMPLETE' : m.outcome === 'cancelled' ? 'ABORT' : 'FAIL';
    await this.emit(this.event(type, m.finishedAt, m));
  }

  private async emit(event: RunEventOL): Promise<void> {
    // Error messages and names may quote a secret the run used: never in an event.
    const e = redactDeep(event);
    try {
      fs.appendFileSync(this.file, `${JSON.stringify(e)}\n`);
    } catch (err) {
      process.stderr.write(`[sluice] OpenLineage event not written: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    if (this.url) await postWithRetries(this.url, e);
  }
}

/** Up to 3 attempts with backoff and a 5 s timeout each; a failure is reported, never thrown. */
export async function postWithRetries(url: string, body: unknown, attempts = 3, baseDelayMs = 200): Promise<boolean> {
  let last = '';
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000), redirect: 'error' });
      if (res.ok) return true;
      last = `HTTP ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) break;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (i < attempts - 1) await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** i));
  }
  process.stderr.write(`[sluice] OpenLineage event not delivered to ${new URL(url).host}: ${last}\n`);
  return false;
}
