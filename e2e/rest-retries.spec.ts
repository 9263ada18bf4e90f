// A REST source in the designer: transient failures are retried and the node says so with a retry badge; a
// dead service opens the circuit breaker, and the node shows "circuit open" with the error. This spec starts its
// own small API and its own `sluice serve --allow-host` for it (the shared server allows no host).
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { node, openDesigner, previewSettled, ROOT, screenshot, watchConsole } from './support.js';

test.use({ colorScheme: 'light' });

let api: http.Server;
let host = '';
let dead = false;
const attempts = new Map<string, number>();
let designer: ChildProcess;
let link = '';

test.beforeAll(async () => {
  // Four pages of five records (a fifth, empty, ends paging); the first attempt at every page answers 503.
  api = http.createServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
    const n = (attempts.get(String(page)) ?? 0) + 1;
    attempts.set(String(page), n);
    if (dead || n === 1) {
      res.writeHead(503, { 'content-type': 'application/json' });
      return res.end('{"error":"unavailable"}');
    }
    const items = page > 4 ? [] : Array.from({ length: 5 }, (_, i) => ({ id: (page - 1) * 5 + i + 1, name: `r${(page - 1) * 5 + i + 1}` }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(api.address() as AddressInfo).port}`;
  designer = spawn(process.execPath, [path.join(ROOT, 'engine', 'bin', 'sluice.js'), 'serve', '--port', '0', '--no-open', '--allow-host', host], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  link = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sluice serve printed no link: ${out}`)), 30_000);
    designer.stdout?.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const m = /Sluice designer: (http:\/\/\S+#token=\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
});

test.afterAll(async () => {
  // Everything this file started ends here, so the test worker can exit: the designer process (waited for) and
  // the fake API with any keep-alive connection still open to it.
  if (designer && designer.exitCode === null) {
    const exited = new Promise<void>((resolve) => designer?.once('exit', () => resolve()));
    designer.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (designer.exitCode === null) designer.kill('SIGKILL');
  }
  api.closeAllConnections();
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

function restPipeline(): string {
  return JSON.stringify({
    version: 1,
    name: 'REST orders',
    nodes: [
      {
        id: 'fetch_orders',
        kind: 'source.rest',
        config: {
          url: `http://${host}/orders`,
          recordsPath: 'items',
          pagination: { type: 'page', size: 5 },
          retry: { maxAttempts: 4, baseMs: 10, maxMs: 40 },
          breaker: { failureThreshold: 3, coolDownMs: 60_000 },
        },
        position: { x: 100, y: 100 },
      },
    ],
    edges: [],
  });
}

test('retries show on the node; a dead service opens the circuit and the node says so', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(link);
  await expect(page.getByTestId('pipeline-name')).toBeVisible();
  await page.getByTestId('file-input').setInputFiles({ name: 'rest.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(restPipeline()) });
  await expect(page.getByTestId('pipeline-name')).toHaveText('REST orders');

  // The config form is generated from the node's schema, retry policy and breaker included.
  await node(page, 'fetch_orders').locator('.sl-node__title').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toHaveAttribute('data-node-id', 'fetch_orders');
  await expect(inspector.getByText('Attempts per request, the first included (1 = no retry)')).toBeVisible();
  await expect(inspector.getByText('Consecutive failures that open the circuit')).toBeVisible();
  await screenshot(page, 'rest-form');
  // Selecting the source previews it, which calls the API too: let that finish before counting the run's attempts.
  await previewSettled(page, 'fetch_orders');

  attempts.clear();
  await page.getByTestId('run-button').click();
  await expect(node(page, 'fetch_orders')).toHaveAttribute('data-status', /^(ok|warning)$/, { timeout: 20_000 });
  await expect(page.getByTestId('node-run-fetch_orders')).toHaveText(/^20 in · 20 out(Q \d+)?$/);
  const badge = page.getByTestId('io-badge-fetch_orders');
  await expect(badge).toHaveText('↻ 5 retries');
  await expect(badge).toHaveAttribute('data-breaker', 'closed');
  await expect(badge).toHaveAttribute('title', /^10 requests · 5 retries · 5 failed · circuit closed · .* waiting · last error: 503$/);
  await screenshot(page, 'rest-retries');

  dead = true;
  await page.getByTestId('run-button').click();
  await expect(node(page, 'fetch_orders')).toHaveAttribute('data-status', 'failed', { timeout: 20_000 });
  await expect(page.getByTestId('io-badge-fetch_orders')).toHaveText('circuit open');
  await expect(page.getByTestId('node-run-fetch_orders')).toHaveAttribute('title', new RegExp(`circuit open: ${host.replace(/\./g, '\\.')} failed 3 times in a row`));
  await screenshot(page, 'rest-circuit-open');
  expect(problems).toEqual([]);
});

test('the shared designer allows no host until the user lists it under "Network hosts"', async ({ page }) => {
  const problems = watchConsole(page);
  dead = false;
  await openDesigner(page);
  await page.getByTestId('file-input').setInputFiles({ name: 'rest.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(restPipeline()) });
  await expect(page.getByTestId('pipeline-name')).toHaveText('REST orders');

  attempts.clear();
  await page.getByTestId('run-button').click();
  await expect(node(page, 'fetch_orders')).toHaveAttribute('data-status', 'failed', { timeout: 20_000 });
  await expect(page.getByTestId('run-summary').getByRole('alert')).toContainText(`host ${host} is not allowed for this run`);
  await expect(page.getByTestId('run-summary').getByRole('alert')).toContainText('"Network hosts" in the pipeline\'s settings');
  // Refused before anything was sent.
  expect(attempts.size).toBe(0);

  // The pipeline's settings show when no node is selected.
  await page.keyboard.press('Escape');
  const hosts = page.getByTestId('run-allow-hosts');
  await hosts.fill(`${host}, api.example.com:http`);
  await expect(page.getByTestId('pipeline-inspector')).toContainText('not a host: api.example.com:http');
  await hosts.fill(host);
  await expect(page.getByTestId('pipeline-inspector')).toContainText('The only hosts REST sources may reach');
  // Beside it, the environment variables this window's runs may read secrets from (also never in the file).
  const env = page.getByTestId('run-allow-env');
  await env.fill('1BAD');
  await expect(page.getByTestId('pipeline-inspector')).toContainText('not a variable name: 1BAD');
  await env.fill('ORDERS_TOKEN');
  await expect(page.getByTestId('pipeline-inspector')).toContainText('besides SLUICE_SECRET_');
  await screenshot(page, 'rest-network-hosts');
  await page.getByTestId('run-button').click();
  await expect(node(page, 'fetch_orders')).toHaveAttribute('data-status', /^(ok|warning)$/, { timeout: 20_000 });
  await expect(page.getByTestId('node-run-fetch_orders')).toHaveText(/^20 in · 20 out(Q \d+)?$/);
  expect(problems).toEqual([]);
});
