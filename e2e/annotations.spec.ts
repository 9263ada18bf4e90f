// Sticky notes and node groups (issue 15): added from the canvas controls, Markdown shown as formatted text
// (HTML in a note stays text), a group framing its nodes and dragged with them, keyboard moves and deletes,
// saved in the pipeline file and drawn again when it is opened; axe finds nothing critical or serious on them.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { node, openDesigner, openSample, screenshot, watchConsole, workspace } from './support.js';

const FILE = 'annotated.json';

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });
    // The e2e workspace is shared: a file saved here must not show up in another spec's Open dialog.
    test.afterAll(() => rmSync(path.join(workspace(), theme === 'light' ? FILE : `dark-${FILE}`), { force: true }));

    test(`notes and groups: write, move, group, save and reopen (${theme})`, async ({ page }) => {
      const problems = watchConsole(page);
      const file = theme === 'light' ? FILE : `dark-${FILE}`;
      rmSync(path.join(workspace(), file), { force: true });
      await openDesigner(page);
      await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');

      // A note: added from the controls, typed as Markdown, shown formatted; its HTML is shown as text.
      await page.getByTestId('add-note').click();
      const note = page.getByTestId('note-note_1');
      await expect(note).toBeVisible();
      await page.getByTestId('note-input-note_1').fill('## Why this check\nRows with **no customer** go to <b>rejects</b>.\n- see the runbook');
      await page.keyboard.press('Escape');
      const body = page.getByTestId('note-body-note_1');
      await expect(body.locator('h4')).toHaveText('Why this check');
      await expect(body.locator('strong')).toHaveText('no customer');
      await expect(body.locator('b')).toHaveCount(0);
      await expect(body).toContainText('<b>rejects</b>');
      await expect(body.locator('li')).toHaveText('see the runbook');
      await expect(page.getByTestId('dirty-marker')).toBeVisible();

      // The keyboard moves the focused note (one grid step per arrow) and does not touch the nodes.
      await note.focus();
      const before = (await note.boundingBox())!;
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await expect.poll(async () => Math.round((await note.boundingBox())!.x - before.x)).toBeGreaterThan(4);
      await expect(node(page, 'typed')).toBeVisible();

      // A group of two selected nodes: a titled frame around both; renamed from the keyboard.
      await node(page, 'orders').locator('.sl-node__title').click();
      await node(page, 'typed').locator('.sl-node__title').click({ modifiers: ['Control'] });
      await page.getByTestId('group-nodes').click();
      const group = page.getByTestId('group-group_1');
      await expect(group).toBeVisible();
      const frame = (await group.boundingBox())!;
      for (const id of ['orders', 'typed']) {
        const b = (await node(page, id).boundingBox())!;
        expect(b.x > frame.x && b.y > frame.y && b.x + b.width < frame.x + frame.width && b.y + b.height < frame.y + frame.height, `${id} is inside the group's frame`).toBe(true);
      }
      const title = group.locator('.sl-group__title');
      await title.focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('group-input-group_1').fill('Read and type');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('group-title-group_1')).toHaveText('Read and type');

      // Dragging the group's title moves its nodes with it, and not the others.
      const ordersAt = (await node(page, 'orders').boundingBox())!;
      const checksAt = (await node(page, 'checks').boundingBox())!;
      const t = (await page.getByTestId('group-title-group_1').boundingBox())!;
      await page.mouse.move(t.x + 10, t.y + t.height / 2);
      await page.mouse.down();
      await page.mouse.move(t.x + 40, t.y + t.height / 2 + 60, { steps: 5 });
      await page.mouse.up();
      const ordersNow = (await node(page, 'orders').boundingBox())!;
      expect(Math.round(ordersNow.y - ordersAt.y)).toBeGreaterThan(30);
      expect((await node(page, 'checks').boundingBox())!.y).toBeCloseTo(checksAt.y, 0);
      // One drag is one undo step.
      await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Control+z');
      await expect.poll(async () => Math.round((await node(page, 'orders').boundingBox())!.y)).toBe(Math.round(ordersAt.y));
      await page.keyboard.press('Control+Shift+z');
      await expect.poll(async () => Math.round((await node(page, 'orders').boundingBox())!.y)).toBe(Math.round(ordersNow.y));

      const canvasViolations = (await new AxeBuilder({ page }).include('.canvas').exclude('.react-flow__attribution').analyze()).violations
        .filter((v) => v.impact === 'critical' || v.impact === 'serious')
        .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
      expect(canvasViolations).toEqual([]);
      await screenshot(page, `annotations-${theme}`);

      // Saved in the file, and drawn again when the file is opened.
      await page.keyboard.press('Control+Shift+s');
      await page.getByTestId('save-name').fill(file.replace(/\.json$/, ''));
      await page.getByTestId('save-confirm').click();
      await expect(page.getByTestId('document-file')).toHaveText(file);
      const saved = JSON.parse(readFileSync(path.join(workspace(), file), 'utf8')) as { annotations?: { notes: { id: string; text: string }[]; groups: { title: string; nodes: string[] }[] } };
      expect(saved.annotations?.notes.map((n) => n.text)).toEqual(['## Why this check\nRows with **no customer** go to <b>rejects</b>.\n- see the runbook']);
      expect(saved.annotations?.groups).toEqual([{ id: 'group_1', title: 'Read and type', nodes: ['orders', 'typed'] }]);
      await page.getByTestId('open-menu').click();
      await page.getByTestId('new-document').click();
      await expect(page.getByTestId('note-note_1')).toHaveCount(0);
      await page.getByTestId('open-menu').click();
      await page.getByTestId('open-document').click();
      await page.getByTestId(`workspace-file-${file}`).dblclick();
      await expect(page.getByTestId('note-body-note_1').locator('strong')).toHaveText('no customer');
      await expect(page.getByTestId('group-title-group_1')).toHaveText('Read and type');

      // Delete from the keyboard: the note goes; removing the group leaves its nodes.
      await page.getByTestId('note-note_1').focus();
      await page.keyboard.press('Delete');
      await expect(page.getByTestId('note-note_1')).toHaveCount(0);
      await page.getByTestId('group-group_1').locator('.sl-group__title').focus();
      await page.keyboard.press('Delete');
      await expect(page.getByTestId('group-group_1')).toHaveCount(0);
      await expect(node(page, 'orders')).toBeVisible();
      await expect(node(page, 'typed')).toBeVisible();
      expect(problems).toEqual([]);
    });
  });
}
