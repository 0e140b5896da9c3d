/**
 * The bad-input table, grown by the RabbitMQ operations of issue 15: an
 * unknown move route, a replay as a shovel, the shovel route without the
 * plugin (the shared broker has none), a bad in-flight bound. One sentence
 * each, and the vhost is unchanged.
 */
import assert from 'node:assert/strict';
import type { ChannelModel } from 'amqplib';
import { RabbitFixture } from './rabbitmq.test';
import { assertOneSentence, rabbitSnapshot } from './util';

export function registerBadInputRabbitOpsTests(): void {
  describe('bad input to the RabbitMQ operations: one sentence each, nothing changes (a vhost of its own)', () => {
    const fx = new RabbitFixture();
    let raw: ChannelModel;

    before(async () => {
      await fx.setup();
      await fx.run('declareQueue', { name: 'bad.src', durable: false });
      await fx.run('declareQueue', { name: 'bad.dst', durable: false });
      for (let i = 0; i < 3; i++) await fx.run('publish', { exchange: '', routingKey: 'bad.src', body: `m${i}` });
      raw = await fx.raw();
    });
    after(() => fx.teardown());

    const cases: { name: string; run(): Promise<unknown>; expect: RegExp }[] = [
      {
        name: 'a move with an unknown route',
        run: () => fx.run('moveMessages', { queue: 'bad.src', toQueue: 'bad.dst', route: 'ferry' }),
        expect: /^The route "ferry" is not known: use "client" .* or "shovel"/,
      },
      {
        name: 'a replay of dead letters as a shovel',
        run: () => fx.run('replayDeadLetters', { queue: 'bad.src', route: 'shovel' }),
        expect: /^Replaying dead letters cannot run as a shovel/,
      },
      {
        name: 'the shovel route on a broker without the shovel plugin',
        run: () => fx.run('moveMessages', { queue: 'bad.src', toQueue: 'bad.dst', route: 'shovel' }),
        expect: /needs the dynamic shovel plugin .* not enabled on profile ".+": enable it on the broker, or use route "client"\.$/,
      },
      {
        name: 'a peek export with an in-flight bound of 0',
        run: () => fx.run('exportMessages', { queue: 'bad.src', path: '/tmp/be-bad-bound.jsonl', mode: 'peek', maxUnacked: 0 }),
        expect: /The argument "maxUnacked" is 0: it must be at least 1\./,
      },
    ];

    it(`refuses ${cases.length} bad inputs with one sentence each and leaves the vhost unchanged`, async () => {
      const before = await rabbitSnapshot(fx.vhost, raw);
      for (const c of cases) {
        let message = 'accepted';
        try {
          await c.run();
        } catch (err) {
          message = err instanceof Error ? err.message : String(err);
        }
        assert.match(message, c.expect, c.name);
        assertOneSentence(message);
      }
      assert.equal(await rabbitSnapshot(fx.vhost, raw), before);
    });
  });
}
