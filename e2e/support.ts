// Shared steps of the designer's e2e stories: reaching the server global-setup started, opening a sample,
// selecting nodes, and keeping screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, type Locator, type Page } from '@playwright/test';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

export function server(): { origin: string; token: string } {
  const origin = process.env.SLUICE_E2E_ORIGIN;
  const token = process.env.SLUICE_E2E_TOKEN;
  if (!origin || !token) throw new Error('global-setup did not start the Sluice server (SLUICE_E2E_ORIGIN / SLUICE_E2E_TOKEN unset)');
  return { origin, token };
}

/** The scratch workspace `sluice serve --workspace` was started with (see global-setup.ts). */
export function workspace(): string {
  const dir = process.env.SLUICE_E2E_WORKSPACE;
  if (!dir) throw new Error('global-setup did not create the e2e workspace (SLUICE_E2E_WORKSPACE unset)');
  return dir;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The pointer would leave hover styles on whatever it last touched.
  await page.mouse.move(1, 1);
  await page.screenshot({ path: `${ARTIFACTS}${name}.png` });
}

/** Console errors, warnings and uncaught exceptions of a page; a story ends by asserting there were none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

export interface PipelineDoc {
  name: string;
  nodes: { id: string; kind: string; label?: string; config: Record<string, unknown>; position: { x: number; y: number } }[];
  edges: { from: { node: string; port: string }; to: { node: string; port: string } }[];
  [key: string]: unknown;
}

export function readSample(file: string): PipelineDoc {
  return JSON.parse(readFileSync(`${ROOT}samples/${file}`, 'utf8')) as PipelineDoc;
}

export interface ExpectedNode {
  nodeId: string;
  status: string;
  rowsIn: number;
  rowsOut: number;
  quarantined: number;
  filtered: number;
}

export function expectedRun(sampleDir: string, file: string): { nodes: ExpectedNode[] } {
  const all = JSON.parse(readFileSync(`${ROOT}samples/${sampleDir}/expected.json`, 'utf8')) as Record<string, { nodes: ExpectedNode[] }>;
  const run = all[file];
  if (!run) throw new Error(`no expected results for ${file}`);
  return run;
}

/** The engine's own canonical serializer (built), so the test does not restate the file format. */
export async function canonical(doc: unknown): Promise<string> {
  const mod = (await import(pathToFileURL(`${ROOT}format/dist/pipeline/save.js`).href)) as { serializePipeline: (p: unknown) => string };
  return mod.serializePipeline(doc);
}

export async function openDesigner(page: Page): Promise<void> {
  const { origin, token } = server();
  await page.goto(`${origin}/#token=${token}`);
  await expect(page.getByTestId('pipeline-name')).toBeVisible();
}

export async function openSample(page: Page, file: string, title: string): Promise<void> {
  await page.getByTestId('open-menu').click();
  await page.getByTestId(`sample-${file}`).click();
  await expect(page.getByTestId('pipeline-name')).toHaveText(title);
}

export function node(page: Page, id: string): Locator {
  return page.getByTestId(`canvas-node-${id}`);
}

/** Clicks a node on its title (clear of its ports) and waits for its preview to settle. */
export async function selectNode(page: Page, id: string, opts: { settle?: boolean } = {}): Promise<void> {
  await node(page, id).locator('.sl-node__title').click();
  await expect(page.getByTestId('inspector')).toHaveAttribute('data-node-id', id);
  if (opts.settle !== false) await previewSettled(page, id);
}

export async function previewSettled(page: Page, id: string): Promise<void> {
  const preview = page.getByTestId('preview');
  await expect(preview).toHaveAttribute('data-node', id);
  await expect(preview).toHaveAttribute('data-phase', /^(ready|error)$/);
}

/** The text of every rendered cell in the grid column with this header name. */
export async function columnCells(page: Page, name: string): Promise<string[]> {
  return page.getByTestId('preview-grid').evaluate((grid, col) => {
    const heads = Array.from(grid.querySelectorAll('[role="columnheader"]'));
    const index = heads.findIndex((h) => h.querySelector('.grid__head-name')?.textContent === col);
    if (index < 0) return [];
    return Array.from(grid.querySelectorAll('.grid__body [role="row"]')).map((r) => r.children[index]?.textContent ?? '');
  }, name);
}

/** Drags from one port handle to another with the mouse, as a user connects two nodes. */
export async function dragHandle(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('handle not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 4 });
  await page.mouse.up();
}

export function handle(page: Page, nodeId: string, side: 'in' | 'out', port: string): Locator {
  return node(page, nodeId).locator(`.sl-port--${side}[data-port="${port}"] .react-flow__handle`);
}

/** The Monaco editor of a SQL or expression field, by its config path (`expression`, `columns[0].expression`). */
export function codeEditor(page: Page, field: string): Locator {
  return page.locator(`[data-field="${field}"] [data-testid="code-input"]`);
}

/** Replaces the text of a code field by typing, as a user does (so completion and checks react as they would). */
export async function replaceCode(page: Page, field: string, text: string): Promise<void> {
  const editor = codeEditor(page, field);
  await editor.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}
