#!/usr/bin/env node
// Playwright UI test + screenshot of the Broker Explorer sidebar in a real VS Code 1.100 workbench
// (code-server, offline) driven by headless Debian chromium.
//
//   node scripts/host/screenshot.mjs --out <png> [--timeout <s>] [--tree-only] [--verbose]
//
// 1. seeds six keys `be-demo:*` (hash, hash, list, string, zset, set) in Redis db 0 on
//    127.0.0.1:6379 (REDIS_HOST / REDIS_PORT override); other keys are left alone;
// 2. starts code-server with a fresh profile whose user settings hold a Redis profile and a
//    RabbitMQ profile called "local", loads the extension (this repo, `dist/extension.js` must be
//    built: `node scripts/build.mjs`) via extensionDevelopmentPath;
// 3. clicks the "Broker Explorer" activity-bar entry, expands Redis `local` → `db0` → type groups;
//    then clicks `be-demo:user:1` so its value opens in the editor area (best effort, not
//    asserted; --tree-only skips it);
// 4. asserts rows "local", "db0" and at least one `be-demo:` key, screenshots the window
//    (1280x800) to --out (also on failure, for diagnosis);
// 5. always deletes exactly the seeded keys and stops browser + code-server.
// Prints mocha-like `N passing` / `N failing`; exit 0 on success, 1 on failure, 2 on bad usage.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { REPO_ROOT, startCodeServer, launchBrowser, workbenchUrl } from './host.mjs';
import { UI_SETTINGS, viewPane, rows, expandRow, dismissNotifications } from './workbench.mjs';

const { values: opt } = parseArgs({
  options: {
    out: { type: 'string' },
    timeout: { type: 'string', default: '180' },
    verbose: { type: 'boolean', default: false },
    'tree-only': { type: 'boolean', default: false },
  },
});
if (!opt.out) {
  console.error(
    'screenshot.mjs: --out <png> is required\nusage: node scripts/host/screenshot.mjs --out <png> [--timeout <s>] [--tree-only] [--verbose]',
  );
  process.exit(2);
}
const outFile = path.resolve(opt.out);
fs.mkdirSync(path.dirname(outFile), { recursive: true });
const STEP_TIMEOUT = 60_000;
const TEST_TITLE = 'Broker Explorer sidebar shows the seeded Redis keys (screenshot)';

const t0 = Date.now();
const say = (msg) => console.log(`[screenshot ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

// ---------------------------------------------------------------------------------------
// Redis demo data
const requireRoot = createRequire(path.join(REPO_ROOT, 'package.json'));
const Redis = requireRoot('ioredis');
const PREFIX = 'be-demo:';
const DEMO_KEYS = ['user:1', 'user:2', 'orders', 'greeting', 'leaderboard', 'tags'].map((k) => PREFIX + k);

async function seed(redis) {
  await redis.del(...DEMO_KEYS);
  await redis
    .multi()
    .hset(`${PREFIX}user:1`, { name: 'Ada Lovelace', email: 'ada@example.com', visits: '42' })
    .hset(`${PREFIX}user:2`, { name: 'Alan Turing', email: 'alan@example.com', visits: '7' })
    .rpush(`${PREFIX}orders`, 'order-1001', 'order-1002', 'order-1003')
    .set(`${PREFIX}greeting`, 'Hello from Broker Explorer!', 'EX', 3600)
    .zadd(`${PREFIX}leaderboard`, 310, 'ada', 275, 'alan', 190, 'grace')
    .sadd(`${PREFIX}tags`, 'redis', 'rabbitmq', 'vscode')
    .exec();
}

// ---------------------------------------------------------------------------------------
let redis;
let cs;
let br;
let finished = false;

async function cleanup() {
  if (br) await br.stop().catch(() => {});
  if (cs) await cs.stop().catch(() => {});
  if (redis && redis.status === 'ready') {
    try {
      const n = await redis.del(...DEMO_KEYS);
      say(`deleted ${n} demo key(s)`);
    } catch (e) {
      console.log(`[screenshot] WARNING: could not delete the demo keys: ${e.message}`);
    }
  }
  if (redis) redis.disconnect();
}

async function finish(error) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  const secs = Math.round((Date.now() - t0) / 1000);
  if (cs && error && !opt.verbose) {
    try {
      const tail = fs.readFileSync(cs.logFile, 'utf8').trim().split('\n').slice(-20).join('\n');
      if (tail) console.log(`[screenshot] last lines of code-server output:\n${tail}`);
    } catch {
      /* ignore */
    }
  }
  if (error && br) {
    // failure screenshot for diagnosis
    await br.page.screenshot({ path: outFile, timeout: 10_000 }).then(
      () => say(`failure screenshot ${outFile}`),
      () => {},
    );
  }
  await cleanup();
  console.log('');
  if (error) {
    console.log(`  1) ${TEST_TITLE}`);
    console.log('');
    console.log(`  0 passing (${secs}s)`);
    console.log('  1 failing');
    console.log('');
    console.log(
      `  1) ${TEST_TITLE}:\n     ${String(error && error.stack ? error.stack : error)
        .split('\n')
        .join('\n     ')}`,
    );
    process.exit(1);
  }
  console.log(`  ✔ ${TEST_TITLE}`);
  console.log('');
  console.log(`  1 passing (${secs}s)`);
  process.exit(0);
}

process.on('SIGINT', () => finish(new Error('interrupted (SIGINT)')));
process.on('SIGTERM', () => finish(new Error('terminated (SIGTERM)')));
const timer = setTimeout(() => finish(new Error(`TIMEOUT: not done within ${opt.timeout} s`)), Number(opt.timeout) * 1000);

try {
  redis = new Redis({
    host: process.env.REDIS_HOST || '127.0.0.1',
    port: Number(process.env.REDIS_PORT || 6379),
    db: 0,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {
    /* reported through the failing command */
  });
  await redis.connect().catch((e) => {
    throw new Error(`Redis at ${redis.options.host}:${redis.options.port} is not reachable: ${e.message}`);
  });
  await seed(redis);
  const dbsize = await redis.dbsize();
  say(`seeded ${DEMO_KEYS.length} keys ${PREFIX}* in db 0 (db 0 now holds ${dbsize} keys)`);

  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `node scripts/build.mjs` first');
  }

  cs = await startCodeServer({
    settings: UI_SETTINGS,
    onOutput: opt.verbose ? (l) => console.log(`[code-server] ${l}`) : undefined,
  });
  say(`code-server ${cs.origin} (pid ${cs.pid})`);
  cs.exitPromise.then((r) => finish(new Error(`code-server exited unexpectedly (${r.code ?? r.signal})`)));

  br = await launchBrowser({ viewport: { width: 1280, height: 800 }, handleSignals: false });
  const { page } = br;
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('pageerror', (e) => console.log(`[browser pageerror] ${e.message}`));
  if (opt.verbose) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));

  const url = workbenchUrl(cs, { extensionDevelopmentPath: REPO_ROOT });
  say(`opening ${url}`);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
  await page.locator('.monaco-workbench').waitFor({ timeout: STEP_TIMEOUT });

  // activity bar entry "Broker Explorer" (aria-label may carry a keybinding suffix)
  const icon = page
    .locator(
      '.part.activitybar .action-item [aria-label^="Broker Explorer"], .part.activitybar .action-item[aria-label^="Broker Explorer"]',
    )
    .first();
  await icon.waitFor({ state: 'visible', timeout: STEP_TIMEOUT }).catch(() => {
    throw new Error(`no "Broker Explorer" activity bar entry within ${STEP_TIMEOUT / 1000} s (extension not loaded?)`);
  });
  say('activity bar entry "Broker Explorer" found; opening the view');
  await icon.click();
  await page
    .locator('.sidebar .composite.title [aria-label^="Broker Explorer"], .sidebar .title-label')
    .first()
    .waitFor({ timeout: STEP_TIMEOUT });

  const redisPane = viewPane(page, 'Redis');
  await redisPane
    .first()
    .waitFor({ timeout: STEP_TIMEOUT })
    .catch(() => {
      throw new Error('the Redis view pane did not appear');
    });
  // make sure the Redis section itself is expanded
  const header = redisPane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();

  await expandRow(rows(redisPane, /^local$/), '"local" (Redis profile)');
  say('expanded profile "local"');
  await expandRow(rows(redisPane, /^db0$/), '"db0"');
  say('expanded "db0"');

  // type groups: all of them with demo keys when the db is small, else only "hash"
  const groups = dbsize <= 20 ? ['hash', 'string', 'list', 'set', 'zset'] : ['hash'];
  for (const g of groups) {
    await expandRow(rows(redisPane, new RegExp(`^${g}$`)), `"${g}" (type group)`);
  }
  say(`expanded type group(s): ${groups.join(', ')}`);

  const keyRows = rows(redisPane, /be-demo:/);
  await keyRows
    .first()
    .waitFor({ state: 'visible', timeout: STEP_TIMEOUT })
    .catch(() => {
      throw new Error(`no row with a ${PREFIX} key appeared within ${STEP_TIMEOUT / 1000} s`);
    });
  if (groups.length > 1) {
    // all groups open: give the last groups a moment to list every demo key (not asserted)
    for (let i = 0; i < 25 && (await keyRows.count()) < DEMO_KEYS.length; i++) await page.waitForTimeout(200);
  }
  const keyLabels = await keyRows.locator('.label-name').allTextContents();
  say(`key rows: ${keyLabels.join(', ')}`);

  // assertions (explicit, re-checked right before the screenshot)
  const must = [
    [rows(redisPane, /^local$/), 'a profile row "local"'],
    [rows(redisPane, /^db0$/), 'a "db0" row'],
    [keyRows, `at least one ${PREFIX} key row`],
  ];
  for (const [loc, what] of must) {
    if ((await loc.count()) < 1) throw new Error(`assertion failed: the Redis tree shows no ${what}`);
  }

  // best effort: open one hash value in the editor area (fills the screenshot; not asserted)
  if (!opt['tree-only']) {
    const demo = rows(redisPane, /^be-demo:user:1$/).first();
    await demo.click();
    const opened = await page
      .locator('.editor-group-container .tabs-container .tab')
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 })
      .then(
        () => true,
        () => false,
      );
    if (opened) await page.waitForTimeout(1500); // let the editor render the value
    say(
      opened
        ? 'opened the value of be-demo:user:1 in an editor'
        : 'note: clicking be-demo:user:1 opened no editor within 15 s (not asserted)',
    );
  }

  // move the mouse away (no hover tooltip), close toasts, let the tree settle
  await page.mouse.move(900, 500);
  await dismissNotifications(page);
  await page.waitForTimeout(800);
  await dismissNotifications(page);
  await page.screenshot({ path: outFile });
  say(`screenshot ${outFile}`);
  await finish();
} catch (err) {
  await finish(err);
}
