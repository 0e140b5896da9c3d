import assert from 'node:assert/strict';
import { AmqpPool, AmqpSession } from '../../src/core/amqp/amqpSession';
import { rpcCall } from '../../src/core/amqp/rpcClient';
import { publish } from '../../src/core/amqp/publisher';
import {
  bind,
  checkQueue,
  declareExchange,
  declareQueue,
  deleteExchange,
  deleteQueue,
  purgeQueue,
  unbind,
} from '../../src/core/amqp/topology';
import {
  AuthError,
  CancelledError,
  ConnectionError,
  InputError,
  NotFoundError,
  PreconditionError,
  ReadOnlyError,
  TimeoutError,
} from '../../src/core/errors';
import { PASSWORD, TestVhost, rabbitProfile, waitFor } from './helpers/amqpBroker';

describe('AMQP topology and errors (real RabbitMQ)', () => {
  let vh: TestVhost;
  let session: AmqpSession;

  before(async () => {
    vh = await TestVhost.create('topology');
    session = vh.session();
  });
  after(async () => {
    await vh.close();
  });

  it('declares a queue and reports its counts, then redeclares it idempotently', async () => {
    const first = await declareQueue(session, { name: 'orders', durable: true, arguments: { 'x-message-ttl': '60000' } });
    assert.deepEqual(first, { queue: 'orders', messageCount: 0, consumerCount: 0 });
    await publish(session, { exchange: '', routingKey: 'orders', body: 'one' });
    const again = await declareQueue(session, { name: 'orders', durable: true, arguments: { 'x-message-ttl': 60000 } });
    assert.equal(again.messageCount, 1);
  });

  it('a redeclare with other settings is a PreconditionError sentence and the connection stays usable', async () => {
    const conn = await session.connection();
    await assert.rejects(declareQueue(session, { name: 'orders', durable: false }), (err: unknown) => {
      assert.ok(err instanceof PreconditionError, String(err));
      assert.match(
        err.message,
        /^Declaring queue "orders" on profile "test" \(vhost "be-test\/topology [0-9a-f]+"\) failed: inequivalent arg 'durable'.*delete it first\.$/,
      );
      return true;
    });
    assert.equal(await session.connection(), conn, 'the same connection is still in use');
    assert.equal((await checkQueue(session, 'orders')).messageCount, 1);
  });

  it('a missing queue is a NotFoundError and the connection stays usable for other work', async () => {
    const conn = await session.connection();
    await assert.rejects(checkQueue(session, 'no-such-queue'), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /Checking queue "no-such-queue" on profile "test" .* failed: no queue 'no-such-queue' in vhost/);
      return true;
    });
    await assert.rejects(
      bind(session, { source: 'no-such-exchange', destination: 'orders', destinationType: 'queue', routingKey: 'k' }),
      NotFoundError,
    );
    assert.equal(await session.connection(), conn);
    assert.equal((await checkQueue(session, 'orders')).queue, 'orders');
  });

  it('deleting a missing queue or exchange is an error, not silence', async () => {
    await assert.rejects(deleteQueue(session, { name: 'typo-queue' }), /Deleting queue "typo-queue" .* failed: no queue 'typo-queue'/);
    await assert.rejects(deleteExchange(session, { name: 'typo-exchange' }), NotFoundError);
    await assert.rejects(deleteExchange(session, { name: 'amq.topic' }), InputError);
  });

  it('delete honours ifEmpty and returns the message count', async () => {
    await declareQueue(session, { name: 'to-delete', durable: false });
    await publish(session, { exchange: '', routingKey: 'to-delete', body: 'x' });
    await assert.rejects(deleteQueue(session, { name: 'to-delete', ifEmpty: true }), PreconditionError);
    assert.deepEqual(await deleteQueue(session, { name: 'to-delete' }), { messageCount: 1 });
    await assert.rejects(checkQueue(session, 'to-delete'), NotFoundError);
  });

  it('purges a queue and returns how many messages went', async () => {
    await declareQueue(session, { name: 'to-purge', durable: false });
    for (let i = 0; i < 3; i++) await publish(session, { exchange: '', routingKey: 'to-purge', body: `m${i}` });
    assert.deepEqual(await purgeQueue(session, { name: 'to-purge' }), { messageCount: 3 });
    assert.equal((await checkQueue(session, 'to-purge')).messageCount, 0);
  });

  it('binds and unbinds queue→exchange and exchange→exchange; unbinding a missing binding is an error', async () => {
    await declareExchange(session, { name: 'src', type: 'topic', durable: false });
    await declareExchange(session, { name: 'dst', type: 'fanout', durable: false });
    await declareQueue(session, { name: 'bound', durable: false });
    await bind(session, { source: 'src', destination: 'dst', destinationType: 'exchange', routingKey: 'a.*' });
    await bind(session, { source: 'dst', destination: 'bound', destinationType: 'queue' });
    assert.deepEqual(await publish(session, { exchange: 'src', routingKey: 'a.b', body: 'via e2e' }), { confirmed: true, routed: true });
    assert.deepEqual(await publish(session, { exchange: 'src', routingKey: 'b.b', body: 'nowhere' }), { confirmed: true, routed: false });
    assert.equal((await checkQueue(session, 'bound')).messageCount, 1);
    await assert.rejects(
      unbind(session, { source: 'src', destination: 'dst', destinationType: 'exchange', routingKey: 'typo.*' }),
      (err: unknown) => err instanceof NotFoundError && /there is no such binding/.test(err.message),
    );
    await unbind(session, { source: 'src', destination: 'dst', destinationType: 'exchange', routingKey: 'a.*' });
    assert.equal((await publish(session, { exchange: 'src', routingKey: 'a.b', body: 'x' })).routed, false);
    await assert.rejects(bind(session, { source: '', destination: 'bound', destinationType: 'queue' }), InputError);
  });

  it('publish reports confirmed and routed; mandatory returns are not silent', async () => {
    await declareQueue(session, { name: 'pub', durable: false });
    assert.deepEqual(
      await publish(session, {
        exchange: '',
        routingKey: 'pub',
        body: { hex: '00ff' },
        properties: { persistent: true, headers: { n: 1, big: { '!': 'long', value: 5 } } },
      }),
      {
        confirmed: true,
        routed: true,
      },
    );
    assert.deepEqual(await publish(session, { exchange: '', routingKey: 'nobody-home', body: 'lost' }), { confirmed: true, routed: false });
    await assert.rejects(publish(session, { exchange: 'no-such-exchange', routingKey: 'k', body: 'x' }), (err: unknown) => {
      assert.ok(err instanceof NotFoundError, String(err));
      assert.match(err.message, /Publishing to exchange "no-such-exchange" .* failed: no exchange 'no-such-exchange'/);
      return true;
    });
  });

  it('publish refuses bad properties with one sentence before anything is sent', async () => {
    const cases: [unknown, RegExp][] = [
      [{ priority: 256 }, /"priority" must be a whole number from 0 to 255/],
      [{ priority: 1.5 }, /"priority"/],
      [{ expiration: '-5' }, /"expiration" must be a non-negative whole number/],
      [{ expiration: 'soon' }, /"expiration"/],
      [{ deliveryMode: 3 }, /"deliveryMode" must be 1 \(transient\) or 2 \(persistent\)/],
      [{ contentTyp: 'x' }, /"contentTyp" is not an AMQP message property/],
      [{ headers: [1] }, /headers must be an object/],
      [{ headers: { a: { '!': 'nonsense', value: 1 } } }, /not an AMQP field type/],
      [{ timestamp: 'yesterday' }, /"timestamp"/],
    ];
    for (const [properties, expected] of cases) {
      await assert.rejects(publish(session, { exchange: '', routingKey: 'pub', body: 'x', properties }), (err: unknown) => {
        assert.ok(err instanceof InputError, `${JSON.stringify(properties)}: ${String(err)}`);
        assert.match(err.message, expected);
        assert.match(err.message, /\.$/);
        return true;
      });
    }
    await assert.rejects(
      declareQueue(session, { name: 'q', arguments: { 'x-max-priority': 300 } }),
      /"x-max-priority" must be a whole number from 1 to 255/,
    );
    await assert.rejects(declareQueue(session, { name: 'amq.mine' }), /reserves/);
  });

  it('a read-only profile refuses every write before anything is sent', async () => {
    const ro = vh.session({ readOnly: true });
    const refusals: Promise<unknown>[] = [
      publish(ro, { exchange: '', routingKey: 'pub', body: 'x' }),
      declareQueue(ro, { name: 'ro-q' }),
      declareExchange(ro, { name: 'ro-x', type: 'fanout' }),
      bind(ro, { source: 'src', destination: 'bound', destinationType: 'queue' }),
      unbind(ro, { source: 'src', destination: 'bound', destinationType: 'queue' }),
      deleteQueue(ro, { name: 'pub' }),
      deleteExchange(ro, { name: 'src' }),
      purgeQueue(ro, { name: 'pub' }),
    ];
    for (const p of refusals)
      await assert.rejects(p, (err: unknown) => err instanceof ReadOnlyError && /^Profile "test" is read-only/.test(err.message));
    // Nothing was sent: not even a connection was opened.
    assert.equal((ro as unknown as { shared: unknown }).shared, undefined);
    // Reading still works.
    assert.equal((await checkQueue(ro, 'pub')).queue, 'pub');
  });

  it('a wrong password is an AuthError sentence without the password', async () => {
    const bad = new AmqpSession(rabbitProfile(vh.name), { password: 'not-the-password-xyz' });
    await assert.rejects(checkQueue(bad, 'pub'), (err: unknown) => {
      assert.ok(err instanceof AuthError, String(err));
      assert.match(err.message, /refused the login of user "guest"/);
      assert.ok(!err.message.includes('not-the-password-xyz'));
      return true;
    });
    await bad.close();
  });

  it('a missing vhost, a closed port and a silent listener each fail with one sentence within the timeout', async () => {
    const noVhost = new AmqpSession(rabbitProfile('no-such-vhost-xyz'), { password: PASSWORD });
    await assert.rejects(
      checkQueue(noVhost, 'q'),
      (err: unknown) => err instanceof NotFoundError && /vhost "no-such-vhost-xyz" does not exist/.test(err.message),
    );
    const closedPort = new AmqpSession(rabbitProfile(vh.name, { url: 'amqp://guest@127.0.0.1:1/' }), { password: PASSWORD });
    await assert.rejects(checkQueue(closedPort, 'q'), (err: unknown) => err instanceof ConnectionError && /was refused/.test(err.message));

    const net = await import('node:net');
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const quiet = new AmqpSession(rabbitProfile(vh.name, { url: `amqp://guest@127.0.0.1:${port}/`, connectTimeoutMs: 500 }), {
      password: PASSWORD,
    });
    await assert.rejects(checkQueue(quiet, 'q'), (err: unknown) => err instanceof TimeoutError && /within 500 ms/.test(err.message));
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    silent.close();
  });

  it('the shared connection is reopened for the next operation after the broker closed it', async () => {
    const before = await session.connection();
    const m = session.management();
    const shared = await waitFor('the shared connections to show up', async () => {
      const page = await m.listConnections({ vhost: vh.name });
      const found = page.items.filter((c) => c.clientName === 'broker-explorer');
      return found.length > 0 ? found : undefined;
    });
    for (const conn of shared) await m.closeConnection(conn.name, { reason: 'test' });
    await waitFor('the old connection to be dropped', async () => (await session.connection()) !== before);
    assert.equal((await checkQueue(session, 'orders')).queue, 'orders');
  });

  it('an aborted signal cancels the operation with a CancelledError and leaves the session usable', async () => {
    await declareQueue(session, { name: 'silent-rpc', durable: false });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await assert.rejects(rpcCall(session, { routingKey: 'silent-rpc', body: 'x' }, { signal: controller.signal }), CancelledError);
    assert.ok(Date.now() - started < 2_000);
    await assert.rejects(session.management().overview({ signal: AbortSignal.abort() }), CancelledError);
    assert.equal((await checkQueue(session, 'silent-rpc')).messageCount, 1);
  });

  it('the pool hands out one session per (profile, vhost) and closes them on invalidate', async () => {
    const profile = vh.profile();
    const pool = new AmqpPool({ profile: () => profile, password: () => Promise.resolve(PASSWORD) });
    const a = await pool.session('test');
    assert.equal(await pool.session('test'), a);
    assert.equal(a.vhost, vh.name);
    const other = await pool.session('test', '/');
    assert.notEqual(other, a);
    assert.equal((await checkQueue(a, 'orders')).queue, 'orders');
    pool.invalidate('test');
    const b = await pool.session('test');
    assert.notEqual(b, a);
    await assert.rejects(checkQueue(a, 'orders'), ConnectionError);
    await pool.dispose();
  });
});
