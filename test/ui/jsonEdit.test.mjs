// Editing a hash as a JSON document in the real workbench (code-server + chromium): opened from the
// key's context menu, a value changed by typing and saved with Ctrl+S (checked in Redis, TTL kept),
// then a value of the wrong shape marked at its place. Screenshot: media/json-edit.png.
// Keys: db 0, prefix be-ui-json:.
import assert from 'node:assert/strict';
import { closeAllEditors, contextMenu, page, redisClient, saveScreenshot, treePath, waitUntil } from './helpers.mjs';

const KEY = 'be-ui-json:user:1';

/** The visible text editor's line holding `text`. */
function line(text) {
  return page().locator('.editor-instance .monaco-editor .view-line', { hasText: text }).first();
}

describe('JSON document editing', function () {
  let redis;
  before(async function () {
    redis = redisClient(0);
    await redis.del(KEY);
    await redis.hset(KEY, { name: 'Ada', born: '1815', city: 'London', field: 'mathematics' });
    await redis.expire(KEY, 3600);
  });
  after(async function () {
    await closeAllEditors().catch(() => undefined);
    await redis.del(KEY);
    await redis.quit();
  });

  it('a hash opened as JSON from the tree is edited by typing, saved with Ctrl+S, and a wrong value is marked', async function () {
    const row = await treePath('Redis', ['local', 'db0', 'hash', KEY]);
    await contextMenu(row, 'Edit Value as JSON');
    const tab = page().locator('.tabs-container .tab', { hasText: 'user:1.json' }).first();
    await tab.waitFor({ state: 'visible' });
    await line('"name": "Ada"').waitFor({ state: 'visible' });

    // Double-click the word Ada and type over it, then save.
    await line('"name": "Ada"')
      .locator('span[class^="mtk"]', { hasText: /^"Ada"$/ })
      .first()
      .dblclick();
    await page().keyboard.type('Grace');
    await page().keyboard.press('Control+S');
    await waitUntil('the field saved in Redis', async () => (await redis.hget(KEY, 'name')) === 'Grace');
    assert.deepEqual(await redis.hgetall(KEY), { name: 'Grace', born: '1815', city: 'London', field: 'mathematics' });
    assert.ok((await redis.ttl(KEY)) > 3500, 'the TTL is kept');

    // A number where text is fine; a list where a hash value must be text: marked at its place, nothing saved.
    await line('"city": "London"')
      .locator('span[class^="mtk"]', { hasText: /^"London"$/ })
      .first()
      .dblclick();
    for (const key of ['ArrowLeft', 'ArrowLeft', 'Shift+End', 'Delete']) await page().keyboard.press(key);
    await page().keyboard.insertText('["London", "Paris"],');
    const squiggle = page().locator('.editor-instance .monaco-editor .squiggly-error').first();
    await squiggle.waitFor({ state: 'visible' });
    // The Problems panel names it in the extension's words.
    await page().keyboard.press('Control+Shift+M');
    await page()
      .locator('.markers-panel-container', { hasText: 'A hash value must be a string or { "hex": "…" }.' })
      .first()
      .waitFor({ state: 'visible' });
    await saveScreenshot('json-edit');
    await page().locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page().keyboard.press('Control+S');
    await page().waitForTimeout(1000);
    assert.equal(await redis.hget(KEY, 'city'), 'London', 'nothing written');
    await page().keyboard.press('Control+Z');
  });
});
