/**
 * A RabbitMQ cluster of three nodes of the tests' own (RabbitClusterTopology:
 * own ports, own cookie, joined with rabbitmqctl join_cluster), started once
 * for this file and stopped after it. The nodes are stopped one after the
 * other, in this order: node 0 under a quorum consumer, then node 1 under a
 * tail and an RPC client, so each failover has a live node to go to. The
 * shared broker on 5672 is never touched.
 */
import assert from 'node:assert/strict';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { startConsumer, type QueueConsumer } from '../../src/core/amqp/consumer';
import { moveMessages } from '../../src/core/amqp/messageMover';
import type { MoveResult } from '../../src/core/amqp/moveTarget';
import { rpcCall } from '../../src/core/amqp/rpcClient';
import { startTail, type ExchangeTail } from '../../src/core/amqp/tail';
import { declareExchange, declareQueue } from '../../src/core/amqp/topology';
import { ConnectionError } from '../../src/core/errors';
import { resolveRabbitProfile, type ResolvedRabbitProfile } from '../../src/core/profiles';
import { freePort, sleep, waitFor } from './helpers/common';
import { RabbitClusterTopology } from '../topology/rabbitTopology';

const PASSWORD = 'guest';

describe('RabbitMQ cluster of three nodes (failover)', function () {
  this.timeout(120_000);
  let topo: RabbitClusterTopology;
  const sessions: AmqpSession[] = [];
  const raws: ChannelModel[] = [];
  const stoppers: { stop(): Promise<void> }[] = [];

  /** A profile over the cluster's nodes, in `order`. */
  function profile(order: number[] = [0, 1, 2], extra: Record<string, unknown> = {}): ResolvedRabbitProfile {
    return resolveRabbitProfile({
      name: 'cluster',
      urls: order.map((i) => `amqp://guest@127.0.0.1:${topo.nodes[i].port}`),
      managementUrls: order.map((i) => topo.nodes[i].managementUrl),
      connectTimeoutMs: 3_000,
      ...extra,
    });
  }

  function session(order?: number[], extra?: Record<string, unknown>): AmqpSession {
    const s = new AmqpSession(profile(order, extra), { password: PASSWORD });
    sessions.push(s);
    return s;
  }

  function address(i: number): string {
    return `127.0.0.1:${topo.nodes[i].port}`;
  }

  async function raw(i: number): Promise<ChannelModel> {
    const c = await connect(topo.nodes[i].amqpUrl, { noDelay: true });
    c.on('error', () => undefined);
    raws.push(c);
    return c;
  }

  /** A move of 2,000 messages between quorum queues through node 0, slowed (2 ms a message) so node 0 stops mid-move. */
  async function startSlowMove(s: AmqpSession): Promise<{ result: Promise<MoveResult>; total: number; movedAtStart: () => number }> {
    const total = 2_000;
    for (const name of ['be-quorum-move-src', 'be-quorum-move-dst'])
      await declareQueue(s, { name, arguments: { 'x-queue-type': 'quorum' } });
    const pub = await (await raw(2)).createConfirmChannel();
    for (let i = 0; i < total; i++) pub.sendToQueue('be-quorum-move-src', Buffer.from(`v${i}`), { persistent: true, messageId: `v${i}` });
    await pub.waitForConfirms();
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let moved = 0;
    const result = moveMessages(
      session([0, 1, 2]),
      { queue: 'be-quorum-move-src', toQueue: 'be-quorum-move-dst' },
      {
        prefetch: 50,
        onProgress: (p) => {
          moved = p.moved;
          Atomics.wait(pause, 0, 0, 2);
        },
      },
    );
    await waitFor('the move under way', () => moved >= 100, 30_000);
    return { result, total, movedAtStart: () => moved };
  }

  async function checkMove(move: { result: Promise<MoveResult>; total: number }): Promise<void> {
    const r = await move.result;
    assert.equal(r.stoppedBecause, undefined, r.stoppedBecause);
    const ch = await (await raw(2)).createChannel();
    const ids = new Set<string>();
    let copies = 0;
    for (;;) {
      const msg = await ch.get('be-quorum-move-dst', { noAck: true });
      if (msg === false) break;
      copies++;
      ids.add(String(msg.properties.messageId));
    }
    assert.equal((await ch.checkQueue('be-quorum-move-src')).messageCount, 0, 'the source is empty');
    assert.equal(ids.size, move.total, '0 lost');
    assert.ok(copies - ids.size <= (r.possibleDuplicates ?? 0), `${copies - ids.size} duplicates, ${r.possibleDuplicates ?? 0} flagged`);
    console.log(
      `      (move: ${r.moved} moved across the node loss, ${copies - ids.size} duplicates, ${r.possibleDuplicates ?? 0} flagged)`,
    );
  }

  before(async function () {
    this.timeout(300_000);
    const started = Date.now();
    topo = await RabbitClusterTopology.start({ management: true, timeoutMs: 120_000 });
    // The management listener comes up after the AMQP one: wait for every node's.
    for (const node of topo.nodes) {
      await waitFor(
        `the management API of ${node.node}`,
        async () => {
          try {
            const res = await fetch(`${node.managementUrl}/api/overview`, {
              headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
            });
            return res.ok;
          } catch {
            return false;
          }
        },
        60_000,
        200,
      );
    }
    console.log(`      (cluster of 3 started and joined in ${Date.now() - started} ms)`);
  });

  after(async function () {
    this.timeout(120_000);
    await Promise.all(stoppers.splice(0).map((s) => s.stop().catch(() => undefined)));
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    await Promise.all(raws.map((c) => c.close().catch(() => undefined)));
    await topo?.stop();
  });

  it('lists a quorum queue with its leader and members, and every node as running', async () => {
    const s = session();
    await declareQueue(s, { name: 'be-quorum-listed', arguments: { 'x-queue-type': 'quorum' } });
    const names = topo.nodes.map((n) => n.node).sort();
    const queue = await waitFor(
      'the quorum queue with its members',
      async () => {
        const page = await s.management().list({ kind: 'queues', filter: 'be-quorum-listed' });
        const q = page.items[0];
        return q && q.members?.length === 3 && q.leader ? q : undefined;
      },
      30_000,
      250,
    );
    assert.equal(queue.type, 'quorum');
    assert.deepEqual([...(queue.members ?? [])].sort(), names);
    assert.ok(names.includes(queue.leader ?? ''), `leader ${queue.leader} is one of the nodes`);
    // Declared through node 0: the leader is placed on the declaring node.
    assert.equal(queue.leader, topo.nodes[0].node);

    // Node statistics (uptime, memory) arrive with the first sample, a few seconds after start.
    const nodes = await waitFor(
      'every node with its statistics',
      async () => {
        const page = await s.management().list({ kind: 'nodes' });
        return page.items.every((n) => n.uptimeMs !== undefined) ? page : undefined;
      },
      30_000,
      250,
    );
    assert.deepEqual(
      nodes.items.map((n) => n.name),
      names,
    );
    for (const n of nodes.items) {
      assert.equal(n.running, true, `${n.name} running`);
      assert.equal(n.memoryAlarm, false);
      assert.equal(n.diskFreeAlarm, false);
      assert.deepEqual(n.partitions, []);
      assert.ok((n.uptimeMs ?? 0) > 0, `${n.name} has an uptime`);
    }
  });

  it('a consumer in ack mode on a quorum queue loses no message when the node under it stops; repeats are flagged redelivered; a move running there too resumes on another node and loses nothing', async () => {
    const total = 300;
    const s = session();
    await declareQueue(s, { name: 'be-quorum-work', arguments: { 'x-queue-type': 'quorum' } });
    const pub = await (await raw(1)).createConfirmChannel();
    for (let i = 0; i < total; i++) pub.sendToQueue('be-quorum-work', Buffer.from(`m${i}`), { persistent: true });
    await pub.waitForConfirms();

    const seen: { body: string; redelivered: boolean }[] = [];
    const resumed: { node: string; downtimeMs: number; handledBefore: number }[] = [];
    const consumer: QueueConsumer = await startConsumer(
      s,
      { queue: 'be-quorum-work', prefetch: 10, ack: 'ack' },
      {
        sink: async (m) => {
          seen.push({ body: typeof m.body === 'string' ? m.body : m.body.hex, redelivered: m.redelivered });
          await sleep(10);
        },
      },
    );
    stoppers.push(consumer);
    consumer.on('resumed', (e) => resumed.push({ ...e, handledBefore: seen.length }));
    await waitFor('50 messages handled', () => seen.length >= 50, 30_000);
    assert.ok(seen.length < total, 'the node stops while messages are still to come');
    const move = await startSlowMove(s);
    await topo.nodes[0].halt();

    const distinct = (): number => new Set(seen.map((m) => m.body)).size;
    await waitFor(`all ${total} messages handled (${distinct()} so far)`, () => distinct() === total, 90_000, 100);
    await consumer.stop();

    assert.ok(resumed.length >= 1, 'the consumer resumed');
    assert.notEqual(resumed[0].node, address(0), 'it resumed on another node');
    assert.ok(resumed[0].handledBefore < total, `messages were still to come after the resume (${resumed[0].handledBefore} before it)`);
    const first = new Set<string>();
    const repeats: string[] = [];
    for (const m of seen) {
      if (!first.has(m.body)) {
        first.add(m.body);
        continue;
      }
      repeats.push(m.body);
      assert.equal(m.redelivered, true, `${m.body}, seen again, is flagged redelivered`);
    }
    for (let i = 0; i < total; i++) assert.ok(first.has(`m${i}`), `m${i} arrived`);
    await checkMove(move);
    console.log(
      `      (${total} messages, ${resumed[0].handledBefore} handled before the resume, ${repeats.length} redelivered repeats; resumed on ${resumed[0].node} after ${resumed[0].downtimeMs} ms)`,
    );
  });

  it('connecting skips a node that is down and goes to the next URL', async () => {
    const s = session([0, 1, 2]);
    await s.connection();
    assert.equal(s.connectedNode, address(1));
  });

  it('when no node answers, one sentence names every node tried', async () => {
    const closed = await freePort();
    const s = session([0], { urls: [`amqp://guest@127.0.0.1:${topo.nodes[0].port}`, `amqp://guest@127.0.0.1:${closed}`] });
    await assert.rejects(s.connection(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /failed on every node of its 2 URLs/);
      assert.ok(err.message.includes(`127.0.0.1:${topo.nodes[0].port} refused the connection`), err.message);
      assert.ok(err.message.includes(`127.0.0.1:${closed} refused the connection`), err.message);
      assert.doesNotMatch(err.message, /guest:guest/);
      return true;
    });
  });

  it('the management client fails over to the next URL and lists the stopped node as not running', async () => {
    const m = session([0, 1, 2]).management();
    const nodes = await m.list({ kind: 'nodes' });
    assert.equal(m.activeManagementUrl, topo.nodes[1].managementUrl);
    const byName = new Map(nodes.items.map((n) => [n.name, n]));
    assert.equal(byName.get(topo.nodes[0].node)?.running, false, `${topo.nodes[0].node} is listed as not running`);
    assert.equal(byName.get(topo.nodes[1].node)?.running, true);
    assert.equal(byName.get(topo.nodes[2].node)?.running, true);
  });

  describe('when the node under a tail and an RPC client stops', () => {
    let tail: ExchangeTail;
    let rpc: AmqpSession;
    const events: { what: string; at: number; node?: string; downtimeMs?: number }[] = [];

    before(async function () {
      this.timeout(120_000);
      const admin = session([2]);
      await declareExchange(admin, { name: 'be-cluster-fan', type: 'fanout' });
      // The RPC server, on node 2, replies with the request's body upper-cased.
      const server = await (await raw(2)).createChannel();
      await server.assertQueue('be-cluster-rpc', { durable: false });
      await server.consume('be-cluster-rpc', (msg: ConsumeMessage | null) => {
        if (!msg) return;
        server.sendToQueue(String(msg.properties.replyTo), Buffer.from(msg.content.toString().toUpperCase()), {
          correlationId: String(msg.properties.correlationId),
        });
        server.ack(msg);
      });

      tail = await startTail(session([0, 1, 2]), { exchange: 'be-cluster-fan', exchangeType: 'fanout' });
      stoppers.push(tail);
      tail.on('lost', () => events.push({ what: 'lost', at: Date.now() }));
      tail.on('resumed', (e) => events.push({ what: 'resumed', at: Date.now(), node: e.node, downtimeMs: e.downtimeMs }));
      rpc = session([0, 1, 2]);
      const before = await rpcCall(rpc, { routingKey: 'be-cluster-rpc', body: 'ping' });
      assert.equal(before.body, 'PING');
      assert.equal(rpc.connectedNode, address(1), 'node 0 is down: the RPC client is on node 1');
      await topo.nodes[1].halt();
    });

    it('the tail resumes on another node within 5 s of the loss, and sees what is published afterwards', async () => {
      const resumed = await waitFor('the tail to resume', () => events.find((e) => e.what === 'resumed'), 30_000);
      const lost = events.find((e) => e.what === 'lost');
      assert.ok(lost, 'the loss was reported');
      const gap = resumed.at - lost.at;
      console.log(`      (tail resumed on ${resumed.node} ${gap} ms after the loss; downtime ${resumed.downtimeMs} ms)`);
      assert.equal(resumed.node, address(2));
      assert.ok(gap < 5_000, `resumed ${gap} ms after the loss`);

      const pub = await (await raw(2)).createConfirmChannel();
      for (let i = 0; i < 20; i++) pub.publish('be-cluster-fan', '', Buffer.from(`after ${i}`));
      await pub.waitForConfirms();
      const got = await tail.read({ take: 20, timeoutMs: 10_000 });
      assert.deepEqual(
        got.map((m) => m.body),
        Array.from({ length: 20 }, (_, i) => `after ${i}`),
      );
    });

    it('RPC reopens its reply channel on another node', async () => {
      const reply = await rpcCall(rpc, { routingKey: 'be-cluster-rpc', body: 'pong', timeoutMs: 10_000 });
      assert.equal(reply.body, 'PONG');
      assert.equal(rpc.connectedNode, address(2));
    });
  });
});
