/**
 * Row 25: exporting a queue to a JSON lines file. Ours (exportMessages,
 * drain: typed headers, ack after the batch is written and fsynced) next to
 * a plain amqplib loop doing the same safe drain (consume with the same
 * prefetch, one JSON line per message, fsync and ack every 500) without the
 * typed headers and the checks; rounds alternate, in the bench's own vhost.
 * The peek rate of a queue deeper than the in-flight bound (turned once) is
 * reported beside it.
 */
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { exportMessages } from '../../src/core/amqp/messageExport';
import { resolveRabbitProfile } from '../../src/core/profiles';
import { amqpUrl } from './amqpRows';
import { log, median, now, pairedRatio, rate, MANAGEMENT_URL, RABBIT_PASSWORD, round, type BenchConfig, type Row } from './util';

async function fill(ch: ConfirmChannel, queue: string, n: number): Promise<void> {
  const body = Buffer.alloc(256, 'e');
  for (let i = 0; i < n; i++) {
    ch.sendToQueue(queue, body, { messageId: String(i), contentType: 'text/plain', headers: { 'x-n': i, kind: 'bench' } });
    if (i % 5_000 === 4_999) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
}

/** The baseline: amqplib and node:fs alone, the same safe drain. */
async function plainDrain(model: ChannelModel, queue: string, path: string, n: number): Promise<void> {
  const ch = await model.createChannel();
  await ch.prefetch(1_000);
  const file = await open(path, 'w');
  let lines: string[] = [];
  let done = 0;
  let chain: Promise<void> = Promise.resolve();
  await new Promise<void>((resolve, reject) => {
    void ch
      .consume(queue, (msg) => {
        if (!msg) return;
        lines.push(
          `${JSON.stringify({ routingKey: msg.fields.routingKey, body: msg.content.toString('utf8'), properties: msg.properties })}\n`,
        );
        done++;
        if (lines.length >= 500 || done === n) {
          const text = lines.join('');
          lines = [];
          chain = chain.then(async () => {
            await file.write(text);
            await file.sync();
            ch.ack(msg, true);
            if (done === n) resolve();
          });
          chain.catch(reject);
        }
      })
      .catch(reject);
  });
  await file.close();
  await ch.close();
}

export async function rowExport(cfg: BenchConfig): Promise<Row> {
  const n = cfg.quick ? 5_000 : 20_000;
  const rounds = Math.max(2, 3 * cfg.reps);
  const model = await connect(amqpUrl(cfg.vhost, true), { noDelay: true });
  const session = new AmqpSession(resolveRabbitProfile({ name: 'bench', url: amqpUrl(cfg.vhost, false), managementUrl: MANAGEMENT_URL }), {
    password: RABBIT_PASSWORD,
  });
  const path = join(tmpdir(), `be-bench-export-${process.pid}.jsonl`);
  try {
    const setup = await model.createConfirmChannel();
    for (const q of ['export.a', 'plain.a']) await setup.assertQueue(q, { durable: false });
    const ours: number[] = [];
    const plain: number[] = [];
    const peek: number[] = [];
    for (let r = 0; r < rounds; r++) {
      await fill(setup, 'plain.a', n);
      let t = now();
      await plainDrain(model, 'plain.a', path, n);
      plain.push(n / ((now() - t) / 1000));
      await fill(setup, 'export.a', n);
      t = now();
      const peeked = await exportMessages(session, { queue: 'export.a', path, mode: 'peek' }, { maxUnacked: 500 });
      peek.push(peeked.exported / ((now() - t) / 1000));
      t = now();
      const result = await exportMessages(session, { queue: 'export.a', path, mode: 'drain' });
      ours.push(result.exported / ((now() - t) / 1000));
      log(
        `row 25 round ${r + 1}: ours drain ${Math.round(ours[r] ?? 0)} msg/s, plain ${Math.round(plain[r] ?? 0)} msg/s, ours peek (turned) ${Math.round(peek[r] ?? 0)} msg/s`,
      );
    }
    const ratio = pairedRatio(ours, plain);
    return {
      id: '25',
      figure: `export ${n.toLocaleString('en-US')} messages to JSON lines (drain; peek turned once beside it)`,
      ours: `${rate(median(ours))} drain, ${rate(median(peek))} peek (exportMessages)`,
      baseline: `${rate(median(plain))} (plain amqplib consume/write/fsync/ack loop)`,
      ratio,
      target: 'report only',
      met: null,
      data: { n, rounds, ours, plain, peek, ratio: round(ratio) },
    };
  } finally {
    await rm(path, { force: true });
    await session.close();
    await model.close().catch(() => undefined);
  }
}
