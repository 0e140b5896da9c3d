// The dashboards in the real workbench (issue 14 §3): each renders in Chromium, and its newest sample
// (the table's data-value cells) lies between two direct reads of INFO / the management API taken
// around it, i.e. matches the server within a polling interval. The keyspace treemap of 1,000 seeded
// `user:` keys (db 11) matches a plain-client sum of MEMORY USAGE, and a top key opens like the tree's.
import assert from 'node:assert/strict';
import { answerInput, closeAllEditors, page, pickQuickPick, redisClient, runCommand, saveScreenshot, webviewFrame } from './helpers.mjs';

const DB = 11;
const MGMT = 'http://127.0.0.1:15672';
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

async function mgmtJson(path) {
  const res = await fetch(`${MGMT}${path}`, { headers: { authorization: AUTH } });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return res.json();
}

/** INFO of the shared server as { field: number } (stats, clients, memory), read now. */
async function info(redis) {
  const text = await redis.info();
  const out = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && /^-?\d+(\.\d+)?$/.test(line.slice(at + 1))) out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}

/** The newest sample's table as { field: number }, with its time. */
async function latest(frame) {
  const table = frame.locator('table.dash-latest');
  await table.waitFor();
  return table.evaluate((t) => {
    const values = {};
    for (const tr of t.querySelectorAll('tr[data-field]')) {
      if (tr.dataset.value !== '') values[tr.dataset.field] = Number(tr.dataset.value);
    }
    return { t: Number(t.dataset.sampleT), values };
  });
}

/** Waits for a sample newer than `after` (ms since the epoch). */
async function sampleAfter(frame, after) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const s = await latest(frame);
    if (s.t > after) return s;
    if (Date.now() > deadline) throw new Error(`no sample after ${new Date(after).toISOString()}`);
    await page().waitForTimeout(100);
  }
}

const within = (v, a, b, slack, what) => {
  const lo = Math.min(a, b) - slack;
  const hi = Math.max(a, b) + slack;
  assert.ok(v >= lo && v <= hi, `${what}: dashboard ${v}, server ${a} … ${b} (± ${slack})`);
};

/** Runs a palette command that may ask for the profile first (only "local" exists in the UI host). */
async function open(title) {
  await runCommand(title);
  const asked = await page()
    .locator('.quick-input-widget .quick-input-title', { hasText: 'profile' })
    .waitFor({ state: 'visible', timeout: 1500 })
    .then(() => true)
    .catch(() => false);
  if (asked) await pickQuickPick('local');
}

describe('dashboards', function () {
  let redis;
  before(async function () {
    redis = redisClient(DB);
    await redis.flushdb();
  });
  after(async function () {
    await closeAllEditors().catch(() => {});
    await redis.flushdb();
    redis.disconnect();
  });

  it('the Redis dashboard renders its charts, and its newest sample matches INFO read around it', async function () {
    await open('Redis: Open Dashboard');
    const frame = webviewFrame();
    await frame.locator('figure.dash-chart canvas').nth(6).waitFor({ state: 'attached' });
    assert.equal(await frame.locator('figure.dash-chart').count(), 7);
    await redis.set('be-ui-dash:k', 'v');
    const before = await info(redis);
    const t0 = Date.now();
    const s = await sampleAfter(frame, t0);
    const afterInfo = await info(redis);
    within(s.values.totalCommands, before.total_commands_processed, afterInfo.total_commands_processed, 0, 'commands processed');
    within(s.values.usedMemory, before.used_memory, afterInfo.used_memory, 2 * 1024 * 1024, 'used memory');
    within(s.values.connectedClients, before.connected_clients, afterInfo.connected_clients, 3, 'connected clients');
    assert.equal(s.values.maxMemory, afterInfo.maxmemory);
    assert.equal(s.values[`keys.db${DB}`], 1, 'keys per db from INFO keyspace');
    assert.ok(s.values.opsPerSec > 0, 'ops/s from the counters');
    await saveScreenshot('dashboard-redis');
  });

  it('the keyspace treemap of 1,000 user: keys matches a plain-client MEMORY USAGE sum, and a top key opens', async function () {
    const p = redis.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`user:${i}`, 'x'.repeat(10 + (i % 200)));
    for (let i = 0; i < 50; i++) p.hset(`order:${i}`, 'id', String(i), 'total', '9.99');
    await p.exec();
    await redis.del('be-ui-dash:k');
    const usage = redis.pipeline();
    for (let i = 0; i < 1000; i++) usage.memory('USAGE', `user:${i}`);
    const userBytes = (await usage.exec()).reduce((sum, [, n]) => sum + Number(n), 0);

    await open('Redis: Open Dashboard'); // shows the open one
    const frame = webviewFrame();
    await frame.locator('vscode-textfield.dash-db').evaluate((e, db) => (e.value = db), String(DB));
    await frame.locator('vscode-button.dash-analyze').click();
    await frame
      .locator('.dash-analysis[data-scanned], .dash-analysis .dash-failed')
      .first()
      .waitFor({ state: 'attached', timeout: 30_000 });
    const note = await frame.locator('.dash-analysis .dash-note').innerText();
    assert.match(note, /1,050 keys analysed/);
    const cell = frame.locator('.tm-cell[data-prefix="user:"]');
    await cell.waitFor({ state: 'attached' });
    assert.equal(Number(await cell.getAttribute('data-keys')), 1000);
    assert.equal(Number(await cell.getAttribute('data-bytes')), userBytes);
    assert.equal(Number(await frame.locator('.tm-cell[data-prefix="order:"]').getAttribute('data-keys')), 50);
    const rowsShown = frame.locator('table.dash-topkeys tbody tr');
    assert.ok((await rowsShown.count()) > 0);
    const first = await rowsShown.first().getAttribute('data-key');
    await saveScreenshot('dashboard-redis-keyspace', frame.locator('.dash-analysis'));
    await rowsShown.first().click();
    await page().locator('.tabs-container .tab', { hasText: first }).first().waitFor({ timeout: 15_000 });
    await closeAllEditors();
  });

  it('the RabbitMQ dashboard renders, and its figures match /api/overview and /api/nodes read around it', async function () {
    // The UI host's profile "local" has no password yet: set it the way a user does.
    await runCommand('Broker Explorer: Set Password…');
    await pickQuickPick('RabbitMQ', 'Connection kind');
    await pickQuickPick('local');
    await answerInput('guest', 'local');
    await open('RabbitMQ: Open Dashboard');
    const frame = webviewFrame();
    await frame.locator('figure.dash-chart canvas').nth(4).waitFor({ state: 'attached' });
    assert.equal(await frame.locator('figure.dash-chart').count(), 5);
    const o1 = await mgmtJson('/api/overview');
    const n1 = await mgmtJson('/api/nodes');
    const s = await sampleAfter(frame, Date.now());
    const o2 = await mgmtJson('/api/overview');
    const n2 = await mgmtJson('/api/nodes');
    for (const k of ['connections', 'channels', 'consumers', 'queues']) {
      within(s.values[k], o1.object_totals[k], o2.object_totals[k], 0, k);
    }
    within(s.values.ready, o1.queue_totals.messages_ready ?? 0, o2.queue_totals.messages_ready ?? 0, 0, 'ready');
    within(s.values.unacked, o1.queue_totals.messages_unacknowledged ?? 0, o2.queue_totals.messages_unacknowledged ?? 0, 0, 'unacked');
    const rate = (o, k) => o.message_stats?.[`${k}_details`]?.rate ?? 0;
    within(s.values['rates.publish'], rate(o1, 'publish'), rate(o2, 'publish'), 0, 'publish rate');
    for (const [i, node] of n2.entries()) {
      const used = s.values[`node.${node.name}.memoryUsed`];
      within(used, n1[i].mem_used, node.mem_used, 32 * 1024 * 1024, `${node.name} memory`);
      within(s.values[`node.${node.name}.diskFree`], n1[i].disk_free, node.disk_free, 64 * 1024 * 1024, `${node.name} disk`);
    }
    await saveScreenshot('dashboard-rabbitmq');
    await closeAllEditors();
  });
});
