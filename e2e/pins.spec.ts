// Pipeline tests from pinned data: "Pin this data" on a node's preview keeps its result over the first lines of
// the source beside the saved file; `sluice test` passes on it; a changed rule fails it with a readable diff, in
// the designer's Tests tab and from the CLI; a pin can be removed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT, openDesigner, screenshot, selectNode, watchConsole, workspace } from './support.js';

const FILE = 'pin-story.json';
const PINS = 'pin-story.tests';

function sluiceTest(): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'engine', 'bin', 'sluice.js'), 'test', path.join(workspace(), FILE)], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test.use({ colorScheme: 'light' });
test.afterAll(() => {
  rmSync(path.join(workspace(), FILE), { force: true });
  rmSync(path.join(workspace(), PINS), { recursive: true, force: true });
});

test('a pinned node becomes a passing sluice test; a changed rule fails it with a diff', async ({ page }) => {
  const problems = watchConsole(page);
  copyFileSync(path.join(workspace(), 'orders.pipeline.json'), path.join(workspace(), FILE));
  await openDesigner(page);
  await page.getByTestId('open-menu').click();
  await page.getByTestId('open-document').click();
  await page.getByTestId(`workspace-file-${FILE}`).click();
  await page.getByTestId('open-confirm').click();
  await expect(page.getByTestId('document-file')).toHaveText(FILE);

  await selectNode(page, 'checks');
  await page.getByTestId('pin-data').click();
  await expect(page.getByTestId('pin-data')).toHaveText('Pin again');
  expect(readdirSync(path.join(workspace(), PINS)).sort()).toEqual(['checks.expected.json', 'orders.fixture.csv']);

  const passing = sluiceTest();
  expect(passing.out).toContain('PASS Order rules (checks)');
  expect(passing.code).toBe(0);

  await page.getByTestId('tab-tests').click();
  await expect(page.getByTestId('pin-checks')).toContainText('expects 10 rows, 3 quarantined, 0 filtered');
  await expect(page.getByTestId('pin-orders')).toContainText('input: first 22 lines of its file');
  await page.getByTestId('tests-run').click();
  await expect(page.getByTestId('tests-verdict')).toHaveText('all passed');
  await expect(page.getByTestId('pin-checks')).toHaveAttribute('data-result', 'pass');
  await screenshot(page, 'pins-passing');

  // quantity must now be at least 2: five more rows are quarantined by quantity_positive.
  const min = page.getByTestId('config-form').locator('[data-field="rules[1].min"]');
  await min.locator('input').fill('2');
  await page.getByTestId('tests-run').click();
  await expect(page.getByTestId('tests-verdict')).toHaveText('1 failed');
  const diffs = page.getByTestId('pin-diffs-checks');
  await expect(diffs).toContainText('quarantined by rule quantity_positive: expected 1, got 6');
  await expect(diffs).toContainText('count quarantined: expected 3, got 7');
  await expect(diffs.getByTestId('pin-diff-rows').first()).toContainText('- [1002,"C002","2026-01-03","FR",1,"5.50","shipped"]');
  await expect(page.getByTestId('tab-tests')).toContainText('1 failed');
  await screenshot(page, 'pins-failing');

  // Saved, the same change fails `sluice test` too, exit 1, with the same diff.
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
  const failing = sluiceTest();
  expect(failing.code).toBe(1);
  expect(failing.out).toContain('FAIL Order rules (checks)');
  expect(failing.out).toContain('quarantined by rule quantity_positive: expected 1, got 6');

  // Removing the pin removes its expectation; the source's fixture stays until removed itself.
  await page.getByTestId('pin-remove-checks').click();
  await expect(page.getByTestId('pin-checks')).toHaveCount(0);
  expect(existsSync(path.join(workspace(), PINS, 'checks.expected.json'))).toBe(false);
  await expect(page.getByTestId('pin-orders')).toBeVisible();
  expect(problems).toEqual([]);
});
