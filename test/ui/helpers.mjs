// Helpers of the Playwright UI tests (test/ui/*.test.mjs), run by scripts/host/ui.mjs in one
// code-server + chromium. Every helper works on the running host's page.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REPO_ROOT } from '../../scripts/host/host.mjs';
import { dismissNotifications, expandRow, openBrokerExplorer, rows, viewPane } from '../../scripts/host/workbench.mjs';
import { uiSession } from './session.mjs';

export { dismissNotifications, expandRow, rows, viewPane, uiSession };

const require = createRequire(path.join(REPO_ROOT, 'package.json'));
const Redis = require('ioredis');

/** The workbench page. */
export function page() {
  return uiSession().page;
}

/** The QuickPick / InputBox widget. */
export const quickInput = () => page().locator('.quick-input-widget');

/** Waits for the QuickPick / InputBox, and for its title to contain `title` when given. */
async function quickInputOpen(title) {
  await quickInput().locator('input.input').first().waitFor({ state: 'visible' });
  if (title !== undefined) await quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
}

const quickTitle = () =>
  quickInput()
    .locator('.quick-input-title')
    .innerText({ timeout: 1000 })
    .catch(() => '');

/** After answering: waits until the widget is gone or shows another prompt (the next question). */
async function quickInputDone(before) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (!(await quickInput().isVisible())) return;
    if ((await quickTitle()) !== before) return;
    await page().waitForTimeout(50);
  }
}

/** Runs a command from the palette by its full title ("Redis: Open in Value Editor"). */
export async function runCommand(title) {
  const p = page();
  await p.keyboard.press('F1');
  await quickInputOpen();
  const input = quickInput().locator('input.input').first();
  await input.fill(`>${title}`);
  const row = quickInput()
    .locator('.monaco-list-row')
    .filter({ has: p.locator('.label-name', { hasText: title }) })
    .first();
  await row.waitFor({ state: 'visible' });
  await row.click();
}

/** Picks the QuickPick entry whose label contains `label` (typing it to filter first); `title`: wait for this prompt first. */
export async function pickQuickPick(label, title) {
  await quickInputOpen(title);
  const before = await quickTitle();
  const input = quickInput().locator('input.input').first();
  await input.fill(label);
  const row = quickInput()
    .locator('.monaco-list-row')
    .filter({ has: page().locator('.label-name', { hasText: label }) })
    .first();
  await row.waitFor({ state: 'visible' });
  await row.click();
  await quickInputDone(before);
}

/** Answers an InputBox with `text` (replacing its value) and Enter; `title`: wait for this prompt first. */
export async function answerInput(text, title) {
  await quickInputOpen(title);
  const before = await quickTitle();
  const input = quickInput().locator('input.input').first();
  await input.fill(text);
  await input.press('Enter');
  await quickInputDone(before);
}

/** The title / prompt shown by the open QuickPick or InputBox. */
export async function quickInputText() {
  await quickInputOpen();
  return (await quickInput().innerText()).trim();
}

/** Expands the Redis (or RabbitMQ) tree along `labels` (exact labels, e.g. ['local', 'db0', 'hash']) and returns the last row. */
export async function treePath(view, labels) {
  await openBrokerExplorer(page());
  const pane = viewPane(page(), view);
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  let row;
  for (const [i, label] of labels.entries()) {
    const re = label instanceof RegExp ? label : new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    row = rows(pane, re).first();
    if (i < labels.length - 1) await expandRow(row, `"${label}"`);
    else await row.waitFor({ state: 'visible' });
  }
  return row;
}

/** Right-clicks a tree row and clicks the context-menu entry `entry`. */
export async function contextMenu(row, entry) {
  await row.click({ button: 'right' });
  const item = page().locator('.monaco-menu .action-item:not(.disabled) .action-label', { hasText: entry }).first();
  await item.waitFor({ state: 'visible' });
  await item.click();
  // Under load the menu sometimes keeps a click that lands while it is still laying out (the entry is
  // highlighted, the menu stays open): the entry has the focus then, and Enter runs it.
  const menu = page().locator('.context-view .monaco-menu').first();
  const closed = await menu.waitFor({ state: 'hidden', timeout: 2_000 }).then(
    () => true,
    () => false,
  );
  if (!closed) {
    await item.hover();
    await page().keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: 5_000 });
  }
}

/**
 * The frame of the visible webview panel (code-server 1.100: the editor's iframe.webview.ready holds
 * #active-frame, the page). `title`: the tab title to pick among several panels.
 */
export function webviewFrame(title) {
  const p = page();
  if (title !== undefined) {
    // a webview's outer iframe carries the panel's title in its `title` attribute
    return p.frameLocator(`iframe.webview.ready[title*="${title.replace(/"/g, '\\"')}"]`).frameLocator('#active-frame');
  }
  return p.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');
}

/** Clicks the button `label` of the modal dialog (a confirmation) the extension shows. */
export async function answerDialog(label) {
  const button = page().locator('.monaco-dialog-box .dialog-buttons .monaco-button', { hasText: label }).first();
  await button.waitFor({ state: 'visible' });
  await button.click();
  await page().locator('.monaco-dialog-box').waitFor({ state: 'hidden' });
}

/** Calls in commandstats of the Redis server (e.g. 'hgetall'): proves what a UI action sent. */
export async function commandCalls(redis, command) {
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await redis.info('commandstats'));
  return m ? Number(m[1]) : 0;
}

/** The text of the visible notification toasts (error sentences shown to the user). */
export async function notifications() {
  const texts = await page().locator('.notification-toast .notification-list-item-message').allInnerTexts();
  return texts.map((t) => t.trim());
}

/** Closes every editor (and webview panel). */
export async function closeAllEditors() {
  await runCommand('View: Close All Editors');
  // A test that left unsaved text (a refused save, say) gets asked whether to save: the text is the test's own, discard it,
  // or the modal would block every test after this one.
  const dontSave = page().locator('.monaco-dialog-box').getByRole('button', { name: "Don't Save" });
  for (let i = 0; i < 5; i++) {
    const asked = await dontSave
      .waitFor({ state: 'visible', timeout: 1000 })
      .then(() => true)
      .catch(() => false);
    if (!asked) break;
    await dontSave.click();
  }
  await page().waitForTimeout(300);
}

/** A fresh ioredis client on 127.0.0.1:6379 (REDIS_HOST / REDIS_PORT override) for seeding and assertions; quit() it. */
export function redisClient(db = 0) {
  const client = new Redis({
    host: process.env.REDIS_HOST || '127.0.0.1',
    port: Number(process.env.REDIS_PORT || 6379),
    db,
    maxRetriesPerRequest: 1,
  });
  client.on('error', () => {
    /* reported through the failing command */
  });
  return client;
}

/**
 * Saves a README screenshot <screenshotDir>/<name>.png (ui.mjs --screenshots media writes media/<name>.png)
 * of the whole window, or of `locator` when given. Returns the file.
 */
export async function saveScreenshot(name, locator) {
  const dir = uiSession().screenshotDir;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page().mouse.move(1, 1);
  await dismissNotifications(page());
  await (locator ?? page()).screenshot({ path: file });
  return file;
}

/** Polls `check` every 100 ms until it returns something truthy (returned), or throws after `timeoutMs`. */
export async function waitUntil(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reloads the Redis tree and collapses it, so a path is found under its own parents only (rows match by label). */
export async function freshRedisTree() {
  await runCommand('Redis: Refresh');
  const pane = viewPane(page(), 'Redis');
  await pane.locator('.pane-header').hover();
  await pane.locator('.pane-header .codicon-collapse-all').first().click();
  await page().waitForTimeout(300);
}

/** The text on the system clipboard (what vscode.env.clipboard wrote), read in the workbench page; grants the permission first. */
export async function clipboardText() {
  const { context, cs } = uiSession();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: cs.origin });
  return page().evaluate(() => navigator.clipboard.readText());
}

/**
 * Reloads the window with "Developer: Reload Window" (the workbench saves its editors and their webview state first, which a
 * bare page reload does not wait for) and waits for the workbench and the extension again.
 */
export async function reloadWindow() {
  const p = page();
  const reloaded = p.waitForEvent('framenavigated', { predicate: (f) => f === p.mainFrame(), timeout: 60_000 });
  await runCommand('Developer: Reload Window');
  await reloaded;
  await p.waitForLoadState('domcontentloaded', { timeout: 60_000 });
  await p.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The side bar comes back as it was (Broker Explorer open) a moment after the workbench: clicking its icon before then
  // would close it again.
  await p
    .locator('.sidebar .pane-header[aria-label^="Redis"]')
    .first()
    .waitFor({ timeout: 20_000 })
    .catch(() => {});
  await openBrokerExplorer(p);
  await dismissNotifications(p);
}

/** Waits until an editor shows `text` (Monaco renders spaces as non-breaking ones: give a regex with . for them). */
export async function seen(text, timeout = 30_000) {
  await page().locator('.view-lines', { hasText: text }).first().waitFor({ state: 'visible', timeout });
}
