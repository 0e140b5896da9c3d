// Reusable start/stop logic for the offline VS Code (code-server) host + headless Debian chromium.
// Used by scripts/host/run.mjs (extension tests) and usable by Playwright UI tests:
//
//   import { startCodeServer, launchBrowser, workbenchUrl } from '../../scripts/host/host.mjs';
//   const cs = await startCodeServer({ folder });          // { port, origin, url, stop, ... }
//   const br = await launchBrowser();                      // { context, page, stop }
//   await br.page.goto(workbenchUrl(cs, { folder, extensionDevelopmentPath: ext }));
//   ... await br.stop(); await cs.stop();
//
// Everything (code-server user data, extensions dir, XDG_* dirs, browser profile) lives in a
// fresh temp folder that stop() removes. Both child trees are killed on process exit too.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HOST_DIR = path.join(REPO_ROOT, 'test', 'host');
export const CODE_SERVER_BIN = path.join(HOST_DIR, 'node_modules', '.bin', 'code-server');
export const CHROMIUM = process.env.BROKER_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** User settings written into the fresh code-server profile (overridable via opts.settings). */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

// ---------------------------------------------------------------------------------------
// process-exit safety net: kill every process group we started, remove temp dirs
const cleanups = new Set();
let exitHookInstalled = false;
function registerCleanup(fn) {
  cleanups.add(fn);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const f of cleanups) {
        try {
          f();
        } catch {
          /* ignore */
        }
      }
    });
  }
  return () => cleanups.delete(fn);
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

// Watchdog: a tiny detached node process that, once our process is gone (even by SIGKILL, where
// no 'exit' handler runs), SIGKILLs a process group / every process whose command line contains
// a marker (the browser's profile dir) and removes a temp dir. stop() ends it normally.
const WATCHDOG_JS = `
const [parent, mode, target, dir] = process.argv.slice(1);
const fs = require('fs');
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const reap = () => {
  if (mode === 'pgid') { try { process.kill(-Number(target), 'SIGKILL'); } catch {} }
  if (mode === 'marker') {
    for (const p of fs.readdirSync('/proc')) {
      if (!/^[0-9]+$/.test(p) || Number(p) === process.pid) continue;
      try { if (fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').includes(target)) { try { process.kill(-Number(p), 'SIGKILL'); } catch {} process.kill(Number(p), 'SIGKILL'); } } catch {}
    }
  }
  if (dir) { try { fs.rmSync(dir, { recursive: true, force: true }); } catch {} }
};
setInterval(() => { if (!alive(Number(parent))) { reap(); setTimeout(() => { reap(); process.exit(0); }, 1000); } }, 1000);
`;
function startWatchdog(mode, target, dir) {
  const wd = spawn(process.execPath, ['-e', WATCHDOG_JS, String(process.pid), mode, String(target), dir || ''], {
    detached: true,
    stdio: 'ignore',
  });
  wd.unref();
  return () => {
    try {
      process.kill(wd.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** process.env without what would change code-server's behaviour, plus `extra`. */
export function cleanEnv(extra) {
  const env = { ...process.env };
  // PORT overrides --bind-addr's port; VSCODE_IPC_HOOK_CLI & co. would turn code-server into
  // a client of an enclosing VS Code; a password env is pointless with --auth none.
  for (const k of Object.keys(env)) {
    if (k === 'PORT' || k === 'PASSWORD' || k === 'HASHED_PASSWORD' || k.startsWith('VSCODE_') || k.startsWith('ELECTRON_')) delete env[k];
  }
  return { ...env, ...extra };
}

/**
 * code-server's environment for a profile in `dirs` ({ config, data, cache, tmp }): cleaned (see
 * cleanEnv), XDG dirs and TMPDIR inside the profile, no extension gallery (open-vsx: offline, and
 * no failing look-ups in the logs) unless `extra` sets EXTENSIONS_GALLERY.
 */
export function codeServerEnv(dirs, extra = {}) {
  return cleanEnv({
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    TMPDIR: dirs.tmp,
    EXTENSIONS_GALLERY: '{}',
    ...extra,
  });
}

/** code-server's arguments for 127.0.0.1:`port`, no auth, no telemetry / update check / trust prompt, the profile in `dirs`. */
export function codeServerArgs(port, dirs) {
  return [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
  ];
}

/**
 * Copies extension folders into the profile's extensions dir. The server only reads language packs from
 * `languagepacks.json` in the user-data dir, which it writes when it installs one itself: write it here
 * the same way (per language: the packs, their translation files, an md5 of ids and versions).
 */
function installLocalExtensions(folders, dirs) {
  const packs = {};
  for (const ext of folders) {
    const manifest = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));
    const id = `${manifest.publisher}.${manifest.name}`;
    const target = path.join(dirs.extensions, `${id}-${manifest.version}`);
    fs.cpSync(ext, target, { recursive: true });
    for (const loc of manifest.contributes?.localizations ?? []) {
      const pack = (packs[loc.languageId] ??= {
        hash: '',
        extensions: [],
        translations: {},
        label: loc.localizedLanguageName ?? loc.languageName,
      });
      pack.extensions.push({ extensionIdentifier: { id }, version: manifest.version });
      for (const t of loc.translations) pack.translations[t.id] = path.join(target, t.path);
    }
  }
  for (const pack of Object.values(packs)) {
    const md5 = crypto.createHash('md5');
    for (const e of pack.extensions) md5.update(e.extensionIdentifier.id).update(e.version);
    pack.hash = md5.digest('hex');
  }
  if (Object.keys(packs).length) fs.writeFileSync(path.join(dirs.userData, 'languagepacks.json'), JSON.stringify(packs));
}

/**
 * Start code-server on a free 127.0.0.1 port with a fresh profile.
 * @param {object} [opts]
 * @param {string} [opts.folder]      folder opened by default (also used by workbenchUrl);
 *                                    default: a fresh empty folder inside the temp dir
 * @param {number} [opts.port]        default: a free port
 * @param {object} [opts.env]         extra environment for code-server and so for the extension host
 * @param {object} [opts.settings]    extra user settings (merged over DEFAULT_SETTINGS)
 * @param {string[]} [opts.args]      extra code-server arguments
 * @param {string[]} [opts.extensions] extension folders copied into the fresh extensions dir before start
 *                                    (a local language pack, for one)
 * @param {(line: string) => void} [opts.onOutput]  code-server stdout/stderr lines (default: only kept in the log file)
 * @param {number} [opts.startTimeoutMs=60000]
 * @returns {Promise<{port:number, origin:string, url:string, folder:string, tmpDir:string, logFile:string, pid:number, env:object, stop:() => Promise<void>}>}
 */
export async function startCodeServer(opts = {}) {
  if (!fs.existsSync(CODE_SERVER_BIN)) {
    throw new Error(`${CODE_SERVER_BIN} is missing: run \`node scripts/host/install.mjs\` first.`);
  }
  const port = opts.port ?? (await freePort());
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-host-'));
  const dirs = {
    userData: path.join(tmpDir, 'user-data'),
    extensions: path.join(tmpDir, 'extensions'),
    config: path.join(tmpDir, 'xdg-config'),
    data: path.join(tmpDir, 'xdg-data'),
    cache: path.join(tmpDir, 'xdg-cache'),
    tmp: path.join(tmpDir, 'tmp'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  installLocalExtensions(opts.extensions || [], dirs);
  const folder = opts.folder ? path.resolve(opts.folder) : path.join(tmpDir, 'workspace');
  fs.mkdirSync(folder, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(opts.settings || {}) }, null, 2),
  );
  const logFile = path.join(tmpDir, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');

  const env = codeServerEnv(dirs, opts.env);
  const args = [...codeServerArgs(port, dirs), '--ignore-last-opened', ...(opts.args || [])];
  args.push(folder);

  const child = spawn(CODE_SERVER_BIN, args, {
    env,
    cwd: folder,
    detached: true, // own process group -> kill(-pid) reaches the extension host, pty host, ...
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  const onChunk = (buf) => {
    fs.writeSync(logFd, buf);
    if (opts.onOutput) for (const line of buf.toString().split('\n')) if (line.trim()) opts.onOutput(line);
  };
  child.stdout.on('data', onChunk);
  child.stderr.on('data', onChunk);

  let stopped = false;
  const stopWatchdog = startWatchdog('pgid', child.pid, opts.keepTmp ? '' : tmpDir);
  const syncCleanup = () => {
    if (!stopped && exited === null) killGroup(child.pid, 'SIGKILL');
    if (!opts.keepTmp) fs.rmSync(tmpDir, { recursive: true, force: true });
    stopWatchdog();
  };
  const unregister = registerCleanup(syncCleanup);

  async function stop() {
    if (stopped) return;
    stopped = true;
    unregister();
    if (exited === null) {
      killGroup(child.pid, 'SIGTERM');
      const r = await Promise.race([exitPromise, sleep(5000).then(() => null)]);
      if (r === null) {
        killGroup(child.pid, 'SIGKILL');
        await Promise.race([exitPromise, sleep(2000)]);
      }
    }
    // the group may still hold children (extension host) after the leader exited
    killGroup(child.pid, 'SIGKILL');
    try {
      fs.closeSync(logFd);
    } catch {
      /* ignore */
    }
    if (!opts.keepTmp) fs.rmSync(tmpDir, { recursive: true, force: true });
    stopWatchdog();
  }

  // wait until it answers
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      await stop();
      throw new Error(`code-server exited early (${exited.code ?? exited.signal}):\n${tail}`);
    }
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${origin} within ${opts.startTimeoutMs ?? 60_000} ms`);
    }
    await sleep(200);
  }

  return {
    port,
    origin,
    url: `${origin}/`,
    folder,
    tmpDir,
    logFile,
    pid: child.pid,
    env,
    exited: () => exited,
    exitPromise,
    stop,
  };
}

/** vscode-remote URI string for an absolute server path, as the workbench at `origin` expects. */
export function remoteUri(cs, absPath) {
  const p = path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://127.0.0.1:${cs.port}${p}`;
}

/**
 * Workbench URL. payload entries: extensionDevelopmentPath (string or string[]),
 * extensionTestsPath, plus any raw [key, value] pairs in opts.payload.
 */
export function workbenchUrl(cs, opts = {}) {
  const params = new URLSearchParams();
  const folder = opts.folder ?? cs.folder;
  if (folder) params.set('folder', path.resolve(folder));
  const payload = [];
  const devPaths = [].concat(opts.extensionDevelopmentPath || []);
  for (const p of devPaths) payload.push(['extensionDevelopmentPath', remoteUri(cs, p)]);
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(cs, opts.extensionTestsPath)]);
  for (const kv of opts.payload || []) payload.push(kv);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${cs.origin}/?${params.toString()}`;
}

/**
 * Launch headless Debian chromium through playwright-core with a fresh profile.
 * @param {object} [opts]
 * @param {{width:number,height:number}} [opts.viewport]  default 1400x900
 * @param {string[]} [opts.args]  extra chromium args
 * @returns {Promise<{context: import('playwright-core').BrowserContext, page: import('playwright-core').Page, userDataDir: string, stop: () => Promise<void>}>}
 */
export async function launchBrowser(opts = {}) {
  const require = createRequire(path.join(HOST_DIR, 'package.json'));
  const { chromium } = require('playwright-core');
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run \`node scripts/host/install.mjs\` (apt-get install chromium).`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(opts.args || [])],
      viewport: opts.viewport || { width: 1400, height: 900 },
      timeout: opts.launchTimeoutMs ?? 60_000,
      // playwright kills the browser on process exit; by default it also handles
      // SIGINT/SIGTERM/SIGHUP (closes the browser; SIGINT then exits 130). Pass
      // handleSignals: false when the caller has its own signal handling (run.mjs does).
      handleSIGINT: opts.handleSignals ?? true,
      handleSIGTERM: opts.handleSignals ?? true,
      handleSIGHUP: opts.handleSignals ?? true,
    });
  } catch (err) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const stopWatchdog = startWatchdog('marker', userDataDir, userDataDir);
  const unregister = registerCleanup(() => {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    stopWatchdog();
  });
  const page = context.pages()[0] || (await context.newPage());
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    await Promise.race([context.close().catch(() => {}), sleep(10_000)]);
    unregister();
    fs.rmSync(userDataDir, { recursive: true, force: true });
    stopWatchdog();
  }
  return { context, page, userDataDir, stop };
}
