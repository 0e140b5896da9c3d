#!/usr/bin/env node
// `npm start`: build the extension, then open it in an editor.
//
//   node scripts/start.mjs [folder] [--web] [--verbose]
//
//   folder     workspace folder to open (default: this repository)
//   --web      use the code-server host even when a desktop `code` is on PATH
//   --verbose  also print code-server's output (always in .host-tmp/start-profile/code-server.log)
//   env PORT_BE=<port>  port for code-server (default 8080 if free, else any free port)
//
// 1. `node scripts/build.mjs` (dist/extension.js).
// 2. A desktop `code` on PATH: `code --extensionDevelopmentPath=<repo> <folder>`, then exit.
// 3. Otherwise: `node scripts/host/install.mjs` (idempotent), then code-server on 127.0.0.1 with a
//    persistent profile in .host-tmp/start-profile/ (user data, extensions, XDG dirs). The
//    extension is installed there as extensions/broker-explorer.broker-explorer-<version>/, a
//    folder of symlinks to this repository's package.json, dist/, media/ (registered in
//    extensions.json), so the printed URL shows the extension in any browser; after
//    `npm run build`, "Developer: Reload Window" picks up the new bundle.
//    User settings get local Redis/RabbitMQ profiles only when the settings file is first
//    created; later edits are kept. Runs until Ctrl+C, then stops code-server.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_BIN, codeServerArgs, codeServerEnv, freePort } from './host/host.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROFILE = path.join(REPO, '.host-tmp', 'start-profile');

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    web: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const folder = path.resolve(positionals[0] ?? REPO);
const log = (msg) => console.log(`[start] ${msg}`);
function fail(msg) {
  console.error(`[start] ERROR: ${msg}`);
  process.exit(1);
}
if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) fail(`workspace folder ${folder} does not exist`);

// ---------------------------------------------------------------------------------------
// 1. build
{
  log('building the extension (node scripts/build.mjs)');
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) fail(`build failed (${r.status ?? r.signal})`);
}

// ---------------------------------------------------------------------------------------
// 2. desktop VS Code
function onPath(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}
const code = !opt.web && onPath('code');
if (code) {
  log(`${code} --extensionDevelopmentPath=${REPO} ${folder}`);
  const r = spawnSync(code, [`--extensionDevelopmentPath=${REPO}`, folder], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

// ---------------------------------------------------------------------------------------
// 3. code-server
{
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'host', 'install.mjs')], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) fail('could not install the code-server host (node scripts/host/install.mjs)');
}

const dirs = {
  userData: path.join(PROFILE, 'user-data'),
  extensions: path.join(PROFILE, 'extensions'),
  config: path.join(PROFILE, 'xdg-config'),
  data: path.join(PROFILE, 'xdg-data'),
  cache: path.join(PROFILE, 'xdg-cache'),
  tmp: path.join(PROFILE, 'tmp'),
};
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });

// user settings: written once, then the user's
const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
if (!fs.existsSync(settingsFile)) {
  const { DEFAULT_SETTINGS } = await import('./host/host.mjs');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  const settings = {
    ...DEFAULT_SETTINGS,
    'brokerExplorer.redis.profiles': [{ name: 'local', host: '127.0.0.1', port: 6379, db: 0 }],
    'brokerExplorer.rabbitmq.profiles': [{ name: 'local', url: 'amqp://guest@127.0.0.1:5672/', managementUrl: 'http://127.0.0.1:15672' }],
  };
  fs.writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  log(`created ${path.relative(REPO, settingsFile)} with the local Redis/RabbitMQ profiles`);
}

// the extension: <extensions>/<publisher>.<name>-<version>/ with links into this repository, + extensions.json
{
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`;
  const folderName = `${id}-${pkg.version}`;
  const extDir = path.join(dirs.extensions, folderName);
  // A real folder whose entries link to the repository's (not a link to the repository itself,
  // which would put a symlink loop inside the repository's .host-tmp/).
  const isOurs = (entry) => entry.toLowerCase().startsWith(`${id.toLowerCase()}-`);
  for (const entry of fs.readdirSync(dirs.extensions)) {
    if (!isOurs(entry)) continue;
    const p = path.join(dirs.extensions, entry);
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) {
      fs.unlinkSync(p);
      continue;
    } // older layout
    if (entry !== folderName && st.isDirectory() && fs.readdirSync(p).every((f) => fs.lstatSync(path.join(p, f)).isSymbolicLink())) {
      fs.rmSync(p, { recursive: true, force: true }); // stale version, only links inside
    }
  }
  fs.mkdirSync(extDir, { recursive: true });
  const wanted = fs
    .readdirSync(REPO)
    .filter((f) => /^(package\.json|package\.nls(\..+)?\.json|dist|media|README(\..*)?|CHANGELOG(\..*)?|LICENSE(\..*)?)$/i.test(f));
  for (const f of fs.readdirSync(extDir)) {
    const p = path.join(extDir, f);
    if (fs.lstatSync(p).isSymbolicLink() && !wanted.includes(f)) fs.unlinkSync(p);
  }
  for (const f of wanted) {
    const p = path.join(extDir, f);
    const target = path.join(REPO, f);
    let st;
    try {
      st = fs.lstatSync(p);
    } catch {
      st = undefined;
    }
    if (st && !st.isSymbolicLink()) {
      log(`WARNING: ${p} is not a link; leaving it`);
      continue;
    }
    if (st && fs.readlinkSync(p) === target) continue;
    if (st) fs.unlinkSync(p);
    fs.symlinkSync(target, p);
  }
  const manifest = path.join(dirs.extensions, 'extensions.json');
  let entries = [];
  try {
    entries = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  } catch {
    entries = [];
  }
  if (!Array.isArray(entries)) entries = [];
  entries = entries.filter((e) => e?.identifier?.id?.toLowerCase() !== id.toLowerCase());
  entries.push({
    identifier: { id },
    version: pkg.version,
    location: { $mid: 1, path: extDir, scheme: 'file' },
    relativeLocation: folderName,
    metadata: { installedTimestamp: Date.now(), source: 'resource', pinned: true },
  });
  fs.writeFileSync(manifest, JSON.stringify(entries));
  // an earlier "Uninstall" in the UI would make code-server delete the folder at start-up
  const obsolete = path.join(dirs.extensions, '.obsolete');
  try {
    const o = JSON.parse(fs.readFileSync(obsolete, 'utf8'));
    if (o && o[folderName]) {
      delete o[folderName];
      fs.writeFileSync(obsolete, JSON.stringify(o));
    }
  } catch {
    /* none */
  }
  log(`extension ${id} ${pkg.version}: ${path.relative(REPO, extDir)}/{${wanted.join(',')}} -> ${REPO}`);
}

// port
function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
let port;
if (process.env.PORT_BE) {
  port = Number(process.env.PORT_BE);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`bad PORT_BE=${process.env.PORT_BE}`);
  if (!(await portFree(port))) fail(`PORT_BE=${port} is already in use on 127.0.0.1`);
} else {
  port = (await portFree(8080)) ? 8080 : await freePort();
}

// environment: no PORT (overrides --bind-addr), no enclosing VS Code's IPC hooks; offline unless the user sets a gallery
const env = codeServerEnv(dirs, { EXTENSIONS_GALLERY: process.env.EXTENSIONS_GALLERY ?? '{}' });

const logFile = path.join(PROFILE, 'code-server.log');
const logFd = fs.openSync(logFile, 'w');
const args = [...codeServerArgs(port, dirs), folder];
log(`starting code-server on 127.0.0.1:${port} (profile ${path.relative(REPO, PROFILE)}, log ${path.relative(REPO, logFile)})`);
const child = spawn(CODE_SERVER_BIN, args, { env, cwd: folder, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let exited = null;
const exitPromise = new Promise((resolve) =>
  child.on('exit', (c, s) => {
    exited = { code: c, signal: s };
    resolve(exited);
  }),
);
const onChunk = (buf) => {
  fs.writeSync(logFd, buf);
  if (opt.verbose) process.stdout.write(buf);
};
child.stdout.on('data', onChunk);
child.stderr.on('data', onChunk);

const killGroup = (sig) => {
  try {
    process.kill(-child.pid, sig);
  } catch {
    try {
      process.kill(child.pid, sig);
    } catch {
      /* gone */
    }
  }
};
process.on('exit', () => {
  if (!exited) killGroup('SIGKILL');
});

let stopping = false;
async function stop(code, why) {
  if (stopping) return;
  stopping = true;
  if (why) log(why);
  if (!exited) {
    log('stopping code-server');
    killGroup('SIGTERM');
    const r = await Promise.race([exitPromise, new Promise((r) => setTimeout(() => r(null), 5000))]);
    if (r === null) killGroup('SIGKILL');
  }
  killGroup('SIGKILL'); // left-over children (extension host, pty host) of the group
  log('stopped');
  process.exit(code);
}
process.on('SIGINT', () => stop(0, 'Ctrl+C'));
process.on('SIGTERM', () => stop(0, 'SIGTERM'));
process.on('SIGHUP', () => stop(0, 'SIGHUP'));

const origin = `http://127.0.0.1:${port}`;
const deadline = Date.now() + 60_000;
for (;;) {
  if (exited) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    console.error(tail);
    fail(`code-server exited early (${exited.code ?? exited.signal})`);
  }
  try {
    const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
    if (res.ok) break;
  } catch {
    /* not yet */
  }
  if (Date.now() > deadline) await stop(1, `code-server did not answer on ${origin} within 60 s (see ${logFile})`);
  await new Promise((r) => setTimeout(r, 200));
}
exitPromise.then((r) => {
  if (!stopping) stop(1, `code-server exited (${r.code ?? r.signal}); see ${logFile}`);
});

const url = `${origin}/?folder=${encodeURIComponent(folder)}`;
const devUrl = `${url}&payload=${encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${REPO.split(path.sep).map(encodeURIComponent).join('/')}`]]))}`;
console.log('');
console.log('  Broker Explorer is running in VS Code (code-server). Open:');
console.log('');
console.log(`    ${url}`);
console.log('');
console.log(`  (extension development host mode: ${devUrl})`);
console.log('  After `npm run build`, run "Developer: Reload Window". Press Ctrl+C to stop.');
console.log('');
