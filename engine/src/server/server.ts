// The local HTTP adapter of EngineApi for browser mode and tests.
// It binds to loopback only and still assumes hostile neighbours: any web page the user has open can
// fire requests at 127.0.0.1, so every API call needs the per-launch bearer token, and Host/Origin
// are checked to defeat DNS rebinding and cross-site requests.
import { redactDeep } from '../runtime/secrets.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { engineMethods, type EngineApi, type EngineErrorBody, type EngineMethod, type EngineStreams } from '@sluice/format/api/contract';
import { faultDetail, httpStatusOf, invalidInput, isUserFacing, toErrorBody } from '@sluice/format/api/errors';

export interface ServerOptions {
  api: EngineApi;
  /** What the engine pushes (a run's status as it changes), streamed at `/api/stream/runStatus`. */
  streams?: EngineStreams;
  /** Only loopback is accepted: the token is the sole secret, and it must never cross a network. */
  host?: '127.0.0.1';
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer (renderer/dist). */
  staticDir: string;
  token: string;
  /** Largest accepted request body; pipelines are small, 20 MB leaves room for inline data. */
  maxBodyBytes?: number;
  /** Where unexpected errors are logged; defaults to stderr. */
  log?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 20 * 1024 * 1024;

/** Hashing both sides first gives equal-length buffers, so the comparison leaks neither content nor length. */
function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  // Every answer is redacted: an error or a preview may quote what an API said back, credentials included.
  const text = JSON.stringify(redactDeep(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extraHeaders,
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Partial<EngineErrorBody['error']> = {}): void {
  const body: EngineErrorBody = { error: { code, message, ...extra } };
  sendJson(res, status, body, status === 401 ? { 'www-authenticate': 'Bearer' } : {});
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      // Drain without buffering so the client reads our 413 instead of a connection reset.
      req.resume();
      reject(new HttpError(413, 'payload_too_large', `Request body is larger than ${limit} bytes.`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, 'payload_too_large', `Request body is larger than ${limit} bytes.`));
        // Stop reading but let the response go out; destroying here would reset the connection first.
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isEngineMethod(name: string): name is EngineMethod {
  return Object.hasOwn(engineMethods, name);
}

function authorized(req: IncomingMessage, res: ServerResponse, token: string): boolean {
  const auth = req.headers.authorization ?? '';
  const match = /^Bearer (.+)$/.exec(auth);
  if (!match?.[1] || !tokenMatches(match[1], token)) {
    sendError(res, 401, 'unauthorized', 'Missing or wrong access token. Open the link printed by `sluice serve`; the token changes on every start.');
    return false;
  }
  return true;
}

/**
 * The one push path of browser mode: `POST /api/stream/runStatus {jobId}` answers with server-sent events, one
 * `data:` line of RunJobStatus JSON per change, and ends after the status that is no longer `running`. POST
 * with the bearer token like every call (EventSource could not send the header), read with fetch's body stream.
 */
async function handleRunStream(req: IncomingMessage, res: ServerResponse, streams: EngineStreams | undefined, opts: { token: string; maxBodyBytes: number }): Promise<void> {
  if (!authorized(req, res, opts.token)) return;
  if (req.method !== 'POST') {
    sendError(res, 405, 'method_not_allowed', 'API calls must use POST.');
    return;
  }
  if (!streams) {
    sendError(res, 404, 'not_found', 'This engine pushes no run status; poll runStatus.');
    return;
  }
  let jobId: unknown;
  try {
    jobId = (JSON.parse(await readBody(req, opts.maxBodyBytes)) as { jobId?: unknown }).jobId;
  } catch (err) {
    if (err instanceof HttpError) throw err;
  }
  if (typeof jobId !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(jobId)) {
    sendError(res, 400, 'bad_request', 'Expected a JSON body {"jobId": "…"} naming a started run.');
    return;
  }
  let stop: () => void = () => undefined;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    stop();
    res.end();
  };
  try {
    stop = streams.followRun(jobId, (status) => {
      if (ended) return;
      if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-accel-buffering': 'no' });
      res.write(`data: ${JSON.stringify(redactDeep(status))}\n\n`);
      if (status.state !== 'running') end();
    });
  } catch (err) {
    const body = toErrorBody(err, 'runStatus');
    sendJson(res, httpStatusOf(body.error.code), body);
    return;
  }
  if (ended) stop();
  req.on('close', end);
  res.on('close', end);
}

async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, opts: Required<Pick<ServerOptions, 'api' | 'token' | 'maxBodyBytes' | 'log'>>): Promise<void> {
  if (!authorized(req, res, opts.token)) return;
  if (req.method !== 'POST') {
    sendError(res, 405, 'method_not_allowed', 'API calls must use POST.');
    return;
  }
  if (!isEngineMethod(method)) {
    sendError(res, 404, 'not_found', `Unknown API method "${method}".`);
    return;
  }
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/json\b/i.test(type)) {
    sendError(res, 415, 'unsupported_media_type', 'Request body must be JSON (content-type: application/json).');
    return;
  }

  const text = await readBody(req, opts.maxBodyBytes);
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      sendError(res, 400, 'bad_request', 'Request body is not valid JSON.');
      return;
    }
  }
  const parsed = engineMethods[method].input.safeParse(body);
  if (!parsed.success) {
    sendJson(res, 400, toErrorBody(invalidInput(method, parsed.error)));
    return;
  }

  // The table guarantees that the parsed input matches the method; TS cannot correlate the two through the union.
  const fn = opts.api[method] as (input: unknown) => Promise<unknown>;
  try {
    const result = await fn.call(opts.api, parsed.data);
    sendJson(res, 200, result);
  } catch (err) {
    const body = toErrorBody(err, method);
    if (!isUserFacing(err)) opts.log(`sluice server: ${method} failed: ${faultDetail(err)}`);
    sendJson(res, httpStatusOf(body.error.code), body);
  }
}

/**
 * The renderer loads nothing from elsewhere. React and React Flow set styles through the CSSOM, which
 * `style-src 'self'` allows; inline scripts and eval stay blocked. Two relaxations, both for the Monaco editor:
 * - `style-src-elem` admits <style> elements carrying this response's nonce: Monaco injects its theme and
 *   decoration rules as style elements at runtime, and the renderer stamps them with the nonce that the page's
 *   `<meta property="csp-nonce">` carries. Other inline <style> elements stay blocked.
 * - `style-src-attr 'unsafe-inline'`: Monaco renders its lines as HTML with `style="top:…"` attributes, and
 *   nonces do not apply to attributes. An attribute can only restyle an element; it runs no script, and
 *   `img-src`/`font-src` stay 'self', so a style attribute cannot send data anywhere.
 * Monaco's worker is a file of this origin (`worker-src 'self'`; no blob: workers).
 */
export function contentSecurityPolicy(nonce?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    ...(nonce ? [`style-src-elem 'self' 'nonce-${nonce}'`, "style-src-attr 'unsafe-inline'"] : []),
    "worker-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy of every response except the HTML page, which gets its own nonce. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

const STATIC_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Puts the response's style nonce where the renderer looks for it. */
export function withNonceMeta(html: string, nonce: string): string {
  const meta = `<meta property="csp-nonce" content="${nonce}" />`;
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}\n    ${meta}`) : `${meta}\n${html}`;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...STATIC_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function fileIfInside(root: string, candidate: string): Promise<string | undefined> {
  try {
    // realpath defeats symlinks that point out of the folder, not only `..` in the URL.
    const real = await realpath(candidate);
    const rel = path.relative(root, real);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, rawPath: string, staticDir: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method not allowed.');
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    sendText(res, 400, 'Bad path.');
    return;
  }
  const segments = decoded.split(/[\\/]/);
  if (decoded.includes('\0') || segments.includes('..')) {
    sendText(res, 403, 'Path not allowed.');
    return;
  }

  let root: string;
  try {
    root = await realpath(staticDir);
  } catch {
    sendText(res, 503, `The designer is not built (no ${staticDir}). Run: npm run build:renderer`);
    return;
  }
  const requested = path.join(root, ...segments.filter(Boolean));
  let file = await fileIfInside(root, requested);
  // SPA fallback for app routes; a missing asset (with an extension) stays a 404 so broken builds are visible.
  if (!file && path.extname(decoded) === '') file = await fileIfInside(root, path.join(root, 'index.html'));
  if (!file) {
    sendText(res, 404, 'Not found.');
    return;
  }

  const ext = path.extname(file).toLowerCase();
  if (ext === '.html') {
    // A fresh nonce per page load: a value that never repeats cannot be guessed by injected markup.
    const nonce = randomBytes(18).toString('base64');
    const html = Buffer.from(withNonceMeta(await readFile(file, 'utf8'), nonce));
    res.writeHead(200, {
      ...STATIC_HEADERS,
      'content-security-policy': contentSecurityPolicy(nonce),
      'content-type': MIME[ext] ?? 'text/html; charset=utf-8',
      'content-length': html.length,
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : html);
    return;
  }
  const size = (await stat(file)).size;
  res.writeHead(200, {
    ...STATIC_HEADERS,
    'content-type': MIME[ext] ?? 'application/octet-stream',
    'content-length': size,
    // Vite fingerprints assets; revalidating still picks up a rebuilt app in place.
    'cache-control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file);
    stream.on('error', reject);
    stream.on('end', resolve);
    stream.pipe(res);
  });
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('The Sluice server only binds to 127.0.0.1.');
  if (!options.token) throw new Error('startServer needs a non-empty token.');
  const opts = {
    api: options.api,
    token: options.token,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    log: options.log ?? ((m: string) => process.stderr.write(`${m}\n`)),
  };
  let port = 0;

  const server = createServer((req, res) => {
    void (async () => {
      // DNS rebinding: a hostile name resolving to 127.0.0.1 still carries its own name in Host.
      const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
      if (!allowedHosts.includes(req.headers.host ?? '')) {
        sendError(res, 403, 'bad_host', 'Unexpected Host header.');
        return;
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedHosts.some((h) => origin === `http://${h}`)) {
        sendError(res, 403, 'cross_origin', 'Cross-origin requests are not allowed.');
        return;
      }
      if (req.headers['sec-fetch-site'] === 'cross-site') {
        sendError(res, 403, 'cross_origin', 'Cross-site requests are not allowed.');
        return;
      }

      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      if (rawPath === '/api/stream/runStatus') {
        await handleRunStream(req, res, options.streams, opts);
        return;
      }
      if (rawPath.startsWith('/api/')) {
        await handleApi(req, res, rawPath.slice('/api/'.length), opts);
        return;
      }
      if (rawPath === '/api') {
        sendError(res, 404, 'not_found', 'Unknown API method.');
        return;
      }
      await serveStatic(req, res, rawPath, options.staticDir);
    })().catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (!res.headersSent) sendError(res, err.status, err.code, err.message);
        return;
      }
      opts.log(`sluice server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) sendError(res, 500, 'internal', 'Internal server error.');
      else res.destroy();
    });
  });

  // Slow-loris guards; API calls that run pipelines stream their answer only at the end, so no response timeout.
  server.headersTimeout = 20_000;
  server.requestTimeout = 0;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
