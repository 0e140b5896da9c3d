/**
 * Row 6: a Subscription (its own connection, batched sink) feeding the
 * output pipeline, against a plain ioredis subscriber that only counts.
 * The messages are published by `redis-cli --pipe` (pipelined PUBLISH on
 * another connection, in another process, so the publisher never takes
 * the subscriber's event loop). Every message carries its sequence number:
 * both sides check order, and count what arrived.
 */
import { connectRedis } from '../../src/core/redis/connection';
import { Subscription } from '../../src/core/redis/pubsub';
import { Pipeline } from './outputPipeline';
import { benchRedisProfile, plainRedis } from './redisRows';
import {
  alternate,
  HOST,
  log,
  median,
  now,
  pairedRatio,
  rate,
  REDIS_PORT,
  round,
  run,
  SeqCounter,
  summary,
  waitUntilQuiet,
  type BenchConfig,
  type Row,
} from './util';

const CHANNEL = 'bench:pubsub';
const SEQ_DIGITS = 8;

/** RESP for `count` PUBLISH commands: "<seq, 8 digits> payload". */
export function publishProtocol(count: number): Buffer {
  const parts: string[] = [];
  const payload = ' order 42 shipped to warehouse';
  for (let i = 0; i < count; i++) {
    const msg = `${String(i).padStart(SEQ_DIGITS, '0')}${payload}`;
    parts.push(`*3\r\n$7\r\nPUBLISH\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${msg.length}\r\n${msg}\r\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

interface RunStats {
  ms: number;
  rate: number;
  firstToLastRate: number;
  received: number;
  lost: number;
  outOfOrder: number;
  lastLineOk?: boolean;
  channelAppends?: number;
  channelReplaces?: number;
}

/** Publishes with redis-cli --pipe, then waits until `done` or until nothing arrived for 2 s. */
export async function publishAndWait(protocol: Buffer, received: () => number, total: number, done: Promise<void>): Promise<void> {
  const pub = run('redis-cli', ['-h', HOST, '-p', String(REDIS_PORT), '--pipe'], { input: protocol, timeoutMs: 120_000 });
  const result = await pub;
  if (result.code !== 0) throw new Error(`redis-cli --pipe failed: ${result.stderr || result.stdout}`);
  await waitUntilQuiet(done, received, total, 2000);
}

/** The figures of one run, from publish start (`t0`) to the last message; a run that missed some ends now. */
function runStats(c: SeqCounter, t0: number): RunStats {
  if (c.received < c.total) c.tLast = now();
  return {
    ms: c.tLast - t0,
    rate: c.received / ((c.tLast - t0) / 1000),
    firstToLastRate: c.received / ((c.tLast - c.tFirst) / 1000),
    received: c.received,
    lost: c.total - c.received,
    outOfOrder: c.outOfOrder,
  };
}

async function runOurs(protocol: Buffer, total: number): Promise<RunStats> {
  const pipeline = new Pipeline(`Redis: ${CHANNEL}`);
  const c = new SeqCounter(total);
  const sub = new Subscription(() => connectRedis(benchRedisProfile(0), { connectionName: 'broker-explorer-bench-sub' }), {
    channels: [CHANNEL],
    sink: (batch) => {
      for (let i = 0; i < batch.length; i++) c.see(Number(batch[i].message.toString('latin1', 0, SEQ_DIGITS)));
      pipeline.appendPubSub(batch);
      if (c.received >= total) {
        pipeline.flush();
        c.tLast = now();
        c.end();
      }
    },
  });
  await sub.start();
  const t0 = now();
  await publishAndWait(protocol, () => c.received, total, c.done);
  if (c.received < total) pipeline.flush();
  const stats = runStats(c, t0);
  await sub.stop();
  const channel = pipeline.channel;
  stats.lastLineOk = pipeline.lastLine().includes(` ${String(total - 1).padStart(SEQ_DIGITS, '0')} `);
  stats.channelAppends = channel.appends;
  stats.channelReplaces = channel.replaces;
  pipeline.dispose();
  return stats;
}

async function runPlain(protocol: Buffer, total: number): Promise<RunStats> {
  const client = plainRedis(0);
  const c = new SeqCounter(total);
  client.on('message', (_channel: string, message: string) => {
    if (c.see(Number(message.slice(0, SEQ_DIGITS)))) c.end();
  });
  await client.subscribe(CHANNEL);
  const t0 = now();
  await publishAndWait(protocol, () => c.received, total, c.done);
  const stats = runStats(c, t0);
  client.disconnect();
  return stats;
}

export async function rowPubSub(cfg: BenchConfig): Promise<Row> {
  const total = cfg.quick ? 20_000 : 200_000;
  const reps = Math.max(1, Math.round((cfg.quick ? 2 : 7) * cfg.reps));
  const protocol = publishProtocol(total);
  log(`row 6: pub/sub, ${total.toLocaleString('en-US')} messages per run, ${reps} runs each`);
  const ours: RunStats[] = [];
  const plain: RunStats[] = [];
  await alternate(reps, {
    ours: async () => {
      const s = await runOurs(protocol, total);
      ours.push(s);
      return s.rate;
    },
    plain: async () => {
      const s = await runPlain(protocol, total);
      plain.push(s);
      return s.rate;
    },
  });
  // The warm-up run of each is not in the lists' medians: drop the first.
  const o = ours.slice(1);
  const p = plain.slice(1);
  const oRate = median(o.map((s) => s.rate));
  const pRate = median(p.map((s) => s.rate));
  const lost = Math.max(...ours.map((s) => s.lost));
  const outOfOrder = Math.max(...ours.map((s) => s.outOfOrder));
  const tailOk = ours.every((s) => s.lastLineOk);
  const ratio = pairedRatio(
    o.map((s) => s.rate),
    p.map((s) => s.rate),
  );
  return {
    id: '6',
    figure: `pub/sub → output pipeline, ${total.toLocaleString('en-US')} msgs`,
    ours: `${rate(oRate)}, lost ${lost}, out of order ${outOfOrder}`,
    baseline: `plain ioredis subscriber: ${rate(pRate)} (lost ${Math.max(...plain.map((s) => s.lost))})`,
    ratio,
    target: '≥ 0.9×, 0 lost, order kept',
    met: ratio >= 0.9 && lost === 0 && outOfOrder === 0 && tailOk,
    note: `ratio = median of per-repetition ratios; rate = messages / (publish start → last line in the pipeline); first→last message: ours ${rate(median(o.map((s) => s.firstToLastRate)))}, plain ${rate(median(p.map((s) => s.firstToLastRate)))}; newest line reached the channel: ${tailOk ? 'yes' : 'NO'}; publisher: redis-cli --pipe (another process)`,
    data: { ours, plain, ratio: round(ratio, 3), oursRate: summary(o.map((s) => s.rate)), plainRate: summary(p.map((s) => s.rate)) },
  };
}
