// source.rest against a local fault-injecting server: every pagination style, exact values, quarantine of
// non-objects, allowed hosts, secrets from the environment, retries through 30 % transient faults, fail-fast 4xx,
// the circuit breaker on a dead server, bounded concurrency, and resume from the durable spool.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NodeMetrics } from '@sluice/format/api/contract';
import { kindOf } from '../../src/nodes/registry.js';
import { Database } from '../../src/db/database.js';
import { executePipeline } from '../../src/runtime/execution/execute.js';
import type { RunEvent } from '../../src/runtime/execution/execute-options.js';
import { preparePipeline } from '../../src/runtime/run.js';
import { qi } from '../../src/sql/quote.js';
import { createEngineService } from '../../src/service.js';
import { hostRefusal } from '../../src/sources/rest/http.js';
import { allowedHost } from '@sluice/format/api/hosts';
import { chain, expectSucceeded, pipeline, run, tmpDir } from '../helpers.js';
import { dataset, startFaultServer, type FaultServer, type FaultServerOptions } from '../support/fault-server.js';

let db: Database;
let workRoot: string;
let servers: FaultServer[] = [];
let runNo = 0;

beforeAll(async () => {
  workRoot = tmpDir('sluice-rest-');
  fs.mkdirSync(path.join(workRoot, 'tmp'));
  db = await Database.open({ allowedDirs: [workRoot], tempDir: path.join(workRoot, 'tmp'), threads: 1 });
});
afterAll(() => db.close());
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(o: Partial<FaultServerOptions> & { records: string[] }): Promise<FaultServer> {
  const s = await startFaultServer({ pageSize: 10, ...o });
  servers.push(s);
  return s;
}

/** Fast retries for tests: real but tiny delays, Retry-After capped at 20 ms, a tolerant timeout. */
const FAST = { retry: { maxAttempts: 10, baseMs: 2, maxMs: 20, maxRetryAfterMs: 20 }, timeoutMs: 1000, breaker: { failureThreshold: 5, coolDownMs: 20 } };

interface Exec {
  metrics: NodeMetrics;
  rows: Record<string, unknown>[];
  quarantine: { lineage: string; reasons: string[]; raw: string }[];
  events: RunEvent[];
}

/** Run one REST node through the executor with a given state folder (the one a resumed run gets back). */
async function exec(config: Record<string, unknown>, o: { allowHosts?: string[]; stateDir?: string; env?: Record<string, string>; signal?: AbortSignal; limit?: number } = {}): Promise<Exec> {
  const p = preparePipeline(pipeline([{ id: 'src', kind: 'source.rest', config }], []), {});
  const id = ++runNo;
  const workDir = path.join(workRoot, `w${id}`);
  const events: RunEvent[] = [];
  const result = await executePipeline({
    pipeline: p,
    kindOf,
    db,
    baseDir: workRoot,
    roots: [workRoot],
    workDir,
    stateDir: o.stateDir ?? path.join(workDir, 'state'),
    tableName: (node, port) => `r${id}_${node}__${port}`,
    allowHosts: o.allowHosts ?? [],
    env: o.env ?? {},
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    onEvent: (e) => events.push(e),
  });
  const metrics = result.metrics[0] as NodeMetrics;
  const rows = metrics.status === 'failed' ? [] : await db.rows(`SELECT * FROM ${qi(`r${id}_src__out`)} ORDER BY CAST("seq" AS INTEGER)`);
  const q = await db.rawRows(`SELECT lineage, reasons, raw FROM ${qi(`r${id}_src____q`)} ORDER BY source_line`);
  const quarantine = q.map((r) => ({ lineage: String(r['lineage']), reasons: (r['reasons'] as string[]) ?? [], raw: Buffer.from(r['raw'] as Uint8Array).toString('utf8') }));
  return { metrics, rows, quarantine, events };
}

/** The dataset's ids as the output must hold them: every record exactly once, every digit kept. */
function ids(records: string[]): string[] {
  return records.map((r) => (/"id":(\d+)/.exec(r) as RegExpExecArray)[1] as string);
}

const PAGINGS: Record<string, Record<string, unknown>> = {
  none: { type: 'none' },
  page: { type: 'page', size: 10 },
  'page with total, 3 at once': { type: 'page', totalPagesPath: 'total_pages' },
  offset: { type: 'offset', limit: 10, totalPath: 'total' },
  cursor: { type: 'cursor', cursorPath: 'next_cursor' },
  link: { type: 'link' },
};

describe('source.rest: pagination and exact records', () => {
  for (const [name, pagination] of Object.entries(PAGINGS)) {
    it(`${name}: every record exactly once, in order, big integers exact`, async () => {
      const records = dataset(name === 'none' ? 10 : 47);
      const s = await server({ records });
      const r = await exec({ url: s.url, recordsPath: 'data.items', pagination, concurrency: name.includes('3 at once') ? 3 : 1 }, { allowHosts: [s.host] });
      expect(r.metrics.error).toBeUndefined();
      expect(r.rows.map((x) => x['id'])).toEqual(ids(records));
      expect(r.rows[0]).toMatchObject({ __lineage: 'src:page-1:1', name: 'r1 "q" é' });
      if (name !== 'none') expect(r.rows[46]?.['__lineage']).toBe('src:page-5:7');
      expect(r.metrics).toMatchObject({ rowsIn: records.length, rowsOut: records.length, quarantined: 0 });
      expect(r.metrics.io).toMatchObject({ requests: s.stats.requests, retries: 0, failures: 0, breaker: 'closed', pages: name === 'none' ? 1 : 5 });
    });
  }

  it('bounded concurrency: never more requests at once than configured', async () => {
    const records = dataset(200);
    const s = await server({ records, pageSize: 5, delayMs: 10 });
    const r = await exec({ url: s.url, recordsPath: 'data.items', pagination: { type: 'page', totalPagesPath: 'total_pages' }, concurrency: 4 }, { allowHosts: [s.host] });
    expect(r.rows).toHaveLength(200);
    expect(s.stats.maxInFlight).toBeGreaterThan(1);
    expect(s.stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(s.stats.requests).toBe(40);
  });

  it('concurrency without a known total is not used, and the node says why', async () => {
    const s = await server({ records: dataset(30), delayMs: 5 });
    const r = await exec({ url: s.url, recordsPath: 'data.items', pagination: { type: 'cursor', cursorPath: 'next_cursor' }, concurrency: 4 }, { allowHosts: [s.host] });
    expect(r.rows).toHaveLength(30);
    expect(s.stats.maxInFlight).toBe(1);
    expect(r.metrics.warnings[0]).toMatch(/^pages were fetched one at a time: "concurrency" needs page or offset paging with a total/);
  });

  it('a record that is not an object is quarantined with its page and index', async () => {
    const records = dataset(15);
    records[12] = '[1,2]';
    records[3] = '"text"';
    const s = await server({ records });
    const r = await exec({ url: s.url, recordsPath: 'data.items', pagination: { type: 'page', size: 10 } }, { allowHosts: [s.host] });
    expect(r.metrics).toMatchObject({ status: 'warning', rowsIn: 15, rowsOut: 13, quarantined: 2 });
    expect(r.quarantine).toEqual([
      { lineage: 'src:page-1:4', reasons: ['page 1 record 4: not a JSON object'], raw: '"text"' },
      { lineage: 'src:page-2:3', reasons: ['page 2 record 3: not a JSON object'], raw: '[1,2]' },
    ]);
  });

  it('a records path that is missing names the page, URL and the keys that exist', async () => {
    const s = await server({ records: dataset(3) });
    const r = await exec({ url: s.url, recordsPath: 'data.rows' }, { allowHosts: [s.host] });
    expect(r.metrics.status).toBe('failed');
    expect(r.metrics.error).toContain('node "src" (source.rest), field "recordsPath": page 1');
    expect(r.metrics.error).toContain('has no "data.rows"');
  });

  it('a preview gives up sooner than a run: at most two attempts per request', async () => {
    const s = await server({ records: dataset(5) });
    s.setPermanent(503);
    const r = await exec({ url: s.url, recordsPath: 'data.items', ...FAST }, { allowHosts: [s.host], limit: 10 });
    expect(r.metrics.error).toContain('failed after 2 attempts');
    expect(s.stats.requests).toBe(2);
  });

  it('a preview stops at its limit and leaves no progress behind', async () => {
    const s = await server({ records: dataset(100) });
    const stateDir = path.join(workRoot, 'preview-state');
    const r = await exec({ url: s.url, recordsPath: 'data.items', pagination: { type: 'page', size: 10 } }, { allowHosts: [s.host], limit: 15, stateDir });
    expect(r.metrics.sampled).toBe(true);
    expect(r.rows).toHaveLength(20);
    expect(s.stats.requests).toBe(2);
    // No progress kept: the node's state folder is empty, or was never made (folders are made on first use).
    const kept = path.join(stateDir, 'src');
    expect(fs.existsSync(kept) ? fs.readdirSync(kept) : []).toEqual([]);
  });
});

describe('source.rest: network permission and secrets', () => {
  it('a host the user did not allow is refused before any request', async () => {
    const s = await server({ records: dataset(3) });
    const r = await exec({ url: s.url }, { allowHosts: ['127.0.0.1:1'] });
    expect(r.metrics.status).toBe('failed');
    expect(r.metrics.error).toContain(`node "src" (source.rest), field "url": host ${s.host} is not allowed for this run`);
    expect(r.metrics.error).toContain(`--allow-host ${s.host}`);
    expect(s.stats.requests).toBe(0);
  });

  it('allow-list entries: host, host:port, [v6]:port or a URL', () => {
    const u = new URL('http://127.0.0.1:8080/api');
    expect(hostRefusal(u, ['127.0.0.1:8080'])).toBeUndefined();
    expect(hostRefusal(u, ['127.0.0.1'])).toBeUndefined();
    expect(hostRefusal(u, ['http://127.0.0.1:8080/anything'])).toBeUndefined();
    expect(hostRefusal(u, ['127.0.0.1:8081'])).toMatch(/not allowed/);
    expect(hostRefusal(u, ['http://127.0.0.1'])).toMatch(/not allowed/);
    expect(hostRefusal(new URL('https://api.example.com/x'), ['API.example.com:443'])).toBeUndefined();
    expect(hostRefusal(new URL('http://[::1]:9000/x'), ['[::1]:9000'])).toBeUndefined();
    expect(allowedHost('not a host')).toBeUndefined();
  });

  it('file: and other schemes are refused', async () => {
    const r = await exec({ url: 'file:///etc/passwd' }, { allowHosts: ['127.0.0.1'] });
    expect(r.metrics.error).toContain('only http and https URLs can be fetched, not file');
  });

  it('a Link header pointing at another host is refused', async () => {
    const s = await server({ records: dataset(25) });
    const other = await server({ records: dataset(25) });
    const r = await exec({ url: `${s.url}`, recordsPath: 'data.items', pagination: { type: 'link' } }, { allowHosts: [other.host] });
    expect(r.metrics.error).toContain('is not allowed');
  });

  it('secret headers come from the environment; a missing variable names node, field and variable', async () => {
    const s = await server({ records: dataset(5), requireAuth: 'Bearer s3cret-token' });
    const config = { url: s.url, recordsPath: 'data.items', secretHeaders: { Authorization: { env: 'SLUICE_SECRET_TEST_API_TOKEN', prefix: 'Bearer ' } } };
    const missing = await exec(config, { allowHosts: [s.host] });
    expect(missing.metrics.error).toBe(
      'node "src" (source.rest), field "secretHeaders.Authorization": environment variable SLUICE_SECRET_TEST_API_TOKEN is not set; it holds the value of header "Authorization". Set it before running (secrets are never stored in the pipeline file)',
    );
    expect(s.stats.requests).toBe(0);
    const ok = await exec(config, { allowHosts: [s.host], env: { SLUICE_SECRET_TEST_API_TOKEN: 's3cret-token' } });
    expect(ok.rows).toHaveLength(5);
    expect(JSON.stringify(ok.metrics)).not.toContain('s3cret');
  });

  it('credentials typed into plain headers are refused when the pipeline is checked', () => {
    expect(() => preparePipeline(pipeline([{ id: 'src', kind: 'source.rest', config: { url: 'http://127.0.0.1/x', headers: { Authorization: 'Bearer abc' } } }], []), {})).toThrow(
      /credentials do not belong in the pipeline file/,
    );
  });
});

describe('source.rest: transient faults, 4xx and the circuit breaker', () => {
  it('30 % of requests fail transiently (5xx, 429 + Retry-After, timeouts, dropped connections): every record exactly once', async () => {
    const records = dataset(400);
    let injected = 0;
    let requests = 0;
    let retries = 0;
    const byKind: Record<string, number> = {};
    for (const [seed, pagination, concurrency] of [
      [7, { type: 'page', totalPagesPath: 'total_pages' }, 4],
      [11, { type: 'cursor', cursorPath: 'next_cursor' }, 1],
      [13, { type: 'offset', limit: 10, totalPath: 'total' }, 3],
    ] as const) {
      const s = await server({ records, faultRate: 0.3, seed, retryAfter: seed === 11 ? 'date' : 1 });
      // A short timeout, so the injected never-answered requests cost little.
      const r = await exec({ url: s.url, recordsPath: 'data.items', pagination, concurrency, ...FAST, timeoutMs: 300 }, { allowHosts: [s.host] });
      expect(r.metrics.error).toBeUndefined();
      expect(r.rows.map((x) => x['id'])).toEqual(ids(records));
      const faults = Object.values(s.stats.faults).reduce((a, b) => a + b, 0);
      expect(faults / s.stats.requests).toBeGreaterThan(0.15);
      // Every injected fault is a failed attempt; on a loaded machine a slow healthy answer may time out too.
      expect(r.metrics.io?.requests).toBe(s.stats.requests);
      expect(r.metrics.io?.failures).toBeGreaterThanOrEqual(faults);
      expect((r.metrics.io?.requests ?? 0) - (r.metrics.io?.failures ?? 0)).toBe(40);
      expect(r.events.some((e) => e.type === 'node-io' && /^retry \d+\/9 in \d+ ms \((500|502|503|429|timeout|connection lost|ECONNRESET|UND_ERR_SOCKET)\), page \d+$/.test(e.note ?? ''))).toBe(true);
      injected += faults;
      requests += s.stats.requests;
      retries += r.metrics.io?.retries ?? 0;
      for (const [k, v] of Object.entries(s.stats.faults)) byKind[k] = (byKind[k] ?? 0) + v;
    }
    console.log(`fault injection: ${requests} requests, ${injected} transient faults injected (${Object.entries(byKind).map(([k, v]) => `${k}: ${v}`).join(', ')}), ${retries} retries, all recovered; 3 × 400 records, 0 lost, 0 duplicated`);
    expect(injected).toBeGreaterThan(30);
  });

  for (const status of [404, 401]) {
    it(`a permanent ${status} fails fast after one attempt, naming node, URL and status`, async () => {
      const s = await server({ records: dataset(5) });
      s.setPermanent(status);
      const r = await exec({ url: `${s.url}?region=eu`, recordsPath: 'data.items', ...FAST }, { allowHosts: [s.host] });
      expect(s.stats.requests).toBe(1);
      expect(r.metrics.status).toBe('failed');
      expect(r.metrics.error).toContain(`node "src" (source.rest), field "url": GET ${s.url}?region=eu answered ${status}`);
      expect(r.metrics.error).toContain(`not retried, because a ${status} means the request itself is wrong`);
      expect(r.metrics.io).toMatchObject({ requests: 1, retries: 0, failures: 1, breaker: 'closed', lastError: String(status) });
    });
  }

  it('a dead server opens the breaker: requests stop and the node fails with "circuit open"', async () => {
    const s = await server({ records: dataset(5) });
    s.setPermanent(503);
    const r = await exec({ url: s.url, recordsPath: 'data.items', ...FAST, retry: { ...FAST.retry, maxAttempts: 6 }, breaker: { failureThreshold: 3, coolDownMs: 5_000 } }, { allowHosts: [s.host] });
    expect(r.metrics.status).toBe('failed');
    expect(r.metrics.error).toContain(`node "src" (source.rest), field "url": circuit open: ${s.host} failed 3 times in a row, so the breaker stopped sending requests for page 1 (${s.url}); 6 attempts, 3 of them sent; last error: GET ${s.url} answered 503 Service Unavailable`);
    // 6 attempts, but once the circuit opened none reached the server: it fails fast instead of hammering.
    expect(s.stats.requests).toBe(3);
    expect(r.metrics.io).toMatchObject({ requests: 3, failures: 3, breaker: 'open', breakerOpens: 1 });
    expect(r.events.some((e) => e.type === 'node-io' && /circuit open, probing again in \d+ ms, page 1/.test(e.note ?? ''))).toBe(true);
  });

  it('an unreachable host (connection refused) is retried, then fails with a clear message', async () => {
    const s = await server({ records: dataset(5) });
    const url = s.url;
    const host = s.host;
    await s.close();
    servers = servers.filter((x) => x !== s);
    const r = await exec({ url, ...FAST, retry: { ...FAST.retry, maxAttempts: 3 }, breaker: { failureThreshold: 10, coolDownMs: 10 } }, { allowHosts: [host] });
    expect(r.metrics.error).toContain(`GET ${url} failed after 3 attempts (page 1); last error:`);
    expect(r.metrics.io).toMatchObject({ requests: 3, retries: 2, failures: 3, lastError: 'ECONNREFUSED' });
  });
});

describe('source.rest: durable progress and resume', () => {
  it('a run that dies after page 3 resumes from page 4: same rows as an uninterrupted run, committed pages not fetched again', async () => {
    const records = dataset(73);
    const config = { url: '', recordsPath: 'data.items', pagination: { type: 'cursor', cursorPath: 'next_cursor' }, ...FAST, retry: { ...FAST.retry, maxAttempts: 2 } };
    const whole = await server({ records });
    const clean = await exec({ ...config, url: whole.url }, { allowHosts: [whole.host] });

    const s = await server({ records });
    const stateDir = path.join(workRoot, 'resume-state');
    s.failAfterPage(3);
    const first = await exec({ ...config, url: s.url }, { allowHosts: [s.host], stateDir });
    expect(first.metrics.status).toBe('failed');
    expect(first.metrics.error).toContain('3 page(s) before it are committed and a resumed run continues from there');
    expect(first.metrics.io?.pages).toBe(3);

    s.failAfterPage(undefined);
    const before = s.stats.pagesRequested.length;
    const second = await exec({ ...config, url: s.url }, { allowHosts: [s.host], stateDir });
    expect(second.metrics.error).toBeUndefined();
    expect(s.stats.pagesRequested.slice(before)).toEqual([4, 5, 6, 7, 8]);
    expect(second.rows).toEqual(clean.rows);
    expect(second.metrics).toMatchObject({ rowsIn: 73, rowsOut: 73 });
    expect(second.metrics.io).toMatchObject({ resumedPages: 3, pages: 8 });
    expect(second.events.some((e) => e.type === 'node-io' && e.note === 'resuming after 3 committed page(s)')).toBe(true);

    // A finished spool is loaded again without any request (a resumed run whose later node had failed).
    const third = await exec({ ...config, url: s.url }, { allowHosts: [s.host], stateDir });
    expect(s.stats.pagesRequested.length).toBe(before + 5);
    expect(third.rows).toEqual(clean.rows);
  });

  it('an abort mid-way keeps the committed pages; bytes written after the last commit are cut off on resume', async () => {
    const records = dataset(60);
    const s = await server({ records });
    const stateDir = path.join(workRoot, 'abort-state');
    const config = { url: s.url, recordsPath: 'data.items', pagination: { type: 'page', size: 10 }, ...FAST };
    const controller = new AbortController();
    s.failAfterPage(2);
    // Stop the run at the first retry of page 3, as a user's cancel or a killed process would.
    const pending = exec({ ...config, retry: { ...FAST.retry, baseMs: 50, maxMs: 50 } }, { allowHosts: [s.host], stateDir, signal: controller.signal });
    for (let i = 0; i < 200 && !s.stats.pagesRequested.includes(3); i++) await new Promise((res) => setTimeout(res, 5));
    controller.abort();
    const first = await pending;
    expect(first.metrics.status).toBe('failed');
    const progress = JSON.parse(fs.readFileSync(path.join(stateDir, 'src', 'progress.json'), 'utf8')) as { pages: number; recordsBytes: number };
    expect(progress.pages).toBe(2);
    // A crash between appending page 3 and replacing the progress file leaves a torn tail.
    fs.appendFileSync(path.join(stateDir, 'src', 'records.ndjson'), '{"l":"page-3:1","r":{"id":"torn"}}\n{"l":"page-3:2"');

    s.failAfterPage(undefined);
    const second = await exec(config, { allowHosts: [s.host], stateDir });
    expect(second.metrics.error).toBeUndefined();
    expect(second.rows.map((x) => x['id'])).toEqual(ids(records));
    expect(fs.statSync(path.join(stateDir, 'src', 'records.ndjson')).size).toBeGreaterThan(progress.recordsBytes);
  });

  it('progress saved for other settings is not resumed', async () => {
    const s = await server({ records: dataset(30) });
    const stateDir = path.join(workRoot, 'other-state');
    await exec({ url: s.url, recordsPath: 'data.items', pagination: { type: 'page', size: 10 } }, { allowHosts: [s.host], stateDir });
    const r = await exec({ url: s.url, recordsPath: 'data.items', pagination: { type: 'page', size: 10 }, query: { region: 'eu' } }, { allowHosts: [s.host], stateDir });
    expect(r.rows).toHaveLength(30);
    expect(r.metrics.warnings).toContain('the saved progress was made with other source settings; fetched from the first page again');
  });
});

describe('source.rest in a whole run', () => {
  it('runPipeline passes the allowed hosts; the run record carries the io stats', async () => {
    const s = await server({ records: dataset(25), faultRate: 0.3, seed: 3, faults: ['503', '500'] });
    const p = chain([
      { id: 'api', kind: 'source.rest', config: { url: s.url, recordsPath: 'data.items', pagination: { type: 'page', size: 10 }, ...FAST } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
    ]);
    const refused = await run(p);
    expect(refused.manifest.outcome).toBe('failed');
    expect(refused.manifest.errors[0]).toContain('is not allowed for this run');
    const r = await run(p, { allowHosts: [s.host] });
    expectSucceeded(r);
    expect(r.read('out.csv').trim().split('\n')).toHaveLength(26);
    expect(r.metric('api').io).toMatchObject({ breaker: 'closed', pages: 3 });
    expect(r.metric('api').io?.requests).toBe(3 + (r.metric('api').io?.retries ?? 0));
  });
});

describe('source.rest through the engine service (designer)', () => {
  it('previews and runs reach only the hosts the service was started with; a running job reports live io', async () => {
    const s = await server({ records: dataset(30), faultRate: 0.3, seed: 9, faults: ['503'] });
    const steady = await server({ records: dataset(30) });
    const workspace = tmpDir('sluice-rest-ws-');
    const from = (url: string) => pipeline([{ id: 'api', kind: 'source.rest', config: { url, recordsPath: 'data.items', pagination: { type: 'page', size: 10 }, ...FAST } }], []);
    const p = from(s.url);
    const closed = createEngineService({ workspaces: [workspace], inProcessRuns: true });
    const open = createEngineService({ workspaces: [workspace], inProcessRuns: true, allowHosts: [s.host, steady.host] });
    try {
      const refused = await closed.preview({ pipeline: p, nodeId: 'api', baseDir: workspace });
      expect(refused.metrics[0]?.error).toContain('is not allowed for this run');
      expect(s.stats.requests).toBe(0);

      const shown = await open.preview({ pipeline: from(steady.url), nodeId: 'api', baseDir: workspace, limit: 5 });
      expect(shown.rows).toHaveLength(5);
      // A source previewed by itself reads only up to the rows shown: here its first page of 10.
      expect(shown.totalRows).toBe(10);
      expect(shown.sampled).toBe(true);

      const { jobId } = await open.startRun({ pipeline: p, baseDir: workspace });
      const seen: number[] = [];
      let status = await open.runStatus({ jobId });
      while (status.state === 'running') {
        const live = status.io?.['api'];
        if (live) seen.push(live.stats.requests);
        await new Promise((r) => setTimeout(r, 2));
        status = await open.runStatus({ jobId });
      }
      expect(status.manifest?.outcome).toBe('succeeded');
      expect(status.io ?? {}).toEqual({});
      const io = status.manifest?.nodes[0]?.io;
      expect(io).toMatchObject({ pages: 4, breaker: 'closed' });
      expect(io?.retries).toBeGreaterThan(0);
      expect(seen.every((n, i) => i === 0 || n >= (seen[i - 1] ?? 0))).toBe(true);
    } finally {
      closed.close();
      open.close();
    }
  });

  it('a request may add the hosts the user allowed in the designer, for that request only', async () => {
    const s = await server({ records: dataset(12) });
    const workspace = tmpDir('sluice-rest-ws-');
    const p = pipeline([{ id: 'api', kind: 'source.rest', config: { url: s.url, recordsPath: 'data.items', pagination: { type: 'page', size: 10 }, ...FAST } }], []);
    const service = createEngineService({ workspaces: [workspace], inProcessRuns: true });
    try {
      const shown = await service.preview({ pipeline: p, nodeId: 'api', baseDir: workspace, limit: 5, allowHosts: [s.host] });
      expect(shown.rows).toHaveLength(5);
      const ran = await service.run({ pipeline: p, baseDir: workspace, allowHosts: [s.host] });
      expect(ran.outcome).toBe('succeeded');
      const requests = s.stats.requests;
      // The next request without them is refused again, before anything is sent.
      const refused = await service.run({ pipeline: p, baseDir: workspace });
      expect(refused.errors.join()).toContain('is not allowed for this run');
      expect(s.stats.requests).toBe(requests);
      await expect(service.run({ pipeline: p, baseDir: workspace, allowHosts: ['not a host'] })).rejects.toThrow(/expected HOST or HOST:PORT/);
    } finally {
      service.close();
    }
  });
});
