/**
 * `npm run bench` (scripts/bench.mjs runs this with tsx): every speed and
 * memory figure of the extension's own code next to a baseline measured in
 * the same run, on data the bench generates in a Redis database and a
 * RabbitMQ vhost of its own, cleaned up afterwards. Prints a table on
 * stdout and writes test/bench/results.json. Never fails on a time.
 *
 *   --quick        10,000 keys / smaller sets (CI smoke run)
 *   --only 1,2,6   only these rows (12: take 100,000 through redis.subscribe and rabbitmq.tail; 15-17: Redis Cluster / Sentinel;
 *                  19: keyspace analysis on a redis-server of its own;
 *                  22: a 10,000-field hash saved as JSON after 3 edits, on a redis-server of its own)
 *   --reps X       repetition multiplier (default 1)
 *   --db N         Redis database (default 15; must be empty)
 *   --vhost NAME   RabbitMQ vhost (default broker-explorer-bench; created and deleted)
 *   --host         run the code-server activation row even with --quick
 */
import { rowsSsh } from './sshRow';
import { rowNodeLoss } from './amqpClusterRow';
import { rowsScaleOut } from './clusterRows';
import { rowMove } from './amqpMoveRow';
import { rowKeyspaceAnalysis } from './analysisRow';
import { rowJsonEdit } from './jsonEditRow';
import { rowExport } from './amqpExportRow';
import './fakeVscode';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { MARKER_KEY, runRedisRows } from './redisRows';
import { rowPubSub } from './pubsubRow';
import { runAmqpRows, BENCH_VHOST_DESCRIPTION, prepareVhost, deleteVhost } from './amqpRows';
import { runHostRow } from './hostRow';
import { rowsValueEditor } from './valueEditorRows';
import { rowTakeAmqp, rowTakeRedis } from './takeRows';
import { HOST, killChildren, log, machineInfo, mgmt, ratioText, REDIS_PORT, type BenchConfig, type Row } from './util';

const root = join(__dirname, '..', '..');

function config(): BenchConfig {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      reps: { type: 'string', default: '1' },
      db: { type: 'string', default: '15' },
      host: { type: 'boolean', default: false },
      vhost: { type: 'string', default: 'broker-explorer-bench' },
    },
  });
  const db = Number(values.db);
  if (!Number.isInteger(db) || db < 0) throw new Error(`--db ${values.db} is not a database number.`);
  const reps = Number(values.reps);
  if (!(reps > 0)) throw new Error(`--reps ${values.reps} is not a positive number.`);
  const only = new Set(
    (values.only ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return { quick: values.quick ?? false, db, vhost: values.vhost ?? 'broker-explorer-bench', reps, only, host: values.host ?? false, root };
}

/** Refuses a database holding keys the bench did not create; clears one left by an interrupted bench run. */
async function checkDatabase(cfg: BenchConfig, admin: Redis): Promise<void> {
  const size = await admin.dbsize();
  if (size === 0) return;
  const marker = await admin.get(MARKER_KEY);
  if (marker === null) {
    throw new Error(
      `Redis database ${cfg.db} holds ${size} keys the benchmark did not create: it refuses to touch them. Empty that database or pick another with --db N.`,
    );
  }
  log(`db ${cfg.db} holds ${size} keys of an interrupted bench run (${marker}): flushing them`);
  await admin.flushdb();
}

async function serverVersions(admin: Redis): Promise<Record<string, string>> {
  const info = await admin.info('server');
  const redis = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  const overview = await mgmt('GET', '/api/overview');
  const o = (overview.body ?? {}) as { rabbitmq_version?: string; erlang_version?: string; management_version?: string };
  return { redis, rabbitmq: o.rabbitmq_version ?? 'unknown', erlang: o.erlang_version ?? 'unknown' };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width && line !== '') {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out.length > 0 ? out : [''];
}

export function renderTable(rows: Row[]): string {
  const cols = [
    { title: '#', width: 3, get: (r: Row) => r.id },
    { title: 'figure', width: 34, get: (r: Row) => r.figure },
    { title: 'ours', width: 40, get: (r: Row) => r.ours },
    { title: 'baseline (same run)', width: 40, get: (r: Row) => r.baseline },
    { title: 'ratio', width: 7, get: (r: Row) => ratioText(r.ratio) },
    { title: 'target', width: 22, get: (r: Row) => r.target },
    { title: 'met', width: 6, get: (r: Row) => (r.met === null ? '—' : r.met ? 'yes' : 'NO') },
  ];
  const lines: string[] = [];
  const sep = cols.map((c) => '-'.repeat(c.width)).join('-+-');
  lines.push(cols.map((c) => pad(c.title, c.width)).join(' | '));
  lines.push(sep);
  for (const r of rows) {
    const cells = cols.map((c) => wrap(c.get(r), c.width));
    const height = Math.max(...cells.map((c) => c.length));
    for (let i = 0; i < height; i++) lines.push(cols.map((c, j) => pad(cells[j][i] ?? '', c.width)).join(' | '));
    if (r.note) for (const l of wrap(`note: ${r.note}`, sep.length - 6)) lines.push(`      ${l}`);
    lines.push(sep);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const cfg = config();
  const want = (id: string): boolean => cfg.only.size === 0 || cfg.only.has(id);
  const started = Date.now();
  const admin = new Redis({ host: HOST, port: REDIS_PORT, db: cfg.db, maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `Redis is not reachable on ${HOST}:${REDIS_PORT} (${err instanceof Error ? err.message : String(err)}): start it first.`,
      { cause: err },
    );
  }
  admin.on('error', () => undefined);
  const overview = await mgmt('GET', '/api/overview').catch((err: unknown) => ({ status: 0, body: String(err) }));
  if (overview.status !== 200)
    throw new Error(
      `The RabbitMQ management API is not reachable on 127.0.0.1:15672 as guest/guest (${overview.status}): start RabbitMQ with the management plugin first.`,
    );
  await checkDatabase(cfg, admin);
  const versions = await serverVersions(admin);
  const machine = machineInfo();
  const date = new Date().toISOString();
  log(`machine ${JSON.stringify(machine)}; servers ${JSON.stringify(versions)}; ${cfg.quick ? 'quick' : 'full'} run`);

  const rows: Row[] = [];
  let interrupted = false;
  const cleanup = async (): Promise<void> => {
    killChildren();
    await admin.flushdb().catch(() => undefined);
    await deleteVhost(cfg.vhost).catch(() => undefined);
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const section = async (name: string, fn: () => Promise<Row[]>): Promise<void> => {
    try {
      rows.push(...(await fn()));
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`${name} failed: ${message}`);
      rows.push({
        id: name,
        figure: `${name}: did not run`,
        ours: '—',
        baseline: '—',
        target: '—',
        met: null,
        note: message.split('\n')[0],
        data: { error: message },
      });
    }
  };

  try {
    if (['1', '2', '3', '4', '5', '13'].some(want)) await section('redis', () => runRedisRows(cfg, want));
    if (want('6')) await section('6', async () => [await rowPubSub(cfg)]);
    if (['7', '8', '9'].some(want)) {
      await section('rabbitmq', async () => {
        await prepareVhost(cfg);
        try {
          return await runAmqpRows(cfg, want);
        } finally {
          log(`deleting vhost "${cfg.vhost}"`);
          await deleteVhost(cfg.vhost);
        }
      });
    }
    if (want('23')) {
      await section('23', async () => {
        await prepareVhost(cfg);
        try {
          return [await rowMove(cfg)];
        } finally {
          await deleteVhost(cfg.vhost);
        }
      });
    }
    if (want('22')) await section('22', async () => [await rowJsonEdit()]);
    if (want('25')) {
      await section('25', async () => {
        await prepareVhost(cfg);
        try {
          return [await rowExport(cfg)];
        } finally {
          await deleteVhost(cfg.vhost);
        }
      });
    }
    if (want('10')) await section('10', async () => [await runHostRow(cfg)]);
    if (['20', '21'].some(want)) await section('value editor', () => rowsValueEditor(cfg, want));
    if (want('14')) await section('14', () => rowsSsh(cfg));
    if (['15', '16', '17'].some(want)) await section('scale-out', () => rowsScaleOut(cfg, want));
    if (want('18')) await section('18', async () => [await rowNodeLoss(cfg)]);
    if (want('19'))
      await section('19', async () => [await rowKeyspaceAnalysis(cfg.quick ? 20_000 : 1_000_000, Math.max(1, Math.round(3 * cfg.reps)))]);
    if (want('12')) {
      await section('12', async () => {
        const redisRow = await rowTakeRedis(cfg);
        await prepareVhost(cfg);
        try {
          return [redisRow, await rowTakeAmqp(cfg)];
        } finally {
          await deleteVhost(cfg.vhost);
        }
      });
    }
  } finally {
    await admin.flushdb().catch(() => undefined);
    admin.disconnect();
  }

  rows.sort((a, b) => Number(a.id) - Number(b.id));
  machine.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  const seconds = Math.round((Date.now() - started) / 1000);
  const header = [
    `Broker Explorer benchmark — ${date}${cfg.quick ? ' (--quick)' : ''}`,
    `machine: ${String(machine.cpuModel)}, ${String(machine.cores)} cores, ${String(machine.memoryGiB)} GiB, node ${String(machine.node)}, ${String(machine.os)}; load average ${JSON.stringify(machine.loadAverageAtStart)} at start, ${JSON.stringify(machine.loadAverageAtEnd)} at end`,
    `servers: Redis ${versions.redis}, RabbitMQ ${versions.rabbitmq} (Erlang ${versions.erlang}); ran in ${seconds} s; medians of alternated A/B runs`,
  ].join('\n');
  process.stdout.write(`\n${header}\n\n${renderTable(rows)}\n`);
  const missed = rows.filter((r) => r.met === false).map((r) => r.id);
  process.stdout.write(
    `\ntargets: ${rows.filter((r) => r.met === true).length} met, ${missed.length} missed${missed.length ? ` (rows ${missed.join(', ')})` : ''}, ${rows.filter((r) => r.met === null).length} report-only or skipped${cfg.quick ? ' — --quick is a smoke run on small sets: judge the targets on a full run' : ''}\n`,
  );
  const file = join(root, 'test', 'bench', 'results.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date, quick: cfg.quick, seconds, machine, servers: versions, vhostDescription: BENCH_VHOST_DESCRIPTION, rows }, null, 2)}\n`,
  );
  process.stdout.write(`results: ${file}\n`);
}

main().catch((err: unknown) => {
  killChildren();
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
