#!/usr/bin/env node
// Idempotent, offline set-up of the extension-host test harness:
//   code-server (VS Code server + web workbench) + Debian chromium + playwright-core
// installed into test/host/node_modules.
//
// Usage: node scripts/host/install.mjs [--force]
//
// Needs: Debian packages chromium, ripgrep, libkrb5-dev (installed with apt-get when
// running as root), python3 + g++ (node-gyp builds node-pty, kerberos, spdlog, ...),
// Node 20 (code-server 4.100.x refuses anything else) and the npm registry.
// Nothing is downloaded from GitHub: @vscode/ripgrep's download cache is pre-seeded with
// Debian's /usr/bin/rg, and node-gyp uses the local Node headers (/usr/include/node).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HOST_DIR = path.join(REPO, 'test', 'host');
const STATE_DIR = path.join(REPO, '.host-tmp'); // git-ignored
const CODE_SERVER_BIN = path.join(HOST_DIR, 'node_modules', '.bin', 'code-server');
const VSCODE_DIR = path.join(HOST_DIR, 'node_modules', 'code-server', 'lib', 'vscode');

// What code-server 4.100.3's lib/vscode/npm-shrinkwrap.json pins: @vscode/ripgrep 1.15.11,
// whose lib/postinstall.js downloads ripgrep v13.0.0-10 for target x86_64-unknown-linux-musl
// into os.tmpdir()/vscode-ripgrep-cache-<pkgVersion>/ unless the file is already there,
// then runs `tar xvf <tarball> -C <pkg>/bin` and expects <pkg>/bin/rg.
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_ASSET_VERSION = 'v13.0.0-10';

const APT_PACKAGES = [
  { pkg: 'chromium', file: '/usr/bin/chromium' },
  { pkg: 'ripgrep', file: '/usr/bin/rg' },
  { pkg: 'libkrb5-dev', file: '/usr/include/krb5.h' }, // kerberos (node-gyp) needs it
];

const force = process.argv.includes('--force');
const log = (msg) => console.log(`[host-install] ${msg}`);

function fail(msg) {
  console.error(`\n[host-install] ERROR: ${msg}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  log(`$ ${[cmd, ...args].join(' ')}${opts.cwd ? `   (in ${path.relative(REPO, opts.cwd) || '.'})` : ''}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/**
 * Why the installed host is not usable, or undefined when it is. Each check names its
 * condition; `code-server --version` is retried once (its first run after an install can
 * be slow on a busy 2-core machine) and its stderr is kept for the message.
 */
function codeServerProblem() {
  if (!fs.existsSync(CODE_SERVER_BIN)) return `${path.relative(REPO, CODE_SERVER_BIN)} does not exist`;
  const absent = APT_PACKAGES.filter(({ file }) => !fs.existsSync(file));
  if (absent.length) return `missing ${absent.map((p) => `${p.file} (Debian package ${p.pkg})`).join(', ')}`;
  const rg = path.join(VSCODE_DIR, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  if (!fs.existsSync(rg)) return `${path.relative(REPO, rg)} is missing`;
  // node-pty is built last-ish by the nested install; its absence means a half-done install.
  const pty = path.join(VSCODE_DIR, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node');
  if (!fs.existsSync(pty)) return `node-pty is not built (${path.relative(REPO, pty)} is missing)`;
  let problem;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const r = spawnSync(CODE_SERVER_BIN, ['--version'], { encoding: 'utf8', timeout: 120_000 });
    // Its first run also prints "Wrote default config file …" before the version: look for the version on any line.
    if (r.status === 0 && /^4\.\d+\.\d+ /m.test(r.stdout)) return undefined;
    const why = r.error
      ? r.error.message
      : r.signal
        ? `killed by ${r.signal}`
        : r.status === 0
          ? 'exit 0 but no version line'
          : `exit ${r.status}`;
    problem = `\`code-server --version\` failed (${why}); stdout: ${JSON.stringify((r.stdout ?? '').trim().slice(0, 400))}; stderr: ${(r.stderr ?? '').trim().slice(-2000) || '(empty)'}`;
    if (attempt === 1) log(`${problem}; trying once more`);
  }
  return problem;
}

// ---------------------------------------------------------------------------------------
// 0. Fast path
if (!force && codeServerProblem() === undefined) {
  log(`code-server already installed (${path.relative(REPO, CODE_SERVER_BIN)}), nothing to do.`);
  process.exit(0);
}

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor !== 20) fail(`code-server 4.100.x needs Node 20, this is Node ${process.versions.node}.`);
if (process.platform !== 'linux' || process.arch !== 'x64') fail(`only linux-x64 is supported (got ${process.platform}-${process.arch}).`);

// ---------------------------------------------------------------------------------------
// 1. Debian packages
function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}
const missing = APT_PACKAGES.filter(({ pkg, file }) => !fs.existsSync(file) || !dpkgInstalled(pkg)).map((p) => p.pkg);
if (missing.length) {
  const line = `apt-get install -y ${missing.join(' ')}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    fail(`missing Debian packages: ${missing.join(', ')}. Not root, so install them yourself:\n    sudo apt-get update && sudo ${line}`);
  }
  log(`missing Debian packages: ${missing.join(', ')}`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // apt-get update only when the package lists do not know the packages yet.
  const known = missing.every((pkg) => {
    const r = spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
    return r.status === 0 && /Candidate: (?!\(none\))/.test(r.stdout);
  });
  if (!known) run('apt-get', ['update'], { env: aptEnv });
  run('apt-get', ['install', '-y', ...missing], { env: aptEnv });
  const still = APT_PACKAGES.filter(({ pkg, file }) => missing.includes(pkg) && !fs.existsSync(file)).map((p) => p.pkg);
  if (still.length) fail(`apt-get install finished but these are still missing: ${still.join(', ')}`);
} else {
  log(`Debian packages present: ${APT_PACKAGES.map((p) => p.pkg).join(', ')}`);
}
for (const tool of ['python3', 'g++', 'make', 'tar']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) fail(`${tool} not found (needed by node-gyp / the ripgrep seed).`);
}

// ---------------------------------------------------------------------------------------
// 2. Folders for XDG_* / TMPDIR so nothing lands in $HOME
for (const d of ['config', 'data', 'cache', 'tmp']) fs.mkdirSync(path.join(STATE_DIR, d), { recursive: true });
const tmpDir = path.join(STATE_DIR, 'tmp');

// ---------------------------------------------------------------------------------------
// 3. Pre-seed @vscode/ripgrep's download cache with Debian's rg (tarball with `rg` at its root)
const rgCacheDir = path.join(tmpDir, `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
const rgTarball = path.join(rgCacheDir, `ripgrep-${RIPGREP_ASSET_VERSION}-x86_64-unknown-linux-musl.tar.gz`);
{
  fs.mkdirSync(rgCacheDir, { recursive: true });
  const stage = fs.mkdtempSync(path.join(tmpDir, 'rg-stage-'));
  fs.copyFileSync('/usr/bin/rg', path.join(stage, 'rg'));
  fs.chmodSync(path.join(stage, 'rg'), 0o755);
  run('tar', ['czf', rgTarball, '-C', stage, 'rg']);
  fs.rmSync(stage, { recursive: true, force: true });
  log(`seeded ripgrep cache: ${rgTarball}`);
}

// ---------------------------------------------------------------------------------------
// 4. npm ci in test/host (runs code-server's postinstall: nested npm installs of
//    lib/vscode and lib/vscode/extensions, node-gyp builds)
const env = {
  ...process.env,
  npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
  npm_config_unsafe_perm: 'true', // code-server's postinstall.sh insists on it when root
  npm_config_foreground_scripts: 'true', // show postinstall / node-gyp output as it happens
  // npm 11.x asks for approval of dependency install scripts ("allowScripts"). In
  // test/host/package.json they are approved for code-server + argon2; the nested
  // `npm install`s that code-server's postinstall runs in lib/vscode{,/extensions} only print
  // a "not yet covered by allowScripts" notice and still run them (npm refuses allow-scripts
  // from the environment/CLI in project installs). The checks at the end catch a skipped build.
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  XDG_CONFIG_HOME: path.join(STATE_DIR, 'config'),
  XDG_DATA_HOME: path.join(STATE_DIR, 'data'),
  XDG_CACHE_HOME: path.join(STATE_DIR, 'cache'),
  TMPDIR: tmpDir, // os.tmpdir() of @vscode/ripgrep's postinstall -> the seeded cache
  GITHUB_TOKEN: '',
};
// node-gyp would download Node headers from the internet; use the local ones instead.
if (!process.env.npm_config_nodedir) {
  const localHeaders = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(localHeaders, 'include', 'node', 'common.gypi'))) {
    env.npm_config_nodedir = localHeaders;
    log(`using local Node headers: npm_config_nodedir=${localHeaders}`);
  } else {
    log('WARNING: no local Node headers found next to node; node-gyp may try to download them.');
  }
}
const hasLock = fs.existsSync(path.join(HOST_DIR, 'package-lock.json'));
const started = Date.now();
// (--unsafe-perm is passed through the environment: npm >= 9 warns about it on the command line.)
run('npm', [hasLock ? 'ci' : 'install', '--no-audit', '--no-fund'], { cwd: HOST_DIR, env });
log(`npm ${hasLock ? 'ci' : 'install'} took ${Math.round((Date.now() - started) / 1000)} s`);

// ---------------------------------------------------------------------------------------
// 5. Verify
const rgPkg = path.join(VSCODE_DIR, 'node_modules', '@vscode', 'ripgrep');
const rgVersion = JSON.parse(fs.readFileSync(path.join(rgPkg, 'package.json'), 'utf8')).version;
if (rgVersion !== RIPGREP_PKG_VERSION) {
  log(
    `WARNING: code-server brought @vscode/ripgrep ${rgVersion}, the seed was for ${RIPGREP_PKG_VERSION}; update RIPGREP_* in ${path.relative(REPO, fileURLToPath(import.meta.url))}.`,
  );
}
if (!fs.existsSync(path.join(rgPkg, 'bin', 'rg'))) fail(`${path.relative(REPO, rgPkg)}/bin/rg is missing.`);
{
  const problem = codeServerProblem();
  if (problem) fail(`code-server was installed but is not usable: ${problem}.`);
}
const version = (/^4\.\d+\.\d+ .*$/m.exec(spawnSync(CODE_SERVER_BIN, ['--version'], { encoding: 'utf8' }).stdout) ?? ['?'])[0];
log(`OK: code-server ${version}`);
