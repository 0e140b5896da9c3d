// The test command: lint (ESLint + Prettier check), typecheck, core tests in plain Node against the real
// servers, then the extension-host tests and the Playwright UI tests (test/ui, scripts/host/ui.mjs) in
// code-server + headless Chromium.
// Prints one closing line "tests: N passed, N failed, N skipped".
//   node scripts/test.mjs          all of it
//   node scripts/test.mjs core     lint + typecheck + core only
//   node scripts/test.mjs host     extension host only
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2];
const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

function run(label, cmd, args, { count = false, env = {} } = {}) {
  return new Promise((resolve) => {
    console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (stream) => (chunk) => {
      stream.write(chunk);
      tail = (tail + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('close', (code) => {
      if (count) {
        const passing = [...tail.matchAll(/^\s*(\d+) passing/gm)].pop();
        const failing = [...tail.matchAll(/^\s*(\d+) failing/gm)].pop();
        const pending = [...tail.matchAll(/^\s*(\d+) pending/gm)].pop();
        totals.passed += passing ? Number(passing[1]) : 0;
        totals.failed += failing ? Number(failing[1]) : 0;
        totals.skipped += pending ? Number(pending[1]) : 0;
        if (code !== 0 && !failing) totals.failed += 1; // the run itself broke
      } else if (code !== 0) {
        totals.failed += 1;
      }
      if (code !== 0) broken = true;
      console.log(`=== ${label}: exit ${code}`);
      resolve(code);
    });
  });
}

const started = Date.now();
if (only !== 'host') {
  await run('lint', 'npm', ['run', '--silent', 'lint']);
  await run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
  await run('typecheck webviews', 'npx', ['tsc', '--noEmit', '-p', 'src/webview']);
  await run('core tests', 'npx', ['mocha', 'test/core/**/*.test.ts'], { count: true });
}
if (only !== 'core') {
  const built = (await run('build', 'node', ['scripts/build.mjs', '--tests'])) === 0;
  await run('host install', 'node', ['scripts/host/install.mjs']);
  // A failed build would leave an old bundle in dist/: never test that.
  if (built && (!broken || only === 'host')) {
    const folder = mkdtempSync(join(tmpdir(), 'be-workspace-'));
    await run(
      'extension host tests',
      'node',
      ['scripts/host/run.mjs', '--extension', root, '--suite', join(root, 'dist/test/index.js'), '--folder', folder],
      { count: true },
    );
    // BE_TEST_GREP narrows the UI tests too (BE_UI_GREP, when set, wins).
    const uiGrep = process.env.BE_UI_GREP ?? process.env.BE_TEST_GREP;
    // BE_UI_SCREENSHOTS=media refreshes the README's pictures from this run.
    const shots = process.env.BE_UI_SCREENSHOTS ? ['--screenshots', process.env.BE_UI_SCREENSHOTS] : [];
    await run('UI tests (Playwright)', 'node', ['scripts/host/ui.mjs', ...shots], {
      count: true,
      env: uiGrep ? { BE_UI_GREP: uiGrep } : {},
    });
    // The same workbench in 简体中文, through a minimal local language pack (none can be downloaded here).
    await run('UI tests in zh-cn', 'node', ['scripts/host/ui.mjs', '--locale', 'zh-cn', ...shots], { count: true });
    await run('UI screenshot test', 'node', ['scripts/host/screenshot.mjs', '--out', join(folder, 'screenshot.png')], { count: true });
    // The packaged artifact: npm run package, installed into a fresh code-server, activated, one command run.
    await run('VSIX test', 'node', ['scripts/host/vsix.mjs'], { count: true });
    rmSync(folder, { recursive: true, force: true });
  }
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\nfinished in ${seconds} s`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(broken || totals.failed > 0 ? 1 : 0);
