/**
 * Row 5: collection paging (scanValue's first 1,000 of a million members)
 * against the one server command that reads the same page, on one
 * collection of each type loaded here.
 */
import type { Redis } from 'ioredis';
import { scanValue, type CollectionType } from '../../src/core/redis/valueScanner';
import { alternate, median, ms, pairedRatio, ratioText, summary, timed, type BenchConfig, type Row } from './util';

export const COLLECTION_KEYS: Record<'hash' | 'zset' | 'list' | 'set', string> = {
  hash: 'c:hash',
  zset: 'c:zset',
  list: 'c:list',
  set: 'c:set',
};

/** One collection of each type with `members` members, 1000 per command, pipelined. */
export async function loadCollections(client: Redis, members: number): Promise<void> {
  let p = client.pipeline();
  let queued = 0;
  for (let i = 0; i < members; i += 1000) {
    const end = Math.min(members, i + 1000);
    const h: string[] = [];
    const z: (string | number)[] = [];
    const l: string[] = [];
    const s: string[] = [];
    for (let j = i; j < end; j++) {
      h.push(`f:${j}`, `v:${j}`);
      z.push(j, `m:${j}`);
      l.push(`e:${j}`);
      s.push(`m:${j}`);
    }
    p.hset(COLLECTION_KEYS.hash, ...h);
    p.zadd(COLLECTION_KEYS.zset, ...z);
    p.rpush(COLLECTION_KEYS.list, ...l);
    p.sadd(COLLECTION_KEYS.set, ...s);
    if (++queued >= 50) {
      await p.exec();
      p = client.pipeline();
      queued = 0;
    }
  }
  await p.exec();
}

// ---------------------------------------------------------------- row 5

type Direct = (raw: Redis) => Promise<number>;

const DIRECT: Record<'hash' | 'zset' | 'list' | 'set', { label: string; read: Direct }> = {
  hash: { label: 'HSCAN COUNT 1000', read: async (raw) => (await raw.hscan(COLLECTION_KEYS.hash, '0', 'COUNT', 1000))[1].length / 2 },
  zset: {
    label: 'ZRANGE 0 999 WITHSCORES',
    read: async (raw) => (await raw.zrange(COLLECTION_KEYS.zset, 0, 999, 'WITHSCORES')).length / 2,
  },
  list: { label: 'LRANGE 0 999', read: async (raw) => (await raw.lrange(COLLECTION_KEYS.list, 0, 999)).length },
  set: { label: 'SSCAN COUNT 1000', read: async (raw) => (await raw.sscan(COLLECTION_KEYS.set, '0', 'COUNT', 1000))[1].length },
};

export async function rowCollections(cfg: BenchConfig, ours: Redis, raw: Redis, members: number): Promise<Row> {
  const reps = Math.max(3, Math.round((cfg.quick ? 7 : 21) * cfg.reps));
  const types = ['hash', 'zset', 'list', 'set'] as const;
  const per: Record<string, { ours: number; direct: number; tuned: number; items: number; ratio: number; tunedRatio: number }> = {};
  const data: Record<string, unknown> = {};
  for (const type of types) {
    const key = COLLECTION_KEYS[type];
    let items = 0;
    const res = await alternate(reps, {
      // As readValue() calls it: the type looked up, the default COUNT.
      ours: async () =>
        timed(async () => {
          items = (await scanValue(ours, key, { limit: 1000 })).items.length;
        }),
      direct: async () => timed(async () => DIRECT[type].read(raw)),
      // What the same call costs with the type passed in and COUNT = the page size.
      tuned: async () => timed(async () => scanValue(ours, key, { limit: 1000, count: 1000, type: type as CollectionType })),
    });
    const o = median(res.ours);
    const d = median(res.direct);
    const tu = median(res.tuned);
    per[type] = {
      ours: o,
      direct: d,
      tuned: tu,
      items,
      ratio: pairedRatio(res.ours, res.direct),
      tunedRatio: pairedRatio(res.tuned, res.direct),
    };
    data[type] = {
      ours: summary(res.ours),
      direct: summary(res.direct),
      tuned: summary(res.tuned),
      items,
      direct_command: DIRECT[type].label,
    };
  }
  const worst = Math.max(...types.map((t) => per[t].ratio));
  return {
    id: '5',
    figure: `collection paging: first 1,000 of ${members.toLocaleString('en-US')} members (scanValue)`,
    ours: types.map((t) => `${t} ${ms(per[t].ours)}`).join('; '),
    baseline: types.map((t) => `${DIRECT[t].label} ${ms(per[t].direct)}`).join('; '),
    ratio: worst,
    target: '≤ 1.2× (each)',
    met: worst <= 1.2,
    note: `ratios ${types.map((t) => `${t} ${ratioText(per[t].ratio)}`).join(', ')}; with type given and COUNT 1000: ${types.map((t) => `${t} ${ratioText(per[t].tunedRatio)}`).join(', ')}`,
    data,
  };
}
