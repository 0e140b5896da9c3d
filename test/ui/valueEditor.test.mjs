// The value editor in the real workbench: opened from the palette and from a key's context menu.
import assert from 'node:assert/strict';
import { answerInput, closeAllEditors, contextMenu, redisClient, runCommand, treePath, webviewFrame } from './helpers.mjs';

const PREFIX = 'be-ui-grid:';

describe('value editor', function () {
  let redis;
  before(async function () {
    redis = redisClient(0);
    await redis.del(`${PREFIX}small`);
    await redis.hset(`${PREFIX}small`, { alpha: '1', beta: 'two', gamma: '{"x":3}' });
  });
  after(async function () {
    await closeAllEditors().catch(() => {});
    await redis.del(`${PREFIX}small`);
    redis.disconnect();
  });

  it('opens a hash from the palette and shows its header and rows', async function () {
    await runCommand('Redis: Open in Value Editor');
    await answerInput('0', 'database of "local"');
    await answerInput(`${PREFIX}small`, 'key in db0');
    const frame = webviewFrame();
    await frame.locator('.ve-header').getByText('hash').waitFor();
    const header = await frame.locator('.ve-header').innerText();
    assert.match(header, /be-ui-grid:small/);
    assert.match(header, /hash · 3/);
    const cells = await frame.locator('td').allInnerTexts();
    assert.deepEqual(new Set(cells), new Set(['alpha', '1', 'beta', 'two', 'gamma', '{"x":3}']));
    assert.match(await frame.locator('.ve-status').innerText(), /loaded 3 of 3/);
    await closeAllEditors();
  });

  it('opens a hash from its context menu in the Redis tree', async function () {
    const row = await treePath('Redis', ['local', 'db0', 'hash', `${PREFIX}small`]);
    await contextMenu(row, 'Open in Value Editor');
    const frame = webviewFrame();
    await frame.locator('.ve-status').getByText('loaded 3 of 3').waitFor();
    await closeAllEditors();
  });
});
