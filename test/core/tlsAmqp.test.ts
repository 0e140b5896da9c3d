/**
 * amqps:// against a RabbitMQ node of the test's own with a TLS listener
 * only (its own node name, ports and directories; the shared broker is not
 * touched): connects with the profile's CA, fails with a sentence about the
 * certificate without it, and goes through with allowSelfSigned. The node
 * is stopped afterwards, whatever happened.
 */
import assert from 'node:assert/strict';
import { connectAmqp } from '../../src/core/amqp/amqpConnection';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { publish } from '../../src/core/amqp/publisher';
import { declareQueue, checkQueue } from '../../src/core/amqp/topology';
import { peekMessages } from '../../src/core/amqp/peek';
import { ConnectionError, TimeoutError } from '../../src/core/errors';
import { resolveRabbitProfile, type ResolvedRabbitProfile, type TlsOptions } from '../../src/core/profiles';
import { OwnRabbitNode, rabbitServerAvailable } from '../topology/rabbitTopology';
import { makeTestCa, type TestCa } from './helpers/ownServers';

describe('AMQP over TLS (a RabbitMQ node of the test’s own)', function () {
  this.timeout(60_000);
  let ca: TestCa;
  let node: OwnRabbitNode | undefined;

  before(async function () {
    if (!rabbitServerAvailable()) this.skip();
    ca = makeTestCa();
    node = await OwnRabbitNode.start({ name: 'betls', tls: { cert: ca.cert, key: ca.key, ca: ca.ca }, timeoutMs: 30_000 });
    console.log(`      figure: the TLS node ${node.node} listened on 127.0.0.1:${node.port} after ${node.startupMs} ms`);
  });
  after(async () => {
    await node?.stop();
    ca?.dispose();
  });

  const profile = (tls: TlsOptions | undefined, timeoutMs = 5_000): ResolvedRabbitProfile =>
    resolveRabbitProfile({
      name: 'amqps',
      url: `amqps://guest@127.0.0.1:${node?.port ?? 0}/`,
      connectTimeoutMs: timeoutMs,
      ...(tls ? { tls } : {}),
    });

  it('connects with the profile’s CA, and publishes and reads back through the core', async () => {
    const model = await connectAmqp(profile({ ca: ca.ca }), { password: 'guest' });
    await model.close();
    const session = new AmqpSession(profile({ ca: ca.ca }), { password: 'guest' });
    try {
      await declareQueue(session, { name: 'over-tls', durable: false });
      await publish(session, { exchange: '', routingKey: 'over-tls', body: 'secret-free hello' });
      assert.equal((await checkQueue(session, 'over-tls')).messageCount, 1);
      const peeked = await peekMessages(session, { queue: 'over-tls', count: 1 });
      assert.deepEqual(
        peeked.messages.map((m) => m.body),
        ['secret-free hello'],
      );
      assert.equal((await checkQueue(session, 'over-tls')).messageCount, 1, 'peek leaves it there');
    } finally {
      await session.close();
    }
  });

  it('without the CA, or with another CA, fails at once with a sentence about the certificate', async () => {
    for (const tls of [undefined, { ca: ca.otherCa }] as (TlsOptions | undefined)[]) {
      const started = Date.now();
      await assert.rejects(connectAmqp(profile(tls), { password: 'guest' }), (err: unknown) => {
        assert.ok(err instanceof ConnectionError, String(err));
        assert.ok(err.message.includes(`127.0.0.1:${node?.port ?? 0}`), err.message);
        assert.match(err.message, /certificate/);
        assert.match(err.message, /check the CA file, or allow self-signed certificates/);
        assert.doesNotMatch(err.message, /guest@|\n/);
        return true;
      });
      assert.ok(Date.now() - started < 2_000);
    }
  });

  it('with allowSelfSigned it connects without a CA', async () => {
    const model = await connectAmqp(profile({ allowSelfSigned: true }), { password: 'guest' });
    const ch = await model.createChannel();
    const q = await ch.assertQueue('', { exclusive: true });
    assert.match(q.queue, /^amq\.gen-/);
    await model.close();
  });

  it('plain amqp:// to the TLS port fails within connectTimeoutMs with a sentence naming host and port', async () => {
    const plain = resolveRabbitProfile({ name: 'plain', url: `amqp://guest@127.0.0.1:${node?.port ?? 0}/`, connectTimeoutMs: 1_500 });
    const started = Date.now();
    await assert.rejects(connectAmqp(plain, { password: 'guest' }), (err: unknown) => {
      assert.ok(err instanceof ConnectionError || err instanceof TimeoutError, String(err));
      assert.ok(err.message.includes(`127.0.0.1:${node?.port ?? 0}`), err.message);
      return true;
    });
    assert.ok(Date.now() - started < 3_000);
  });
});
