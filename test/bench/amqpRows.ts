/**
 * RabbitMQ rows: exchange tail and work-queue consume into the output
 * pipeline, RPC round trips, and the first page of queues with many queues
 * declared. Everything lives in a vhost of the bench's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { startConsumer } from '../../src/core/amqp/consumer';
import { rpcCall } from '../../src/core/amqp/rpcClient';
import { startTail } from '../../src/core/amqp/tail';
import type { AmqpMessage } from '../../src/core/amqp/messageProperties';
import type { Logger } from '../../src/core/logger';
import { resolveRabbitProfile } from '../../src/core/profiles';
import { Pipeline } from './outputPipeline';
import {
  alternate,
  AMQP_PORT,
  HOST,
  log,
  MANAGEMENT_URL,
  median,
  mgmt,
  ms,
  now,
  pairedRatio,
  percentile,
  rate,
  RABBIT_PASSWORD,
  RABBIT_USER,
  ratioText,
  round,
  run,
  sleep,
  summary,
  SeqCounter,
  track,
  waitUntilQuiet,
  type BenchConfig,
  type FlowStats,
  type Row,
} from './util';

export const BENCH_VHOST_DESCRIPTION = 'created by Broker Explorer npm run bench; deleted when it ends';
const SEQ_DIGITS = 8;

function vpath(vhost: string): string {
  return encodeURIComponent(vhost);
}

export function amqpUrl(vhost: string, withPassword: boolean): string {
  return `amqp://${RABBIT_USER}${withPassword ? `:${RABBIT_PASSWORD}` : ''}@${HOST}:${AMQP_PORT}/${vpath(vhost)}`;
}

/** Creates the bench vhost; one left by an interrupted bench run is deleted first; anybody else's is refused. */
export async function prepareVhost(cfg: BenchConfig): Promise<void> {
  const existing = await mgmt('GET', `/api/vhosts/${vpath(cfg.vhost)}`);
  if (existing.status === 200) {
    const description = (existing.body as { description?: string } | undefined)?.description;
    if (description !== BENCH_VHOST_DESCRIPTION)
      throw new Error(
        `RabbitMQ vhost "${cfg.vhost}" exists and was not created by the benchmark: it refuses to touch it. Delete it or pick another with --vhost.`,
      );
    log(`vhost "${cfg.vhost}" is left from an interrupted bench run: deleting it`);
    await deleteVhost(cfg.vhost);
  }
  const put = await mgmt('PUT', `/api/vhosts/${vpath(cfg.vhost)}`, { description: BENCH_VHOST_DESCRIPTION });
  if (put.status >= 400) throw new Error(`creating vhost "${cfg.vhost}" → HTTP ${put.status}`);
  const perm = await mgmt('PUT', `/api/permissions/${vpath(cfg.vhost)}/${RABBIT_USER}`, { configure: '.*', write: '.*', read: '.*' });
  if (perm.status >= 400) throw new Error(`granting ${RABBIT_USER} on vhost "${cfg.vhost}" → HTTP ${perm.status}`);
}

/** Deletes the bench vhost, only when it carries the bench's description. */
export async function deleteVhost(vhost: string): Promise<void> {
  const existing = await mgmt('GET', `/api/vhosts/${vpath(vhost)}`);
  if (existing.status !== 200) return;
  if ((existing.body as { description?: string } | undefined)?.description !== BENCH_VHOST_DESCRIPTION) return;
  const del = await mgmt('DELETE', `/api/vhosts/${vpath(vhost)}`);
  if (del.status >= 400 && del.status !== 404) throw new Error(`deleting vhost "${vhost}" → HTTP ${del.status}`);
}

/** The peer process (amqpPeer.ts): RPC servers and a publisher. */
export class Peer {
  private readonly child: ChildProcess;
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];

  constructor(root: string, url: string) {
    this.child = track(
      spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'bench', 'amqpPeer.ts'), url], {
        cwd: root,
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    this.lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
  }

  async send(command: Record<string, unknown>): Promise<{ ok: boolean; ms?: number; error?: string }> {
    const answer = new Promise<string>((resolve) => this.waiting.push(resolve));
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
    const reply = JSON.parse(await answer) as { ok: boolean; ms?: number; error?: string };
    if (!reply.ok) throw new Error(`peer ${String(command.cmd)}: ${reply.error ?? 'failed'}`);
    return reply;
  }

  async close(): Promise<void> {
    await Promise.race([this.send({ cmd: 'exit' }).catch(() => undefined), sleep(3000)]);
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

function seqOf(body: AmqpMessage['body']): number {
  return typeof body === 'string' ? Number(body.slice(0, SEQ_DIGITS)) : -1;
}

const TAIL_EXCHANGE = 'bench.tail';
const WORK_QUEUE = 'bench.work';

async function rowTail(cfg: BenchConfig, session: AmqpSession, peer: Peer): Promise<{ ours: FlowStats[]; plain: FlowStats[] }> {
  const total = cfg.quick ? 5_000 : 50_000;
  const reps = Math.max(1, Math.round((cfg.quick ? 2 : 5) * cfg.reps));
  const ours: FlowStats[] = [];
  const plain: FlowStats[] = [];
  log(`row 7: exchange tail, ${total.toLocaleString('en-US')} messages per run`);
  await alternate(reps, {
    ours: async () => {
      const pipeline = new Pipeline(`RabbitMQ tail: ${TAIL_EXCHANGE}`);
      const c = new SeqCounter(total);
      const tail = await startTail(session, { exchange: TAIL_EXCHANGE, exchangeType: 'fanout' });
      tail.on('message', (m) => {
        const last = c.see(seqOf(m.body));
        pipeline.appendAmqp(m);
        if (last) {
          pipeline.flush();
          c.end();
        }
      });
      const t0 = now();
      await peer.send({ cmd: 'publish', exchange: TAIL_EXCHANGE, routingKey: '', count: total, confirm: true });
      await waitUntilQuiet(c.done, () => c.received, total, 3000);
      await tail.stop();
      const s = c.stats(t0, { lastLineOk: pipeline.lastLine().includes(` ${String(total - 1).padStart(SEQ_DIGITS, '0')} `) });
      pipeline.dispose();
      ours.push(s);
      return s.rate;
    },
    plain: async () => {
      const conn = await connect(amqpUrl(cfg.vhost, true), { noDelay: true });
      const ch = await conn.createChannel();
      const q = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      await ch.bindQueue(q.queue, TAIL_EXCHANGE, '');
      const c = new SeqCounter(total);
      await ch.consume(
        q.queue,
        (msg: ConsumeMessage | null) => {
          if (!msg) return;
          if (c.see(Number(msg.content.toString('latin1', 0, SEQ_DIGITS)))) c.end();
        },
        { noAck: true, exclusive: true },
      );
      const t0 = now();
      await peer.send({ cmd: 'publish', exchange: TAIL_EXCHANGE, routingKey: '', count: total, confirm: true });
      await waitUntilQuiet(c.done, () => c.received, total, 3000);
      await conn.close();
      const s = c.stats(t0);
      plain.push(s);
      return s.rate;
    },
  });
  return { ours, plain };
}

async function fillWorkQueue(peer: Peer, admin: Channel, total: number): Promise<void> {
  await peer.send({ cmd: 'publish', exchange: '', routingKey: WORK_QUEUE, count: total, confirm: true });
  for (let i = 0; i < 50; i++) {
    const q = await admin.checkQueue(WORK_QUEUE);
    if (q.messageCount >= total) return;
    await sleep(100);
  }
}

/** One run of plain amqplib on the filled work queue (prefetch 100, manual ack); `makeAck` says how each message is acknowledged. */
async function plainConsumeRun(
  url: string,
  peer: Peer,
  admin: Channel,
  total: number,
  makeAck: (ch: Channel) => (msg: ConsumeMessage) => void,
): Promise<FlowStats> {
  await fillWorkQueue(peer, admin, total);
  const conn = await connect(url, { noDelay: true });
  const c = new SeqCounter(total);
  const t0 = now();
  const ch = await conn.createChannel();
  await ch.prefetch(100);
  const ack = makeAck(ch);
  await ch.consume(
    WORK_QUEUE,
    (msg: ConsumeMessage | null) => {
      if (!msg) return;
      const last = c.see(Number(msg.content.toString('latin1', 0, SEQ_DIGITS)));
      ack(msg);
      if (last) c.end();
    },
    { noAck: false },
  );
  await waitUntilQuiet(c.done, () => c.received, total, 3000);
  await sleep(50);
  await conn.close();
  await admin.purgeQueue(WORK_QUEUE);
  return c.stats(t0);
}

/** Acknowledges cumulatively: ack(last, allUpTo) once per burst of messages. */
function cumulativeAck(ch: Channel): (msg: ConsumeMessage) => void {
  let last: ConsumeMessage | undefined;
  let scheduled = false;
  return (msg) => {
    last = msg;
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (last) ch.ack(last, true);
    });
  };
}

async function rowConsume(
  cfg: BenchConfig,
  session: AmqpSession,
  peer: Peer,
  admin: Channel,
): Promise<{ ours: FlowStats[]; plain: FlowStats[]; cumulative: FlowStats[]; left: number[] }> {
  const total = cfg.quick ? 5_000 : 50_000;
  const reps = Math.max(1, Math.round((cfg.quick ? 2 : 5) * cfg.reps));
  const ours: FlowStats[] = [];
  const plain: FlowStats[] = [];
  const left: number[] = [];
  const cumulative: FlowStats[] = [];
  log(`row 7: work-queue consume (prefetch 100, manual ack), ${total.toLocaleString('en-US')} messages per run`);
  await admin.assertQueue(WORK_QUEUE, { durable: false });
  await admin.purgeQueue(WORK_QUEUE);
  await alternate(reps, {
    ours: async () => {
      await fillWorkQueue(peer, admin, total);
      const pipeline = new Pipeline(`RabbitMQ consume: ${WORK_QUEUE}`);
      const c = new SeqCounter(total);
      const t0 = now();
      const consumer = await startConsumer(
        session,
        { queue: WORK_QUEUE, prefetch: 100, ack: 'ack' },
        {
          // As the ui's consumer does it: queued lazily, acknowledged once written out.
          sink: (m) => {
            const last = c.see(seqOf(m.body));
            pipeline.appendAmqp(m);
            if (last) {
              pipeline.flush();
              c.end();
            }
            return pipeline.whenFlushed();
          },
          overlap: true,
        },
      );
      await waitUntilQuiet(c.done, () => c.received, total, 3000);
      await sleep(50); // the last ack is written synchronously after 'message'; let it leave
      await consumer.stop();
      const s = c.stats(t0, { lastLineOk: pipeline.lastLine().includes(` ${String(total - 1).padStart(SEQ_DIGITS, '0')} `) });
      pipeline.dispose();
      left.push((await admin.checkQueue(WORK_QUEUE)).messageCount);
      await admin.purgeQueue(WORK_QUEUE);
      ours.push(s);
      return s.rate;
    },
    plain: async () => {
      const s = await plainConsumeRun(amqpUrl(cfg.vhost, true), peer, admin, total, (ch) => (msg) => ch.ack(msg));
      plain.push(s);
      return s.rate;
    },
    // Not a baseline: plain amqplib acknowledging cumulatively (ack(last, allUpTo) once per burst) — the effect of the fix proposed for QueueConsumer.
    cumulative: async () => {
      const s = await plainConsumeRun(amqpUrl(cfg.vhost, true), peer, admin, total, cumulativeAck);
      cumulative.push(s);
      return s.rate;
    },
  });
  return { ours, plain, cumulative, left };
}

function flowRow(id: string, figure: string, r: { ours: FlowStats[]; plain: FlowStats[] }, extraNote = ''): Row {
  const o = r.ours.slice(1);
  const p = r.plain.slice(1);
  const oRate = median(o.map((s) => s.rate));
  const pRate = median(p.map((s) => s.rate));
  const lost = Math.max(...r.ours.map((s) => s.lost));
  const outOfOrder = Math.max(...r.ours.map((s) => s.outOfOrder));
  const tailOk = r.ours.every((s) => s.lastLineOk !== false);
  const ratio = pairedRatio(
    o.map((s) => s.rate),
    p.map((s) => s.rate),
  );
  return {
    id,
    figure,
    ours: `${rate(oRate)}, lost ${lost}, out of order ${outOfOrder}`,
    baseline: `plain amqplib consumer: ${rate(pRate)} (lost ${Math.max(...r.plain.map((s) => s.lost))})`,
    ratio,
    target: '≥ 0.9×, 0 lost',
    met: ratio >= 0.9 && lost === 0 && tailOk,
    note: `ratio = median of per-repetition ratios; rate = first → last message; including start-up: ours ${rate(median(o.map((s) => s.endToEndRate)))}, plain ${rate(median(p.map((s) => s.endToEndRate)))}; newest line reached the channel: ${tailOk ? 'yes' : 'NO'}${extraNote}`,
    data: {
      ours: r.ours,
      plain: r.plain,
      ratio: round(ratio, 3),
      oursRate: summary(o.map((s) => s.rate)),
      plainRate: summary(p.map((s) => s.rate)),
    },
  };
}

// ---------------------------------------------------------------- row 8

const RPC_NODELAY = 'bench.rpc.nodelay';
const RPC_DEFAULT = 'bench.rpc.default';

/** The plain amqplib direct reply-to client: one channel, one reply consumer, calls matched by correlationId. */
async function plainRpcClient(
  url: string,
  noDelay: boolean,
): Promise<{ call: (queue: string) => Promise<number>; callOwnChannel: (queue: string) => Promise<number>; close: () => Promise<void> }> {
  const conn: ChannelModel = await connect(url, noDelay ? { noDelay: true } : {});
  const ch = await conn.createChannel();
  const pending = new Map<string, () => void>();
  await ch.consume(
    'amq.rabbitmq.reply-to',
    (msg) => {
      if (!msg) return;
      const done = pending.get(msg.properties.correlationId as string);
      if (done) {
        pending.delete(msg.properties.correlationId as string);
        done();
      }
    },
    { noAck: true },
  );
  const body = Buffer.from('ping');
  return {
    /** Like rpcCall does it: a channel, a reply consumer, the call, the channel closed — all per call. */
    callOwnChannel: async (queue) => {
      const t = now();
      const own = await conn.createChannel();
      const id = randomUUID();
      const replied = new Promise<void>((resolve) => {
        void own
          .consume(
            'amq.rabbitmq.reply-to',
            (msg) => {
              if (msg && msg.properties.correlationId === id) resolve();
            },
            { noAck: true },
          )
          .then(() => own.sendToQueue(queue, body, { replyTo: 'amq.rabbitmq.reply-to', correlationId: id }));
      });
      await replied;
      await own.close();
      return now() - t;
    },
    call: (queue) =>
      new Promise<number>((resolve) => {
        const id = randomUUID();
        const t = now();
        pending.set(id, () => resolve(now() - t));
        ch.sendToQueue(queue, body, { replyTo: 'amq.rabbitmq.reply-to', correlationId: id });
      }),
    close: async () => {
      await conn.close();
    },
  };
}

async function rowRpc(cfg: BenchConfig, session: AmqpSession): Promise<Row> {
  const calls = cfg.quick ? 200 : 1000;
  const block = 50;
  const defaultCalls = cfg.quick ? 10 : 30;
  log(`row 8: RPC, ${calls} sequential calls each, in alternating blocks of ${block}`);
  const plain = await plainRpcClient(amqpUrl(cfg.vhost, true), true);
  const ours: number[] = [];
  const base: number[] = [];
  const perCall: number[] = [];
  const oursReported: number[] = [];
  const oneOurs = async (): Promise<number> => {
    const t = now();
    const r = await rpcCall(session, { routingKey: RPC_NODELAY, body: 'ping', timeoutMs: 5000 });
    const elapsed = now() - t;
    oursReported.push(r.elapsedMs);
    return elapsed;
  };
  for (let i = 0; i < 20; i++) {
    await oneOurs();
    await plain.call(RPC_NODELAY);
  }
  oursReported.length = 0;
  for (let b = 0; b < calls / block; b++) {
    const order = b % 2 === 0 ? ['ours', 'plain', 'perCall'] : ['plain', 'perCall', 'ours'];
    for (const who of order) {
      for (let i = 0; i < block; i++) {
        if (who === 'ours') ours.push(await oneOurs());
        else if (who === 'plain') base.push(await plain.call(RPC_NODELAY));
        else if (i % 2 === 0) perCall.push(await plain.callOwnChannel(RPC_NODELAY));
      }
    }
  }
  await plain.close();
  const slow = await plainRpcClient(amqpUrl(cfg.vhost, true), false);
  const slowTimes: number[] = [];
  await slow.call(RPC_DEFAULT);
  for (let i = 0; i < defaultCalls; i++) slowTimes.push(await slow.call(RPC_DEFAULT));
  await slow.close();
  const oMed = median(ours);
  const bMed = median(base);
  const ratio = oMed / bMed;
  const ratioP99 = percentile(ours, 99) / percentile(base, 99);
  return {
    id: '8',
    figure: 'RPC round trip, sequential (server on noDelay)',
    ours: `rpcCall: median ${ms(oMed)}, p99 ${ms(percentile(ours, 99))}`,
    baseline: `amqplib direct reply-to, noDelay: median ${ms(bMed)}, p99 ${ms(percentile(base, 99))}`,
    ratio,
    target: '≤ 1.1×',
    met: ratio <= 1.1,
    note: `p99 ratio ${ratioText(ratioP99)}; rpcCall's own elapsedMs (publish → reply) median ${ms(median(oursReported))}; plain amqplib opening a channel and a reply consumer per call, as rpcCall does: median ${ms(median(perCall))}; default socket options on both sides (no noDelay): median ${ms(median(slowTimes))}, p99 ${ms(percentile(slowTimes, 99))} over ${defaultCalls} calls`,
    data: {
      ours: summaryWithP99(ours),
      plain: summaryWithP99(base),
      oursElapsedMs: summaryWithP99(oursReported),
      plainChannelPerCall: summaryWithP99(perCall),
      defaultSocket: summaryWithP99(slowTimes),
      ratio: round(ratio, 3),
      ratioP99: round(ratioP99, 3),
    },
  };
}

function summaryWithP99(values: number[]): Record<string, number> {
  return {
    median: round(median(values), 3),
    p99: round(percentile(values, 99), 3),
    min: round(Math.min(...values), 3),
    max: round(Math.max(...values), 3),
    n: values.length,
  };
}

// ---------------------------------------------------------------- row 9

async function declareQueues(conn: ChannelModel, count: number): Promise<void> {
  const channels = await Promise.all(Array.from({ length: 8 }, () => conn.createChannel()));
  await Promise.all(
    channels.map(async (ch, k) => {
      const mine: Promise<unknown>[] = [];
      for (let i = k; i < count; i += channels.length)
        mine.push(ch.assertQueue(`bench.q.${String(i).padStart(5, '0')}`, { durable: false }));
      await Promise.all(mine);
      await ch.close();
    }),
  );
}

async function rowQueuesPage(cfg: BenchConfig, session: AmqpSession, adminConn: ChannelModel, captured: string[]): Promise<Row> {
  const count = cfg.quick ? 1_000 : 10_000;
  const reps = Math.max(3, Math.round((cfg.quick ? 5 : 15) * cfg.reps));
  log(`row 9: declaring ${count.toLocaleString('en-US')} queues`);
  const t = now();
  await declareQueues(adminConn, count);
  log(`declared in ${ms(now() - t)}; waiting for the management API to list them`);
  const management = session.management();
  for (let i = 0; i < 600; i++) {
    const page = await management.listQueues(cfg.vhost, { page: 1, pageSize: 100 });
    if (page.unfilteredTotal >= count) break;
    await sleep(200);
  }
  captured.length = 0;
  await management.listQueues(cfg.vhost, { page: 1, pageSize: 100 });
  const path = /management GET (\S+) →/.exec(captured[captured.length - 1] ?? '')?.[1];
  if (!path) throw new Error('could not capture the management request path');
  const url = `${MANAGEMENT_URL}${path}`;
  // The same page with an explicit sort=name (what the client sent before): shows what the broker's sort costs.
  const sorted = /[?&]sort=/.test(url) ? url.replace(/([?&])sort=[^&]*&?/, '$1').replace(/[?&]$/, '') : `${url}&sort=name`;
  const sortedLabel = /[?&]sort=/.test(url) ? 'without sort' : 'with sort=name';
  let items = 0;
  let curlBytes = 0;
  const curlInner: number[] = [];
  const res = await alternate(reps, {
    ours: async () => {
      const t0 = now();
      const page = await management.listQueues(cfg.vhost, { page: 1, pageSize: 100 });
      items = page.items.length;
      return now() - t0;
    },
    curl: async () => {
      const r = await run('curl', [
        '-s',
        '-u',
        `${RABBIT_USER}:${RABBIT_PASSWORD}`,
        '-H',
        'accept: application/json',
        '-w',
        '\n%{http_code} %{time_total}',
        url,
      ]);
      const tail = r.stdout.slice(r.stdout.lastIndexOf('\n') + 1).split(' ');
      if (tail[0] !== '200') throw new Error(`curl ${url} → ${tail[0]}`);
      curlBytes = r.stdout.length;
      curlInner.push(Number(tail[1]) * 1000);
      return r.ms;
    },
    curlOtherSort: async () => (await run('curl', ['-s', '-o', '/dev/null', '-u', `${RABBIT_USER}:${RABBIT_PASSWORD}`, sorted])).ms,
  });
  const o = median(res.ours);
  const c = median(res.curl);
  const ratio = pairedRatio(res.ours, res.curl);
  return {
    id: '9',
    figure: `first page of queues (100), ${count.toLocaleString('en-US')} queues declared`,
    ours: `ManagementClient.listQueues: ${ms(o)}`,
    baseline: `curl of the same URL: ${ms(c)} (curl's own time_total ${ms(median(curlInner))})`,
    ratio,
    target: '≤ 1.1× and ≤ 300 ms',
    met: ratio <= 1.1 && o <= 300,
    note: `ratio = median of per-repetition ratios; ${items} items, ${curlBytes} bytes; URL ${path.replace(/columns=[^&]*/, 'columns=…')}; the same page ${sortedLabel} by curl: ${ms(median(res.curlOtherSort))}`,
    data: {
      ours: summary(res.ours),
      curl: summary(res.curl),
      curlTimeTotal: summary(curlInner),
      curlOtherSort: { label: sortedLabel, ...summary(res.curlOtherSort) },
      url: path,
      queues: count,
      ratio: round(ratio, 3),
    },
  };
}

// ---------------------------------------------------------------- all

export async function runAmqpRows(cfg: BenchConfig, want: (id: string) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const captured: string[] = [];
  const logger: Logger = {
    trace: (m) => {
      if (captured.length > 100) captured.shift();
      captured.push(m);
    },
    debug: () => undefined,
    info: () => undefined,
    warn: (m) => log(`core warn: ${m}`),
    error: (m) => log(`core error: ${m}`),
  };
  const profile = resolveRabbitProfile({ name: 'bench', url: amqpUrl(cfg.vhost, false), managementUrl: MANAGEMENT_URL });
  const session = new AmqpSession(profile, { password: RABBIT_PASSWORD, logger });
  const adminConn = await connect(amqpUrl(cfg.vhost, true), { noDelay: true });
  adminConn.on('error', () => undefined);
  const admin = await adminConn.createChannel();
  await admin.assertExchange(TAIL_EXCHANGE, 'fanout', { durable: false });
  const peer = new Peer(cfg.root, amqpUrl(cfg.vhost, true));
  try {
    await peer.send({ cmd: 'rpcServers', noDelayQueue: RPC_NODELAY, defaultQueue: RPC_DEFAULT });
    if (want('7')) {
      const tail = await rowTail(cfg, session, peer);
      rows.push(
        flowRow(
          '7',
          `AMQP exchange tail → output pipeline, ${(cfg.quick ? 5_000 : 50_000).toLocaleString('en-US')} msgs`,
          tail,
          '; publisher: amqplib in another process',
        ),
      );
      const consume = await rowConsume(cfg, session, peer, admin);
      const cumulativeRate = median(consume.cumulative.slice(1).map((s) => s.rate));
      rows.push(
        flowRow(
          '7',
          `AMQP work-queue consume (prefetch 100, manual ack) → output pipeline, ${(cfg.quick ? 5_000 : 50_000).toLocaleString('en-US')} msgs`,
          consume,
          `; left in the queue after our runs: ${consume.left.join(', ')}; plain amqplib with cumulative acks (one ack(last, allUpTo) per burst, the proposed consumer fix): ${rate(cumulativeRate)}`,
        ),
      );
    }
    if (want('8')) rows.push(await rowRpc(cfg, session));
    if (want('9')) rows.push(await rowQueuesPage(cfg, session, adminConn, captured));
  } finally {
    await peer.close();
    await session.close();
    await adminConn.close().catch(() => undefined);
  }
  return rows;
}
