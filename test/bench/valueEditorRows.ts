/**
 * Rows 20–21: the value editor on a 1,000,000-member sorted set (and a
 * 100,000-field hash), in the bench's database.
 *   20  time to first rows in the real host (code-server + chromium through
 *       scripts/host/ui.mjs: from the command to the first rows on screen),
 *       next to the direct ZRANGE 0 499 WITHSCORES of the same rows, with the
 *       steps of the way (header read, panel created, first page read, HTML
 *       set; the page's document, bundle, build and rows);
 *   21  each page fetch through readValuePage (the function the panel's
 *       handler calls) against the one direct command, at random ranks; the
 *       page → host → Redis → page round trip measured in the real host is
 *       reported next to it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/core/redis/connection';
import { readValuePage } from '../../src/core/redis/valuePager';
import { benchRedisProfile, MARKER_KEY, plainRedis } from './redisRows';
import { alternate, log, median, ms, pairedRatio, ratioText, run, summary, timed, type BenchConfig, type Row } from './util';

const ZSET = 've:zset';
const HASH = 've:hash';
const PAGE = 500;

async function load(admin: Redis, members: number, fields: number): Promise<void> {
  let p = admin.pipeline();
  let queued = 0;
  for (let i = 0; i < Math.max(members, fields); i += 1000) {
    const z: (string | number)[] = [];
    const h: string[] = [];
    for (let j = i; j < Math.min(i + 1000, members); j++) z.push(j, `member:${j}`);
    for (let j = i; j < Math.min(i + 1000, fields); j++) h.push(`field:${j}`, `value ${j}`);
    if (z.length) p.zadd(ZSET, ...z);
    if (h.length) p.hset(HASH, ...h);
    if (++queued >= 50) {
      await p.exec();
      p = admin.pipeline();
      queued = 0;
    }
  }
  await p.exec();
}

interface HostFigures {
  firstRows: number[];
  pages: number[];
  /** Per open: ms since the command at each step (host: header, panel, data, html; page: frame, script, build, rows). */
  phases: Record<string, number>[];
}

const STEPS = ['header', 'panel', 'data', 'html', 'frame', 'fetched', 'doc', 'script', 'build', 'rows'];

/** The median ms since the command of each step, in order: "header +2, panel +3, …". */
function phaseText(phases: Record<string, number>[]): string {
  return STEPS.filter((s) => phases.some((p) => typeof p[s] === 'number'))
    .map((s) => `${s} +${Math.round(median(phases.map((p) => p[s]).filter((v) => typeof v === 'number')))}`)
    .join(', ');
}

async function inHost(cfg: BenchConfig, reps: number): Promise<HostFigures | string> {
  if (!existsSync(join(cfg.root, 'dist', 'webview', 'valueEditor.js'))) return 'skipped: build first (node scripts/build.mjs)';
  if (!existsSync(join(cfg.root, 'test', 'host', 'node_modules', '.bin', 'code-server')))
    return 'skipped: code-server is not installed (node scripts/host/install.mjs)';
  const dir = mkdtempSync(join(tmpdir(), 'be-bench-ve-'));
  const out = join(dir, 'figures.json');
  try {
    const r = await run(process.execPath, ['scripts/host/ui.mjs', 'test/ui/bench/firstRows.mjs'], {
      cwd: cfg.root,
      timeoutMs: 600_000,
      env: { ...process.env, BE_BENCH_DB: String(cfg.db), BE_BENCH_KEY: ZSET, BE_BENCH_REPS: String(reps), BE_BENCH_OUT: out },
    });
    if (r.code !== 0 || !existsSync(out)) return `the host run failed: ${(r.stdout + r.stderr).trim().split('\n').slice(-4).join(' ')}`;
    return JSON.parse(readFileSync(out, 'utf8')) as HostFigures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function rowsValueEditor(cfg: BenchConfig, want: (id: string) => boolean): Promise<Row[]> {
  const members = cfg.quick ? 100_000 : 1_000_000;
  const fields = cfg.quick ? 10_000 : 100_000;
  const admin = plainRedis(cfg.db);
  const raw = plainRedis(cfg.db);
  const ours = await connectRedis(benchRedisProfile(cfg.db), { connectionName: 'broker-explorer-bench' });
  const rows: Row[] = [];
  try {
    await admin.set(MARKER_KEY, `created by npm run bench at ${new Date().toISOString()}`);
    log(
      `rows 20-21: loading a sorted set of ${members.toLocaleString('en-US')} members and a hash of ${fields.toLocaleString('en-US')} fields`,
    );
    await load(admin, members, fields);
    const reps = Math.max(5, Math.round((cfg.quick ? 9 : 31) * cfg.reps));
    const direct = await alternate(reps, {
      first: async () => timed(async () => raw.call('ZRANGE', ZSET, 0, PAGE - 1, 'WITHSCORES')),
    });
    const directFirst = median(direct.first);

    if (want('20')) {
      log('row 20: time to first rows in code-server + chromium');
      const host = await inHost(cfg, cfg.quick ? 3 : 5);
      const figures = typeof host === 'string' ? undefined : host;
      const first = figures ? median(figures.firstRows) : Number.NaN;
      rows.push({
        id: '20',
        figure: `value editor: first ${PAGE} rows of a ${members.toLocaleString('en-US')}-member zset in the real host`,
        ours: figures ? `${ms(first)} command → rows on screen (median of ${figures.firstRows.length})` : '—',
        baseline: `${ms(directFirst)} ZRANGE 0 ${PAGE - 1} WITHSCORES (ioredis)`,
        ...(figures ? { ratio: first / directFirst } : {}),
        target: 'ours ≤ 300 ms',
        met: figures ? first <= 300 : null,
        note: typeof host === 'string' ? host : `median ms since the command at each step: ${phaseText(host.phases)}`,
        data: { host: figures ?? host, direct: summary(direct.first), members },
      });
    }

    if (want('21')) {
      log('row 21: page fetches through readValuePage vs the direct command');
      const ranks = Array.from({ length: reps + 1 }, () => Math.floor(Math.random() * (members - PAGE)));
      // Both sides warm (the direct client is, from loading the data): a few untimed pages first, so the
      // medians compare steady states rather than the first calls' compilation.
      for (let i = 0; i < 20; i++) {
        await readValuePage(ours, Buffer.from(ZSET), 'zset', { cursor: String(ranks[i % ranks.length]), limit: PAGE });
        await readValuePage(ours, Buffer.from(HASH), 'hash', { cursor: '0', limit: PAGE });
      }
      let zi = 0;
      let zd = 0;
      const z = await alternate(reps, {
        ours: async () =>
          timed(async () => readValuePage(ours, Buffer.from(ZSET), 'zset', { cursor: String(ranks[zi++ % ranks.length]), limit: PAGE })),
        direct: async () =>
          timed(async () => raw.callBuffer('ZRANGE', ZSET, ranks[zd % ranks.length], ranks[zd++ % ranks.length] + PAGE - 1, 'WITHSCORES')),
      });
      const h = await alternate(reps, {
        ours: async () => timed(async () => readValuePage(ours, Buffer.from(HASH), 'hash', { cursor: '0', limit: PAGE })),
        direct: async () => timed(async () => raw.callBuffer('HSCAN', HASH, '0', 'COUNT', PAGE)),
      });
      const zr = pairedRatio(z.ours, z.direct);
      const hr = pairedRatio(h.ours, h.direct);
      const host = want('20') ? (rows.find((r) => r.id === '20')?.data.host as HostFigures | string | undefined) : undefined;
      const roundTrip = host && typeof host !== 'string' ? median(host.pages) : undefined;
      rows.push({
        id: '21',
        figure: `value editor: one page of ${PAGE} rows (readValuePage, as the panel fetches it)`,
        ours: `zset ${ms(median(z.ours))} (${ratioText(zr)}), hash ${ms(median(h.ours))} (${ratioText(hr)})${roundTrip !== undefined ? `; page→host→page in the real host ${ms(roundTrip)}` : ''}`,
        baseline: `ZRANGE r r+${PAGE - 1} WITHSCORES ${ms(median(z.direct))}, HSCAN COUNT ${PAGE} ${ms(median(h.direct))}`,
        ratio: Math.max(zr, hr),
        target: 'each ≤ 1.2× the direct command',
        met: Math.max(zr, hr) <= 1.2,
        data: {
          zset: { ours: summary(z.ours), direct: summary(z.direct), ratio: zr },
          hash: { ours: summary(h.ours), direct: summary(h.direct), ratio: hr },
          hostRoundTrip: roundTrip,
        },
      });
    }
  } finally {
    await admin.del(ZSET, HASH).catch(() => undefined);
    ours.disconnect();
    raw.disconnect();
    admin.disconnect();
  }
  return rows;
}
