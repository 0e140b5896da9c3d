import assert from 'node:assert/strict';
import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { moveMessages } from '../../src/core/amqp/messageMover';
import { checkQueue } from '../../src/core/amqp/topology';
import { InputError, PreconditionError, ReadOnlyError } from '../../src/core/errors';
import { resolveRabbitProfile } from '../../src/core/profiles';
import { OwnRabbitNode, rabbitServerAvailable } from '../topology/rabbitTopology';
import { TestVhost, waitFor } from './helpers/amqpBroker';

const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/** One management call on the test's own node. */
async function nodeApi(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const init: RequestInit = {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    signal: AbortSignal.timeout(30_000),
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function fill(ch: ConfirmChannel, queue: string, n: number, size = 64): Promise<void> {
  for (let i = 0; i < n; i++) {
    ch.sendToQueue(queue, Buffer.from(`${i}:`.padEnd(size, 'x')), {
      messageId: `m${i}`,
      persistent: true,
      headers: { 'x-n': i, tag: 'keep' },
    });
    if (i % 2000 === 1999) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
}

describe('moving messages with the server-side shovel', function () {
  this.timeout(120_000);

  describe('on the shared broker (no shovel plugin)', () => {
    let vh: TestVhost;
    before(async () => {
      vh = await TestVhost.create('shovel-off');
      const ch = await (await vh.raw('shovel-off fixture')).createConfirmChannel();
      await ch.assertQueue('src');
      await ch.assertQueue('dst');
      await fill(ch, 'src', 5);
    });
    after(() => vh.close());

    it('refuses route "shovel" with one sentence when the plugin is not enabled, and moves nothing', async () => {
      const s = vh.session();
      await assert.rejects(moveMessages(s, { queue: 'src', toQueue: 'dst', route: 'shovel' }), (err: Error) => {
        assert.ok(err instanceof PreconditionError, String(err));
        assert.match(err.message, /needs the dynamic shovel plugin .* not enabled on profile "test".* route "client"\.$/);
        return true;
      });
      assert.equal((await checkQueue(s, 'src')).messageCount, 5);
      assert.equal((await checkQueue(s, 'dst')).messageCount, 0);
    });

    it('refuses an unknown route, a shovelled replay and a read-only profile before anything is sent', async () => {
      await assert.rejects(moveMessages(vh.session(), { queue: 'src', toQueue: 'dst', route: 'ferry' as 'client' }), InputError);
      await assert.rejects(
        moveMessages(vh.session(), { queue: 'src', replayDeadLetters: true, route: 'shovel' }),
        (err: Error) => err instanceof InputError && /cannot run as a shovel/.test(err.message),
      );
      await assert.rejects(moveMessages(vh.session({ readOnly: true }), { queue: 'src', toQueue: 'dst', route: 'shovel' }), ReadOnlyError);
    });
  });

  describe('on a node of the test’s own with rabbitmq_shovel enabled', () => {
    let node: OwnRabbitNode | undefined;
    let base = '';
    const vhost = 'be-test/shovel run';
    let conn: ChannelModel;
    let pub: ConfirmChannel;
    let ch: Channel;
    let session: AmqpSession;

    before(async function () {
      if (!rabbitServerAvailable()) this.skip();
      node = await OwnRabbitNode.start({ name: 'beshovel', management: true, plugins: ['rabbitmq_shovel', 'rabbitmq_shovel_management'] });
      base = node.managementUrl ?? '';
      await waitFor(
        'the management API of the own node',
        async () => (await nodeApi(base, 'GET', '/api/shovels').catch(() => undefined))?.status === 200,
        60_000,
        250,
      );
      const v = encodeURIComponent(vhost);
      await nodeApi(base, 'PUT', `/api/vhosts/${v}`, {});
      await nodeApi(base, 'PUT', `/api/permissions/${v}/guest`, { configure: '.*', write: '.*', read: '.*' });
      conn = await connect(`amqp://guest:guest@127.0.0.1:${node.port}/${v}`);
      pub = await conn.createConfirmChannel();
      ch = await conn.createChannel();
      session = new AmqpSession(
        resolveRabbitProfile({
          name: 'own-shovel',
          url: `amqp://guest@127.0.0.1:${node.port}/${v}`,
          managementUrl: base,
          connectTimeoutMs: 5_000,
        }),
        { password: 'guest' },
      );
    });
    after(async () => {
      await session?.close().catch(() => undefined);
      await conn?.close().catch(() => undefined);
      await node?.stop();
    });

    const shovelsLeft = async (): Promise<unknown[]> =>
      (await nodeApi(base, 'GET', `/api/parameters/shovel/${encodeURIComponent(vhost)}`)).body as unknown[];

    it('moves every message of a queue to another queue, keeps bodies and headers, says the shovel ran and deletes it', async () => {
      await pub.assertQueue('all-src', { arguments: { 'x-message-ttl': 600_000 } });
      await pub.assertQueue('all-dst');
      await fill(pub, 'all-src', 2_000);
      const result = await moveMessages(session, { queue: 'all-src', toQueue: 'all-dst', route: 'shovel' });
      assert.equal(result.route, 'shovel');
      assert.equal(result.moved, 2_000);
      assert.equal(result.kept, 0);
      assert.equal(result.copiesMarked, false);
      assert.equal(result.stoppedBecause, undefined);
      assert.match(result.shovel ?? '', /^be-move-/);
      assert.equal((await checkQueue(session, 'all-dst')).messageCount, 2_000);
      const first = await ch.get('all-dst', { noAck: true });
      assert.ok(first);
      assert.equal(first.content.toString().split(':')[0], '0');
      assert.equal(first.properties.messageId, 'm0');
      assert.deepEqual(first.properties.headers, { 'x-n': 0, tag: 'keep' });
      assert.deepEqual(await shovelsLeft(), []);
    });

    it('moves a count to an exchange with a routing key, and the rest stay', async () => {
      await pub.assertExchange('cnt-x', 'direct');
      await pub.assertQueue('cnt-src');
      await pub.assertQueue('cnt-dst');
      await pub.bindQueue('cnt-dst', 'cnt-x', 'k');
      await fill(pub, 'cnt-src', 1_000);
      const result = await moveMessages(session, { queue: 'cnt-src', toExchange: 'cnt-x', routingKey: 'k', count: 300, route: 'shovel' });
      assert.deepEqual([result.moved, result.kept, result.stoppedBecause], [300, 700, undefined]);
      assert.equal((await checkQueue(session, 'cnt-dst')).messageCount, 300);
      assert.deepEqual(await shovelsLeft(), []);
    });

    it('refuses an exchange that routes the key nowhere (a shovel would drop the messages), and keeps them', async () => {
      await pub.assertExchange('nowhere-x', 'direct');
      await pub.assertQueue('nowhere-src');
      await fill(pub, 'nowhere-src', 50);
      const result = await moveMessages(session, { queue: 'nowhere-src', toExchange: 'nowhere-x', routingKey: 'k', route: 'shovel' });
      assert.equal(result.moved, 0);
      assert.match(result.stoppedBecause ?? '', /routes the routing key "k" to no queue.*nothing was moved/);
      assert.equal((await checkQueue(session, 'nowhere-src')).messageCount, 50);
      assert.deepEqual(await shovelsLeft(), []);
    });

    it('cancelling mid-move deletes the shovel and every message is in the source or the target', async () => {
      const total = 40_000;
      await pub.assertQueue('cancel-src');
      await pub.assertQueue('cancel-dst');
      await fill(pub, 'cancel-src', total, 512);
      const controller = new AbortController();
      const result = await moveMessages(
        session,
        { queue: 'cancel-src', toQueue: 'cancel-dst', route: 'shovel' },
        { signal: controller.signal, onProgress: ({ moved }) => moved > 0 && controller.abort() },
      );
      assert.match(result.stoppedBecause ?? '', /^Cancelled; the shovel was deleted\. Moved \d+/);
      assert.ok(result.moved > 0 && result.moved < total, `moved ${result.moved}`);
      const kept = (await checkQueue(session, 'cancel-src')).messageCount;
      const arrived = (await checkQueue(session, 'cancel-dst')).messageCount;
      // Nothing lost; a message the shovel had copied but not yet acked when it was deleted is in both, and counted.
      assert.equal(kept, result.kept);
      assert.equal(
        kept + arrived,
        total + (result.possibleDuplicates ?? 0),
        `${kept} kept + ${arrived} arrived, ${result.possibleDuplicates} flagged`,
      );
      assert.deepEqual(await shovelsLeft(), []);
    });
  });
});
