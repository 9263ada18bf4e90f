// Defect 5 of issue 12: REST secrets. Credentials are not re-sent after a redirect to another origin; a secret
// value never appears in anything the engine stores or returns (the test greps every output for a canary); a
// pipeline file reads only SLUICE_SECRET_… variables or ones the user allowed.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/runtime/execution/execute-options.js';
import { runPipeline } from '../../src/runtime/run.js';
import { allowEnv, ALLOW_ENV_VAR } from '../../src/runtime/secrets.js';
import { createEngineService } from '../../src/service.js';
import { chain, tmpDir } from '../helpers.js';

const CANARY = 'sk-canary-5ec12e7-token';
process.env['SLUICE_SECRET_CANARY'] = CANARY;
process.env['PLAIN_TOKEN_NOT_ALLOWED'] = 'not-for-pipelines-1234';

/** What each path received, by path: the headers of every request. */
const seen: Record<string, http.IncomingHttpHeaders[]> = {};
let server: http.Server;
let port = 0;
const page = JSON.stringify({ items: [{ id: 1 }] });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    (seen[url.pathname] ??= []).push(req.headers);
    const key = String(req.headers['x-api-key'] ?? req.headers['authorization'] ?? '');
    switch (url.pathname) {
      case '/cross': // to another origin: localhost instead of 127.0.0.1
        res.writeHead(302, { location: `http://localhost:${port}/landing` }).end();
        return;
      case '/same':
        res.writeHead(302, { location: `http://127.0.0.1:${port}/landing` }).end();
        return;
      case '/landing':
        res.writeHead(200, { 'content-type': 'application/json' }).end(page);
        return;
      case '/echo-status': // the credential comes back in the status text (4xx: fails at once)
        res.writeHead(401, `Unauthorized key ${key}`).end();
        return;
      case '/echo-5xx': // ... and in a retried 5xx, so it reaches retry notes and the last error
        res.writeHead(503, `busy for ${encodeURIComponent(key)} and ${key}`).end();
        return;
      case '/echo-error-body':
        res.writeHead(200, { 'content-type': 'application/json' }).end(`{"error": "${key}" not json`);
        return;
      default:
        res.writeHead(200, { 'content-type': 'application/json' }).end(page);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

const rest = (route: string, secretHeaders: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  chain([
    { id: 'api', kind: 'source.rest', config: { url: `http://127.0.0.1:${port}${route}`, recordsPath: 'items', secretHeaders, retry: { maxAttempts: 2, baseMs: 1, maxMs: 2 }, ...extra } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ]);

interface Outputs {
  outcome: string;
  errors: string;
  /** Every string the run left or returned: files, the returned manifest, the events. */
  everything: string;
}

async function runIt(p: unknown): Promise<Outputs> {
  const base = tmpDir('sluice-secrets-');
  const hist = path.join(base, 'hist');
  const events: RunEvent[] = [];
  const manifest = await runPipeline({ pipeline: p, baseDir: base, historyDir: hist, allowHosts: [`127.0.0.1:${port}`, `localhost:${port}`], onEvent: (e) => events.push(e) });
  const files = fs
    .readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'latin1'));
  return { outcome: manifest.outcome, errors: manifest.errors.join(' | '), everything: [JSON.stringify(manifest), JSON.stringify(events), ...files].join('\n') };
}

describe('credentials and redirects', () => {
  it('a redirect to another origin gets no secret header (the issue\'s case), the same origin keeps it', async () => {
    const r = await runIt(rest('/cross', { 'X-Api-Key': 'SLUICE_SECRET_CANARY' }));
    expect(r.outcome, r.errors).toBe('succeeded');
    const landed = seen['/landing']?.at(-1) ?? {};
    expect(landed.host).toBe(`localhost:${port}`);
    expect(landed['x-api-key']).toBeUndefined();
    const same = await runIt(rest('/same', { 'X-Api-Key': 'SLUICE_SECRET_CANARY' }));
    expect(same.outcome).toBe('succeeded');
    expect(seen['/landing']?.at(-1)?.['x-api-key']).toBe(CANARY);
  });

  it('Authorization with a prefix is stripped across origins too', async () => {
    await runIt(rest('/cross', { Authorization: { env: 'SLUICE_SECRET_CANARY', prefix: 'Bearer ' } }));
    expect(seen['/landing']?.at(-1)?.authorization).toBeUndefined();
  });
});

describe('redaction: the canary appears in no output', () => {
  it('status text echoing the credential (the issue\'s case): manifest, events, files, returned record', async () => {
    const r = await runIt(rest('/echo-status', { 'X-Api-Key': 'SLUICE_SECRET_CANARY' }));
    expect(r.outcome).toBe('failed');
    expect(r.errors).toMatch(/answered 401 Unauthorized key \[redacted\]/);
    expect(r.everything.includes(CANARY)).toBe(false);
  });

  it('a retried 5xx: retry notes, last error and I/O metrics, also URL-encoded', async () => {
    const r = await runIt(rest('/echo-5xx', { Authorization: { env: 'SLUICE_SECRET_CANARY', prefix: 'Token ' } }));
    expect(r.outcome).toBe('failed');
    expect(r.everything.includes(CANARY)).toBe(false);
    expect(r.everything.includes(encodeURIComponent(`Token ${CANARY}`))).toBe(false);
    expect(r.errors).toMatch(/\[redacted\]/);
  });

  it('a body that quotes the credential in a parse error', async () => {
    const r = await runIt(rest('/echo-error-body', { 'X-Api-Key': 'SLUICE_SECRET_CANARY' }));
    expect(r.everything.includes(CANARY)).toBe(false);
  });

  it('the designer API (a preview through the engine service) answers without it', async () => {
    const base = tmpDir('sluice-secrets-');
    const svc = createEngineService({ workspaces: [base], allowHosts: [`127.0.0.1:${port}`], inProcessRuns: true });
    try {
      // A failed preview comes back either as an error or as a result carrying the node's error: both are checked.
      const answer = await svc.preview({ pipeline: rest('/echo-status', { 'X-Api-Key': 'SLUICE_SECRET_CANARY' }), nodeId: 'api', baseDir: base, limit: 10 }).then(
        (res) => JSON.stringify(res),
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      expect(answer).toMatch(/401 Unauthorized key \[redacted\]/);
      expect(answer.includes(CANARY)).toBe(false);
    } finally {
      svc.close();
    }
  });
});

describe('which environment variables a pipeline may read', () => {
  it('a pipeline naming HOME is refused before any request (the issue\'s case)', async () => {
    const before = (seen['/landing'] ?? []).length;
    const r = await runIt(rest('/landing', { 'X-Trace': 'HOME' }));
    expect(r.outcome).toBe('failed');
    expect(r.errors).toMatch(/node "api".*field "secretHeaders.X-Trace".*HOME is not one a pipeline may read.*SLUICE_SECRET_.*--allow-env HOME/);
    expect((seen['/landing'] ?? []).length).toBe(before);
    expect(r.everything.includes(process.env['HOME'] ?? '/nonexistent-home')).toBe(false);
  });

  it('any other variable without the prefix is refused, with the prefix or allowed it is read', async () => {
    const refused = await runIt(rest('/landing', { 'X-Api-Key': 'PLAIN_TOKEN_NOT_ALLOWED' }));
    expect(refused.errors).toMatch(/PLAIN_TOKEN_NOT_ALLOWED is not one a pipeline may read/);
    const saved = process.env[ALLOW_ENV_VAR];
    try {
      allowEnv(['PLAIN_TOKEN_NOT_ALLOWED']);
      const ok = await runIt(rest('/landing', { 'X-Api-Key': 'PLAIN_TOKEN_NOT_ALLOWED' }));
      expect(ok.outcome, ok.errors).toBe('succeeded');
      expect(seen['/landing']?.at(-1)?.['x-api-key']).toBe('not-for-pipelines-1234');
    } finally {
      if (saved === undefined) delete process.env[ALLOW_ENV_VAR];
      else process.env[ALLOW_ENV_VAR] = saved;
    }
  });

  it('the allowed list cannot be widened by a lookalike name (prefix must be exact, case-sensitive)', async () => {
    process.env['sluice_secret_lower'] = 'lower-case-secret';
    const r = await runIt(rest('/landing', { 'X-Api-Key': 'sluice_secret_lower' }));
    expect(r.errors).toMatch(/sluice_secret_lower is not one a pipeline may read/);
  });

  it("the designer's allowed list (allowEnv in a request) applies to that request only", async () => {
    const base = tmpDir('sluice-secrets-');
    const svc = createEngineService({ workspaces: [base], allowHosts: [`127.0.0.1:${port}`], inProcessRuns: true });
    try {
      const p = rest('/landing', { 'X-Api-Key': 'PLAIN_TOKEN_NOT_ALLOWED' });
      const refused = await svc.preview({ pipeline: p, nodeId: 'api', baseDir: base, limit: 10 }).then(JSON.stringify, (e: unknown) => String(e));
      expect(refused).toMatch(/PLAIN_TOKEN_NOT_ALLOWED is not one a pipeline may read/);
      const ok = await svc.preview({ pipeline: p, nodeId: 'api', baseDir: base, limit: 10, allowEnv: ['PLAIN_TOKEN_NOT_ALLOWED'] });
      expect(ok.rows).toEqual([['1']]);
      const run = await svc.run({ pipeline: p, baseDir: base, allowEnv: ['PLAIN_TOKEN_NOT_ALLOWED'] });
      expect(run.outcome, run.errors.join()).toBe('succeeded');
      // The next request without the list is refused again (another page, so no cached preview answers it).
      const again = await svc.preview({ pipeline: rest('/landing?page=2', { 'X-Api-Key': 'PLAIN_TOKEN_NOT_ALLOWED' }), nodeId: 'api', baseDir: base, limit: 10 }).then(JSON.stringify, (e: unknown) => String(e));
      expect(again).toMatch(/not one a pipeline may read/);
    } finally {
      svc.close();
    }
  });
});
