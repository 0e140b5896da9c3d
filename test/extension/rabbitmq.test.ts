/**
 * RabbitMQ commands in the extension host, against the real broker, each
 * suite on a vhost of its own (created through the management API and
 * deleted afterwards) with a profile whose URL names it.
 */
import assert from 'node:assert/strict';
import { connect, type ChannelModel } from 'amqplib';
import * as vscode from 'vscode';
import { api, exec, rabbitMgmt as mgmt, rabbitMgmtJson as mgmtJson, RABBIT_MANAGEMENT, rejects, uniqueName, waitFor } from './util';

export interface Message {
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  body: string | { hex: string };
  properties: Record<string, unknown>;
}

/** A vhost of the suite's own and a profile on it; `run` adds the profile to every call. */
export class RabbitFixture {
  readonly vhost = `be-ext/${uniqueName('vh')}`;
  readonly profile = uniqueName('rabbit');
  private readonly raws: ChannelModel[] = [];

  async setup(): Promise<void> {
    const v = encodeURIComponent(this.vhost);
    await mgmt('PUT', `/api/vhosts/${v}`, { description: 'Broker Explorer extension-host test' });
    await mgmt('PUT', `/api/permissions/${v}/guest`, { configure: '.*', write: '.*', read: '.*' });
    await exec('brokerExplorer.profiles.add', {
      kind: 'rabbitmq',
      profile: { name: this.profile, url: `amqp://guest@127.0.0.1:5672/${v}`, managementUrl: RABBIT_MANAGEMENT, connectTimeoutMs: 5000 },
      password: 'guest',
    });
  }

  async teardown(): Promise<void> {
    const a = await api();
    for (const t of a.tails.list('rabbitmq', this.profile)) await exec('brokerExplorer.tails.stop', { id: t.id });
    await Promise.all(this.raws.map((c) => c.close().catch(() => undefined)));
    await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name: this.profile });
    await mgmt('DELETE', `/api/vhosts/${encodeURIComponent(this.vhost)}`);
  }

  run<T>(verb: string, args: Record<string, unknown> = {}): Promise<T> {
    return exec<T>(`brokerExplorer.rabbitmq.${verb}`, { profile: this.profile, ...args });
  }

  /** A plain amqplib connection on the vhost (noDelay), as another program would open. */
  async raw(): Promise<ChannelModel> {
    const c = await connect(`amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(this.vhost)}`, { noDelay: true });
    c.on('error', () => undefined);
    this.raws.push(c);
    return c;
  }

  async runningTails(): Promise<number> {
    return (await api()).tails.list('rabbitmq', this.profile).length;
  }

  /** Starts a command that resolves only after messages arrive, and waits until its tail is registered. */
  async startWaiting<T>(verb: string, args: Record<string, unknown>): Promise<{ pending: Promise<T> }> {
    const before = await this.runningTails();
    const pending = this.run<T>(verb, args);
    pending.catch(() => undefined);
    await waitFor(`the ${verb} to start`, async () => ((await this.runningTails()) > before ? true : undefined), 10_000);
    return { pending };
  }

  async depth(queue: string, args: Record<string, unknown> = {}): Promise<number> {
    return (await this.run<{ messageCount: number }>('declareQueue', { name: queue, ...args })).messageCount;
  }
}

interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageCount: number;
}

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

const TOPIC_KEYS = [
  'quick.orange.rabbit',
  'lazy.orange.elephant',
  'quick.orange.fox',
  'lazy.brown.fox',
  'lazy.pink.rabbit',
  'lazy.orange.male.rabbit',
  'lazy',
  'quick.brown.fox',
  'quick.orange.male.rabbit',
  'orange',
];

export function registerRabbitmqTests(): void {
  describe('RabbitMQ commands (a vhost of their own)', () => {
    const fx = new RabbitFixture();
    before(() => fx.setup());
    after(() => fx.teardown());

    it('lists vhosts, exchanges and queues by page with substring and regex filters, and pages bindings here', async () => {
      for (let i = 0; i < 25; i++) await fx.run('declareQueue', { name: `q-${String(i).padStart(2, '0')}`, durable: false });
      const vhosts = await fx.run<Page<{ name: string }>>('list', { kind: 'vhosts', filter: fx.vhost });
      assert.deepEqual(
        vhosts.items.map((v) => v.name),
        [fx.vhost],
      );
      const exchanges = await fx.run<Page<{ name: string; type: string; builtIn: boolean }>>('list', { kind: 'exchanges' });
      assert.deepEqual(
        exchanges.items.map((x) => x.name),
        ['', 'amq.direct', 'amq.fanout', 'amq.headers', 'amq.match', 'amq.rabbitmq.trace', 'amq.topic'],
      );
      assert.ok(exchanges.items.every((x) => x.builtIn));
      const names = (p: Page<{ name: string }>): string[] => p.items.map((q) => q.name);
      const first = await fx.run<Page<{ name: string }>>('list', { kind: 'queues', pageSize: 10 });
      assert.deepEqual(
        { ...first, items: names(first) },
        { items: ['q-00', 'q-01', 'q-02', 'q-03', 'q-04', 'q-05', 'q-06', 'q-07', 'q-08', 'q-09'], total: 25, page: 1, pageCount: 3 },
      );
      const last = await fx.run<Page<{ name: string }>>('list', { kind: 'queues', pageSize: 10, page: 3 });
      assert.deepEqual(names(last), ['q-20', 'q-21', 'q-22', 'q-23', 'q-24']);
      const past = await fx.run<Page<{ name: string }>>('list', { kind: 'queues', pageSize: 10, page: 4 });
      assert.deepEqual({ items: past.items, total: past.total, page: past.page }, { items: [], total: 25, page: 4 });
      const sub = await fx.run<Page<{ name: string }>>('list', { kind: 'queues', filter: 'q-1' });
      assert.deepEqual(names(sub), ['q-10', 'q-11', 'q-12', 'q-13', 'q-14', 'q-15', 'q-16', 'q-17', 'q-18', 'q-19']);
      const re = await fx.run<Page<{ name: string }>>('list', { kind: 'queues', filter: '^q-(0[3-4]|24)$', regex: true });
      assert.deepEqual({ names: names(re), total: re.total }, { names: ['q-03', 'q-04', 'q-24'], total: 3 });

      await fx.run('declareExchange', { name: 'fan', type: 'fanout', durable: false });
      for (let i = 0; i < 12; i++)
        await fx.run('bind', { source: 'fan', destination: `q-${String(i).padStart(2, '0')}`, destinationType: 'queue' });
      const b = await fx.run<Page<{ source: string; destination: string }>>('list', {
        kind: 'bindings',
        source: { exchange: 'fan' },
        pageSize: 5,
        page: 3,
      });
      assert.deepEqual(
        { dest: b.items.map((x) => x.destination), total: b.total, pageCount: b.pageCount },
        { dest: ['q-10', 'q-11'], total: 12, pageCount: 3 },
      );
      const qb = await fx.run<Page<{ source: string; routingKey: string }>>('list', { kind: 'bindings', source: { queue: 'q-00' } });
      assert.deepEqual(
        qb.items.map((x) => [x.source, x.routingKey]),
        [
          ['', 'q-00'],
          ['fan', ''],
        ],
      );
      await rejects(fx.run('list', { kind: 'queues', filter: '(', regex: true }), /^The filter "\(" is not a/);
    });

    it('declares, binds, publishes, tails (take), peeks (depth unchanged), consumes (take), purges and deletes with exact results', async () => {
      assert.deepEqual(await fx.run('declareExchange', { name: 'orders', type: 'direct' }), {});
      assert.deepEqual(await fx.run('declareQueue', { name: 'jobs' }), { queue: 'jobs', messageCount: 0, consumerCount: 0 });
      assert.deepEqual(await fx.run('bind', { source: 'orders', destination: 'jobs', destinationType: 'queue', routingKey: 'new' }), {});

      const { pending: tailing } = await fx.startWaiting<{ id: string; queue: string; messages: Message[] }>('tail', {
        exchange: 'orders',
        bindingKeys: ['new'],
        take: 2,
        timeoutMs: 10_000,
      });
      assert.deepEqual(
        await fx.run('publish', {
          exchange: 'orders',
          routingKey: 'new',
          body: '{"order":1}',
          properties: { contentType: 'application/json', persistent: true },
        }),
        { confirmed: true, routed: true },
      );
      assert.deepEqual(await fx.run('publish', { exchange: 'orders', routingKey: 'new', body: { hex: '00ff' } }), {
        confirmed: true,
        routed: true,
      });

      assert.deepEqual(await fx.run('publish', { exchange: 'orders', routingKey: 'nowhere', body: 'lost' }), {
        confirmed: true,
        routed: false,
      });
      const tail = await tailing;
      assert.match(tail.queue, /^amq\.gen-/);
      assert.deepEqual(tail.messages, [
        {
          exchange: 'orders',
          routingKey: 'new',
          redelivered: false,
          body: '{"order":1}',
          properties: { contentType: 'application/json', deliveryMode: 2 },
        },
        { exchange: 'orders', routingKey: 'new', redelivered: false, body: { hex: '00ff' }, properties: {} },
      ]);
      assert.equal(await fx.runningTails(), 0, 'a tail with take and without keep stops');

      const peeked = await fx.run<{ messages: Message[] }>('peek', { queue: 'jobs', count: 10 });
      assert.deepEqual(
        peeked.messages.map((m) => m.body),
        ['{"order":1}', { hex: '00ff' }],
      );
      assert.equal(await fx.depth('jobs'), 2, 'peeking leaves the queue depth unchanged');

      const consumed = await fx.run<{ id: string; messages: Message[] }>('consume', { queue: 'jobs', take: 2, timeoutMs: 10_000 });
      assert.ok(consumed.id);
      assert.deepEqual(
        consumed.messages.map((m) => [m.body, m.redelivered]),
        [
          ['{"order":1}', true],
          [{ hex: '00ff' }, true],
        ],
      );
      assert.equal(await fx.runningTails(), 0);
      await waitFor('both acks', async () => ((await fx.depth('jobs')) === 0 ? true : undefined), 5_000);

      for (let i = 0; i < 3; i++) await fx.run('publish', { exchange: '', routingKey: 'jobs', body: `task ${i}` });
      const one = await fx.run<{ messages: Message[] }>('consume', { queue: 'jobs', take: 1, timeoutMs: 10_000 });
      assert.deepEqual(
        one.messages.map((m) => m.body),
        ['task 0'],
      );
      await waitFor('the two unhandled messages back in the queue', async () => ((await fx.depth('jobs')) === 2 ? true : undefined), 5_000);
      assert.deepEqual(await fx.run('purgeQueue', { name: 'jobs' }), { messageCount: 2 });
      assert.deepEqual(await fx.run('unbind', { source: 'orders', destination: 'jobs', destinationType: 'queue', routingKey: 'new' }), {});
      assert.deepEqual(await fx.run('deleteQueue', { name: 'jobs' }), { messageCount: 0 });
      assert.deepEqual(await fx.run('deleteExchange', { name: 'orders' }), {});
    });

    it('tails of a topic exchange with * and # keys receive exactly the matching messages', async () => {
      await fx.run('declareExchange', { name: 'topic_logs', type: 'topic', durable: false });
      const start = (keys: string[]): Promise<{ id: string }> => fx.run('tail', { exchange: 'topic_logs', bindingKeys: keys, keep: true });
      const a = await start(['*.orange.*']);
      const b = await start(['*.*.rabbit', 'lazy.#']);
      const c = await start(['#']);
      for (const key of TOPIC_KEYS) await fx.run('publish', { exchange: 'topic_logs', routingKey: key, body: key });
      const read = async (id: string, n: number): Promise<string[]> => {
        const got = await exec<{ messages: Message[]; running: boolean }>('brokerExplorer.tails.read', { id, take: n, timeoutMs: 5_000 });
        assert.equal(got.running, true);
        const extra = await exec<{ messages: Message[] }>('brokerExplorer.tails.read', { id, take: 1, timeoutMs: 300 });
        return [...got.messages, ...extra.messages].map((m) => m.routingKey);
      };
      assert.deepEqual(await read(a.id, 3), ['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox']);
      assert.deepEqual(await read(b.id, 6), [
        'quick.orange.rabbit',
        'lazy.orange.elephant',
        'lazy.brown.fox',
        'lazy.pink.rabbit',
        'lazy.orange.male.rabbit',
        'lazy',
      ]);
      assert.deepEqual(await read(c.id, TOPIC_KEYS.length), TOPIC_KEYS);
      for (const t of [a, b, c]) assert.deepEqual(await exec('brokerExplorer.tails.stop', { id: t.id }), { stopped: true });
      assert.equal(await fx.runningTails(), 0);
    });

    it('tail and consume with take above tailBufferSize (50) return the first n in order; consume acks only those', async () => {
      const config = vscode.workspace.getConfiguration('brokerExplorer');
      await config.update('tailBufferSize', 50, vscode.ConfigurationTarget.Global);
      try {
        const ch = await (await fx.raw()).createConfirmChannel();
        const publishMany = async (exchange: string, key: string, n: number): Promise<void> => {
          for (let i = 0; i < n; i++) ch.publish(exchange, key, Buffer.from(String(i)));
          await ch.waitForConfirms();
        };
        const numbers = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));
        await fx.run('declareExchange', { name: 'big_fanout', type: 'fanout', durable: false });
        const tail = await fx.startWaiting<{ id: string; messages: Message[] }>('tail', {
          exchange: 'big_fanout',
          take: 200,
          timeoutMs: 10_000,
        });
        await publishMany('big_fanout', '', 260);
        const tailed = await tail.pending;
        assert.deepEqual(
          tailed.messages.map((m) => m.body),
          numbers(200),
        );
        await fx.run('declareQueue', { name: 'big_work', durable: false });
        await publishMany('', 'big_work', 250);
        const consumed = await fx.run<{ messages: Message[] }>('consume', {
          queue: 'big_work',
          prefetch: 100,
          take: 200,
          timeoutMs: 10_000,
        });
        assert.deepEqual(
          consumed.messages.map((m) => m.body),
          numbers(200),
        );
        await waitFor(
          'the 50 not taken back in the queue',
          async () => ((await fx.depth('big_work', { durable: false })) === 50 ? true : undefined),
          5_000,
        );
        await ch.close();
      } finally {
        await config.update('tailBufferSize', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    it('a tail resumes after the broker closes its connection', async () => {
      await fx.run('declareExchange', { name: 'resume_x', type: 'fanout', durable: false });
      const t = await fx.run<{ id: string; queue: string }>('tail', { exchange: 'resume_x', keep: true });
      const connection = await waitFor("the tail's connection in the management API", async () => {
        const list = await mgmtJson<{ name: string; client_properties?: { connection_name?: string } }[]>(
          `/api/vhosts/${encodeURIComponent(fx.vhost)}/connections`,
        );
        return list.find((c) => c.client_properties?.connection_name?.startsWith('broker-explorer tail resume_x'))?.name;
      });
      await mgmt('DELETE', `/api/connections/${encodeURIComponent(connection)}`);
      const got = await waitFor('a message after the resume', async () => {
        await fx.run('publish', { exchange: 'resume_x', routingKey: '', body: 'after' });
        const r = await exec<{ messages: Message[]; running: boolean }>('brokerExplorer.tails.read', { id: t.id, take: 1, timeoutMs: 200 });
        return r.messages.length > 0 ? r : undefined;
      });
      assert.equal(got.running, true);
      assert.equal(got.messages[0]?.body, 'after');
      assert.deepEqual(await exec('brokerExplorer.tails.stop', { id: t.id }), { stopped: true });
    });

    it('rpcCall gets fib(30) = 832040 from an amqplib server, by direct reply-to and by a callback queue', async () => {
      const conn = await fx.raw();
      const ch = await conn.createChannel();
      await ch.assertQueue('rpc_queue', { durable: false });
      await ch.prefetch(1);
      await ch.consume('rpc_queue', (msg) => {
        if (!msg) return;
        const reply = String(fib(parseInt(msg.content.toString(), 10)));
        ch.sendToQueue(String(msg.properties.replyTo), Buffer.from(reply), { correlationId: String(msg.properties.correlationId) });
        ch.ack(msg);
      });
      const direct = await fx.run<{ body: unknown; properties: Record<string, unknown>; elapsedMs: number }>('rpcCall', {
        routingKey: 'rpc_queue',
        body: '30',
      });
      assert.equal(direct.body, '832040');
      assert.equal(typeof direct.properties.correlationId, 'string');
      assert.ok(direct.elapsedMs > 0 && direct.elapsedMs < 5_000);
      const callback = await fx.run<{ body: unknown }>('rpcCall', { routingKey: 'rpc_queue', body: '10', replyMode: 'callbackQueue' });
      assert.equal(callback.body, '55');
      await rejects(
        fx.run('rpcCall', { routingKey: 'nobody_serves', body: '1', timeoutMs: 500 }),
        /no queue named "nobody_serves"|no reply within/,
      );
    });

    it('a missing queue is one sentence; a 406 redeclare rejects and the next command still works', async () => {
      const missing = await rejects(
        fx.run('deleteQueue', { name: 'no-such-queue' }),
        /^Deleting queue "no-such-queue" on profile ".*" \(vhost ".*"\) failed: .*no-such-queue/,
      );
      assert.doesNotMatch(missing, /\n|guest:guest|at \w+ \(/);
      await rejects(fx.run('deleteExchange', { name: 'no-such-exchange' }), /no-such-exchange/);
      assert.deepEqual(await fx.run('declareQueue', { name: 'dup', durable: true }), { queue: 'dup', messageCount: 0, consumerCount: 0 });
      await rejects(
        fx.run('declareQueue', { name: 'dup', durable: false }),
        /^Declaring queue "dup" .*failed: .*inequivalent arg 'durable'/,
      );
      assert.deepEqual(await fx.run('declareQueue', { name: 'dup', durable: true }), { queue: 'dup', messageCount: 0, consumerCount: 0 });
      const page = await fx.run<Page<{ name: string }>>('list', { kind: 'queues', filter: 'dup' });
      assert.deepEqual(
        page.items.map((q) => q.name),
        ['dup'],
      );
      await rejects(fx.run('declareExchange', { name: 'amq.mine', type: 'direct' }), /reserves/);
      await rejects(fx.run('list', { kind: 'shovels' }), /"kind" must be one of/);
      await rejects(
        exec('brokerExplorer.rabbitmq.list', { profile: 'no-such-profile', kind: 'queues' }),
        /There is no RabbitMQ profile "no-such-profile"/,
      );
    });

    it('testRoute lists exactly the queues the broker delivers to, through exchange-to-exchange bindings too', async () => {
      await fx.run('declareExchange', { name: 'route_topic', type: 'topic', durable: false });
      await fx.run('declareExchange', { name: 'route_fan', type: 'fanout', durable: false });
      const queues = ['ra', 'rb', 'rc', 'rd'];
      for (const q of queues) await fx.run('declareQueue', { name: q, durable: false });
      const bind = (source: string, destination: string, routingKey: string, destinationType = 'queue'): Promise<unknown> =>
        fx.run('bind', { source, destination, destinationType, routingKey });
      await bind('route_topic', 'ra', '*.orange.*');
      await bind('route_topic', 'rb', '*.*.rabbit');
      await bind('route_topic', 'rb', 'lazy.#');
      await bind('route_topic', 'rc', '#.audit');
      await bind('route_topic', 'route_fan', 'audit.#', 'exchange');
      await bind('route_fan', 'rd', '');
      for (const key of ['quick.orange.rabbit', 'lazy', 'audit.login', 'login.audit', 'audit', 'orange', 'a.b.c.d']) {
        const predicted = await fx.run<{ queues: string[]; exchanges: string[] }>('testRoute', {
          exchange: 'route_topic',
          routingKey: key,
        });
        for (const q of queues) await fx.run('purgeQueue', { name: q });
        const published = await fx.run<{ routed: boolean }>('publish', { exchange: 'route_topic', routingKey: key, body: key });
        const actual: string[] = [];
        for (const q of queues) if ((await fx.depth(q, { durable: false })) > 0) actual.push(q);
        assert.deepEqual(predicted.queues, actual, `routing key "${key}"`);
        assert.equal(published.routed, actual.length > 0);
        assert.deepEqual(predicted.exchanges, actual.includes('rd') ? ['route_fan'] : []);
      }
    });
  });
}
