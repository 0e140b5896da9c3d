import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RabbitFixture } from './rabbitmq.test';
import { rejects } from './util';

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

    it('moveMessages without a target is refused with one sentence', async () => {
      await rejects(fx.run('moveMessages', { queue: 'ops.src' }), /needs exactly one target/);
    });
  });
}
