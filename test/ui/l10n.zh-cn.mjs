// The workbench in 简体中文 (scripts/host/ui.mjs --locale zh-cn: code-server with --locale zh-cn and the
// minimal local language pack test/ui/langpack-zh-cn). VS Code's own strings stay English (the pack
// carries none); the extension's come from package.nls.zh-cn.json (manifest) and
// l10n/bundle.l10n.zh-cn.json (vscode.l10n in the ui, @vscode/l10n in core and in the pages). The
// expected texts are read from those files, so the test checks that the bundles are the ones shown.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/host/host.mjs';
import {
  answerInput,
  closeAllEditors,
  page,
  redisClient,
  rows,
  runCommand,
  saveScreenshot,
  treePath,
  viewPane,
  waitUntil,
  webviewFrame,
} from './helpers.mjs';

const read = (file) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'));
const nls = read('package.nls.zh-cn.json');
const bundle = read('l10n/bundle.l10n.zh-cn.json');

/** The zh-cn text of an l10n.t message, its `{n}` filled in. */
function t(message, ...args) {
  const entry = bundle[message];
  assert.ok(entry !== undefined, `l10n/bundle.l10n.zh-cn.json has no "${message}"`);
  const text = typeof entry === 'string' ? entry : entry.message;
  return text.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)]));
}

const DB = 9;
const PREFIX = 'be-ui-zh:';
const KEYS = ['a', 'b', 'c'].map((k) => `${PREFIX}${k}`);
const HASH = `${PREFIX}hash`;

describe('简体中文 (local language pack)', function () {
  let redis;
  before(async function () {
    redis = redisClient(DB);
    await redis.del(...KEYS, HASH);
    await redis.mset(...KEYS.flatMap((k) => [k, 'v']));
    await redis.hset(HASH, { a: '1', b: '2', c: '3' });
  });
  after(async function () {
    await closeAllEditors().catch(() => {});
    await redis.del(...KEYS, HASH);
    redis.disconnect();
  });

  it('the command palette lists the commands under their zh-cn titles', async function () {
    const title = `${nls['category.redis']}: ${nls['command.redis.openValueEditor.title']}`;
    assert.notEqual(nls['command.redis.openValueEditor.title'], 'Open in Value Editor');
    const p = page();
    await p.keyboard.press('F1');
    const input = p.locator('.quick-input-widget input.input').first();
    await input.fill(`>${nls['command.redis.openValueEditor.title']}`);
    const row = p
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ has: p.locator('.label-name', { hasText: title }) })
      .first();
    await row.waitFor({ state: 'visible' });
    await p.keyboard.press('Escape');
  });

  it('the Redis tree, a confirmation and its buttons speak zh-cn, and deleting through them works', async function () {
    const dbRow = await treePath('Redis', ['local', `db${DB}`]);
    const pane = viewPane(page(), 'Redis');
    // a ui sentence with a count in the display language's digits
    const expected = t('{0} keys', (await redis.dbsize()).toLocaleString('zh-CN'));
    await waitUntil(`db${DB}'s description "${expected}"`, async () => (await dbRow.innerText()).includes(expected));
    const first = await treePath('Redis', ['local', `db${DB}`, 'string', KEYS[0]]);
    await first.click();
    for (const key of KEYS.slice(1))
      await rows(pane, key)
        .first()
        .click({ modifiers: ['ControlOrMeta'] });
    await page().waitForTimeout(1000);
    await pane.locator('.monaco-list').first().focus();
    await page().keyboard.press('Delete');
    const dialog = page().locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    const text = await dialog.innerText();
    assert.ok(text.includes(t('Delete {0} keys from db{1} of "{2}"?', 3, DB, 'local')), text);
    assert.ok(text.includes(t('UNLINK: this cannot be undone.')), text);
    await saveScreenshot('screenshot-zh-cn');
    await dialog.getByRole('button', { name: t('Delete'), exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await waitUntil('the three keys deleted', async () => (await redis.exists(...KEYS)) === 0);
  });

  it('the value editor page speaks zh-cn too (its bundle from the page data, counts in the display language)', async function () {
    await runCommand(`${nls['category.redis']}: ${nls['command.redis.openValueEditor.title']}`);
    await answerInput(String(DB));
    await answerInput(HASH);
    const frame = webviewFrame();
    const facts = frame.locator('.ve-facts');
    await facts.waitFor();
    const text = await facts.innerText();
    assert.ok(text.includes(t('{0} fields', 3)), text);
    assert.ok(text.includes(t('TTL {0}', t('none'))), text);
    await frame
      .locator('.ve-status')
      .getByText(t('loaded {0} of {1}', 3, 3))
      .waitFor();
  });
});
