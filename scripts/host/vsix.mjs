#!/usr/bin/env node
// Tests the packaged artifact, not the dev build: `npm run package` builds dist/broker-explorer.vsix,
// `code-server --install-extension` installs it into a fresh extensions folder, code-server starts on
// that folder (no extensionDevelopmentPath), and Playwright checks in the workbench that the installed
// extension activated (its view lists the "local" Redis profile) and runs one command from the
// palette ("Redis: Open Redis Console", then ECHO in it), confirmed on the server (CLIENT LIST).
//
//   node scripts/host/vsix.mjs [--no-package] [--verbose]
// Prints mocha-like `N passing` / `N failing`; exit 0 on success, 1 on failure.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { CODE_SERVER_BIN, REPO_ROOT, launchBrowser, startCodeServer, workbenchUrl } from './host.mjs';
import { UI_SETTINGS, expandRow, openBrokerExplorer, rows, viewPane } from './workbench.mjs';

const { values: opt } = parseArgs({
  options: { 'no-package': { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
});
const t0 = Date.now();
const say = (msg) => console.log(`[vsix ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const TITLE = 'the packaged VSIX installs into code-server, activates and runs "Redis: Open Redis Console"';
const DB = 14;
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const vsix = path.join(REPO_ROOT, 'dist', 'broker-explorer.vsix');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'be-vsix-'));
const extensionsDir = path.join(work, 'extensions');
const Redis = createRequire(path.join(REPO_ROOT, 'package.json'))('ioredis');

let cs;
let br;
let redis;
async function test() {
  if (!opt['no-package']) {
    say('npm run package');
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, stdio: opt.verbose ? 'inherit' : 'pipe' });
  }
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} was not built`);
  say(`${path.basename(vsix)}: ${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB`);
  const listed = execFileSync(
    CODE_SERVER_BIN,
    ['--extensions-dir', extensionsDir, '--user-data-dir', path.join(work, 'user-data'), '--install-extension', vsix],
    { encoding: 'utf8', env: { ...process.env, EXTENSIONS_GALLERY: '{}' } },
  );
  if (opt.verbose) console.log(listed);
  const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith(`${pkg.publisher}.${pkg.name}-`));
  if (installed.length !== 1)
    throw new Error(`expected one installed ${pkg.publisher}.${pkg.name} in ${extensionsDir}, found ${installed.join(', ') || 'none'}`);
  const root = path.join(extensionsDir, installed[0]);
  for (const f of ['package.json', 'dist/extension.js', 'media/icon.png', 'readme.md', 'changelog.md'])
    if (!fs.existsSync(path.join(root, f))) throw new Error(`the installed extension lacks ${f}`);
  say(`installed ${installed[0]}`);

  // The later --extensions-dir wins over the fresh one startCodeServer makes.
  cs = await startCodeServer({ settings: UI_SETTINGS, args: ['--extensions-dir', extensionsDir] });
  say(`code-server ${cs.origin} (pid ${cs.pid})`);
  br = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  const { page } = br;
  page.setDefaultTimeout(30_000);
  await page.goto(workbenchUrl(cs), { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await openBrokerExplorer(page);
  await expandRow(rows(viewPane(page, 'Redis'), /^local$/), '"local"');
  say('the installed extension activated: its Redis view lists "local"');

  redis = new Redis({ host: '127.0.0.1', port: 6379, db: DB, maxRetriesPerRequest: 1 });
  const marker = `be-vsix-${process.pid}`;
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input').first();
  await input.fill('>Redis: Open Redis Console');
  await page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: 'Redis: Open Redis Console' }) })
    .first()
    .click();
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'database of "local"' }).waitFor();
  await input.fill(String(DB));
  await input.press('Enter');
  const terminal = page.locator('.terminal-wrapper.active .xterm, .terminal .xterm').first();
  await terminal.waitFor({ state: 'visible' });
  await terminal.click();
  await page.keyboard.type(`CLIENT SETNAME ${marker}`);
  await page.keyboard.press('Enter');
  const deadline = Date.now() + 20_000;
  let seen = false;
  while (!seen && Date.now() < deadline) {
    seen = String(await redis.client('LIST'))
      .split('\n')
      .some((line) => line.includes(` name=${marker} `) && / db=14 /.test(line));
    if (!seen) await page.waitForTimeout(200);
  }
  if (!seen) throw new Error('the console of the installed extension did not run the command on the server');
  say('the palette command ran: its console connection named itself on the server');
}

let failed = false;
try {
  await test();
  console.log(`\n  ✔ ${TITLE}\n\n  1 passing\n`);
} catch (err) {
  failed = true;
  if (br) await br.page.screenshot({ path: path.join(os.tmpdir(), 'be-vsix-failure.png') }).catch(() => {});
  console.log(`\n  1) ${TITLE}\n     ${err instanceof Error ? err.message : String(err)}\n\n  0 passing\n  1 failing\n`);
} finally {
  redis?.disconnect();
  await br?.stop().catch(() => {});
  await cs?.stop().catch(() => {});
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
