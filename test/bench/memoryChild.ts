/**
 * Row 4, run in a child process of its own (node --import tsx --expose-gc)
 * so the idle baseline is a clean process: modules loaded, one connection
 * open, nothing else.
 *   walk: the core pager (scanKeysPage with its defaults: TYPE + TTL per
 *         page) walks the whole database, keeping no page;
 *   plain: the baseline — the same walk with plain ioredis (SCAN COUNT
 *         1000, one TYPE + TTL pipeline per batch), no core code;
 *   cap:  the tree's KeyPager loads pages until its node is capped
 *         (maxItemsPerNode keys held), then the retained heap is measured.
 * After a walk, the heap left after a forced GC shows what was retained.
 * Prints one JSON line on stdout.
 */
import { connectRedis } from '../../src/core/redis/connection';
import { scanKeysPage } from '../../src/core/redis/keyScanner';
import { KeyPager } from '../../src/ui/tree/keyPager';
import { benchRedisProfile, DEFAULT_SETTINGS } from './redisRows';
import { sleep } from './util';

const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

function settle(): Promise<void> {
  return sleep(50);
}

async function idleBaseline(): Promise<{ heapUsed: number; rss: number }> {
  const heaps: number[] = [];
  const rsss: number[] = [];
  for (let i = 0; i < 5; i++) {
    gc();
    await settle();
    const m = process.memoryUsage();
    heaps.push(m.heapUsed);
    rsss.push(m.rss);
  }
  heaps.sort((a, b) => a - b);
  rsss.sort((a, b) => a - b);
  return { heapUsed: heaps[2], rss: rsss[2] };
}

async function main(): Promise<void> {
  const mode = process.argv[2] === 'cap' || process.argv[2] === 'plain' ? process.argv[2] : 'walk';
  const db = Number(process.argv[3] ?? '15');
  const client = await connectRedis(benchRedisProfile(db), { connectionName: 'broker-explorer-bench-memory' });
  // Warm the code paths once (JIT, ioredis command tables) before the baseline.
  await scanKeysPage(client, { limit: 10 });
  const idle = await idleBaseline();
  const peak = { heapUsed: idle.heapUsed, rss: idle.rss };
  let samples = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    samples++;
    if (m.heapUsed > peak.heapUsed) peak.heapUsed = m.heapUsed;
    if (m.rss > peak.rss) peak.rss = m.rss;
  };
  const timer = setInterval(sample, 10);
  const started = performance.now();
  let keys = 0;
  let pages = 0;
  let retained: { heapUsed: number; rss: number } | undefined;
  if (mode === 'walk') {
    let cursor = '0';
    do {
      const page = await scanKeysPage(client, { cursor });
      cursor = page.cursor;
      keys += page.keys.length;
      pages++;
      sample();
    } while (cursor !== '0');
  } else if (mode === 'plain') {
    let cursor = '0';
    do {
      const [next, batch] = await client.scanBuffer(cursor, 'COUNT', 1000);
      cursor = String(next);
      const p = client.pipeline();
      for (const k of batch) p.type(k).ttl(k);
      await p.exec();
      keys += batch.length;
      pages++;
      sample();
    } while (cursor !== '0');
  } else {
    const pager = new KeyPager(
      () => Promise.resolve(client),
      {},
      () => DEFAULT_SETTINGS,
    );
    while (!pager.capped && !pager.complete) {
      await pager.loadMore();
      pages++;
      sample();
    }
    keys = pager.keys.length;
    gc();
    await settle();
    gc();
    const m = process.memoryUsage();
    retained = { heapUsed: m.heapUsed, rss: m.rss };
    // Keep the pager alive until after the measurement.
    if (pager.keys.length < 0) console.log('unreachable');
  }
  const elapsed = performance.now() - started;
  clearInterval(timer);
  if (!retained) {
    gc();
    await settle();
    gc();
    const m = process.memoryUsage();
    retained = { heapUsed: m.heapUsed, rss: m.rss };
  }
  client.disconnect();
  const report = { mode, idle, peak, keys, pages, ms: elapsed, samples, ...(retained ? { retained } : {}) };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
