/**
 * Row 23: moving messages queue → queue. Ours (moveMessages: manual ack,
 * confirm channel, mandatory, ack after the confirm, move-id header) next
 * to a plain amqplib loop doing the same safe move (consume with the same
 * prefetch, publish on a confirm channel, ack after the confirm) without
 * the checks, the run id and the reconnection; rounds alternate, in the
 * bench's own vhost.
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { DEFAULT_MOVE_PREFETCH, moveMessages } from '../../src/core/amqp/messageMover';
import { resolveRabbitProfile } from '../../src/core/profiles';
import { amqpUrl } from './amqpRows';
import { log, median, now, pairedRatio, rate, MANAGEMENT_URL, RABBIT_PASSWORD, round, type BenchConfig, type Row } from './util';

async function fill(ch: ConfirmChannel, queue: string, n: number): Promise<void> {
  const body = Buffer.alloc(256, 'm');
  for (let i = 0; i < n; i++) {
    ch.sendToQueue(queue, body, { persistent: false, messageId: String(i), headers: { 'x-n': i } });
    if (i % 5_000 === 4_999) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
}

/** The baseline: amqplib alone, the same safe algorithm. */
async function plainMove(model: ChannelModel, from: string, to: string, n: number): Promise<void> {
  const cons = await model.createChannel();
  const pub = await model.createConfirmChannel();
  await cons.prefetch(DEFAULT_MOVE_PREFETCH);
  let moved = 0;
  await new Promise<void>((resolve, reject) => {
    void cons
      .consume(from, (msg) => {
        if (!msg) return;
        pub.publish('', to, msg.content, { ...msg.properties, mandatory: true }, (err: unknown) => {
          if (err) return reject(err instanceof Error ? err : new Error('nacked'));
          cons.ack(msg);
          if (++moved === n) resolve();
        });
      })
      .catch(reject);
  });
  await cons.close();
  await pub.close();
}

export async function rowMove(cfg: BenchConfig): Promise<Row> {
  const n = cfg.quick ? 5_000 : 20_000;
  const rounds = Math.max(2, 3 * cfg.reps);
  const model = await connect(amqpUrl(cfg.vhost, true), { noDelay: true });
  const session = new AmqpSession(resolveRabbitProfile({ name: 'bench', url: amqpUrl(cfg.vhost, false), managementUrl: MANAGEMENT_URL }), {
    password: RABBIT_PASSWORD,
  });
  try {
    const setup = await model.createConfirmChannel();
    for (const q of ['move.a', 'move.b', 'plain.a', 'plain.b']) await setup.assertQueue(q, { durable: false });
    const ours: number[] = [];
    const plain: number[] = [];
    for (let r = 0; r < rounds; r++) {
      await fill(setup, 'plain.a', n);
      let t = now();
      await plainMove(model, 'plain.a', 'plain.b', n);
      plain.push(n / ((now() - t) / 1000));
      await setup.purgeQueue('plain.b');
      await fill(setup, 'move.a', n);
      t = now();
      const result = await moveMessages(session, { queue: 'move.a', toQueue: 'move.b' });
      ours.push(result.moved / ((now() - t) / 1000));
      await setup.purgeQueue('move.b');
      log(`row 23 round ${r + 1}: ours ${Math.round(ours[r] ?? 0)} msg/s, plain ${Math.round(plain[r] ?? 0)} msg/s`);
    }
    const ratio = pairedRatio(ours, plain);
    return {
      id: '23',
      figure: `move ${n.toLocaleString('en-US')} messages queue → queue`,
      ours: `${rate(median(ours))} (moveMessages)`,
      baseline: `${rate(median(plain))} (plain amqplib consume/confirm/ack loop)`,
      ratio,
      target: 'report only',
      met: null,
      data: { n, rounds, ours, plain, ratio: round(ratio) },
    };
  } finally {
    await session.close();
    await model.close().catch(() => undefined);
  }
}
