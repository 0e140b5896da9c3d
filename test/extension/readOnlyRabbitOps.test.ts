/**
 * The read-only table, grown by the RabbitMQ operations of issue 15 (the
 * shovel route of a move, a peek export past its in-flight bound): each is
 * refused with the one read-only sentence and the vhost is unchanged; a
 * peek within the bound still reads.
 */
import assert from 'node:assert/strict';
import type { ChannelModel } from 'amqplib';
import { RabbitFixture } from './rabbitmq.test';
import { assertOneSentence, exec, rabbitSnapshot, uniqueName } from './util';
import { RABBIT_MANAGEMENT } from './util';

const REFUSAL = /^Profile ".+" is read-only, so .+ was refused before anything was sent; turn off "readOnly" in the profile to allow it\.$/;

export function registerReadOnlyRabbitOpsTests(): void {
  describe('read-only profiles refuse the RabbitMQ operations (a vhost of its own)', () => {
    const fx = new RabbitFixture();
    const ro = uniqueName('ro-rabbitops');
    let raw: ChannelModel;
    const rabbit = (verb: string, args: Record<string, unknown>): Promise<unknown> =>
      exec(`brokerExplorer.rabbitmq.${verb}`, { profile: ro, ...args });

    before(async () => {
      await fx.setup();
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: {
          name: ro,
          url: `amqp://guest@127.0.0.1:5672/${encodeURIComponent(fx.vhost)}`,
          managementUrl: RABBIT_MANAGEMENT,
          readOnly: true,
        },
        password: 'guest',
      });
      await fx.run('declareQueue', { name: 'ro.src', durable: false });
      await fx.run('declareQueue', { name: 'ro.dst', durable: false });
      for (let i = 0; i < 20; i++) await fx.run('publish', { exchange: '', routingKey: 'ro.src', body: `m${i}` });
      raw = await fx.raw();
    });
    after(async () => {
      await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name: ro });
      await fx.teardown();
    });

    const writes: { what: string; run(): Promise<unknown> }[] = [
      { what: 'moveMessages route shovel', run: () => rabbit('moveMessages', { queue: 'ro.src', toQueue: 'ro.dst', route: 'shovel' }) },
      { what: 'moveMessages route client', run: () => rabbit('moveMessages', { queue: 'ro.src', toQueue: 'ro.dst', route: 'client' }) },
      {
        what: 'exportMessages peek past the in-flight bound',
        run: () => rabbit('exportMessages', { queue: 'ro.src', path: '/tmp/be-ro-peek-turn.jsonl', mode: 'peek', maxUnacked: 5 }),
      },
    ];

    it(`refuses ${writes.length} operations with the read-only sentence and leaves the vhost unchanged`, async () => {
      const before = await rabbitSnapshot(fx.vhost, raw);
      for (const w of writes) {
        let message = 'accepted';
        try {
          await w.run();
        } catch (err) {
          message = err instanceof Error ? err.message : String(err);
        }
        assert.match(message, REFUSAL, w.what);
        assertOneSentence(message);
      }
      assert.equal(await rabbitSnapshot(fx.vhost, raw), before);
    });

    it('still peeks within the bound on a read-only profile, and the queue keeps every message', async () => {
      const result = (await rabbit('exportMessages', { queue: 'ro.src', path: '/tmp/be-ro-peek.jsonl', mode: 'peek', maxUnacked: 50 })) as {
        exported: number;
        rotated: boolean;
      };
      assert.deepEqual([result.exported, result.rotated], [20, false]);
      assert.equal(await fx.depth('ro.src', { durable: false }), 20);
    });
  });
}
