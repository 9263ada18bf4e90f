// HTTP for the REST source: only hosts the user allowed, a timeout per attempt, redirects followed only to
// allowed hosts, a rate limit shared by all requests of a node, and non-2xx answers as typed errors.
import { isUtf8 } from 'node:buffer';
import { redact } from '../../runtime/secrets.js';
import { allowedHost } from '@sluice/format/api/hosts';
import { AttemptTimeoutError, HttpStatusError, parseRetryAfter, type Clock } from './retry.js';

/** Why a URL may not be fetched, or undefined when it may. */
export function hostRefusal(url: URL, allowHosts: readonly string[]): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, '')}`;
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const allowed = allowHosts.some((entry) => {
    const e = allowedHost(entry);
    return e !== undefined && e.host === host && (e.port === undefined || e.port === port);
  });
  if (allowed) return undefined;
  const asked = `${url.hostname}:${port}`;
  return `host ${asked} is not allowed for this run; a pipeline file may not reach the network on its own. Allow it with \`sluice run --allow-host ${asked}\`, or in the designer under "Network hosts" in the pipeline's settings`;
}

/** The URL as it may be shown: user and password removed. */
export function showUrl(url: URL): string {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  return u.href;
}

/** Spaces requests at least 1/rps seconds apart, across every concurrent request of one node. */
export class RateLimiter {
  private nextSlot = 0;

  constructor(
    private readonly perSecond: number | undefined,
    private readonly clock: Clock,
  ) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    if (!this.perSecond) return;
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.perSecond;
    if (slot > now) await this.clock.sleep(slot - now, signal);
  }
}

export interface HttpAnswer {
  url: URL;
  status: number;
  headers: Headers;
  text: string;
}

export interface GetOptions {
  headers: Record<string, string>;
  /** Names of headers in `headers` that carry credentials: never sent after a redirect to another origin. */
  secretHeaders?: readonly string[];
  timeoutMs: number;
  allowHosts: readonly string[];
  maxBytes: number;
  signal: AbortSignal;
  now: () => number;
}

/** A refusal that is the pipeline's fault (host not allowed, answer not UTF-8, too big): never retried. */
export class RequestRefused extends Error {}

const MAX_REDIRECTS = 5;

/** One attempt: GET the URL (following redirects to allowed hosts) and read the whole body as text. */
export async function getText(start: URL, o: GetOptions): Promise<HttpAnswer> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new AttemptTimeoutError(o.timeoutMs)), o.timeoutMs);
  const signal = AbortSignal.any([o.signal, timeout.signal]);
  try {
    let url = start;
    let headers = o.headers;
    for (let hop = 0; ; hop++) {
      const refusal = hostRefusal(url, o.allowHosts);
      if (refusal) throw new RequestRefused(hop === 0 ? refusal : `a redirect led to ${showUrl(url)}: ${refusal}`);
      const res = await fetch(url, { method: 'GET', headers: { accept: 'application/json', ...headers }, redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new RequestRefused(`more than ${MAX_REDIRECTS} redirects from ${showUrl(start)}`);
        const next = new URL(location, url);
        // As browsers and curl do: credentials go only to the origin they were meant for. A redirect to another
        // host, port or scheme (even an allowed one, even https → http on the same host) gets none.
        if (next.origin !== start.origin) headers = withoutCredentials(headers, o.secretHeaders ?? []);
        url = next;
        continue;
      }
      if (res.status < 200 || res.status >= 300) {
        await res.body?.cancel();
        throw new HttpStatusError(res.status, parseRetryAfter(res.headers.get('retry-after'), o.now()), `GET ${showUrl(url)} answered ${res.status}${res.statusText ? ` ${redact(res.statusText)}` : ''}`);
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > o.maxBytes) throw new RequestRefused(`the answer from ${showUrl(url)} is ${declared} bytes, more than the ${o.maxBytes} a page may have`);
      const body = Buffer.from(await res.arrayBuffer());
      if (body.length > o.maxBytes) throw new RequestRefused(`the answer from ${showUrl(url)} is more than the ${o.maxBytes} bytes a page may have`);
      if (!isUtf8(body)) throw new RequestRefused(`the answer from ${showUrl(url)} is not valid UTF-8`);
      return { url, status: res.status, headers: res.headers, text: body.toString('utf8') };
    }
  } catch (e) {
    // fetch reports our timeout as an abort carrying the reason we gave it.
    if (timeout.signal.aborted && !o.signal.aborted) throw new AttemptTimeoutError(o.timeoutMs);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Request headers without the ones that carry credentials (named secret headers and the standard ones). */
export function withoutCredentials(headers: Record<string, string>, secretNames: readonly string[]): Record<string, string> {
  const secret = new Set(secretNames.map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const lower = k.toLowerCase();
    if (secret.has(lower) || lower === 'authorization' || lower === 'proxy-authorization' || lower === 'cookie') continue;
    out[k] = v;
  }
  return out;
}

/** The `rel="next"` target of a Link header, resolved against the page's URL. */
export function linkNext(header: string | null, base: URL): URL | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const rels = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? '');
    if (rels && (rels[1] ?? '').toLowerCase().split(/\s+/).includes('next')) return new URL(m[1] ?? '', base);
  }
  return undefined;
}
