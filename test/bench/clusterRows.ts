/**
 * Rows 15-17, on topologies of the bench's own (never the shared server):
 * 15 the whole keyspace of a 3-primary Redis Cluster walked WITH type and
 *    TTL by one scanKeysPage call on the session's RESP walker (what
 *    `brokerExplorer.redis.scanKeys` does; composite cursor, every primary in
 *    parallel) against a plain ioredis loop per primary, all primaries in
 *    parallel: SCAN COUNT 1000, then one TYPE/PTTL pipeline per batch; the
 *    bare walk (no type/TTL: exports, delete by pattern; on the Cluster)
 *    against a plain SCAN loop is in its note;
 * 16 the first page of 500 keys with type and TTL (scanKeysPage) against a
 *    plain per-primary page: SCAN + the same TYPE/PTTL pipeline per primary;
 * 17 the time from SENTINEL FAILOVER to the first write the new primary
 *    answers, through the pool and through a plain ioredis sentinel client
 *    in the same failover.
 */
import { Redis } from 'ioredis';
import { resolveRedisProfile } from '../../src/core/profiles';
import { scanKeysPage } from '../../src/core/redis/keyScanner';
import { RedisPool } from '../../src/core/redis/pool';
import { primariesOf } from '../../src/core/redis/redisClient';
import { iterateKeys } from '../../src/core/redis/scanExport';
import { RedisSession } from '../../src/core/redis/session';
import { seedKeys } from '../core/helpers/redis';
import { redisCli, RedisClusterTopology, RedisSentinelTopology } from '../topology/redisTopology';
import { plainInfoWalk } from './walkInfoRow';
import { alternate, log, median, ms, now, pairedRatio, ratioText, round, sleep, summary, timed, type BenchConfig, type Row } from './util';

/** The plain bare loop on one primary: SCAN COUNT 1000 until its cursor is 0. */
async function plainScan(node: Redis): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, batch] = await node.scanBuffer(cursor, 'COUNT', 1000);
    cursor = String(next);
    n += batch.length;
  } while (cursor !== '0');
  return n;
}

/** A plain loop run on every primary in parallel: the keys it saw, summed. */
async function perPrimary(nodes: readonly Redis[], walk: (node: Redis) => Promise<number>): Promise<number> {
  return (await Promise.all(nodes.map(walk))).reduce((a, b) => a + b, 0);
}

/** The plain first page: SCAN 0 COUNT `count` on each primary, then a TYPE/PTTL pipeline for what it found, in parallel. */
async function plainPage(nodes: readonly Redis[], count: number): Promise<number> {
  const sizes = await Promise.all(
    nodes.map(async (node) => {
      const [, batch] = await node.scanBuffer('0', 'COUNT', count);
      const p = node.pipeline();
      for (const k of batch) p.type(k).pttl(k);
      return ((await p.exec()) ?? []).length / 2;
    }),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

async function clusterRows(cfg: BenchConfig, want: (id: string) => boolean): Promise<Row[]> {
  const total = cfg.quick ? 20_000 : 1_000_000;
  const topology = await RedisClusterTopology.start();
  const session = new RedisSession(resolveRedisProfile({ name: 'bench-cluster', mode: 'cluster', nodes: topology.nodes }));
  const raw: Redis[] = [];
  try {
    const ours = await session.client();
    const t = now();
    await seedKeys(ours, total, (i) => `bench:c:${i}`, 20_000);
    log(`cluster: ${total} keys loaded in ${ms(now() - t)}`);
    for (const p of primariesOf(ours)) raw.push(new Redis({ host: p.options.host, port: p.options.port, maxRetriesPerRequest: 1 }));
    const rows: Row[] = [];
    if (want('15')) {
      const walker = await session.walker();
      const counts: Record<string, number> = {};
      const res = await alternate(Math.max(1, Math.round(3 * cfg.reps)), {
        ours: () =>
          timed(async () => {
            const page = await scanKeysPage(walker, { limit: total + 1, count: 1000, maxExamine: Number.MAX_SAFE_INTEGER, withInfo: true });
            if (!page.complete) throw new Error('scanKeysPage stopped before the end of the keyspace');
            counts.ours = page.keys.length;
          }),
        plain: () => timed(async () => (counts.plain = await perPrimary(raw, plainInfoWalk))),
        bare: () =>
          timed(async () => {
            let n = 0;
            for await (const batch of iterateKeys(ours, { count: 1000 })) n += batch.keys.length;
            counts.bare = n;
          }),
        plainBare: () => timed(async () => (counts.plainBare = await perPrimary(raw, plainScan))),
      });
      const ratio = pairedRatio(res.ours, res.plain);
      const bareRatio = pairedRatio(res.bare, res.plainBare);
      const all = counts.ours === total && counts.plain === total && counts.bare === total && counts.plainBare === total;
      rows.push({
        id: '15',
        figure: `Redis Cluster (3 primaries): walk all ${total.toLocaleString('en-US')} keys WITH type and TTL (one scanKeysPage call on the session's RESP walker, composite cursor)`,
        ours: `${ms(median(res.ours))}; bare walk (no type/TTL, iterateKeys on the Cluster) ${ms(median(res.bare))}`,
        baseline: `ioredis per primary in parallel, SCAN COUNT 1000 + one TYPE/PTTL pipeline per batch: ${ms(median(res.plain))}; bare SCAN loop ${ms(median(res.plainBare))}`,
        ratio,
        target: '≤ 1.1×',
        met: ratio <= 1.1 && all,
        note: `ratio = median of per-repetition ratios (ratio of medians ${ratioText(median(res.ours) / median(res.plain))}); bare walk (exports, delete by pattern: ioredis Cluster) ${ratioText(bareRatio)} of the bare SCAN loop (ours adds ROLE beside a SCAN every 250 ms: the failover check); keys seen ours/plain/bare/plain bare ${counts.ours}/${counts.plain}/${counts.bare}/${counts.plainBare}${all ? '' : ' (MISMATCH)'}; medians of ${res.ours.length}`,
        data: {
          total,
          ours: summary(res.ours),
          plain: summary(res.plain),
          bare: summary(res.bare),
          plainBare: summary(res.plainBare),
          ratio: round(ratio, 3),
          bareRatio: round(bareRatio, 3),
        },
      });
    }
    if (want('16')) {
      const count = 200;
      const sizes: Record<string, number> = {};
      const res = await alternate(Math.max(5, Math.round(30 * cfg.reps)), {
        ours: () => timed(async () => (sizes.ours = (await scanKeysPage(ours, { limit: 500, count, withInfo: true })).keys.length)),
        plain: () => timed(async () => (sizes.plain = await plainPage(raw, count))),
      });
      const ratio = pairedRatio(res.ours, res.plain);
      rows.push({
        id: '16',
        figure: `Redis Cluster: first page of 500 keys with type and TTL (scanKeysPage, COUNT ${count} per primary)`,
        ours: ms(median(res.ours)),
        baseline: `per primary in parallel: SCAN + one TYPE/PTTL pipeline: ${ms(median(res.plain))}`,
        ratio,
        target: '≤ 2×',
        met: ratio <= 2,
        note: `keys on the page ours/plain ${sizes.ours}/${sizes.plain}; medians of ${res.ours.length}`,
        data: { ours: summary(res.ours), plain: summary(res.plain), ratio: round(ratio, 3), sizes },
      });
    }
    return rows;
  } finally {
    for (const r of raw) r.disconnect();
    session.close();
    await topology.stop();
  }
}

/** Writes through `write` until one lands on the primary at `port` (bounded tries); the ms since `started`. */
async function firstAnswer(
  write: (value: string) => Promise<unknown>,
  key: string,
  port: () => number | undefined,
  started: number,
): Promise<number> {
  for (let i = 0; Date.now() - started < 60_000; i++) {
    const value = `v${i}`;
    const ok = await Promise.race([
      write(value).then(
        () => true,
        () => false,
      ),
      sleep(3000).then(() => false),
    ]);
    const p = port();
    if (ok && p !== undefined && (await redisCli(['-p', String(p), 'GET', key])) === `${value}\n`) return Date.now() - started;
    await sleep(20);
  }
  return Number.NaN;
}

async function sentinelRow(): Promise<Row> {
  const topology = await RedisSentinelTopology.start();
  const profile = resolveRedisProfile({
    name: 'bench-sentinel',
    mode: 'sentinel',
    sentinels: topology.sentinels,
    sentinelName: topology.name,
  });
  const pool = new RedisPool({ profile: () => profile, password: () => Promise.resolve(undefined) });
  const plain = new Redis({ sentinels: topology.sentinels, name: topology.name, failoverDetector: true, maxRetriesPerRequest: 1 });
  plain.on('error', () => undefined);
  try {
    await (await pool.get('bench-sentinel')).set('b:ours', 'x');
    await plain.set('b:plain', 'x');
    const before = (await topology.currentPrimary()).port;
    let after: number | undefined;
    const started = Date.now();
    await redisCli(['-p', String(topology.sentinels[0].port), 'SENTINEL', 'FAILOVER', topology.name]);
    const watch = (async (): Promise<void> => {
      while (after === undefined && Date.now() - started < 60_000) {
        const now = (await topology.currentPrimary()).port;
        if (now !== before) after = now;
        else await sleep(50);
      }
    })();
    const [ours, base] = await Promise.all([
      firstAnswer(
        async (v) => (await pool.get('bench-sentinel')).set('b:ours', v),
        'b:ours',
        () => after,
        started,
      ),
      firstAnswer(
        (v) => plain.set('b:plain', v),
        'b:plain',
        () => after,
        started,
      ),
    ]);
    await watch;
    return {
      id: '17',
      figure: 'Redis Sentinel: SENTINEL FAILOVER → first write answered by the new primary',
      ours: `${ms(ours)} (pool session)`,
      baseline: `plain ioredis sentinel client (failoverDetector): ${ms(base)}`,
      ratio: ours / base,
      target: 'report (same failover)',
      met: null,
      note: `down-after 2000 ms, one failover; both poll with writes bounded to 3 s each; ratio ${ratioText(ours / base)}`,
      data: { oursMs: ours, plainMs: base },
    };
  } finally {
    plain.disconnect();
    await pool.dispose();
    await topology.stop();
  }
}

export async function rowsScaleOut(cfg: BenchConfig, want: (id: string) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  if (want('15') || want('16')) rows.push(...(await clusterRows(cfg, want)));
  if (want('17')) rows.push(await sentinelRow());
  return rows;
}
