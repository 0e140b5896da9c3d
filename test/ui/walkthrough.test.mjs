// The "Get Started" walkthrough's pictures, taken from the real workbench while each step is done
// for real: the two "local" profiles, a key opened from the tree, a tail receiving messages, an RPC
// reply, the Redis console. Part of the UI run; it reaches Set Password and Tail Exchange through the
// palette (a right-click on a tree row that is still re-rendering under heavy load sometimes opened no menu).
// To refresh media/walkthrough/*.png:
//   node scripts/build.mjs && node scripts/host/ui.mjs --screenshots media test/ui/walkthrough.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REPO_ROOT } from '../../scripts/host/host.mjs';
import {
  answerInput,
  closeAllEditors,
  page,
  pickQuickPick,
  redisClient,
  runCommand,
  saveScreenshot,
  seen,
  treePath,
  freshRedisTree,
  uiSession,
} from './helpers.mjs';

const require = createRequire(path.join(REPO_ROOT, 'package.json'));
const amqp = require('amqplib');

const DB = 14;
const PREFIX = 'be-walk:';
const RPC_QUEUE = 'be-walk-rpc';

function shot(name) {
  fs.mkdirSync(path.join(uiSession().screenshotDir, 'walkthrough'), { recursive: true });
  return saveScreenshot(`walkthrough/${name}`);
}

/** The vhost step, asked when the profile's URL names none. */
async function vhostIfAsked() {
  await page().waitForTimeout(500);
  const vhost = await page()
    .locator('.quick-input-title', { hasText: 'Vhost on local' })
    .isVisible()
    .catch(() => false);
  if (vhost) await pickQuickPick('/', 'Vhost on local');
}

describe('walkthrough pictures', function () {
  let redis;
  let conn;
  before(async function () {
    redis = redisClient(DB);
    await redis.del(`${PREFIX}user:1`, `${PREFIX}orders`, `${PREFIX}greeting`);
    await redis.hset(`${PREFIX}user:1`, { name: 'Ada Lovelace', email: 'ada@example.com', visits: '42' });
    await redis.rpush(`${PREFIX}orders`, 'order-1001', 'order-1002');
    await redis.set(`${PREFIX}greeting`, 'hello');
    conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672/');
    conn.on('error', () => {});
    const ch = await conn.createChannel();
    await ch.assertQueue(RPC_QUEUE, { durable: false, autoDelete: true });
    // The RPC server of the tutorial: answers n+1 to {"n": n}.
    await ch.consume(RPC_QUEUE, (m) => {
      if (!m) return;
      const n = JSON.parse(m.content.toString()).n;
      ch.sendToQueue(m.properties.replyTo, Buffer.from(JSON.stringify({ result: n + 1 })), {
        correlationId: m.properties.correlationId,
        contentType: 'application/json',
      });
      ch.ack(m);
    });
  });
  after(async function () {
    // The amq.topic tail, stopped through the running-tails list.
    await runCommand('Broker Explorer: Running Tails…').catch(() => {});
    await pickQuickPick('amq.topic', 'Running tails')
      .then(() => pickQuickPick('Stop'))
      .catch(() => page().keyboard.press('Escape'));
    await closeAllEditors().catch(() => {});
    await freshRedisTree().catch(() => {});
    await redis.del(`${PREFIX}user:1`, `${PREFIX}orders`, `${PREFIX}greeting`);
    redis.disconnect();
    await conn?.close().catch(() => {});
  });

  it('connect: both trees show the "local" profiles (the RabbitMQ one after its password is set)', async function () {
    await freshRedisTree();
    await treePath('Redis', ['local', `db${DB}`]);
    await treePath('RabbitMQ', ['local']);
    await runCommand('Broker Explorer: Set Password…');
    await pickQuickPick('RabbitMQ', 'Connection kind');
    await pickQuickPick('local', 'RabbitMQ profile');
    await answerInput('guest', 'Password for local');
    await runCommand('RabbitMQ: Refresh');
    await treePath('RabbitMQ', ['local', '/', 'Exchanges']);
    await shot('connect');
  });

  it('browse: a hash opened from the Redis tree', async function () {
    await freshRedisTree();
    const row = await treePath('Redis', ['local', `db${DB}`, 'hash', `${PREFIX}user:1`]);
    await row.click();
    await seen(/Ada.Lovelace/);
    await shot('browse');
    await closeAllEditors();
  });

  it('tail: amq.topic tailed with walk.#, messages arriving in the output channel', async function () {
    await treePath('RabbitMQ', ['local', '/', 'Exchanges', 'amq.topic']);
    await runCommand('RabbitMQ: Tail Exchange…');
    await pickQuickPick('local', 'RabbitMQ: profile');
    await vhostIfAsked();
    await pickQuickPick('amq.topic', 'Tail which exchange');
    await answerInput('walk.#', 'binding keys');
    const ch = await conn.createChannel();
    const deadline = Date.now() + 30_000;
    let shown = false;
    for (let i = 1; !shown && Date.now() < deadline; i++) {
      ch.publish('amq.topic', `walk.order.${i}`, Buffer.from(JSON.stringify({ order: 1000 + i, status: 'paid' })));
      await page().waitForTimeout(500);
      // The output channel (Monaco renders spaces as non-breaking ones: match with .).
      shown = await page()
        .locator('.view-lines', { hasText: /amq\.topic.⟫.walk\.order\.\d+/ })
        .first()
        .isVisible()
        .catch(() => false);
    }
    assert.ok(shown, 'the tail shows the published messages');
    await ch.close();
    await shot('tail');
  });

  it('rpc: a call answered by the tutorial RPC server', async function () {
    await closeAllEditors();
    await runCommand('RabbitMQ: RPC Call…');
    await pickQuickPick('local', 'RabbitMQ: profile');
    await vhostIfAsked();
    await answerInput(RPC_QUEUE, "the server's queue");
    await pickQuickPick('Type it', 'Request body');
    await answerInput('{"n": 41}', 'Request body');
    await answerInput('10000', 'Timeout');
    await page()
      .locator('.view-lines', { hasText: /RPC.reply.from.queue."be-walk-rpc"/ })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(
      await page()
        .locator('.view-lines', { hasText: /RPC.reply/ })
        .first()
        .innerText(),
      /"result":.42/,
    );
    await shot('rpc');
    await closeAllEditors();
  });

  it('console: the Redis console reads the hash', async function () {
    await runCommand('Redis: Open Redis Console');
    await answerInput(String(DB), 'database of "local"');
    const terminal = page().locator('.terminal-wrapper.active .xterm, .terminal .xterm').first();
    await terminal.waitFor({ state: 'visible', timeout: 30_000 });
    await terminal.click();
    await page().keyboard.type(`HGETALL ${PREFIX}user:1`);
    await page().keyboard.press('Enter');
    // The terminal draws on a canvas: the server says what the console's own connection ran.
    const deadline = Date.now() + 20_000;
    let ran = false;
    while (!ran && Date.now() < deadline) {
      const clients = String(await redis.client('LIST'));
      ran = clients.split('\n').some((line) => / db=14 /.test(line) && / cmd=hgetall /.test(line));
      if (!ran) await page().waitForTimeout(200);
    }
    assert.ok(ran, 'the console connection ran HGETALL on db 14');
    await page().waitForTimeout(500);
    await shot('console');
  });
});
