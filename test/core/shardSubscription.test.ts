import assert from 'node:assert/strict';
import * as net from 'node:net';
import { formatReply } from '../../src/core/redis/replyFormat';
import type { RedisReply } from '../../src/core/redis/reply';
import { openRespClient } from '../../src/core/redis/respClient';
import { ShardSubscription } from '../../src/core/redis/shardSubscription';
import { resolveRedisProfile } from '../../src/core/profiles';
import { localProfile, plainClient } from './helpers/redis';

const CHANNEL = `test-shard-${process.pid}`;

async function until(what: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ShardSubscription sends SSUBSCRIBE on the wire', () => {
  const pub = plainClient(0);
  const pushes: RedisReply[] = [];
  let sub: ShardSubscription | undefined;
  const shown = (): string => pushes.map((r) => formatReply(r)).join('\n');

  beforeEach(() => {
    pushes.length = 0;
  });
  afterEach(() => sub?.stop());
  after(() => pub.disconnect());

  it('receives SPUBLISH traffic as smessage pushes, after one ssubscribe confirmation per channel', async () => {
    sub = new ShardSubscription({
      connect: () => openRespClient(localProfile(0), { connectionName: 'test-shard-sub' }),
      channels: [Buffer.from(CHANNEL), Buffer.from(`${CHANNEL}-b`)],
      onPush: (r) => pushes.push(r),
    });
    await sub.start();
    await until('both confirmations', () => pushes.length === 2);
    assert.equal(shown(), `1) "ssubscribe"\n2) "${CHANNEL}"\n3) (integer) 1\n1) "ssubscribe"\n2) "${CHANNEL}-b"\n3) (integer) 2`);
    assert.equal(await pub.call('SPUBLISH', CHANNEL, 'sharded hello'), 1);
    await until('the smessage', () => pushes.length === 3);
    assert.equal(formatReply(pushes[2]), `1) "smessage"\n2) "${CHANNEL}"\n3) "sharded hello"`);
  });

  it('subscribes again after the server closes the connection', async () => {
    let lost = 0;
    let again = 0;
    const name = `test-shard-kill-${process.pid}`;
    sub = new ShardSubscription({
      connect: () => openRespClient(localProfile(0), { connectionName: name }),
      channels: [Buffer.from(CHANNEL)],
      onPush: (r) => pushes.push(r),
      retryMs: 50,
    });
    sub.on('lost', () => lost++);
    sub.on('resubscribed', () => again++);
    await sub.start();
    // Only our own connection, found by its name: other tests share this server.
    const list = String(await pub.call('CLIENT', 'LIST'));
    const ids = list
      .split('\n')
      .filter((l) => l.includes(` name=${name} `))
      .map((l) => /^id=(\d+)/.exec(l)?.[1] ?? '');
    assert.equal(ids.length, 1);
    assert.equal(await pub.call('CLIENT', 'KILL', 'ID', ids[0]), 1);
    await until('the resubscription', () => again === 1);
    assert.equal(lost, 1);
    assert.equal(await pub.call('SPUBLISH', CHANNEL, 'after'), 1);
    await until('the smessage after reconnecting', () => shown().includes('"after"'));
  });

  it('a server without SSUBSCRIBE (before 7.0) gets one sentence and no subscription', async () => {
    // Answers the handshake (CLIENT SETNAME) with OK, then refuses SSUBSCRIBE as Redis 6 does.
    const server = net.createServer((s) => {
      let n = 0;
      s.on('data', () => s.write(n++ === 0 ? '+OK\r\n' : "-ERR unknown command 'SSUBSCRIBE', with args beginning with: 'x'\r\n"));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      sub = new ShardSubscription({
        connect: () => openRespClient(resolveRedisProfile({ name: 'old', host: '127.0.0.1', port })),
        channels: [Buffer.from('x')],
        onPush: (r) => pushes.push(r),
      });
      await assert.rejects(sub.start(), (err: Error) => {
        assert.equal(
          err.message,
          "The server refused SSUBSCRIBE: ERR unknown command 'SSUBSCRIBE', with args beginning with: 'x'. SSUBSCRIBE needs Redis 7.0 or later: use SUBSCRIBE there.",
        );
        return true;
      });
      assert.deepEqual(pushes, []);
    } finally {
      server.close();
    }
  });

  it('stops: no connection is left subscribed', async () => {
    sub = new ShardSubscription({
      connect: () => openRespClient(localProfile(0), { connectionName: 'test-shard-stop' }),
      channels: [Buffer.from(CHANNEL)],
      onPush: (r) => pushes.push(r),
    });
    await sub.start();
    sub.stop();
    const count = async (): Promise<number> => Number(((await pub.call('PUBSUB', 'SHARDNUMSUB', CHANNEL)) as unknown[])[1]);
    for (let i = 0; i < 50 && (await count()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await count(), 0);
  });
});
