// A local JSON API on 127.0.0.1 for REST source tests: serves a fixed dataset in pages (page number, offset,
// cursor or Link header) and injects faults: a seeded share of requests answer 500/502/503, 429 with
// Retry-After, never answer (a timeout) or drop the connection. It counts what it injected and what it served.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault = '500' | '502' | '503' | '429' | 'timeout' | 'drop';
export const ALL_FAULTS: Fault[] = ['500', '502', '503', '429', 'timeout', 'drop'];

export interface FaultServerOptions {
  /** Records as exact JSON texts (so big numbers stay exact on the wire). */
  records: string[];
  pageSize: number;
  /** Share of requests that fail transiently (0..1), decided by a seeded generator in arrival order. */
  faultRate?: number;
  seed?: number;
  faults?: Fault[];
  /** Retry-After sent with 429s: seconds, or an HTTP-date when 'date'. */
  retryAfter?: number | 'date';
  /** Header value every request must carry in `authorization` (else 401). */
  requireAuth?: string;
  /** Answer pages after this many milliseconds (so concurrent requests overlap). */
  delayMs?: number;
}

export interface FaultStats {
  requests: number;
  /** Requests answered with a page. */
  served: number;
  faults: Record<Fault, number>;
  /** Page numbers (1-based) requested, in arrival order, successful or not. */
  pagesRequested: number[];
  /** Most requests in progress at once. */
  maxInFlight: number;
}

export interface FaultServer {
  /** Base URL of the API, e.g. http://127.0.0.1:PORT/api/items */
  url: string;
  /** `127.0.0.1:PORT`, for allowHosts. */
  host: string;
  stats: FaultStats;
  /** Answer every request with this status from now on (e.g. 503 = dead, 404), or undefined to serve normally. */
  setPermanent(status: number | undefined): void;
  /** Serve only pages up to `n` (1-based); later pages answer 503 until reset with undefined. */
  failAfterPage(n: number | undefined): void;
  close(): Promise<void>;
}

/** mulberry32: small, seeded, good enough to spread faults. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFaultServer(o: FaultServerOptions): Promise<FaultServer> {
  const random = seeded(o.seed ?? 1);
  const kinds = o.faults ?? ALL_FAULTS;
  const stats: FaultStats = { requests: 0, served: 0, faults: { '500': 0, '502': 0, '503': 0, '429': 0, timeout: 0, drop: 0 }, pagesRequested: [], maxInFlight: 0 };
  let permanent: number | undefined;
  let lastGoodPage: number | undefined;
  let inFlight = 0;
  const sockets = new Set<Socket>();
  const pages = Math.max(1, Math.ceil(o.records.length / o.pageSize));

  const server = http.createServer((req, res) => {
    stats.requests++;
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Which page: ?page=N, ?offset=K&limit=L, ?cursor=C (the cursor is the page number, disguised).
    let page = 1;
    if (u.searchParams.has('page')) page = Number(u.searchParams.get('page'));
    else if (u.searchParams.has('offset')) page = Math.floor(Number(u.searchParams.get('offset')) / o.pageSize) + 1;
    else if (u.searchParams.has('cursor')) page = Number((u.searchParams.get('cursor') ?? '').replace(/^c-/, ''));
    stats.pagesRequested.push(page);
    if (o.requireAuth !== undefined && req.headers.authorization !== o.requireAuth) return send(res, 401, { error: 'unauthorized' });
    if (permanent !== undefined) return send(res, permanent, { error: `status ${permanent}` });
    if (lastGoodPage !== undefined && page > lastGoodPage) return send(res, 503, { error: 'unavailable' });
    if ((o.faultRate ?? 0) > 0 && random() < (o.faultRate ?? 0)) {
      const fault = kinds[Math.floor(random() * kinds.length)] as Fault;
      stats.faults[fault]++;
      switch (fault) {
        case 'timeout':
          return; // never answered; the client's timeout fires, and close() destroys the socket
        case 'drop':
          return req.socket.destroy();
        case '429': {
          const after = o.retryAfter === 'date' ? new Date(Date.now() + 1000).toUTCString() : String(o.retryAfter ?? 1);
          res.setHeader('retry-after', after);
          return send(res, 429, { error: 'slow down' });
        }
        default:
          return send(res, Number(fault), { error: 'transient' });
      }
    }
    const items = o.records.slice((page - 1) * o.pageSize, page * o.pageSize);
    const next = page < pages ? `c-${page + 1}` : null;
    const links = page < pages ? { link: `<${`http://${host}/api/items?page=${page + 1}&via=link`}>; rel="next", <http://${host}/api/items?page=1>; rel="first"` } : {};
    stats.served++;
    const body = `{"data":{"items":[${items.join(',')}]},"next_cursor":${JSON.stringify(next)},"total":${o.records.length},"total_pages":${pages}}`;
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json', ...links });
      res.end(body);
    };
    if (o.delayMs) setTimeout(answer, o.delayMs);
    else answer();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}/api/items`,
    host,
    stats,
    setPermanent: (s) => {
      permanent = s;
    },
    failAfterPage: (n) => {
      lastGoodPage = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A dataset of `n` records with ids beyond 2^53 and text that needs escaping. */
export function dataset(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `{"id":${9007199254740993n + BigInt(i) * 1000n},"seq":${i + 1},"name":${JSON.stringify(`r${i + 1} "q" é`)}}`);
}
