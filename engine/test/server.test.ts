// The local server is the designer's only door into the engine; these tests knock on it the wrong ways.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, EngineApi } from '@sluice/format/api/contract';
import { startServer, type RunningServer } from '../src/server/server.js';
// The engine's own error classes: a renamed or reshaped class must break these tests, not production.
import { InvalidPipeline, UserError } from '@sluice/format/api/errors';

const TOKEN = 'test-token-0123456789';

const catalog: Catalog = {
  engineVersion: '0.0.0-test',
  kinds: [
    {
      kind: 'filter',
      category: 'transform',
      title: 'Filter',
      description: 'Keep rows',
      inputs: [{ name: 'in', title: 'Input', role: 'data' }],
      outputs: [{ name: 'out', title: 'Kept', role: 'data' }],
      configSchema: {},
      version: 1,
      traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
      defaults: { expression: 'true' },
    },
  ],
};

const notUsed = (): Promise<never> => Promise.reject(new Error('not used in this test'));

const calls: unknown[] = [];
const fakeApi: EngineApi = {
  catalog: async () => catalog,
  inputFingerprints: notUsed,
  schemas: notUsed,
  schemasFor: notUsed,
  sniffTypes: notUsed,
  validate: async () => {
    throw new UserError('expression must not be empty', { nodeId: 'f1', field: 'expression' });
  },
  preview: async () => {
    throw new InvalidPipeline([
      { path: 'nodes[0].config.expression', nodeId: 'f1', field: 'expression', message: 'Too small' },
      { path: 'nodes[1]', nodeId: 'f2', field: 'in', message: 'input "in" of node "f2" is not connected' },
    ]);
  },
  run: async () => {
    throw new Error('database exploded at /secret/path');
  },
  listRuns: async (input) => {
    calls.push(input);
    return [];
  },
  quarantinePage: notUsed,
  traceRow: notUsed,
  startRun: notUsed,
  runStatus: notUsed,
  cancelRun: notUsed,
  samples: async () => [],
  listFiles: notUsed,
  readFile: notUsed,
  writeFile: notUsed,
  runHistory: notUsed,
  runPipelines: notUsed,
  runTrends: notUsed,
  profile: notUsed,
  workspaceStatus: notUsed,
  runRecord: notUsed,
  pinData: notUsed,
  listPins: notUsed,
  removePin: notUsed,
  testPins: notUsed,
  watchStart: notUsed,
  watchStatus: notUsed,
  watchStop: notUsed,
};

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** node:http rather than fetch: fetch normalises `..` away and refuses to set Host. */
function send(server: RunningServer, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { host: `127.0.0.1:${server.port}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function api(server: RunningServer, method: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return send(server, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function errorOf(reply: Reply): { code: string; message: string } {
  return (JSON.parse(reply.text) as { error: { code: string; message: string } }).error;
}

let root: string;
let server: RunningServer;
const logged: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'sluice-server-'));
  const dist = path.join(root, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Sluice</title>');
  writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'secret.txt'), 'top secret');
  symlinkSync(path.join(root, 'secret.txt'), path.join(dist, 'link.txt'));
  server = await startServer({ api: fakeApi, host: '127.0.0.1', port: 0, staticDir: dist, token: TOKEN, maxBodyBytes: 1024, log: (m) => logged.push(m) });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('API authentication', () => {
  it('answers a call with the right token', async () => {
    const reply = await api(server, 'catalog', {});
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual(catalog);
  });

  it('refuses a call without a token', async () => {
    const reply = await send(server, { method: 'POST', path: '/api/catalog', body: '{}' });
    expect(reply.status).toBe(401);
    expect(errorOf(reply).code).toBe('unauthorized');
    expect(reply.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses a call with a wrong token, including one that is a prefix of the right one', async () => {
    for (const token of ['nope', TOKEN.slice(0, -1), `${TOKEN}x`]) {
      const reply = await api(server, 'catalog', {}, { authorization: `Bearer ${token}` });
      expect(reply.status).toBe(401);
    }
  });

  it('checks the token before saying whether a method exists', async () => {
    const reply = await send(server, { method: 'POST', path: '/api/nosuch', body: '{}' });
    expect(reply.status).toBe(401);
  });
});

describe('request origin', () => {
  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const reply = await send(server, { path: '/', headers: { host: `evil.example:${server.port}` } });
    expect(reply.status).toBe(403);
    expect(errorOf(reply).code).toBe('bad_host');
    const apiReply = await api(server, 'catalog', {}, { host: `evil.example:${server.port}` });
    expect(apiReply.status).toBe(403);
  });

  it('accepts localhost as the Host', async () => {
    const reply = await send(server, { path: '/', headers: { host: `localhost:${server.port}` } });
    expect(reply.status).toBe(200);
  });

  it('refuses a cross-origin Origin even with the right token', async () => {
    const reply = await api(server, 'catalog', {}, { origin: 'https://evil.example' });
    expect(reply.status).toBe(403);
    expect(errorOf(reply).code).toBe('cross_origin');
  });

  it('accepts a same-origin Origin', async () => {
    const reply = await api(server, 'catalog', {}, { origin: `http://127.0.0.1:${server.port}` });
    expect(reply.status).toBe(200);
  });
});

describe('API input', () => {
  it('returns 404 for an unknown method, and does not expose prototype keys', async () => {
    for (const method of ['nosuch', 'constructor', '__proto__', 'toString']) {
      const reply = await api(server, method, {});
      expect(reply.status).toBe(404);
      expect(errorOf(reply).code).toBe('not_found');
    }
  });

  it('returns 400 naming the field for a body that breaks the schema', async () => {
    const reply = await api(server, 'listRuns', { limit: 'many' });
    expect(reply.status).toBe(400);
    const err = errorOf(reply);
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/^Invalid input for listRuns: limit: /);
    expect(err.message).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('says "is required" for a missing field', async () => {
    const reply = await api(server, 'preview', { nodeId: 'x' });
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toBe('Invalid input for preview: pipeline: is required');
  });

  it('returns 400 for a body that is not JSON', async () => {
    const reply = await send(server, {
      method: 'POST',
      path: '/api/catalog',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toBe('Request body is not valid JSON.');
  });

  it('applies schema defaults before calling the engine', async () => {
    calls.length = 0;
    const reply = await api(server, 'listRuns', {});
    expect(reply.status).toBe(200);
    expect(calls).toEqual([{ limit: 50 }]);
  });

  it('refuses a body over the size limit', async () => {
    const reply = await api(server, 'validate', { pipeline: 'x'.repeat(4096) });
    expect(reply.status).toBe(413);
  });

  it('refuses GET on the API', async () => {
    const reply = await send(server, { path: '/api/catalog', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(reply.status).toBe(405);
  });
});

describe('API errors', () => {
  it('maps a UserError to 422 with its message and where it happened', async () => {
    const reply = await api(server, 'validate', { pipeline: {} });
    expect(reply.status).toBe(422);
    expect(JSON.parse(reply.text)).toEqual({
      error: {
        code: 'user_error',
        message: 'expression must not be empty',
        where: { nodeId: 'f1', field: 'expression' },
        problems: [{ path: '', nodeId: 'f1', field: 'expression', message: 'expression must not be empty' }],
      },
    });
  });

  it('maps an invalid pipeline to 422 with every problem, so the designer can place them', async () => {
    const reply = await api(server, 'preview', { pipeline: {}, nodeId: 'f1' });
    expect(reply.status).toBe(422);
    const body = JSON.parse(reply.text) as { error: { code: string; message: string; problems: { nodeId: string }[] } };
    expect(body.error.code).toBe('invalid_pipeline');
    expect(body.error.message).toBe('the pipeline has 2 problems; fix them first');
    expect(body.error.problems.map((p) => p.nodeId)).toEqual(['f1', 'f2']);
  });

  it('hides unexpected errors behind a short message and logs the stack', async () => {
    logged.length = 0;
    const reply = await api(server, 'run', { pipeline: {} });
    expect(reply.status).toBe(500);
    expect(reply.text).not.toContain('/secret/path');
    expect(logged.join('\n')).toContain('database exploded');
  });
});

describe('static files', () => {
  it('serves index.html with a strict CSP', async () => {
    const reply = await send(server, { path: '/' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(reply.headers['content-security-policy']);
    const directives = new Map(csp.split(/;\s*/).map((d) => [d.split(' ')[0], d] as const));
    expect(directives.get('script-src')).toBe("script-src 'self'");
    expect(directives.get('style-src')).toBe("style-src 'self'");
    // Only style attributes are relaxed (Monaco positions lines with them); scripts and style elements are not.
    expect(csp.match(/'unsafe-[a-z-]+'/g)).toEqual(["'unsafe-inline'"]);
    expect(directives.get('style-src-attr')).toBe("style-src-attr 'unsafe-inline'");
    expect(directives.get('worker-src')).toBe("worker-src 'self'");
  });

  it('gives every page load its own style nonce, in the policy and in the page', async () => {
    const nonceOf = (reply: { headers: Record<string, unknown>; text: string }) => {
      const inPolicy = /style-src-elem 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(String(reply.headers['content-security-policy']))?.[1];
      const inPage = /<meta property="csp-nonce" content="([^"]+)"/.exec(reply.text)?.[1];
      expect(inPolicy).toBeDefined();
      expect(inPage).toBe(inPolicy);
      return inPolicy;
    };
    const a = nonceOf(await send(server, { path: '/' }));
    const b = nonceOf(await send(server, { path: '/pipelines/demo' }));
    expect(a).not.toBe(b);
    const asset = await send(server, { path: '/assets/app.js' });
    expect(String(asset.headers['content-security-policy'])).not.toContain('nonce-');
  });

  it('serves assets with their type', async () => {
    const reply = await send(server, { path: '/assets/app.js' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/javascript/);
    expect(reply.text).toBe('console.log(1)');
  });

  it('falls back to index.html for app routes but not for missing assets', async () => {
    expect((await send(server, { path: '/pipelines/demo' })).text).toContain('<title>Sluice</title>');
    expect((await send(server, { path: '/assets/missing.js' })).status).toBe(404);
  });

  it('refuses path traversal in every spelling', async () => {
    for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..%5csecret.txt', '/%2e%2e%2f%2e%2e%2fetc/passwd']) {
      const reply = await send(server, { path: p });
      expect(reply.status, p).toBe(403);
      expect(reply.text).not.toContain('top secret');
    }
  });

  it('does not follow a symlink out of the folder', async () => {
    const reply = await send(server, { path: '/link.txt' });
    expect(reply.status).toBe(404);
    expect(reply.text).not.toContain('top secret');
  });

  it('refuses a null byte and malformed escapes', async () => {
    expect((await send(server, { path: '/index.html%00.js' })).status).toBe(403);
    expect((await send(server, { path: '/%E0%A4%A' })).status).toBe(400);
  });
});
