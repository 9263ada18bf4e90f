// The walking skeleton, end to end: real engine server, real built renderer, real Chromium.
// Expectations come from the engine over HTTP (catalog, samples), never from constants in this file.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';

// Shapes of the two answers this test reads; kept local because the e2e project compiles on its own.
interface KindInfo {
  kind: string;
  category: string;
  title: string;
  description: string;
}
interface SamplePipeline {
  name: string;
  nodes: { id: string }[];
  edges?: unknown[];
}

const CATEGORY_ORDER = ['source', 'transform', 'quality', 'sink'];
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

function server(): { origin: string; token: string } {
  const origin = process.env.SLUICE_E2E_ORIGIN;
  const token = process.env.SLUICE_E2E_TOKEN;
  if (!origin || !token) throw new Error('global-setup did not start the Sluice server (SLUICE_E2E_ORIGIN / SLUICE_E2E_TOKEN unset)');
  return { origin, token };
}

async function callEngine<T>(request: APIRequestContext, method: string): Promise<T> {
  const { origin, token } = server();
  const res = await request.post(`${origin}/api/${method}`, { headers: { authorization: `Bearer ${token}` }, data: {} });
  expect(res.status(), `${method} answered ${res.status()}: ${await res.text()}`).toBe(200);
  return (await res.json()) as T;
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png` });
}

/** A point on the canvas clear of the loaded nodes: below them if there is room, else the top-left corner. */
async function freeCanvasPoint(page: Page): Promise<{ x: number; y: number }> {
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('the canvas pane is not visible');
  const boxes = await page.locator('.react-flow__node').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { bottom: r.bottom };
    }),
  );
  const lowest = Math.max(pane.y, ...boxes.map((b) => b.bottom));
  const x = Math.round(pane.width / 2);
  if (pane.y + pane.height - lowest > 180) return { x, y: Math.round(lowest - pane.y + 90) };
  return { x: 160, y: 80 };
}

test.use({ colorScheme: 'light' });

test('the designer shows the engine catalog and the first sample, and adds nodes by drag and by keyboard', async ({ page, request }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));

  const catalog = await callEngine<{ engineVersion: string; kinds: KindInfo[] }>(request, 'catalog');
  const samples = await callEngine<{ name: string; pipeline: SamplePipeline }[]>(request, 'samples');
  expect(catalog.kinds.length, 'the engine offers node kinds').toBeGreaterThan(0);

  const { origin, token } = server();
  await page.goto(`${origin}/#token=${token}`);

  // The token leaves the address bar once read.
  await expect(page.getByTestId('palette-item-' + catalog.kinds[0]!.kind)).toBeVisible();
  expect(page.url()).not.toContain('token=');

  // Palette: one group per category present, in pipeline order, with the engine's titles in the engine's order.
  const expectedGroups = CATEGORY_ORDER.filter((c) => catalog.kinds.some((k) => k.category === c));
  const groups = page.locator('[data-testid^="palette-group-"]');
  await expect(groups).toHaveCount(expectedGroups.length);
  expect(await groups.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual(expectedGroups.map((c) => `palette-group-${c}`));
  for (const c of expectedGroups) {
    const kinds = catalog.kinds.filter((k) => k.category === c);
    await expect(page.getByTestId(`palette-group-${c}`).locator('.palette-item__title')).toHaveText(kinds.map((k) => k.title));
    for (const k of kinds) await expect(page.getByTestId(`palette-item-${k.kind}`)).toContainText(k.description.slice(0, 20));
  }

  // Canvas: the first sample's nodes and edges (an edge only draws if both handle ids match port names).
  const canvasNodes = page.locator('[data-testid^="canvas-node-"]');
  const first = samples[0];
  if (first) {
    await expect(page.getByTestId('pipeline-name')).toHaveText(first.pipeline.name);
    for (const n of first.pipeline.nodes) await expect(page.getByTestId(`canvas-node-${n.id}`)).toBeVisible();
    await expect(canvasNodes).toHaveCount(first.pipeline.nodes.length);
    await expect(page.locator('.react-flow__edge')).toHaveCount(first.pipeline.edges?.length ?? 0);
  } else {
    await expect(page.getByTestId('canvas-empty')).toBeVisible();
  }
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await screenshot(page, 'designer-light');

  // Search filters by title or description.
  const probe = catalog.kinds[catalog.kinds.length - 1]!;
  const query = probe.title.toLowerCase();
  const matching = catalog.kinds.filter((k) => [k.title, k.description, k.kind].some((s) => s.toLowerCase().includes(query)));
  await page.getByTestId('palette-search').fill(query);
  // Search also looks through aliases and config schemas (issue 15), so it may find more than these.
  for (const k of matching) await expect(page.getByTestId(`palette-item-${k.kind}`)).toBeVisible();
  await expect(page.getByTestId(`palette-item-${probe.kind}`)).toBeVisible();
  await page.getByTestId('palette-search').fill('');
  await expect(page.locator('[data-testid^="palette-item-"]')).toHaveCount(catalog.kinds.length);

  // Drag a palette item onto the canvas: a new node of that kind appears where it was dropped, selected.
  const dragged = catalog.kinds.find((k) => k.kind === 'filter') ?? catalog.kinds[0]!;
  const before = await canvasNodes.count();
  const target = await freeCanvasPoint(page);
  await page.getByTestId(`palette-item-${dragged.kind}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: target });
  await expect(canvasNodes).toHaveCount(before + 1);
  const added = page.locator('.sl-node.is-selected');
  await expect(added).toHaveCount(1);
  await expect(added).toHaveAttribute('data-kind', dragged.kind);
  await expect(added).toHaveAttribute('data-testid', new RegExp(`^canvas-node-${dragged.kind.replace(/[^A-Za-z0-9_-]/g, '_')}_\\d+$`));
  await expect(added).toContainText(dragged.title);
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const box = (await added.boundingBox())!;
  expect(Math.abs(box.x + box.width / 2 - (pane.x + target.x)), 'dropped node is centred under the pointer').toBeLessThan(24);

  // Keyboard: focus an item and press Enter.
  const keyed = catalog.kinds[0]!;
  await page.getByTestId(`palette-item-${keyed.kind}`).focus();
  await page.keyboard.press('Enter');
  await expect(canvasNodes).toHaveCount(before + 2);
  await expect(page.locator('.sl-node.is-selected')).toHaveAttribute('data-kind', keyed.kind);

  // Dark theme.
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.mouse.move(0, 0);
  await screenshot(page, 'designer-dark');

  expect(problems, 'no console errors, warnings or CSP violations').toEqual([]);
});

test('the API refuses calls without the right token', async ({ request }) => {
  const { origin, token } = server();
  const missing = await request.post(`${origin}/api/catalog`, { data: {} });
  expect(missing.status()).toBe(401);
  expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  const wrong = await request.post(`${origin}/api/catalog`, { headers: { authorization: `Bearer ${token}x` }, data: {} });
  expect(wrong.status()).toBe(401);
});

test('a page with a wrong token says so instead of showing an empty designer', async ({ page }) => {
  const { origin } = server();
  await page.goto(`${origin}/#token=not-the-token`);
  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('refused this page’s access token');
  await expect(banner).toContainText('sluice serve');
  await screenshot(page, 'designer-bad-token');
});

test('a page without a token explains how to open the designer', async ({ page }) => {
  const { origin } = server();
  await page.goto(`${origin}/`);
  await expect(page.getByTestId('error-banner')).toContainText('no access token');
});
