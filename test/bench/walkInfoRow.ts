/**
 * Row 13: the whole keyspace walked WITH type and TTL by one scanKeysPage
 * call on the RESP connection the scanKeys command walks on (a `limit` above the key count, as `brokerExplorer.redis.scanKeys`
 * does with a large `limit`), against the plain ioredis loop: SCAN COUNT
 * 1000, then one TYPE + PTTL pipeline per batch, one after the other.
 * Also reports the export path (iterateKeys with info) and the plain loop run
 * on the extension's own connection (what the connection adds per command).
 */
import type { Redis } from 'ioredis';
import { scanKeysPage } from '../../src/core/redis/keyScanner';
import type { RespClient } from '../../src/core/redis/respClient';
import { iterateKeys } from '../../src/core/redis/scanExport';
import { alternate, median, ms, pairedRatio, ratioText, round, summary, timed, type BenchConfig, type Row } from './util';

/** The plain loop the issue measured: SCAN COUNT 1000, then one TYPE+PTTL pipeline per batch. */
export async function plainInfoWalk(raw: Redis): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, batch] = await raw.scanBuffer(cursor, 'COUNT', 1000);
    cursor = String(next);
    if (batch.length > 0) {
      const p = raw.pipeline();
      for (const k of batch) p.type(k).pttl(k);
      const replies = (await p.exec()) ?? [];
      n += replies.length / 2;
    }
  } while (cursor !== '0');
  return n;
}

async function oneCall(ours: RespClient, total: number): Promise<number> {
  const page = await scanKeysPage(ours, { limit: total + 1, count: 1000, maxExamine: Number.MAX_SAFE_INTEGER, withInfo: true });
  if (!page.complete) throw new Error('scanKeysPage stopped before the end of the keyspace');
  return page.keys.length;
}

async function exportWalk(ours: Redis): Promise<number> {
  let n = 0;
  for await (const batch of iterateKeys(ours, { count: 1000, withInfo: true })) n += batch.keys.length;
  return n;
}

/** `walker`: the RESP connection `brokerExplorer.redis.scanKeys` walks on (RedisSession.walker). */
export async function rowWalkWithInfo(cfg: BenchConfig, ours: Redis, raw: Redis, total: number, walker: RespClient): Promise<Row> {
  const reps = Math.max(1, Math.round(3 * cfg.reps));
  const counts: Record<string, number> = {};
  const res = await alternate(
    reps,
    {
      scanKeys: async () => timed(async () => (counts.scanKeys = await oneCall(walker, total))),
      plain: async () => timed(async () => (counts.plain = await plainInfoWalk(raw))),
      iterateKeys: async () => timed(async () => (counts.iterateKeys = await exportWalk(ours))),
      // The same plain loop on the extension's connection: what the connection itself adds per command.
      plainOnOurs: async () => timed(async () => (counts.plainOnOurs = await plainInfoWalk(ours))),
    },
    0,
  );
  const o = median(res.scanKeys);
  const b = median(res.plain);
  const ratio = pairedRatio(res.scanKeys, res.plain);
  const exportRatio = pairedRatio(res.iterateKeys, res.plain);
  const connectionRatio = pairedRatio(res.plainOnOurs, res.plain);
  const allKeys = counts.scanKeys === total && counts.plain === total && counts.iterateKeys === total;
  return {
    id: '13',
    figure: `walk all keys WITH type and TTL, ${total.toLocaleString('en-US')}-key db (one scanKeysPage call)`,
    ours: `${ms(o)}; export walk (iterateKeys withInfo) ${ms(median(res.iterateKeys))}`,
    baseline: `ioredis SCAN COUNT 1000 + one TYPE/PTTL pipeline per batch: ${ms(b)}`,
    ratio,
    target: '≤ 1.0× the plain loop',
    met: ratio <= 1.0 && allKeys,
    note: `ratio = median of per-repetition ratios (ratio of medians ${ratioText(o / b)}); export walk ${ratioText(exportRatio)} of the plain loop; the plain loop on the extension's connection ${ms(median(res.plainOnOurs))} (${ratioText(connectionRatio)}); keys seen scanKeysPage/plain/iterateKeys ${counts.scanKeys}/${counts.plain}/${counts.iterateKeys}${allKeys ? '' : ' (MISMATCH)'}; medians of ${reps}`,
    data: {
      scanKeys: summary(res.scanKeys),
      plain: summary(res.plain),
      iterateKeys: summary(res.iterateKeys),
      plainOnOurs: summary(res.plainOnOurs),
      counts,
      ratio: round(ratio, 3),
      ratioOfMedians: round(o / b, 3),
      exportRatio: round(exportRatio, 3),
      connectionRatio: round(connectionRatio, 3),
    },
  };
}
