#!/usr/bin/env node
// Run an extension test suite inside a real VS Code 1.100 extension host (code-server's remote
// node extension host), driven by headless Debian chromium via playwright-core. Offline.
//
//   node scripts/host/run.mjs --extension <absDir> --suite <abs/path/to/suite/index.js>
//        [--folder <absDir>]        workspace folder (default: a fresh empty temp folder)
//        [--screenshot <png>]       screenshot of the workbench once the suite has finished
//        [--timeout <s>]            overall limit, default 600 -> exit 1
//        [--env KEY=VALUE]...       extra environment for code-server / the extension host
//        [--verbose]                also print workbench log, browser console, code-server output
//
// The suite is loaded like with @vscode/test-electron: a CommonJS module exporting
// `run(): Promise<void>`; resolving = exit 0, rejecting/throwing = exit 1.
//
// How it works: the workbench URL carries payload=[["extensionDevelopmentPath", vscode-remote://…],
// ["extensionTestsPath", vscode-remote://…]]. With a vscode-remote:// test path the workbench runs
// the suite in the remote (node) extension host. The extension host's console output is sent to
// the workbench, whose log service (in test mode) calls window.codeAutomationLog(type, args); at
// the end the workbench calls window.codeAutomationExit(code, logs). Both are exposed here.
import fs from 'node:fs';
import path from 'node:path';
import { format, parseArgs } from 'node:util';
import { startCodeServer, launchBrowser, workbenchUrl } from './host.mjs';

const { values: opt } = parseArgs({
  options: {
    extension: { type: 'string' },
    suite: { type: 'string' },
    folder: { type: 'string' },
    screenshot: { type: 'string' },
    timeout: { type: 'string', default: '600' },
    verbose: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
  },
});

function usage(msg) {
  console.error(
    `run.mjs: ${msg}\nusage: node scripts/host/run.mjs --extension <absDir> --suite <absPathToSuiteIndexJs> [--folder <absDir>] [--screenshot <png>] [--timeout <s>] [--env KEY=VALUE]... [--verbose]`,
  );
  process.exit(2);
}
if (!opt.extension || !opt.suite) usage('--extension and --suite are required');
const extension = path.resolve(opt.extension);
const suite = path.resolve(opt.suite);
if (!fs.existsSync(path.join(extension, 'package.json'))) usage(`no package.json in --extension ${extension}`);
if (!fs.existsSync(suite)) usage(`--suite ${suite} does not exist`);
const timeoutMs = Number(opt.timeout) * 1000;
if (!(timeoutMs > 0)) usage(`bad --timeout ${opt.timeout}`);
const extraEnv = {};
for (const kv of opt.env) {
  const i = kv.indexOf('=');
  if (i <= 0) usage(`bad --env ${kv}`);
  extraEnv[kv.slice(0, i)] = kv.slice(i + 1);
}

const t0 = Date.now();
const say = (msg) => console.log(`[host-run ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

// Workbench-internal log lines that also arrive through codeAutomationLog (it carries the whole
// workbench log at info level, not only the extension host's console). Hidden unless --verbose.
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
  /^Started local extension host with pid/,
  /^Extension host \(.*\) is unresponsive|^Extension host \(.*\) is responsive/,
  /^\[remote-connection\]/,
  /^Extension host test runner exit code/,
  /^Ignoring fetching additional builtin extensions from gallery/,
];

let cs;
let br;
let finishing = false;

async function finish(code, why, { harnessFailure = code !== 0 } = {}) {
  if (finishing) return;
  finishing = true;
  if (why) say(why);
  if (harnessFailure && cs && !opt.verbose) {
    try {
      const tail = fs.readFileSync(cs.logFile, 'utf8').trim().split('\n').slice(-40).join('\n');
      if (tail) console.log(`[host-run] last lines of code-server output:\n${tail}`);
    } catch {
      /* ignore */
    }
  }
  if (br) await br.stop().catch(() => {});
  if (cs) await cs.stop().catch(() => {});
  say(`exit ${code}`);
  process.exit(code);
}

process.on('SIGINT', () => finish(130, 'interrupted (SIGINT)'));
process.on('SIGTERM', () => finish(143, 'terminated (SIGTERM)'));
process.on('SIGHUP', () => finish(129, 'hang-up (SIGHUP)'));
const timer = setTimeout(() => finish(1, `TIMEOUT: the suite did not finish within ${opt.timeout} s`), timeoutMs);

try {
  say('starting code-server');
  cs = await startCodeServer({
    folder: opt.folder && path.resolve(opt.folder), // default: empty folder in its temp dir
    env: extraEnv,
    onOutput: opt.verbose ? (l) => console.log(`[code-server] ${l}`) : undefined,
  });
  say(`code-server ${cs.origin} (pid ${cs.pid}), folder ${cs.folder}`);
  cs.exitPromise.then((r) => finish(1, `code-server exited unexpectedly (${r.code ?? r.signal})`));

  br = await launchBrowser({ handleSignals: false });
  const { page } = br;

  let resolveExit;
  const exited = new Promise((r) => {
    resolveExit = r;
  });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // args = [message, ...rest] as given to console.log in the extension host (printf-style
    // placeholders such as mocha's '%s' not yet applied)
    const text = format(...(Array.isArray(args) ? args : [args]));
    if (!opt.verbose && WORKBENCH_NOISE.some((re) => re.test(text))) return;
    if (opt.verbose) console.log(`[${type}] ${text}`);
    else if (type === 'error' || type === 'warn') console.log(`[${type}] ${text}`);
    else console.log(text);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  if (opt.verbose) {
    page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
  }
  page.on('pageerror', (e) => console.log(`[browser pageerror] ${e.message}`));

  const url = workbenchUrl(cs, { extensionDevelopmentPath: extension, extensionTestsPath: suite });
  say(`opening ${url}`);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

  const exitCode = await exited;
  say(`suite finished: extension host exit code ${exitCode}`);
  if (opt.screenshot) {
    const shot = path.resolve(opt.screenshot);
    await page.screenshot({ path: shot }).then(
      () => say(`screenshot ${shot}`),
      (e) => say(`screenshot failed: ${e.message}`),
    );
  }
  clearTimeout(timer);
  await finish(exitCode === 0 ? 0 : 1, undefined, { harnessFailure: false });
} catch (err) {
  await finish(1, `ERROR: ${err && err.stack ? err.stack : err}`);
}
