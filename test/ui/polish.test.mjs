// Daily-use polish in the real workbench: the guided Add Connection flow (step numbers, Back changing
// an answer, "Test, then Save"), a `.redis` file's "Run ▶" lens, the file's target in the status bar
// (clicking it moves the next run to another database) and the running-tails item (clicking it lists
// the tails; stopping one lowers the count). Each test leaves no profile, editor, tail or key behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  answerDialog,
  answerInput,
  closeAllEditors,
  dismissNotifications,
  freshRedisTree,
  page,
  pickQuickPick,
  quickInput,
  quickInputText,
  redisClient,
  rows,
  runCommand,
  saveScreenshot,
  seen,
  uiSession,
  viewPane,
  waitUntil,
} from './helpers.mjs';

const DB = 14;
const OTHER_DB = 15;
const PREFIX = 'be-ui-polish:';
const statusItem = (text) => page().locator('.statusbar-item', { hasText: text }).first();

/** Opens a file of the workspace folder through Quick Open (Ctrl/Cmd+P). */
async function openWorkspaceFile(name) {
  await page().keyboard.press('ControlOrMeta+P');
  const input = quickInput().locator('input.input').first();
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  const row = quickInput().locator('.monaco-list-row', { hasText: name }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
  await page().locator('.tab.active', { hasText: name }).waitFor({ state: 'visible' });
}

describe('daily-use polish', function () {
  let redis;
  let other;
  const keys = [`${PREFIX}lens`, `${PREFIX}moved`];
  before(async function () {
    redis = redisClient(DB);
    other = redisClient(OTHER_DB);
    await redis.del(...keys);
    await other.del(...keys);
  });
  after(async function () {
    await closeAllEditors().catch(() => {});
    await redis.del(...keys);
    await other.del(...keys);
    redis.disconnect();
    other.disconnect();
  });

  describe('the guided Add Connection flow', function () {
    const name = `ui-wiz-${process.pid}`;
    after(async function () {
      // Remove the profile through the palette, as a person would (and its stored password with it).
      await page().keyboard.press('Escape');
      const listed = await rows(viewPane(page(), 'Redis'), name)
        .count()
        .catch(() => 0);
      if (listed === 0) return;
      await runCommand('Broker Explorer: Remove Connection…');
      await pickQuickPick('Redis', 'Connection kind');
      await pickQuickPick(name, 'Redis profile');
      await answerDialog('Remove');
      await rows(viewPane(page(), 'Redis'), name).first().waitFor({ state: 'detached' });
    });

    it('numbers its steps, goes Back to change the address, then tests and saves a profile shown in the Redis tree', async function () {
      await dismissNotifications(page());
      await runCommand('Broker Explorer: Add Connection…');
      await pickQuickPick('Redis', 'New connection: kind');
      await answerInput(name, 'New Redis connection: name');
      assert.match(await quickInputText(), /Host and port, or a redis:\/\/ URL/);
      assert.match(await quickInputText(), /\b3\/\d+\b/, 'the address is step 3 of the flow');
      // A wrong port first; Back from the next step shows the address again, and the fix is what gets saved.
      await answerInput('127.0.0.1:1', 'Host and port');
      await quickInput().locator('.quick-input-title', { hasText: 'database' }).waitFor({ state: 'visible' });
      assert.match(await quickInputText(), /\b4\/\d+\b/);
      await quickInput().locator('.codicon-quick-input-back').first().click();
      await quickInput().locator('.quick-input-title', { hasText: 'Host and port' }).waitFor({ state: 'visible' });
      assert.equal(await quickInput().locator('input.input').first().inputValue(), '127.0.0.1:1', 'Back shows the earlier answer');
      assert.match(await quickInputText(), /\b3\/\d+\b/);
      await answerInput('127.0.0.1:6379', 'Host and port');
      await answerInput(String(DB), 'database');
      await answerInput('', 'user name');
      await answerInput('', 'password');
      await quickInput().locator('.quick-input-title', { hasText: 'TLS' }).waitFor({ state: 'visible' });
      await saveScreenshot('wizard');
      await pickQuickPick('No TLS', 'TLS');
      await pickQuickPick('Continue', 'advanced settings');
      // The UI host has a workspace folder open: the flow asks where to save.
      await pickQuickPick('User settings', 'save in');
      const title = await quickInputText();
      const [, step, total] = /\b(\d+)\/(\d+)\b/.exec(title) ?? [];
      assert.equal(step, total, `"save" is the last step: ${title}`);
      await pickQuickPick('Test, then Save', 'save');
      await page()
        .locator('.notification-toast', { hasText: `Connected to "${name}" and saved it` })
        .first()
        .waitFor({ state: 'visible' });
      await freshRedisTree();
      await rows(viewPane(page(), 'Redis'), name).first().waitFor({ state: 'visible' });
    });
  });

  describe('a .redis file', function () {
    const file = 'polish.redis';
    before(function () {
      fs.writeFileSync(
        path.join(uiSession().folder, file),
        [`SET ${PREFIX}lens 1`, `INCR ${PREFIX}lens`, '', `SET ${PREFIX}moved here`, ''].join('\n'),
      );
    });
    after(async function () {
      await closeAllEditors().catch(() => {});
      fs.rmSync(path.join(uiSession().folder, file), { force: true });
    });

    it('"Run ▶" above a block runs that block, shows the results and changes Redis', async function () {
      await openWorkspaceFile(file);
      const lens = page().locator('.codelens-decoration a', { hasText: 'Run ▶' });
      await waitUntil('two Run lenses', async () => (await lens.count()) === 2);
      await statusItem('Redis: no target').waitFor({ state: 'visible' });
      await lens.first().click();
      await answerInput(String(DB), 'database of "local"');
      await seen(new RegExp(`Pipeline.on.local\\[${DB}\\]`));
      await waitUntil('the block ran', async () => (await redis.get(`${PREFIX}lens`)) === '2');
      assert.equal(await redis.exists(`${PREFIX}moved`), 0, 'the other block did not run');
      await seen(/#.2.lines,.0.errors/);
    });

    it('the status bar shows the target; clicking it moves the next run to another database', async function () {
      await openWorkspaceFile(file);
      const item = statusItem(`local · db${DB}`);
      await item.waitFor({ state: 'visible' });
      await saveScreenshot('redis-file', page().locator('.monaco-workbench'));
      await item.click();
      await answerInput(String(OTHER_DB), 'database of "local"');
      await statusItem(`local · db${OTHER_DB}`).waitFor({ state: 'visible' });
      // The next run: Ctrl+Enter on the second block's line (the lenses were clicked in the test above; after a
      // target change VS Code may show them as placeholders for a while, which cannot be clicked).
      await page()
        .locator('.editor-instance .view-line', { hasText: `SET ${PREFIX}moved here` })
        .first()
        .click();
      await page().keyboard.press('Control+Enter');
      await waitUntil(`the block ran on db${OTHER_DB}`, async () => (await other.get(`${PREFIX}moved`)) === 'here');
      assert.equal(await redis.exists(`${PREFIX}moved`), 0, `nothing ran on db${DB}`);
    });
  });

  describe('the running-tails status bar item', function () {
    const channels = [`${PREFIX}news`, `${PREFIX}orders`];
    const tailsLabel = (n) => `${n} ${n === 1 ? 'tail' : 'tails'}`;
    const tailsItem = (n) => statusItem(new RegExp(`(^|\\D)${tailsLabel(n)}\\s*$`));
    /** The count the item shows now (0 while hidden): tests that ran before may have left tails of their own. */
    async function tailCount() {
      const item = statusItem(/\d+ tails?\s*$/);
      if (!(await item.isVisible())) return 0;
      return Number(/(\d+) tails?\s*$/.exec((await item.innerText()).trim())?.[1] ?? 0);
    }
    /** Stops this test's tails still running, through the item's own list. */
    async function stopOwn() {
      for (let i = 0; i < channels.length; i++) {
        if ((await tailCount()) === 0) return;
        await runCommand('Broker Explorer: Running Tails…');
        await quickInput().locator('.quick-input-title', { hasText: 'Running tails' }).waitFor({ state: 'visible' });
        const listed = await quickInput().locator('.monaco-list-row .label-name').allInnerTexts();
        const own = listed.find((l) => l.includes(PREFIX));
        if (!own) {
          await page().keyboard.press('Escape');
          return;
        }
        await pickQuickPick(own, 'Running tails');
        await pickQuickPick('Stop');
      }
    }
    after(async function () {
      await page().keyboard.press('Escape');
      await stopOwn().catch(() => {});
      await closeAllEditors().catch(() => {});
    });

    it('counts the running tails; clicking lists them, and stopping one lowers the count', async function () {
      const before = await tailCount();
      for (const channel of channels) {
        await runCommand('Redis: Subscribe…');
        await answerInput(channel, 'Subscribe on "local"');
      }
      const item = tailsItem(before + 2);
      await item.waitFor({ state: 'visible' });
      const publisher = redisClient(DB);
      try {
        await waitUntil('the subscriptions receive', async () => (await publisher.publish(channels[0], 'hello')) > 0);
      } finally {
        publisher.disconnect();
      }
      await saveScreenshot('tails-status', page().locator('.part.statusbar'));
      await item.click();
      await quickInput().locator('.quick-input-title', { hasText: 'Running tails' }).waitFor({ state: 'visible' });
      const listed = await quickInput().locator('.monaco-list-row .label-name').allInnerTexts();
      assert.equal(listed.length, before + 3, `every tail and "Stop all": ${listed.join(' | ')}`);
      assert.ok(
        channels.every((c) => listed.some((l) => l.includes(c))),
        listed.join(' | '),
      );
      await pickQuickPick(channels[0], 'Running tails');
      await pickQuickPick('Stop');
      await tailsItem(before + 1).waitFor({ state: 'visible' });
      await item.waitFor({ state: 'hidden' });
      await stopOwn();
      if (before === 0) await tailsItem(1).waitFor({ state: 'hidden' });
      else await tailsItem(before).waitFor({ state: 'visible' });
    });
  });
});
