/**
 * Redis rows: key walk, first page, type-group page, memory (in a child
 * process), collection paging. All on the bench's own database, loaded
 * here with pipelined writes.
 */
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/core/redis/connection';
import { openRespClient } from '../../src/core/redis/respClient';
import { scanKeysPage } from '../../src/core/redis/keyScanner';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import { KeyPager } from '../../src/ui/tree/keyPager';
import type { Settings } from '../../src/ui/settings';
import { plainClient as plainRedis } from '../core/helpers/redis';
import { loadCollections, rowCollections } from './collectionRow';
import { rowMemory } from './memoryRow';
import { rowWalkWithInfo } from './walkInfoRow';
import {
  alternate,
  HOST,
  log,
  median,
  ms,
  pairedRatio,
  percentile,
  ratioText,
  REDIS_PORT,
  round,
  run,
  summary,
  timed,
  type BenchConfig,
  type Row,
} from './util';

export const MARKER_KEY = '__broker_explorer_bench__';

/** The extension's default settings (package.json), as the tree reads them. */
export const DEFAULT_SETTINGS: Settings = {
  redisPageSize: 500,
  maxItemsPerNode: 10_000,
  redisScanCount: 1000,
  redisMaxExamine: 100_000,
  redisGrouping: 'type',
  valueItems: 1000,
  maxValueBytes: 1_048_576,
  maxEditableItems: 10_000,
  rabbitPageSize: 100,
  tailMaxLines: 5000,
  tailBufferSize: 10_000,
};

export function benchRedisProfile(db: number): ResolvedRedisProfile {
  return resolveRedisProfile({ name: 'bench', host: HOST, port: REDIS_PORT, db });
}

export { plainRedis };

export interface RedisSizes {
  keys: number;
  hashShare: number;
  members: number;
}

export function redisSizes(cfg: BenchConfig): RedisSizes {
  return cfg.quick ? { keys: 10_000, hashShare: 0.1, members: 10_000 } : { keys: 1_000_000, hashShare: 0.1, members: 1_000_000 };
}

/**
 * `keys` keys in all (the marker included): 10% small hashes `h:<i>`, the
 * rest strings `s:<i>`, written with MSET / HSET in pipelines.
 */
export async function loadKeys(client: Redis, sizes: RedisSizes): Promise<void> {
  const hashes = Math.round(sizes.keys * sizes.hashShare);
  const strings = sizes.keys - hashes - 1;
  let p = client.pipeline();
  let queued = 0;
  const push = async (force = false): Promise<void> => {
    if (queued >= 200 || (force && queued > 0)) {
      await p.exec();
      p = client.pipeline();
      queued = 0;
    }
  };
  for (let i = 0; i < strings; i += 1000) {
    const args: string[] = [];
    for (let j = i; j < Math.min(strings, i + 1000); j++) args.push(`s:${j}`, 'v');
    p.mset(...args);
    queued++;
    await push();
  }
  for (let i = 0; i < hashes; i++) {
    p.hset(`h:${i}`, 'f', 'v');
    if (i % 1000 === 999) {
      queued++;
      await push();
    }
  }
  queued++;
  await push(true);
}

// ---------------------------------------------------------------- row 1

/**
 * The SCAN COUNT the tree's KeyPager uses for an unfiltered list, read off
 * the wire: one loadMore() on a client whose callBuffer is watched.
 */
async function treeScanCount(client: Redis, settings: Settings): Promise<number> {
  let count: number | undefined;
  const watched = new Proxy(client, {
    get(target, prop): unknown {
      if (prop === 'callBuffer') {
        return (...args: unknown[]): unknown => {
          const at = args.findIndex((a) => String(a).toUpperCase() === 'COUNT');
          if (String(args[0]).toUpperCase() === 'SCAN' && at > 0) count ??= Number(args[at + 1]);
          return (target.callBuffer as (...a: unknown[]) => unknown)(...args);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  await new KeyPager(
    () => Promise.resolve(watched),
    {},
    () => settings,
  ).loadMore();
  if (count === undefined) throw new Error('KeyPager sent no SCAN');
  return count;
}

/**
 * The tree's unfiltered walk without TYPE/TTL: the SCAN calls KeyPager
 * makes (its COUNT, a page of pageSize keys), through the core's
 * scanKeysPage, until the cursor comes back to 0.
 */
async function treeWalk(client: Redis, settings: Settings, count: number): Promise<number> {
  const want = Math.min(settings.redisPageSize, settings.maxItemsPerNode);
  let cursor = '0';
  let n = 0;
  do {
    const page = await scanKeysPage(client, { cursor, limit: want, count, maxExamine: settings.redisMaxExamine, withInfo: false });
    cursor = page.cursor;
    n += page.keys.length;
  } while (cursor !== '0');
  return n;
}

async function ioredisWalk(client: Redis, count: number): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', count);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

export async function rowWalk(cfg: BenchConfig, ours: Redis, raw: Redis, total: number): Promise<Row> {
  const reps = Math.max(1, Math.round((cfg.quick ? 3 : 5) * cfg.reps));
  const counts: Record<string, number> = {};
  const treeCount = await treeScanCount(ours, DEFAULT_SETTINGS);
  // Warm both Node-side loops once (redis-cli needs no warming).
  await treeWalk(ours, DEFAULT_SETTINGS, treeCount);
  await ioredisWalk(raw, 1000);
  const res = await alternate(
    reps,
    {
      tree: async () => timed(async () => (counts.tree = await treeWalk(ours, DEFAULT_SETTINGS, treeCount))),
      ioredis: async () => timed(async () => (counts.ioredis = await ioredisWalk(raw, 1000))),
      redisCli: async () => {
        const r = await run('redis-cli', ['-h', HOST, '-p', String(REDIS_PORT), '-n', String(cfg.db), '--scan'], { countLines: true });
        counts.redisCli = r.lines;
        return r.ms;
      },
    },
    0,
  );
  const t = median(res.tree);
  const b = median(res.ioredis);
  const c = median(res.redisCli);
  // Median of per-repetition ratios (runs of one repetition are adjacent, so load drifts cancel).
  const ratio = pairedRatio(res.tree, res.ioredis);
  const vsCli = pairedRatio(res.tree, res.redisCli);
  const allKeys = counts.tree === total && counts.ioredis === total && counts.redisCli === total;
  return {
    id: '1',
    figure: `walk all keys, ${total.toLocaleString('en-US')}-key db (tree scanner, no info)`,
    ours: ms(t),
    baseline: `ioredis SCAN COUNT 1000: ${ms(b)}; redis-cli --scan: ${ms(c)}`,
    ratio,
    target: '≤ 1.1× ioredis; < redis-cli',
    met: ratio <= 1.1 && vsCli < 1,
    note: `ratio = median of per-repetition ratios (ratio of medians ${ratioText(t / b)}); ${ratioText(vsCli)} of redis-cli; keys seen tree/ioredis/redis-cli ${counts.tree}/${counts.ioredis}/${counts.redisCli}${allKeys ? '' : ' (MISMATCH)'}; tree's SCAN: COUNT ${treeCount} (read from KeyPager), ${DEFAULT_SETTINGS.redisPageSize} keys per page`,
    data: {
      tree: summary(res.tree),
      ioredis: summary(res.ioredis),
      redisCli: summary(res.redisCli),
      counts,
      treeScanCount: treeCount,
      ratioVsIoredis: round(ratio, 3),
      ratioOfMedians: round(t / b, 3),
      ratioVsRedisCli: round(vsCli, 3),
    },
  };
}

// ---------------------------------------------------------------- row 2

export async function rowFirstPage(cfg: BenchConfig, ours: Redis, raw: Redis, total: number): Promise<Row> {
  const reps = Math.max(3, Math.round((cfg.quick ? 11 : 21) * cfg.reps));
  let got = 0;
  const res = await alternate(reps, {
    tree: async () =>
      timed(async () => {
        const pager = new KeyPager(
          () => Promise.resolve(ours),
          {},
          () => DEFAULT_SETTINGS,
        );
        await pager.loadMore();
        got = pager.keys.length;
      }),
    scan: async () => timed(async () => raw.scan('0', 'COUNT', DEFAULT_SETTINGS.redisPageSize)),
  });
  const t = median(res.tree);
  return {
    id: '2',
    figure: `first page: ${DEFAULT_SETTINGS.redisPageSize} keys with type and TTL, ${total.toLocaleString('en-US')} keys`,
    ours: `${ms(t)} median (p90 ${ms(percentile(res.tree, 90))})`,
    baseline: `one SCAN COUNT ${DEFAULT_SETTINGS.redisPageSize}: ${ms(median(res.scan))}`,
    ratio: t / median(res.scan),
    target: '≤ 20 ms median',
    met: t <= 20,
    note: `KeyPager.loadMore(): SCAN + one TYPE/TTL pipeline; ${got} keys`,
    data: { tree: summary(res.tree), scan: summary(res.scan), keys: got },
  };
}

// ---------------------------------------------------------------- row 3

export async function rowTypeGroup(cfg: BenchConfig, ours: Redis, total: number): Promise<Row> {
  const reps = Math.max(3, Math.round((cfg.quick ? 5 : 11) * cfg.reps));
  const countsToTry = [100, 500, 1000, 5000];
  const found: Record<string, { keys: number; scanned: number }> = {};
  const variants: Record<string, () => Promise<number>> = {};
  for (const c of countsToTry) {
    variants[String(c)] = async () =>
      timed(async () => {
        const pager = new KeyPager(
          () => Promise.resolve(ours),
          { type: 'hash' },
          () => ({ ...DEFAULT_SETTINGS, redisScanCount: c }),
        );
        await pager.loadMore();
        found[String(c)] = { keys: pager.keys.length, scanned: pager.scanned };
      });
  }
  const res = await alternate(reps, variants);
  const medians = Object.fromEntries(countsToTry.map((c) => [String(c), median(res[String(c)])]));
  const best = Math.min(...Object.values(medians));
  // The smallest COUNT within 10% of the fastest: a bigger COUNT blocks the server longer per call for little gain.
  const pick = countsToTry.find((c) => medians[String(c)] <= best * 1.1) ?? 1000;
  const perCall = Object.fromEntries(countsToTry.map((c) => [String(c), medians[String(c)] / Math.max(1, found[String(c)].scanned / c)]));
  return {
    id: '3',
    figure: `type group first page (SCAN … TYPE hash), ${total.toLocaleString('en-US')} keys, 10% hashes`,
    ours: countsToTry.map((c) => `COUNT ${c}: ${ms(medians[String(c)])}`).join('; '),
    baseline: '—',
    target: 'report; pick COUNT',
    met: null,
    note: `recommend COUNT ${pick} (smallest within 10% of the fastest); default scanCount ${DEFAULT_SETTINGS.redisScanCount} → ${ms(medians[String(DEFAULT_SETTINGS.redisScanCount)] ?? Number.NaN)}; keys/examined per page: ${countsToTry.map((c) => `${found[String(c)].keys}/${found[String(c)].scanned}`).join(', ')}; ms per SCAN call: ${countsToTry.map((c) => perCall[String(c)].toFixed(2)).join(', ')}`,
    data: {
      perCount: Object.fromEntries(countsToTry.map((c) => [String(c), { ...summary(res[String(c)]), ...found[String(c)] }])),
      recommendedCount: pick,
    },
  };
}

export async function prepareRedis(cfg: BenchConfig, admin: Redis): Promise<{ total: number; sizes: RedisSizes; loadMs: number }> {
  const sizes = redisSizes(cfg);
  const started = Date.now();
  await admin.set(MARKER_KEY, `created by npm run bench at ${new Date().toISOString()}`);
  log(`loading ${sizes.keys.toLocaleString('en-US')} keys (10% hashes) into db ${cfg.db}`);
  await loadKeys(admin, sizes);
  const total = await admin.dbsize();
  return { total, sizes, loadMs: Date.now() - started };
}

export async function runRedisRows(cfg: BenchConfig, want: (id: string) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const admin = plainRedis(cfg.db);
  const raw = plainRedis(cfg.db);
  const ours = await connectRedis(benchRedisProfile(cfg.db), { connectionName: 'broker-explorer-bench' });
  try {
    const { total, sizes, loadMs } = await prepareRedis(cfg, admin);
    log(`loaded ${total.toLocaleString('en-US')} keys in ${ms(loadMs)}`);
    if (want('1')) {
      log('row 1: walking all keys (tree scanner / ioredis / redis-cli)');
      rows.push(await rowWalk(cfg, ours, raw, total));
    }
    if (want('2')) {
      log('row 2: first page');
      rows.push(await rowFirstPage(cfg, ours, raw, total));
    }
    if (want('3')) {
      log('row 3: type group first page by COUNT');
      rows.push(await rowTypeGroup(cfg, ours, total));
    }
    if (want('4')) {
      log('row 4: memory (child processes)');
      rows.push(await rowMemory(cfg, total, DEFAULT_SETTINGS.maxItemsPerNode));
    }
    if (want('13')) {
      log('row 13: walking all keys with type and TTL (one scanKeysPage call / plain ioredis loop / iterateKeys)');
      const walker = await openRespClient(benchRedisProfile(cfg.db), { connectionName: 'broker-explorer:walk' });
      try {
        rows.push(await rowWalkWithInfo(cfg, ours, raw, total, walker));
      } finally {
        walker.close();
      }
    }
    if (want('5')) {
      // The key set is no longer needed: free it before the big collections.
      await admin.flushdb();
      await admin.set(MARKER_KEY, `created by npm run bench at ${new Date().toISOString()}`);
      log(`row 5: loading 4 collections of ${sizes.members.toLocaleString('en-US')} members`);
      const t = Date.now();
      await loadCollections(admin, sizes.members);
      log(`loaded in ${ms(Date.now() - t)}; paging`);
      rows.push(await rowCollections(cfg, ours, raw, sizes.members));
    }
  } finally {
    await admin.flushdb().catch(() => undefined);
    ours.disconnect();
    raw.disconnect();
    admin.disconnect();
  }
  return rows;
}
