/**
 * Row 14: the cost of an SSH tunnel. An sshd of the bench's own forwards to
 * the shared Redis and RabbitMQ; the same operations run through it and
 * directly, alternated: the tree's first page (500 keys with type and TTL)
 * and an RPC round trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { rpcCall } from '../../src/core/amqp/rpcClient';
import { reachProfile, tunnelReach } from '../../src/core/net/reach';
import { SshTunnels } from '../../src/core/net/sshTunnel';
import { resolveRabbitProfile, resolveRedisProfile } from '../../src/core/profiles';
import { scanKeysPage } from '../../src/core/redis/keyScanner';
import { RedisSession } from '../../src/core/redis/session';
import { OwnSshd, makeKeyPair } from '../topology/sshTopology';
import { seedKeys } from '../core/helpers/redis';
import { Peer, amqpUrl, deleteVhost, prepareVhost } from './amqpRows';
import { MANAGEMENT_URL, RABBIT_PASSWORD, alternate, median, ms, pairedRatio, ratioText, timed, type BenchConfig, type Row } from './util';

const RPC_QUEUE = 'bench.ssh.rpc';

export async function rowsSsh(cfg: BenchConfig): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'be-bench-ssh-'));
  const key = makeKeyPair(dir, 'bench');
  const sshd = await OwnSshd.start([key]);
  const tunnels = new SshTunnels();
  const ssh = {
    host: '127.0.0.1',
    port: sshd.port,
    username: sshd.keyUser,
    privateKeyPath: key.privateKeyPath,
    hostKey: sshd.hostKeyFingerprint,
  };
  const reach = tunnelReach({ tunnels, secrets: () => Promise.resolve({}) });
  const redisProfile = resolveRedisProfile({ name: 'bench', host: '127.0.0.1', port: 6379, db: cfg.db });
  const direct = new RedisSession(redisProfile);
  const reachedRedis = await reachProfile(
    reach,
    resolveRedisProfile({ name: 'bench-ssh', host: '127.0.0.1', port: 6379, db: cfg.db, ssh }),
  );
  const tunnelled = new RedisSession(reachedRedis.profile);
  const rabbit = { url: amqpUrl(cfg.vhost, false), managementUrl: MANAGEMENT_URL };
  await prepareVhost(cfg);
  const peer = new Peer(cfg.root, amqpUrl(cfg.vhost, true));
  const reachedRabbit = await reachProfile(reach, resolveRabbitProfile({ name: 'bench-ssh', ...rabbit, ssh }));
  const amqpDirect = new AmqpSession(resolveRabbitProfile({ name: 'bench', ...rabbit }), { password: RABBIT_PASSWORD });
  const amqpTunnelled = new AmqpSession(reachedRabbit.profile, { password: RABBIT_PASSWORD });
  try {
    const keys = cfg.quick ? 10_000 : 100_000;
    const seed = await direct.client();
    await seed.flushdb();
    await seedKeys(seed, keys, (i) => `bench:ssh:${i}`);
    const page = async (session: RedisSession): Promise<number> => {
      const client = await session.client();
      return timed(() => scanKeysPage(client, { limit: 500, count: 1000, withInfo: true }));
    };
    const reps = Math.max(5, Math.round((cfg.quick ? 10 : 40) * cfg.reps));
    const pages = await alternate(reps, { tunnel: () => page(tunnelled), direct: () => page(direct) });
    await peer.send({ cmd: 'rpcServers', noDelayQueue: RPC_QUEUE, defaultQueue: `${RPC_QUEUE}.default` });
    const call = (session: AmqpSession): Promise<number> =>
      timed(() => rpcCall(session, { routingKey: RPC_QUEUE, body: 'ping', timeoutMs: 5000 }));
    const calls = await alternate(reps * 5, { tunnel: () => call(amqpTunnelled), direct: () => call(amqpDirect) }, 3);
    const pageRatio = pairedRatio(pages.tunnel, pages.direct);
    const rpcRatio = pairedRatio(calls.tunnel, calls.direct);
    return [
      {
        id: '14',
        figure: `through an SSH tunnel (sshd on 127.0.0.1): first page, 500 keys with type and TTL, ${keys.toLocaleString('en-US')} keys`,
        ours: `median ${ms(median(pages.tunnel))}`,
        baseline: `direct: median ${ms(median(pages.direct))}`,
        ratio: pageRatio,
        target: "report (the tunnel's cost)",
        met: null,
        note: `${ratioText(pageRatio)} of direct, ${reps} alternated runs`,
        data: { tunnel: pages.tunnel, direct: pages.direct, ratio: pageRatio },
      },
      {
        id: '14',
        figure: 'through an SSH tunnel: RPC round trip (rpcCall, amqplib server)',
        ours: `median ${ms(median(calls.tunnel))}`,
        baseline: `direct: median ${ms(median(calls.direct))}`,
        ratio: rpcRatio,
        target: "report (the tunnel's cost)",
        met: null,
        note: `${ratioText(rpcRatio)} of direct, ${reps * 5} alternated calls`,
        data: { tunnel: calls.tunnel, direct: calls.direct, ratio: rpcRatio },
      },
    ];
  } finally {
    await peer.close();
    await Promise.all([amqpDirect.close(), amqpTunnelled.close()]);
    direct.close();
    tunnelled.close();
    reachedRedis.release();
    reachedRabbit.release();
    tunnels.dispose();
    await deleteVhost(cfg.vhost);
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
