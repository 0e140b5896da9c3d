import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RabbitFixture } from './rabbitmq.test';
import { rejects, waitFor } from './util';

interface MoveResult {
  moved: number;
  kept: number;
  possibleDuplicates?: number;
  stoppedBecause?: string;
  moveId: string;
}

export function registerRabbitmqOpsTests(): void {
  describe('RabbitMQ operations through the command API', function () {
    this.timeout(60_000);
    const fx = new RabbitFixture();

    before(async () => {
      await fx.setup();
      const ch = await (await fx.raw()).createConfirmChannel();
      await ch.assertQueue('ops.src');
      await ch.assertQueue('ops.dst');
      await ch.assertExchange('ops.none', 'direct');
      for (let i = 0; i < 5; i++) ch.sendToQueue('ops.src', Buffer.from(`m${i}`), { messageId: `m${i}` });
      await ch.waitForConfirms();
    });
    after(async () => {
      await fx.teardown();
    });

    it('moveMessages moves 2 of 5 messages to another queue and says how many stayed', async () => {
      const r = await fx.run<MoveResult>('moveMessages', { queue: 'ops.src', toQueue: 'ops.dst', count: 2 });
      assert.equal(r.moved, 2);
      assert.equal(r.kept, 3);
      assert.equal(r.stoppedBecause, undefined);
      assert.match(r.moveId, /^[0-9a-f-]{36}$/);
      assert.equal(await fx.depth('ops.dst'), 2);
    });

    it('moveMessages to an exchange that routes nowhere stops with a sentence and keeps every message', async () => {
      const r = await fx.run<MoveResult>('moveMessages', { queue: 'ops.src', toExchange: 'ops.none', routingKey: 'k' });
      assert.equal(r.moved, 0);
      assert.equal(r.kept, 3);
      assert.match(r.stoppedBecause ?? '', /could not be routed to exchange "ops.none" with routing key "k"/);
    });

    it('replayDeadLetters on messages that were never dead-lettered stops and keeps them', async () => {
      const r = await fx.run<MoveResult>('replayDeadLetters', { queue: 'ops.src' });
      assert.equal(r.moved, 0);
      assert.equal(r.kept, 3);
      assert.match(r.stoppedBecause ?? '', /no "x-first-death-exchange" header/);
    });

    it('exportMessages (peek) writes one JSON line per message and importMessages publishes them again', async () => {
      const path = join(tmpdir(), `be-ops-${process.pid}.jsonl`);
      try {
        const exported = await fx.run<{ exported: number; path: string }>('exportMessages', { queue: 'ops.src', path, mode: 'peek' });
        assert.equal(exported.exported, 3);
        assert.equal(await fx.depth('ops.src'), 3);
        const lines = (await readFile(path, 'utf8')).trim().split('\n');
        assert.equal(lines.length, 3);
        assert.equal((JSON.parse(lines[0] ?? '{}') as { body: string }).body, 'm2');
        const imported = await fx.run<{ published: number; routed: number }>('importMessages', { path, routingKey: 'ops.dst' });
        assert.deepEqual(imported, { published: 3, routed: 3 });
        assert.equal(await fx.depth('ops.dst'), 5);
      } finally {
        await rm(path, { force: true });
      }
    });

    it('lists consumers, channels and policies, sets and deletes a policy, and gives the overview', async () => {
      const ch = await (await fx.raw()).createChannel();
      await ch.prefetch(3);
      await ch.consume('ops.dst', () => undefined, { consumerTag: 'ext-tag' });
      // The management API lists a new consumer once the broker has sampled it (a few seconds).
      const consumers = await waitFor(
        'the consumer listed',
        async () => {
          const page = await fx.run<{ items: { queue: string; consumerTag: string }[] }>('list', { kind: 'consumers' });
          return page.items.length > 0 ? page : undefined;
        },
        20_000,
      );
      assert.deepEqual(
        consumers.items.map((c) => [c.queue, c.consumerTag]),
        [['ops.dst', 'ext-tag']],
      );
      await ch.close();
      await fx.run('setPolicy', { name: 'cap', pattern: '^ops\\.', applyTo: 'queues', definition: { 'max-length': 100 } });
      const policies = await fx.run<{ items: { name: string; definition: unknown }[] }>('list', { kind: 'policies' });
      assert.deepEqual(
        policies.items.map((p) => [p.name, p.definition]),
        [['cap', { 'max-length': 100 }]],
      );
      await rejects(
        fx.run('setPolicy', { name: 'bad', pattern: '.*', definition: { 'max-lenght': 1 } }),
        /"max-lenght" is not one RabbitMQ knows/,
      );
      await fx.run('deletePolicy', { name: 'cap' });
      assert.equal((await fx.run<{ total: number }>('list', { kind: 'policies' })).total, 0);
      const overview = await fx.run<{ rabbitmqVersion: string; alarms: string[] }>('overview');
      assert.match(overview.rabbitmqVersion, /^\d+\./);
      assert.deepEqual(overview.alarms, []);
    });

    it('copyName copies a queue name and openInManagementUI gives the queue page', async () => {
      assert.deepEqual(await fx.run('copyName', { queue: 'ops.src' }), { name: 'ops.src' });
      assert.equal(await vscode.env.clipboard.readText(), 'ops.src');
      const { url } = await fx.run<{ url: string }>('openInManagementUI', { queue: 'ops.src', open: false });
      assert.equal(url, `http://127.0.0.1:15672/#/queues/${encodeURIComponent(fx.vhost)}/ops.src`);
    });

    it('browseStream reads a stream from an offset with offsets shown', async () => {
      const ch = await (await fx.raw()).createConfirmChannel();
      await ch.assertQueue('ops.stream', { durable: true, arguments: { 'x-queue-type': 'stream' } });
      for (let i = 0; i < 4; i++) ch.sendToQueue('ops.stream', Buffer.from(`s${i}`));
      await ch.waitForConfirms();
      const r = await fx.run<{ messages: { offset: number; body: string }[] }>('browseStream', {
        queue: 'ops.stream',
        offset: 2,
        count: 5,
      });
      assert.deepEqual(
        r.messages.map((m) => [m.offset, m.body]),
        [
          [2, 's2'],
          [3, 's3'],
        ],
      );
      await rejects(fx.run('browseStream', { queue: 'ops.stream', offset: 'middle', count: 1 }), /The stream offset "middle" is not valid/);
    });

    it('moveMessages without a target is refused with one sentence', async () => {
      await rejects(fx.run('moveMessages', { queue: 'ops.src' }), /needs exactly one target/);
    });
  });
}
