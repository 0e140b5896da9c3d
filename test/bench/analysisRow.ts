/**
 * Row 19, keyspace analysis (issue 14): analyzeKeyspace (on a RESP
 * connection of its own, as the command runs it) over a seeded
 * keyspace against a plain ioredis loop doing the same work in the same run
 * (SCAN COUNT 1000, then TYPE + PTTL + MEMORY USAGE and the type's length
 * command pipelined per batch, with the same per-type sums), shown next to
 * `redis-cli --memkeys` (which does less: no length, no TTL, no
 * namespaces). Runs on a redis-server of its own so the shared one is never
 * loaded with a million keys.
 *
 *   node scripts/bench.mjs --only 19   (or: npx tsx test/bench/analysisRow.ts [--keys 1000000] [--reps 3])
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { resolveRedisProfile } from '../../src/core/profiles';
import { analyzeKeyspace } from '../../src/core/redis/keyspaceAnalysis';
import { openRespClient } from '../../src/core/redis/respClient';
import { OwnRedis } from '../core/helpers/ownServers';
import { alternate, median, ms, pairedRatio, ratioText, round, run, summary, timed, type Row } from './util';

const LENGTH: Record<string, string> = { string: 'strlen', hash: 'hlen', list: 'llen', set: 'scard', zset: 'zcard', stream: 'xlen' };

/** 90% strings under user:<n % 100>:, 10% small hashes under cart:, every 20th key with a TTL. */
async function seed(client: Redis, total: number): Promise<void> {
  for (let start = 0; start < total; start += 10_000) {
    const p = client.pipeline();
    for (let i = start; i < Math.min(total, start + 10_000); i++) {
      if (i % 10 === 0) p.hset(`cart:${i}`, 'item', String(i), 'qty', '1');
      else p.set(`user:${i % 100}:${i}`, 'x'.repeat(8 + (i % 64)));
      if (i % 20 === 0) p.expire(i % 10 === 0 ? `cart:${i}` : `user:${i % 100}:${i}`, 3600 + i);
    }
    await p.exec();
  }
}

/** The plain loop: the same commands and per-type sums, with nothing else. */
export async function plainAnalysis(raw: Redis): Promise<number> {
  let cursor = '0';
  let keys = 0;
  const byType = new Map<string, { bytes: number; longest: number }>();
  do {
    const [next, batch] = await raw.scanBuffer(cursor, 'COUNT', 1000);
    cursor = String(next);
    if (batch.length === 0) continue;
    const p = raw.pipeline();
    for (const k of batch) p.type(k).pttl(k).call('MEMORY', 'USAGE', k);
    const first = (await p.exec()) ?? [];
    const q = raw.pipeline();
    batch.forEach((k, i) => q.call(LENGTH[String(first[i * 3][1])] ?? 'exists', k));
    const lengths = (await q.exec()) ?? [];
    batch.forEach((_, i) => {
      const type = String(first[i * 3][1]);
      const t = byType.get(type) ?? { bytes: 0, longest: 0 };
      t.bytes += Number(first[i * 3 + 2][1]);
      t.longest = Math.max(t.longest, Number(lengths[i][1]));
      byType.set(type, t);
    });
    keys += batch.length;
  } while (cursor !== '0');
  return keys;
}

export async function rowKeyspaceAnalysis(total: number, reps = 3): Promise<Row> {
  const server = await OwnRedis.start();
  const raw = new Redis({ host: '127.0.0.1', port: server.port });
  const ours = await openRespClient(resolveRedisProfile({ name: 'bench', host: '127.0.0.1', port: server.port }), {
    connectionName: 'broker-explorer:analysis',
  });
  try {
    await seed(raw, total);
    const counts: Record<string, number> = {};
    const res = await alternate(
      reps,
      {
        analyze: () => timed(async () => (counts.analyze = (await analyzeKeyspace(ours, { count: 1000 })).scanned)),
        plain: () => timed(async () => (counts.plain = await plainAnalysis(raw))),
        memkeys: () => timed(async () => (counts.memkeys = (await run('redis-cli', ['-p', String(server.port), '--memkeys'])).code ?? -1)),
      },
      // A walk of a million keys needs no warm-up round (its first batches are the warm-up).
      total >= 100_000 ? 0 : 1,
    );
    const o = median(res.analyze);
    const b = median(res.plain);
    const ratio = pairedRatio(res.analyze, res.plain);
    const allKeys = counts.analyze === total && counts.plain === total;
    return {
      id: '19',
      figure: `keyspace analysis, ${total.toLocaleString('en-US')} keys (own redis-server)`,
      ours: ms(o),
      baseline: `ioredis SCAN 1000 + TYPE/PTTL/MEMORY USAGE + length pipelined per batch: ${ms(b)}; redis-cli --memkeys: ${ms(median(res.memkeys))}`,
      ratio,
      target: '≤ 1.1× the plain loop',
      met: ratio <= 1.1 && allKeys,
      note: `ratio = median of per-repetition ratios (ratio of medians ${ratioText(o / b)}); --memkeys ${ratioText(median(res.memkeys) / b)} of the plain loop (it skips TYPE-specific lengths, TTLs and namespaces); keys ${counts.analyze}/${counts.plain}${allKeys ? '' : ' (MISMATCH)'}; medians of ${reps}`,
      data: { analyze: summary(res.analyze), plain: summary(res.plain), memkeys: summary(res.memkeys), ratio: round(ratio, 3), counts },
    };
  } finally {
    raw.disconnect();
    ours.close();
    await server.dispose();
  }
}

if (process.argv[1]?.endsWith('analysisRow.ts')) {
  const { values } = parseArgs({ options: { keys: { type: 'string', default: '1000000' }, reps: { type: 'string', default: '3' } } });
  rowKeyspaceAnalysis(Number(values.keys), Number(values.reps)).then(
    (row) => process.stdout.write(`${JSON.stringify(row, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
