#!/usr/bin/env node
// Playwright UI tests in the real workbench: starts code-server (profile "local" for Redis and
// RabbitMQ, the extension from this repo) and headless chromium ONCE, then runs every test file's
// tests sequentially with mocha (spec reporter: "N passing / N failing / N pending"), screenshots a
// failing test, and always stops both.
//
//   node scripts/host/ui.mjs [--grep <regex>] [--screenshots <dir>] [--locale <id>] [--timeout <s>] [--verbose] [files…]
//
//   files            default: test/ui/*.test.mjs (with --locale: test/ui/*.<id>.mjs)
//   --locale         the workbench's display language, e.g. zh-cn: code-server starts with --locale and
//                    the minimal local language pack test/ui/langpack-<id> (VS Code's own strings stay
//                    English: the pack carries none; ours come from package.nls.<id>.json and l10n/)
//   --grep / BE_UI_GREP   only the tests whose full title matches
//   --screenshots    where README screenshots go (helpers' saveScreenshot(name) writes <dir>/<name>.png);
//                    without it saveScreenshot writes into the run's temp folder
//   --timeout        per test, default 180 s
// The bundles must be built first: node scripts/build.mjs (dist/extension.js, dist/webview/*).
// Failure screenshots: $TMPDIR/be-ui-failures/<test title>.png (printed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { REPO_ROOT, startCodeServer, launchBrowser, workbenchUrl } from './host.mjs';
import { UI_SETTINGS, dismissNotifications, openBrokerExplorer } from './workbench.mjs';
import { setUiSession } from '../../test/ui/session.mjs';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    grep: { type: 'string', default: process.env.BE_UI_GREP || '' },
    screenshots: { type: 'string' },
    locale: { type: 'string' },
    timeout: { type: 'string', default: '180' },
    verbose: { type: 'boolean', default: false },
  },
});

const require = createRequire(path.join(REPO_ROOT, 'package.json'));
const Mocha = require('mocha');

const t0 = Date.now();
const say = (msg) => console.log(`[ui ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

for (const f of ['dist/extension.js', 'dist/webview/webview.css']) {
  if (!fs.existsSync(path.join(REPO_ROOT, f))) {
    console.error(`ui.mjs: ${f} is missing: run \`node scripts/build.mjs\` first`);
    process.exit(2);
  }
}
const uiDir = path.join(REPO_ROOT, 'test', 'ui');
const files = positionals.length
  ? positionals.map((f) => path.resolve(f))
  : fs
      .readdirSync(uiDir)
      .filter((f) => f.endsWith(opt.locale ? `.${opt.locale}.mjs` : '.test.mjs'))
      .sort()
      .map((f) => path.join(uiDir, f));
const failureDir = path.join(os.tmpdir(), 'be-ui-failures');
const screenshotDir = opt.screenshots ? path.resolve(opt.screenshots) : undefined;

let cs;
let br;
let stopping;
function stopAll() {
  stopping ??= (async () => {
    if (br) await br.stop().catch(() => {});
    if (cs) await cs.stop().catch(() => {});
  })();
  return stopping;
}
for (const [sig, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(sig, () => {
    say(`${sig}: stopping`);
    void stopAll().then(() => process.exit(code));
  });
}

async function startHost() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'be-ui-workspace-'));
  cs = await startCodeServer({
    folder,
    settings: UI_SETTINGS,
    ...(opt.locale ? { args: ['--locale', opt.locale], extensions: [path.join(uiDir, `langpack-${opt.locale}`)] } : {}),
    onOutput: opt.verbose ? (l) => console.log(`[code-server] ${l}`) : undefined,
  });
  say(`code-server ${cs.origin} (pid ${cs.pid})`);
  br = await launchBrowser({ viewport: { width: 1280, height: 800 }, handleSignals: false });
  const { page } = br;
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => console.log(`[browser pageerror] ${e.message}`));
  if (opt.verbose) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()} (${m.location().url})`));
  await page.goto(workbenchUrl(cs, { extensionDevelopmentPath: REPO_ROOT }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await openBrokerExplorer(page);
  await dismissNotifications(page);
  say('workbench ready, extension loaded');
  setUiSession({ cs, page, context: br.context, folder, screenshotDir: screenshotDir ?? path.join(cs.tmpDir, 'screenshots') });
}

const mocha = new Mocha({
  reporter: 'spec',
  timeout: Number(opt.timeout) * 1000,
  ...(opt.grep ? { grep: new RegExp(opt.grep) } : {}),
  rootHooks: {
    beforeAll: [
      async function () {
        this.timeout(180_000);
        await startHost();
      },
    ],
    afterEach: [
      async function () {
        const test = this.currentTest;
        if (!test || test.state !== 'failed' || !br) return;
        fs.mkdirSync(failureDir, { recursive: true });
        const file = path.join(
          failureDir,
          `${test
            .fullTitle()
            .replace(/[^\w.-]+/g, '_')
            .slice(0, 120)}.png`,
        );
        await br.page.screenshot({ path: file, timeout: 10_000 }).then(
          () => console.log(`      failure screenshot: ${file}`),
          () => {},
        );
      },
    ],
    afterAll: [
      async function () {
        this.timeout(30_000);
        await stopAll();
      },
    ],
  },
});
for (const f of files) mocha.addFile(f);

try {
  await mocha.loadFilesAsync();
  const failures = await new Promise((resolve) => mocha.run(resolve));
  await stopAll();
  say(`done: ${failures} failure(s)`);
  process.exit(failures ? 1 : 0);
} catch (err) {
  console.log(`ui.mjs: ${err && err.stack ? err.stack : err}`);
  await stopAll();
  // mocha-like so scripts/test.mjs counts the broken run
  console.log('\n  0 passing\n  1 failing');
  process.exit(1);
}
