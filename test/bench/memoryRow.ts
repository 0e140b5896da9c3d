/**
 * Row 4: memory of the core pager's whole walk and of a tree node at its
 * cap, each measured in a child process of its own (memoryChild.ts).
 */
import { join } from 'node:path';
import { mb, median, run, type BenchConfig, type Row } from './util';

// ---------------------------------------------------------------- row 4

interface MemoryReport {
  mode: string;
  idle: { heapUsed: number; rss: number };
  peak: { heapUsed: number; rss: number };
  retained?: { heapUsed: number; rss: number };
  keys: number;
  pages: number;
  ms: number;
  samples: number;
}

async function memoryChild(cfg: BenchConfig, mode: 'walk' | 'plain' | 'cap'): Promise<MemoryReport> {
  const script = join(cfg.root, 'test', 'bench', 'memoryChild.ts');
  const r = await run(process.execPath, ['--import', 'tsx', '--expose-gc', script, mode, String(cfg.db)], {
    cwd: cfg.root,
    timeoutMs: 300_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as MemoryReport;
  } catch {
    throw new Error(`the memory child (${mode}) failed: exit ${r.code}\n${r.stderr.slice(-2000)}`);
  }
}

/** `capItems`: the tree's maxItemsPerNode, as the cap child loads it. */
export async function rowMemory(cfg: BenchConfig, total: number, capItems: number): Promise<Row> {
  const reps = Math.max(1, Math.round((cfg.quick ? 1 : 3) * cfg.reps));
  const walks: MemoryReport[] = [];
  const plains: MemoryReport[] = [];
  const caps: MemoryReport[] = [];
  for (let i = 0; i < reps; i++) {
    walks.push(await memoryChild(cfg, 'walk'));
    plains.push(await memoryChild(cfg, 'plain'));
    caps.push(await memoryChild(cfg, 'cap'));
  }
  const above = (list: MemoryReport[], f: (r: MemoryReport) => number): number => median(list.map(f));
  const walkHeap = above(walks, (w) => w.peak.heapUsed - w.idle.heapUsed);
  const walkRss = above(walks, (w) => w.peak.rss - w.idle.rss);
  const walkRetained = above(walks, (w) => (w.retained?.heapUsed ?? w.idle.heapUsed) - w.idle.heapUsed);
  const plainHeap = above(plains, (w) => w.peak.heapUsed - w.idle.heapUsed);
  const plainRss = above(plains, (w) => w.peak.rss - w.idle.rss);
  const capHeap = above(caps, (c) => (c.retained?.heapUsed ?? 0) - c.idle.heapUsed);
  const capRss = above(caps, (c) => c.peak.rss - c.idle.rss);
  const limit = 50 * 1024 * 1024;
  return {
    id: '4',
    figure: `memory: core pager walks ${total.toLocaleString('en-US')} keys keeping no pages; tree node at cap (${capItems.toLocaleString('en-US')} keys)`,
    ours: `walk peak above idle: heap +${mb(walkHeap)}, RSS +${mb(walkRss)} (+${mb(walkRetained)} heap left after GC); node at cap: heap +${mb(capHeap)} retained, RSS +${mb(capRss)} peak`,
    baseline: `idle process: heap ${mb(median(walks.map((w) => w.idle.heapUsed)))}, RSS ${mb(median(walks.map((w) => w.idle.rss)))}; plain ioredis walk (SCAN 1000 + TYPE/TTL pipeline): peak heap +${mb(plainHeap)}, RSS +${mb(plainRss)}`,
    ratio: walkRss / plainRss,
    target: 'walk ≤ 50 MB above idle; cap: report',
    met: walkHeap <= limit && walkRss <= limit,
    note: `ratio = our walk's RSS peak / the plain walk's; a child process per run (node --expose-gc), process.memoryUsage() sampled after every page and every 10 ms; walk = scanKeysPage() with its defaults (COUNT 1000, ≥ 500 keys a page, TYPE + TTL in one pipeline); cap = KeyPager.loadMore() until capped; medians of ${reps}`,
    data: {
      walk: walks,
      plain: plains,
      cap: caps,
      walkHeapAboveIdle: walkHeap,
      walkRssAboveIdle: walkRss,
      walkHeapRetainedAfterGc: walkRetained,
      plainHeapAboveIdle: plainHeap,
      plainRssAboveIdle: plainRss,
      capHeapRetained: capHeap,
      capRssAboveIdle: capRss,
    },
  };
}
