// REST API source: JSON pages over HTTP(S), with pagination, retries, a circuit breaker and a rate limit. Each
// page is committed to a durable spool in the node's state folder before the next is asked for beyond a small
// window, so a resumed run continues after the last committed page and yields every record exactly once.
import { SECRET_ENV_PREFIX, envReadable, registerSecret } from '../runtime/secrets.js';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as crypto from 'node:crypto';
import * as z from 'zod';
import type { IoStats } from '@sluice/format/api/contract';
import type { NodeKind } from './types.js';
import { LINEAGE, UserError, type ExecContext } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { checkRecord, rawMembers } from '../sources/json-scan.js';
import { applyDeclaredTypes, typesSchema } from './shared/typing.js';
import { CircuitBreaker, breakerPolicySchema } from '../sources/rest/breaker.js';
import { HttpStatusError, RetriesExhausted, classifyHttpFailure, realClock, retryPolicySchema, withRetry, type FailureClass } from '../sources/rest/retry.js';
import { RateLimiter, RequestRefused, getText, hostRefusal, linkNext, showUrl, type HttpAnswer } from '../sources/rest/http.js';
import { PageFormatError, pageField, pageRecords, parsePage } from '../sources/rest/page-json.js';
import { Spool, type RejectLine, type SpoolProgress } from '../sources/rest/spool.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PREVIEW_MAX_ATTEMPTS = 2;
const PREVIEW_TIMEOUT_MS = 10_000;
/** Header names that carry credentials: their values must come from the environment, never the pipeline file. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|key|password|auth/i;

const secretHeaderSchema = z.union([
  z.string().regex(ENV_NAME, 'an environment variable name'),
  z.strictObject({ env: z.string().regex(ENV_NAME, 'an environment variable name'), prefix: z.string().default('').describe('e.g. "Bearer "') }),
]);

const paginationSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({
      type: z.literal('page'),
      param: z.string().min(1).default('page').describe('Query parameter holding the page number'),
      start: z.number().int().min(0).default(1).describe('Number of the first page'),
      sizeParam: z.string().min(1).optional().describe('Query parameter holding the page size'),
      size: z.number().int().min(1).optional().describe('Page size; a shorter page is the last'),
      totalPagesPath: z.string().min(1).optional().describe('Field of the answer giving the number of pages (allows concurrent requests)'),
    }),
    z.strictObject({
      type: z.literal('offset'),
      offsetParam: z.string().min(1).default('offset'),
      limitParam: z.string().min(1).default('limit'),
      limit: z.number().int().min(1).default(100).describe('Records per request; a shorter page is the last'),
      totalPath: z.string().min(1).optional().describe('Field of the answer giving the total number of records (allows concurrent requests)'),
    }),
    z.strictObject({
      type: z.literal('cursor'),
      param: z.string().min(1).default('cursor').describe('Query parameter the cursor is sent in'),
      cursorPath: z.string().min(1).describe('Field of the answer holding the next cursor; missing or null ends paging'),
    }),
    z.strictObject({ type: z.literal('link') }).describe('Follow the Link header\'s rel="next"'),
  ])
  .default({ type: 'none' });

const config = z.strictObject({
  url: z.string().min(1).describe('http(s) URL of the first page; its host must be allowed for the run'),
  method: z.enum(['GET']).default('GET'),
  query: z.record(z.string(), z.string()).default({}).describe('Query parameters added to every request'),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .refine((h) => Object.keys(h).every((k) => !SECRET_HEADER.test(k)), { message: 'credentials do not belong in the pipeline file; name an environment variable in "secretHeaders" instead' })
    .describe('Plain request headers (no credentials)'),
  secretHeaders: z.record(z.string(), secretHeaderSchema).default({}).describe('Header name → environment variable holding its value (e.g. {"Authorization": {"env": "SLUICE_SECRET_API_TOKEN", "prefix": "Bearer "}}); only SLUICE_SECRET_… variables or ones allowed with --allow-env are read'),
  recordsPath: z.string().default('').describe('Dotted path to the array of records in each answer, e.g. data.items (empty: the answer is the array)'),
  pagination: paginationSchema,
  maxPages: z.number().int().min(1).max(10_000_000).default(100_000).describe('Safety stop for endless paging'),
  timeoutMs: z.number().int().min(1).max(600_000).default(30_000).describe('Per-request timeout'),
  concurrency: z.number().int().min(1).max(16).default(1).describe('Pages fetched at once (page/offset paging with a known total only)'),
  rateLimit: z.number().positive().max(10_000).optional().describe('Most requests per second'),
  maxPageBytes: z.number().int().min(1024).max(1_073_741_824).default(67_108_864),
  retry: retryPolicySchema,
  breaker: breakerPolicySchema,
  types: typesSchema,
});
type RestConfig = z.infer<typeof config>;

export const sourceRestNode: NodeKind<RestConfig> = {
  kind: 'source.rest',
  category: 'source',
  title: 'REST API (JSON)',
  description:
    'Read records from a JSON HTTP API, page by page (page number, offset, cursor or Link header). Transient failures (timeouts, dropped connections, 429, 5xx) are retried with backoff and Retry-After; a circuit breaker stops hammering a dead service; a 4xx fails at once. Secrets come from environment variables, and only hosts allowed for the run are reached. Received pages are committed to a durable spool, so a resumed run continues where it stopped. Previews try each request at most twice, with a timeout of at most 10 s.',
  inputs: [],
  outputs: [{ name: 'out', title: 'Rows', role: 'data' }],
  config,
  defaults: { url: 'http://127.0.0.1:8080/items', recordsPath: '', pagination: { type: 'none' } },
  accounting: 'source',
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'source' },
  // Which fields the records carry is known only once they are fetched.
  outputSchema: () => ({ outputs: { out: undefined }, problems: [] }),
  async execute(ctx, c) {
    let base: URL;
    try {
      base = new URL(c.url);
    } catch {
      throw new UserError(`"${c.url}" is not a valid URL`, { nodeId: ctx.nodeId, field: 'url' });
    }
    const refusal = hostRefusal(base, ctx.allowHosts);
    if (refusal) throw new UserError(refusal, { nodeId: ctx.nodeId, field: 'url' });
    const headers = resolveHeaders(ctx, c);
    const preview = ctx.limit !== undefined;
    // A preview never resumes or leaves progress behind: its spool is scratch.
    const dir = preview ? path.join(ctx.scratchDir, 'rest-spool') : ctx.stateDir;
    if (preview) fs.rmSync(dir, { recursive: true, force: true });
    const { spool, resumed, discarded } = Spool.open(dir, fingerprint(c));
    const warnings: string[] = [];
    if (discarded) warnings.push(`${discarded}; fetched from the first page again`);
    const p = c.pagination;
    if (c.concurrency > 1 && !((p.type === 'page' && p.totalPagesPath) || (p.type === 'offset' && p.totalPath))) {
      warnings.push('pages were fetched one at a time: "concurrency" needs page or offset paging with a total (totalPagesPath / totalPath), since other paging only learns the next page from the last answer');
    }
    const io: IoStats = { requests: 0, retries: 0, failures: 0, retryWaitMs: 0, breaker: 'closed', pages: spool.progress.pages };
    if (resumed) {
      io.resumedPages = spool.progress.pages;
      ctx.reportIo({ ...io }, spool.progress.done ? `all ${spool.progress.pages} pages already committed; loading them` : `resuming after ${spool.progress.pages} committed page(s)`);
    }
    let truncated = false;
    if (!spool.progress.done) truncated = await fetchPages(ctx, c, base, headers, spool, io);
    ctx.reportIo({ ...io, pages: spool.progress.pages });
    return { ...(await load(ctx, c, spool)), truncated, warnings };
  },
};

function resolveHeaders(ctx: ExecContext, c: RestConfig): Record<string, string> {
  const out: Record<string, string> = { ...c.headers };
  for (const [name, ref] of Object.entries(c.secretHeaders)) {
    const env = typeof ref === 'string' ? ref : ref.env;
    const value = ctx.env[env];
    if ((value === undefined || value === '') && !envReadable(env)) {
      throw new UserError(
        `environment variable ${env} is not one a pipeline may read (it holds the value of header "${name}"): name it ${SECRET_ENV_PREFIX}…, or allow it with \`--allow-env ${env}\` (a pipeline file may not choose which of your environment variables it sends)`,
        { nodeId: ctx.nodeId, field: `secretHeaders.${name}` },
      );
    }
    if (value === undefined || value === '') {
      throw new UserError(`environment variable ${env} is not set; it holds the value of header "${name}". Set it before running (secrets are never stored in the pipeline file)`, { nodeId: ctx.nodeId, field: `secretHeaders.${name}` });
    }
    out[name] = `${typeof ref === 'string' ? '' : ref.prefix}${value}`;
    registerSecret(value);
    registerSecret(out[name]);
  }
  return out;
}

/** The settings that decide which records are read; headers are left out (a rotated token must still resume). */
function fingerprint(c: RestConfig): string {
  return crypto.createHash('sha256').update(JSON.stringify({ url: c.url, query: c.query, recordsPath: c.recordsPath, pagination: c.pagination })).digest('hex').slice(0, 24);
}

function withQuery(base: URL, c: RestConfig, extra: Record<string, string>): URL {
  const u = new URL(base.href);
  for (const [k, v] of Object.entries({ ...c.query, ...extra })) u.searchParams.set(k, v);
  return u;
}

/** The URL of page `seq` (1-based); page and offset paging compute it, cursor and link paging continue from `next`. */
function urlFor(base: URL, c: RestConfig, seq: number, next: string | null): URL {
  const p = c.pagination;
  switch (p.type) {
    case 'none':
      return withQuery(base, c, {});
    case 'page':
      return withQuery(base, c, { [p.param]: String(p.start + seq - 1), ...(p.sizeParam && p.size ? { [p.sizeParam]: String(p.size) } : {}) });
    case 'offset':
      return withQuery(base, c, { [p.offsetParam]: String((seq - 1) * p.limit), [p.limitParam]: String(p.limit) });
    case 'cursor':
      return withQuery(base, c, next === null ? {} : { [p.param]: next });
    case 'link':
      return next === null ? withQuery(base, c, {}) : new URL(next);
  }
}

function totalPagesOf(c: RestConfig, page: ReturnType<typeof parsePage>): number | null {
  const p = c.pagination;
  const field = p.type === 'page' ? p.totalPagesPath : p.type === 'offset' ? p.totalPath : undefined;
  if (!field) return null;
  const raw = pageField(page, field);
  if (raw === undefined || !/^\d+$/.test(raw)) throw new PageFormatError(`"${field}" of the answer is ${raw === undefined ? 'missing' : `"${raw}"`}, not a whole number`);
  const n = Number(raw);
  return p.type === 'offset' ? Math.ceil(n / p.limit) : n;
}

/** Fetch and commit pages until paging ends (or a preview has enough); true when stopped early for a preview. */
async function fetchPages(ctx: ExecContext, c: RestConfig, base: URL, headers: Record<string, string>, spool: Spool, io: IoStats): Promise<boolean> {
  const breaker = new CircuitBreaker(c.breaker);
  const limiter = new RateLimiter(c.rateLimit, realClock);
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const keys = new Map(spool.progress.keys.map((k) => [k, true as const]));
  const indexed = c.pagination.type === 'page' || c.pagination.type === 'offset';
  let lastDetail = '';
  // A preview answers the designer while the user waits: fewer attempts and a shorter timeout than a run.
  const preview = ctx.limit !== undefined;
  const policy = preview ? { ...c.retry, maxAttempts: Math.min(c.retry.maxAttempts, PREVIEW_MAX_ATTEMPTS) } : c.retry;
  const timeoutMs = preview ? Math.min(c.timeoutMs, PREVIEW_TIMEOUT_MS) : c.timeoutMs;
  const classify = (e: unknown): FailureClass => (e instanceof RequestRefused ? { transient: false, label: 'refused' } : classifyHttpFailure(e));

  const fetchPage = (seq: number, url: URL): Promise<HttpAnswer> =>
    withRetry(
      async () => {
        await limiter.acquire(signal);
        io.requests++;
        try {
          return await getText(url, { headers, secretHeaders: Object.keys(c.secretHeaders), timeoutMs, allowHosts: ctx.allowHosts, maxBytes: c.maxPageBytes, signal, now: () => Date.now() });
        } catch (e) {
          lastDetail = e instanceof Error ? e.message : String(e);
          throw e;
        }
      },
      {
        policy,
        classify,
        breaker,
        signal,
        onFailure: (label, state) => {
          io.failures++;
          io.lastError = label;
          io.breaker = state ?? 'closed';
          io.breakerOpens = breaker.opens;
          ctx.reportIo({ ...io });
        },
        onRetry: (ev) => {
          io.retries++;
          io.retryWaitMs += ev.delayMs;
          io.breaker = breaker.state();
          const what = ev.label === 'circuit open' ? `circuit open, probing again in ${ev.delayMs} ms` : `retry ${ev.attempt}/${ev.maxAttempts - 1} in ${ev.delayMs} ms (${ev.label})`;
          ctx.reportIo({ ...io }, `${what}, page ${seq}`);
        },
      },
    ).catch((e: unknown) => {
      throw requestError(ctx, e, url, seq, spool.progress.pages, lastDetail, breaker);
    });

  const inflight = new Map<number, Promise<HttpAnswer>>();
  try {
    for (;;) {
      const p: SpoolProgress = spool.progress;
      const seq = p.pages + 1;
      if (seq > c.maxPages) throw new UserError(`paging did not end within ${c.maxPages} pages; raise "maxPages" if the API really has more`, { nodeId: ctx.nodeId, field: 'maxPages' });
      // Backpressure: never more than `concurrency` pages beyond the last committed one are requested.
      const window = indexed && p.totalPages !== null ? Math.max(1, Math.min(c.concurrency, p.totalPages - p.pages, c.maxPages - p.pages)) : 1;
      for (let s = seq; s < seq + window; s++) {
        if (inflight.has(s)) continue;
        const req = fetchPage(s, urlFor(base, c, s, p.next));
        req.catch(() => undefined); // awaited in order below; this only keeps an early failure from being "unhandled"
        inflight.set(s, req);
      }
      const answer = await (inflight.get(seq) as Promise<HttpAnswer>);
      inflight.delete(seq);
      const { lines, rejects, next, totalPages, records, good } = readPage(ctx, c, answer, seq, p, keys);
      const limitReached = ctx.limit !== undefined && p.good + good >= ctx.limit;
      const done = isLastPage(c, seq, records, totalPages, next, p.next);
      spool.commit(lines, rejects, {
        pages: seq,
        next,
        totalPages,
        done,
        records: p.records + records,
        good: p.good + good,
        bad: p.bad + rejects.length,
        keys: [...keys.keys()],
      });
      io.pages = seq;
      ctx.reportIo({ ...io });
      if (done) return false;
      if (limitReached) return true;
    }
  } finally {
    stop.abort();
    await Promise.allSettled(inflight.values());
  }
}

function readPage(ctx: ExecContext, c: RestConfig, answer: HttpAnswer, seq: number, p: SpoolProgress, keys: Map<string, true>) {
  const where = `page ${seq} (${showUrl(answer.url)})`;
  let page;
  let texts: string[];
  let totalPages = p.totalPages;
  let next: string | null = null;
  try {
    page = parsePage(answer.text);
    texts = pageRecords(page, c.recordsPath);
    if (totalPages === null) totalPages = totalPagesOf(c, page);
    if (c.pagination.type === 'cursor') next = pageField(page, c.pagination.cursorPath) ?? null;
  } catch (e) {
    if (e instanceof PageFormatError) throw new UserError(`${where}: ${e.message}`, { nodeId: ctx.nodeId, field: 'recordsPath' });
    throw e;
  }
  if (c.pagination.type === 'link') next = linkNext(answer.headers.get('link'), answer.url)?.href ?? null;
  const lines: string[] = [];
  const rejects: RejectLine[] = [];
  for (const [i, text] of texts.entries()) {
    const lineage = `page-${seq}:${i + 1}`;
    const reason = checkRecord(text, keys);
    if (reason) rejects.push({ lineage, ordinal: p.records + i + 1, reason: `page ${seq} record ${i + 1}: ${reason}`, raw: text });
    else lines.push(`{"l":${JSON.stringify(lineage)},"r":${JSON.stringify(rawMembers(text))}}`);
  }
  if (c.pagination.type === 'cursor' && next !== null && next === p.next) {
    throw new UserError(`${where}: the API answered the same cursor "${next}" again, which would loop forever`, { nodeId: ctx.nodeId, field: 'pagination.cursorPath' });
  }
  return { lines, rejects, next, totalPages, records: texts.length, good: lines.length };
}

function isLastPage(c: RestConfig, seq: number, records: number, totalPages: number | null, next: string | null, previous: string | null): boolean {
  const p = c.pagination;
  switch (p.type) {
    case 'none':
      return true;
    case 'page':
      return records === 0 || (p.size !== undefined && records < p.size) || (totalPages !== null && seq >= totalPages);
    case 'offset':
      return records === 0 || records < p.limit || (totalPages !== null && seq >= totalPages);
    case 'cursor':
    case 'link':
      return next === null || next === previous;
  }
}

/** A request that finally failed, as the message the user sees: what, where (no secrets), why, and what next. */
function requestError(ctx: ExecContext, e: unknown, url: URL, seq: number, committed: number, lastDetail: string, breaker: CircuitBreaker): unknown {
  const shown = showUrl(url);
  const after = committed > 0 ? `; ${committed} page(s) before it are committed and a resumed run continues from there` : '';
  if (ctx.signal.aborted) return new UserError(`stopped while fetching page ${seq}${after}`, { nodeId: ctx.nodeId });
  if (e instanceof HttpStatusError) {
    const hint = e.status === 401 || e.status === 403 ? ' check the credentials in the environment variables named by "secretHeaders"' : ' check the URL and query';
    return new UserError(`${e.message}; not retried, because a ${e.status} means the request itself is wrong:${hint}`, { nodeId: ctx.nodeId, field: 'url' });
  }
  if (e instanceof RetriesExhausted) {
    if (breaker.state() !== 'closed') {
      return new UserError(
        `circuit open: ${url.host} failed ${breaker.consecutiveFailures} times in a row, so the breaker stopped sending requests for page ${seq} (${shown}); ${e.attempts} attempts, ${e.sent} of them sent; last error: ${lastDetail || 'unknown'}${after}`,
        { nodeId: ctx.nodeId, field: 'url' },
      );
    }
    const last = e.last instanceof Error ? e.last.message : String(e.last);
    return new UserError(`GET ${shown} failed after ${e.attempts} attempts (page ${seq}); last error: ${last}${after}`, { nodeId: ctx.nodeId, field: 'url' });
  }
  if (e instanceof RequestRefused) return new UserError(e.message, { nodeId: ctx.nodeId, field: 'url' });
  const msg = e instanceof Error ? e.message : String(e);
  return new UserError(`GET ${shown} failed (page ${seq}): ${msg}${after}`, { nodeId: ctx.nodeId, field: 'url' });
}

/** Spooled pages into the output table (as the JSON source does), and spooled rejects into the quarantine. */
async function load(ctx: ExecContext, c: RestConfig, spool: Spool): Promise<{ recordsRead: number }> {
  const p = spool.progress;
  const rejects = spool.readRejects();
  const batch = 1000;
  for (let i = 0; i < rejects.length; i += batch) {
    await ctx.appendQuarantine(
      rejects.slice(i, i + batch).map((r) => ({ lineage: `${ctx.nodeId}:${r.lineage}`, sourceLine: r.ordinal, ruleIds: ['malformed'], reasons: [r.reason], row: null, raw: Buffer.from(r.raw, 'utf8') })),
    );
  }
  const keys = p.keys;
  const extract = keys.map((k) => `json_extract_string("r", ${qlit(`$."${k}"`)}) AS ${qi(k)}`);
  const empty = `SELECT ${[`CAST(NULL AS VARCHAR) AS ${qi(LINEAGE)}`, ...keys.map((k) => `CAST(NULL AS VARCHAR) AS ${qi(k)}`)].join(', ')} WHERE false`;
  const source =
    p.good === 0
      ? empty
      : `SELECT ${qlit(`${ctx.nodeId}:`)} || "l" AS ${qi(LINEAGE)}${extract.length ? `, ${extract.join(', ')}` : ''} FROM read_json(${qlit(spool.recordsFile)}, format = 'newline_delimited', columns = {'l': 'VARCHAR', 'r': 'JSON'}, maximum_object_size = 268435456)`;
  await applyDeclaredTypes(ctx, `(${source})`, ctx.output('out'), keys, c.types, 'types');
  return { recordsRead: p.good + p.bad };
}
