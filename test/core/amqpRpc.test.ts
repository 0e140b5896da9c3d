/**
 * Tutorial 6, RPC: a plain amqplib fib server on `rpc_queue` (prefetch 1,
 * noDelay) and the core's rpcCall on the other side, in both reply modes.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { Channel, ChannelModel } from 'amqplib';
import type { AmqpSession } from '../../src/core/amqp/amqpSession';
import { rpcCall, type ReplyMode } from '../../src/core/amqp/rpcClient';
import { declareQueue } from '../../src/core/amqp/topology';
import { NotFoundError, ReadOnlyError, TimeoutError } from '../../src/core/errors';
import { TestVhost, median } from './helpers/amqpBroker';

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** The tutorial's server: one message at a time, reply to replyTo with the request's correlationId. */
async function startFibServer(conn: ChannelModel, queue: string, options: { noisy?: boolean } = {}): Promise<Channel> {
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: false });
  await ch.prefetch(1);
  await ch.consume(queue, (msg) => {
    if (!msg) return;
    const n = Number.parseInt(msg.content.toString(), 10);
    const reply = Buffer.from(String(fib(n)));
    if (options.noisy) {
      // A reply for somebody else first: the caller must ignore it.
      ch.sendToQueue(msg.properties.replyTo as string, Buffer.from('not yours'), { correlationId: 'someone-else' });
    }
    ch.sendToQueue(msg.properties.replyTo as string, reply, {
      correlationId: msg.properties.correlationId as string,
      contentType: 'text/plain',
    });
    ch.ack(msg);
  });
  return ch;
}

describe('RPC (tutorial 6, real RabbitMQ)', () => {
  let vh: TestVhost;
  let session: AmqpSession;

  before(async () => {
    vh = await TestVhost.create('rpc');
    session = vh.session();
    await startFibServer(await vh.raw('fib server'), 'rpc_queue');
    await startFibServer(await vh.raw('noisy fib server'), 'noisy_rpc', { noisy: true });
  });
  after(async () => {
    await vh.close();
  });

  for (const replyMode of ['direct', 'callbackQueue'] as ReplyMode[]) {
    describe(`reply mode "${replyMode}"`, () => {
      it('fib(30): body "30" returns "832040" with its properties and latency', async () => {
        const r = await rpcCall(session, { routingKey: 'rpc_queue', body: '30', replyMode });
        assert.equal(r.body, '832040');
        assert.equal(r.properties.contentType, 'text/plain');
        assert.match(r.properties.correlationId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.ok(r.elapsedMs > 0 && r.elapsedMs < 5_000);
      });

      it('20 concurrent calls each get their own answer', async () => {
        const ns = Array.from({ length: 20 }, (_, i) => i + 5);
        const results = await Promise.all(ns.map((n) => rpcCall(session, { routingKey: 'rpc_queue', body: String(n), replyMode })));
        assert.deepEqual(
          results.map((r) => r.body),
          ns.map((n) => String(fib(n))),
        );
      });

      it('replies with another correlation id are ignored', async () => {
        const r = await rpcCall(session, { routingKey: 'noisy_rpc', body: '10', replyMode });
        assert.equal(r.body, '55');
      });

      it('a call to a queue nobody serves times out with a clear sentence', async () => {
        await declareQueue(session, { name: 'unserved_queue', durable: false });
        const started = Date.now();
        await assert.rejects(rpcCall(session, { routingKey: 'unserved_queue', body: '1', timeoutMs: 300, replyMode }), (err: unknown) => {
          assert.ok(err instanceof TimeoutError, String(err));
          assert.equal(
            err.message,
            `The RPC call to queue "unserved_queue" on profile "test" (vhost "${vh.name}") got no reply within 300 ms; check that a server consumes queue "unserved_queue" and replies to the replyTo queue with the same correlationId.`,
          );
          return true;
        });
        assert.ok(Date.now() - started < 2_000);
      });
    });
  }

  it('a call to a queue that does not exist fails at once instead of waiting for the timeout', async () => {
    const started = Date.now();
    await assert.rejects(
      rpcCall(session, { routingKey: 'no_such_queue', body: '1' }),
      (err: unknown) => err instanceof NotFoundError && /there is no queue named "no_such_queue"/.test(err.message),
    );
    assert.ok(Date.now() - started < 1_000);
  });

  it('the session stays usable after a failed call', async () => {
    assert.equal((await rpcCall(session, { routingKey: 'rpc_queue', body: '7' })).body, '13');
  });

  it('a read-only profile refuses an RPC call (it publishes)', async () => {
    await assert.rejects(rpcCall(vh.session({ readOnly: true }), { routingKey: 'rpc_queue', body: '1' }), ReadOnlyError);
  });

  it('round trip figures: sequential calls with noDelay on both sides', async () => {
    const rounds = 200;
    const elapsed: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const r = await rpcCall(session, { routingKey: 'rpc_queue', body: '1' });
      whole.push(performance.now() - t0);
      elapsed.push(r.elapsedMs);
    }
    // The same against a server whose socket keeps Nagle's algorithm on (amqplib's default).
    const { connect } = await import('amqplib');
    const nagle = await connect(`amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vh.name)}`);
    nagle.on('error', () => undefined);
    await startFibServer(nagle, 'rpc_nagle');
    const nagleElapsed: number[] = [];
    for (let i = 0; i < 30; i++) nagleElapsed.push((await rpcCall(session, { routingKey: 'rpc_nagle', body: '1' })).elapsedMs);
    await nagle.close();
    console.log(
      `      RPC round trip median over ${rounds}: ${median(elapsed).toFixed(3)} ms publish→reply, ${median(whole).toFixed(3)} ms per whole call (channel open/consume/close included); server without noDelay: ${median(nagleElapsed).toFixed(3)} ms`,
    );
    assert.ok(median(elapsed) < 1_000);
  });
});
