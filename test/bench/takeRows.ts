/**
 * Row 12: `take: 100,000` with the default tail buffer (10,000), through the
 * code the commands run — redis.subscribe (a Subscription with `take`, its
 * sink feeding the output pipeline, the result as the command's JSON) and
 * rabbitmq.tail (an ExchangeTail with `take`, each message appended to the
 * output pipeline) — against a plain ioredis subscriber / a plain amqplib
 * consumer that collect the same messages into an array, in the same run.
 * Both sides check that they got every message, in publish order.
 */
import { connect, type ConsumeMessage } from 'amqplib';
import { Redis } from 'ioredis';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import type { AmqpMessage } from '../../src/core/amqp/messageProperties';
import { startTail } from '../../src/core/amqp/tail';
import type { Logger } from '../../src/core/logger';
import { resolveRabbitProfile } from '../../src/core/profiles';
import { connectRedis } from '../../src/core/redis/connection';
import { messageToJson, Subscription } from '../../src/core/redis/pubsub';
import { DEFAULT_TAIL_BUFFER_SIZE } from '../../src/core/tailBuffer';
import { amqpUrl, Peer } from './amqpRows';
import { Pipeline } from './outputPipeline';
import { publishProtocol } from './pubsubRow';
import { benchRedisProfile } from './redisRows';
import {
  alternate,
  HOST,
  log,
  MANAGEMENT_URL,
  median,
  now,
  pairedRatio,
  rate,
  REDIS_PORT,
  round,
  run,
  summary,
  type BenchConfig,
  type Row,
} from './util';

const CHANNEL = 'bench:pubsub'; // the channel publishProtocol writes to
const EXCHANGE = 'bench.take';
const SEQ_DIGITS = 8;

/** The sequence number a message body starts with (-1 when the body is not text). */
function seqOf(body: string | Buffer | { hex: string }): number {
  if (Buffer.isBuffer(body)) return Number(body.toString('latin1', 0, SEQ_DIGITS));
  return typeof body === 'string' ? Number(body.slice(0, SEQ_DIGITS)) : -1;
}
const TAKE_TIMEOUT_MS = 60_000;

interface TakeStats {
  ms: number;
  rate: number;
  returned: number;
  lost: number;
  outOfOrder: number;
}

function stats(t0: number, total: number, seqs: readonly number[]): TakeStats {
  const ms = now() - t0;
  let outOfOrder = 0;
  for (let i = 0; i < seqs.length; i++) if (seqs[i] !== i) outOfOrder++;
  return { ms, rate: seqs.length / (ms / 1000), returned: seqs.length, lost: total - seqs.length, outOfOrder };
}

async function redisPipe(protocol: Buffer): Promise<void> {
  const result = await run('redis-cli', ['-h', HOST, '-p', String(REDIS_PORT), '--pipe'], { input: protocol, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`redis-cli --pipe failed: ${result.stderr || result.stdout}`);
}

async function redisOurs(protocol: Buffer, total: number): Promise<TakeStats> {
  const pipeline = new Pipeline(`Redis: ${CHANNEL}`);
  const sub = new Subscription(() => connectRedis(benchRedisProfile(0), { connectionName: 'broker-explorer-bench-take' }), {
    channels: [CHANNEL],
    bufferSize: DEFAULT_TAIL_BUFFER_SIZE,
    take: total,
    sink: (batch) => pipeline.appendPubSub(batch),
  });
  await sub.start();
  const t0 = now();
  const publishing = redisPipe(protocol);
  // What brokerExplorer.redis.subscribe returns: the first `take` messages as JSON.
  const messages = (await sub.takeFirst({ timeoutMs: TAKE_TIMEOUT_MS })).map(messageToJson);
  const s = stats(
    t0,
    total,
    messages.map((m) => seqOf(m.message)),
  );
  await publishing;
  await sub.stop();
  pipeline.dispose();
  return s;
}

async function redisPlain(protocol: Buffer, total: number): Promise<TakeStats> {
  const client = new Redis({ host: HOST, port: REDIS_PORT, maxRetriesPerRequest: 1 });
  const got: Buffer[] = [];
  let finish: () => void = () => undefined;
  const done = new Promise<void>((r) => (finish = r));
  client.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
    if (got.length < total && got.push(message) === total) finish();
  });
  await client.subscribe(CHANNEL);
  const t0 = now();
  const publishing = redisPipe(protocol);
  await Promise.race([done, new Promise((r) => setTimeout(r, TAKE_TIMEOUT_MS))]);
  const s = stats(t0, total, got.map(seqOf));
  await publishing;
  client.disconnect();
  return s;
}

async function amqpOurs(session: AmqpSession, peer: Peer, total: number): Promise<TakeStats> {
  const pipeline = new Pipeline(`RabbitMQ tail: ${EXCHANGE}`);
  const tail = await startTail(
    session,
    { exchange: EXCHANGE, exchangeType: 'fanout' },
    { bufferSize: DEFAULT_TAIL_BUFFER_SIZE, take: total },
  );
  tail.on('message', (m) => pipeline.appendAmqp(m));
  const t0 = now();
  const publishing = peer.send({ cmd: 'publish', exchange: EXCHANGE, routingKey: '', count: total, confirm: true });
  const messages: AmqpMessage[] = await tail.takeFirst({ timeoutMs: TAKE_TIMEOUT_MS });
  const s = stats(
    t0,
    total,
    messages.map((m) => seqOf(m.body)),
  );
  await publishing;
  await tail.stop();
  pipeline.dispose();
  return s;
}

async function amqpPlain(cfg: BenchConfig, peer: Peer, total: number): Promise<TakeStats> {
  const conn = await connect(amqpUrl(cfg.vhost, true), { noDelay: true });
  const ch = await conn.createChannel();
  const q = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  await ch.bindQueue(q.queue, EXCHANGE, '');
  const got: Buffer[] = [];
  let finish: () => void = () => undefined;
  const done = new Promise<void>((r) => (finish = r));
  await ch.consume(
    q.queue,
    (msg: ConsumeMessage | null) => {
      if (msg && got.length < total && got.push(msg.content) === total) finish();
    },
    { noAck: true, exclusive: true },
  );
  const t0 = now();
  const publishing = peer.send({ cmd: 'publish', exchange: EXCHANGE, routingKey: '', count: total, confirm: true });
  await Promise.race([done, new Promise((r) => setTimeout(r, TAKE_TIMEOUT_MS))]);
  const s = stats(t0, total, got.map(seqOf));
  await publishing;
  await conn.close();
  return s;
}

function takeRow(figure: string, baseline: string, ours: TakeStats[], plain: TakeStats[]): Row {
  const o = ours.slice(1);
  const p = plain.slice(1);
  const lost = Math.max(...ours.map((s) => s.lost));
  const outOfOrder = Math.max(...ours.map((s) => s.outOfOrder));
  const ratio = pairedRatio(
    o.map((s) => s.rate),
    p.map((s) => s.rate),
  );
  return {
    id: '12',
    figure,
    ours: `${rate(median(o.map((s) => s.rate)))}, lost ${lost}, out of order ${outOfOrder}`,
    baseline: `${baseline}: ${rate(median(p.map((s) => s.rate)))} (lost ${Math.max(...plain.map((s) => s.lost))})`,
    ratio,
    target: '0 lost, order kept (ratio shown)',
    met: lost === 0 && outOfOrder === 0,
    note: `buffer ${DEFAULT_TAIL_BUFFER_SIZE.toLocaleString('en-US')} (the default); ratio = median of per-repetition ratios of rates; rate = messages returned / (publish start → the call returned); ours also feeds the output pipeline, as the command does; median ms: ours ${Math.round(median(o.map((s) => s.ms)))}, plain ${Math.round(median(p.map((s) => s.ms)))}`,
    data: { ours, plain, ratio: round(ratio, 3), oursRate: summary(o.map((s) => s.rate)), plainRate: summary(p.map((s) => s.rate)) },
  };
}

export async function rowTakeRedis(cfg: BenchConfig): Promise<Row> {
  const total = cfg.quick ? 20_000 : 100_000;
  const reps = Math.max(1, Math.round((cfg.quick ? 2 : 5) * cfg.reps));
  const protocol = publishProtocol(total);
  log(`row 12: take ${total.toLocaleString('en-US')} through redis.subscribe, ${reps} runs each`);
  const ours: TakeStats[] = [];
  const plain: TakeStats[] = [];
  await alternate(reps, {
    ours: async () => (ours[ours.length] = await redisOurs(protocol, total)).rate,
    plain: async () => (plain[plain.length] = await redisPlain(protocol, total)).rate,
  });
  return takeRow(`take ${total.toLocaleString('en-US')} through redis.subscribe`, 'plain ioredis subscriber', ours, plain);
}

/** Needs the bench vhost (prepareVhost) to exist. */
export async function rowTakeAmqp(cfg: BenchConfig): Promise<Row> {
  const total = cfg.quick ? 20_000 : 100_000;
  const reps = Math.max(1, Math.round((cfg.quick ? 2 : 3) * cfg.reps));
  const logger: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: log, error: log };
  const profile = resolveRabbitProfile({ name: 'bench', url: amqpUrl(cfg.vhost, false), managementUrl: MANAGEMENT_URL });
  const session = new AmqpSession(profile, { password: 'guest', logger });
  const adminConn = await connect(amqpUrl(cfg.vhost, true), { noDelay: true });
  const peer = new Peer(cfg.root, amqpUrl(cfg.vhost, true));
  try {
    await (await adminConn.createChannel()).assertExchange(EXCHANGE, 'fanout', { durable: false });
    log(`row 12: take ${total.toLocaleString('en-US')} through rabbitmq.tail, ${reps} runs each`);
    const ours: TakeStats[] = [];
    const plain: TakeStats[] = [];
    await alternate(reps, {
      ours: async () => (ours[ours.length] = await amqpOurs(session, peer, total)).rate,
      plain: async () => (plain[plain.length] = await amqpPlain(cfg, peer, total)).rate,
    });
    return takeRow(`take ${total.toLocaleString('en-US')} through rabbitmq.tail`, 'plain amqplib consumer', ours, plain);
  } finally {
    await peer.close();
    await adminConn.close().catch(() => undefined);
    await session.close();
  }
}
