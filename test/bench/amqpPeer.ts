/**
 * "The other side" of the AMQP rows, in a process of its own so it never
 * shares the measured event loop: plain amqplib RPC servers (one on a
 * noDelay socket, one on default socket options) and a fast publisher.
 * Driven by JSON lines on stdin; answers one JSON line per command.
 *   {"cmd":"rpcServers","noDelayQueue":"…","defaultQueue":"…"}
 *   {"cmd":"publish","exchange":"…","routingKey":"…","count":N,"confirm":true}
 *   {"cmd":"exit"}
 */
import { createInterface } from 'node:readline';
import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: amqpPeer.ts <amqp url with password>\n');
  process.exit(2);
}

const connections: ChannelModel[] = [];

async function rpcServer(queue: string, noDelay: boolean): Promise<void> {
  const conn = await connect(url, noDelay ? { noDelay: true } : {});
  connections.push(conn);
  const ch: Channel = await conn.createChannel();
  await ch.assertQueue(queue, { durable: false });
  await ch.prefetch(1);
  await ch.consume(queue, (msg) => {
    if (!msg) return;
    ch.sendToQueue(msg.properties.replyTo as string, msg.content, { correlationId: msg.properties.correlationId as string });
    ch.ack(msg);
  });
}

let publisher: { conn: ChannelModel; ch: ConfirmChannel } | undefined;

async function publish(exchange: string, routingKey: string, count: number, confirm: boolean): Promise<number> {
  if (!publisher) {
    const conn = await connect(url, { noDelay: true });
    connections.push(conn);
    publisher = { conn, ch: await conn.createConfirmChannel() };
  }
  const ch = publisher.ch;
  const started = performance.now();
  const payload = ' order 42 shipped to warehouse';
  for (let i = 0; i < count; i++) {
    const ok = ch.publish(exchange, routingKey, Buffer.from(`${String(i).padStart(8, '0')}${payload}`, 'latin1'));
    if (!ok) await new Promise<void>((r) => ch.once('drain', () => r()));
  }
  if (confirm) await ch.waitForConfirms();
  return performance.now() - started;
}

function reply(o: unknown): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  void (async () => {
    const c = JSON.parse(line) as {
      cmd: string;
      noDelayQueue?: string;
      defaultQueue?: string;
      exchange?: string;
      routingKey?: string;
      count?: number;
      confirm?: boolean;
    };
    try {
      if (c.cmd === 'rpcServers') {
        await rpcServer(c.noDelayQueue ?? 'bench.rpc.nodelay', true);
        await rpcServer(c.defaultQueue ?? 'bench.rpc.default', false);
        reply({ ok: true });
      } else if (c.cmd === 'publish') {
        const msTaken = await publish(c.exchange ?? '', c.routingKey ?? '', c.count ?? 0, c.confirm ?? true);
        reply({ ok: true, ms: msTaken });
      } else if (c.cmd === 'exit') {
        for (const conn of connections) await conn.close().catch(() => undefined);
        reply({ ok: true });
        process.exit(0);
      } else reply({ ok: false, error: `unknown command ${c.cmd}` });
    } catch (err) {
      reply({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  })();
});
rl.on('close', () => process.exit(0));
