// Playwright helpers for the VS Code workbench in code-server (1.100): the settings of the "local"
// profiles, view panes and tree rows, notifications. Shared by scripts/host/screenshot.mjs and the
// UI tests (test/ui/helpers.mjs).
import { DEFAULT_SETTINGS } from './host.mjs';

/** User settings of the UI hosts: DEFAULT_SETTINGS, a Redis and a RabbitMQ profile "local", a quiet workbench. */
export const UI_SETTINGS = {
  ...DEFAULT_SETTINGS,
  'brokerExplorer.redis.profiles': [{ name: 'local', host: '127.0.0.1', port: 6379, db: 0 }],
  'brokerExplorer.rabbitmq.profiles': [{ name: 'local', url: 'amqp://guest@127.0.0.1:5672/', managementUrl: 'http://127.0.0.1:15672' }],
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'workbench.layoutControl.enabled': false,
  'window.commandCenter': false,
  'editor.minimap.enabled': false,
};

/** The view pane (header + body) of a view, found by its header title. */
export function viewPane(page, title) {
  return page.locator('.sidebar .pane').filter({ has: page.locator(`.pane-header[aria-label^="${title}"]`) });
}

/** Tree rows of a pane whose label (not description) matches. */
export function rows(pane, label) {
  return pane.locator('.monaco-list-row').filter({ has: pane.page().locator('.label-name', { hasText: label }) });
}

/** Expands a tree row (waits for it to appear, clicks it unless expanded, waits for aria-expanded). */
export async function expandRow(row, what, timeout = 60_000) {
  await row
    .first()
    .waitFor({ state: 'visible', timeout })
    .catch(() => {
      throw new Error(`the tree row ${what} did not appear within ${timeout / 1000} s`);
    });
  if ((await row.first().getAttribute('aria-expanded')) !== 'true') await row.first().click();
  await row
    .first()
    .locator('xpath=self::*[@aria-expanded="true"]')
    .waitFor({ timeout })
    .catch(() => {
      throw new Error(`the tree row ${what} did not expand within ${timeout / 1000} s`);
    });
}

/** Closes the notification toasts (e.g. "extension development host" hints). */
export async function dismissNotifications(page) {
  for (let i = 0; i < 10; i++) {
    const close = page.locator('.notification-toast-container .codicon-notifications-clear');
    if ((await close.count()) === 0) break;
    await close
      .first()
      .click({ timeout: 2000 })
      .catch(() => {});
    await page.waitForTimeout(200);
  }
}

/** Opens the Broker Explorer side bar (clicks its activity bar entry); fails when the extension did not load. */
export async function openBrokerExplorer(page, timeout = 60_000) {
  const icon = page
    .locator(
      '.part.activitybar .action-item [aria-label^="Broker Explorer"], .part.activitybar .action-item[aria-label^="Broker Explorer"]',
    )
    .first();
  await icon.waitFor({ state: 'visible', timeout }).catch(() => {
    throw new Error(`no "Broker Explorer" activity bar entry within ${timeout / 1000} s (extension not loaded?)`);
  });
  const visible = await page.locator('.sidebar .pane-header[aria-label^="Redis"]').first().isVisible();
  if (!visible) await icon.click();
  await page.locator('.sidebar .pane-header[aria-label^="Redis"]').first().waitFor({ timeout });
}
