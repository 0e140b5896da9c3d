// The Redis tree in the real workbench: a multi-selection (click, Ctrl+click) deleted with the
// Delete key asks once, with the count, and deletes exactly the selected keys.
import assert from 'node:assert/strict';
import { freshRedisTree, page, redisClient, rows, runCommand, saveScreenshot, treePath, viewPane } from './helpers.mjs';

const DB = 14;
const PREFIX = 'be-ui-trees:';
const SELECTED = ['a', 'b', 'c'].map((k) => `${PREFIX}${k}`);
const KEPT = `${PREFIX}kept`;

describe('Redis tree multi-selection', function () {
  let redis;
  before(async function () {
    redis = redisClient(DB);
    await redis.del(...SELECTED, KEPT);
    await redis.mset(...SELECTED.flatMap((k) => [k, 'v']), KEPT, 'stays');
  });
  after(async function () {
    await freshRedisTree().catch(() => {}); // leave no db14 rows expanded for the next file's paths
    await redis.del(...SELECTED, KEPT);
    redis.disconnect();
  });

  it('Delete on three selected keys asks once with the count and deletes only those keys', async function () {
    await freshRedisTree();
    const first = await treePath('Redis', ['local', `db${DB}`, 'string', SELECTED[0]]);
    const pane = viewPane(page(), 'Redis');
    await first.click();
    for (const key of SELECTED.slice(1))
      await rows(pane, key)
        .first()
        .click({ modifiers: ['ControlOrMeta'] });
    const selected = await pane.locator('.monaco-list-row.selected .label-name').allInnerTexts();
    assert.deepEqual(selected.map((t) => t.trim()).sort(), SELECTED);
    await saveScreenshot('trees-multiselect', pane);
    // Clicking a key opens it in an editor, which may take the focus: give it back to the tree (the selection stays).
    await page().waitForTimeout(1000);
    await pane.locator('.monaco-list').first().focus();
    await page().keyboard.press('Delete');
    const dialog = page().locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.innerText(), new RegExp(`Delete 3 keys from db${DB} of "local"\\?`));
    // Only one question: the dialog's own button deletes, and no other prompt follows.
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const deadline = Date.now() + 10_000;
    while ((await redis.exists(...SELECTED)) > 0 && Date.now() < deadline) await page().waitForTimeout(100);
    assert.equal(await redis.exists(...SELECTED), 0);
    assert.equal(await redis.get(KEPT), 'stays');
    assert.equal(await page().locator('.monaco-dialog-box').count(), 0);
    // The tree reloads without the deleted keys.
    await rows(pane, KEPT).first().waitFor({ state: 'visible' });
    await rows(pane, SELECTED[0]).first().waitFor({ state: 'detached' });
  });
});
