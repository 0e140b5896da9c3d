/**
 * Row 22: saving a 10,000-field hash edited as a JSON document in 3 places
 * sends 3 field writes, not 10,000. Runs on a redis-server of its own (a
 * free port, nothing else talking to it) and counts what reached it with
 * MONITOR on a connection of its own: every command, and the fields each
 * HSET carried. The baseline is the naive save — every field written back
 * (one HSET per field inside MULTI) — on the same server, timed alike.
 */
import { Redis } from 'ioredis';
import { resolveRedisProfile } from '../../src/core/profiles';
import { readCollection, saveCollectionCas } from '../../src/core/redis/collectionEdit';
import { parseCollectionText, renderCollection } from '../../src/core/redis/collectionJson';
import { RedisSession } from '../../src/core/redis/session';
import { OwnRedis } from '../core/helpers/ownServers';
import { log, ms, now, sleep, type Row } from './util';

const FIELDS = 10_000;
const KEY = 'bench:jsonedit:hash';

interface Seen {
  commands: number;
  byCommand: Record<string, number>;
  hsetFields: number;
}

/** Runs `work` while MONITOR records what the server received from the other connections. */
async function monitored(port: number, work: () => Promise<void>): Promise<Seen> {
  const watcher = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  await watcher.connect();
  const monitor = await watcher.monitor();
  const seen: Seen = { commands: 0, byCommand: {}, hsetFields: 0 };
  monitor.on('monitor', (_time: string, args: string[]) => {
    const name = (args[0] ?? '').toUpperCase();
    seen.commands++;
    seen.byCommand[name] = (seen.byCommand[name] ?? 0) + 1;
    if (name === 'HSET') seen.hsetFields += (args.length - 2) / 2;
  });
  try {
    await work();
    await sleep(300); // the last MONITOR lines arrive after the replies
  } finally {
    monitor.disconnect();
    watcher.disconnect();
  }
  return seen;
}

function list(seen: Seen): string {
  return Object.entries(seen.byCommand)
    .map(([c, n]) => `${n} ${c}`)
    .join(', ');
}

export async function rowJsonEdit(): Promise<Row> {
  const server = await OwnRedis.start();
  const seed = new Redis({ host: '127.0.0.1', port: server.port });
  const session = new RedisSession(resolveRedisProfile({ name: 'bench-jsonedit', host: '127.0.0.1', port: server.port, db: 0 }));
  try {
    const fill = async (): Promise<void> => {
      await seed.del(KEY);
      const fields: string[] = [];
      for (let i = 0; i < FIELDS; i++) fields.push(`field:${String(i).padStart(5, '0')}`, `value ${i}`);
      await seed.hset(KEY, ...fields);
      await seed.expire(KEY, 3600);
    };
    await fill();
    // What the document editor does: open (read + render), the user edits 3 values, save.
    const base = await readCollection(await session.client(), Buffer.from(KEY), 'hash', FIELDS);
    const text = renderCollection(base)
      .replace('"field:00007": "value 7"', '"field:00007": "seven"')
      .replace('"field:05000": "value 5000"', '"field:05000": "five thousand"')
      .replace('"field:09999": "value 9999"', '"field:09999": "last"');
    const next = parseCollectionText('hash', text);
    let oursMs = 0;
    let outcome = '';
    const ours = await monitored(server.port, async () => {
      const t0 = now();
      const r = await saveCollectionCas(session, Buffer.from(KEY), base, next, { maxItems: FIELDS });
      oursMs = now() - t0;
      outcome = r.outcome;
    });
    if (outcome !== 'saved') throw new Error(`the save ended with "${outcome}"`);
    const check = await seed.hmget(KEY, 'field:00007', 'field:05000', 'field:09999', 'field:00008');
    if (check.join('|') !== 'seven|five thousand|last|value 8') throw new Error(`the hash holds ${check.join('|')} after the save`);
    const ttl = await seed.ttl(KEY);

    // The naive save: every field of the document written back, one HSET per field, in one transaction.
    await fill();
    let naiveMs = 0;
    const naive = await monitored(server.port, async () => {
      const conn = await session.dedicated('naive');
      try {
        const t0 = now();
        const multi = conn.multi();
        for (const e of next.type === 'hash' ? next.entries : []) multi.hset(KEY, e.field, e.value);
        await multi.exec();
        naiveMs = now() - t0;
      } finally {
        conn.disconnect();
      }
    });
    log(`row 22: ours ${list(ours)}; naive ${naive.byCommand.HSET ?? 0} HSET`);
    return {
      id: '22',
      figure: 'Saving a 10,000-field hash edited as JSON in 3 places',
      ours: `${ours.hsetFields} field writes (${ours.byCommand.HSET ?? 0} HSET); ${ours.commands} commands in all (${list(ours)}); ${ms(oursMs)}`,
      baseline: `naive save: ${naive.hsetFields.toLocaleString('en-US')} field writes (${(naive.byCommand.HSET ?? 0).toLocaleString('en-US')} HSET); ${ms(naiveMs)}`,
      ratio: oursMs / naiveMs,
      target: '3 field writes, not 10,000',
      met: ours.hsetFields === 3,
      note: `ratio: save time, ours / naive (both under MONITOR); field writes ${ours.hsetFields} / ${naive.hsetFields}; counted with MONITOR on a redis-server of the bench's own (port ${server.port}); the HSCAN reads re-check the whole hash under WATCH before writing; TTL after the save ${ttl} s (kept)`,
      data: { fields: FIELDS, ours, naive, oursMs, naiveMs, ttlAfter: ttl },
    };
  } finally {
    session.close();
    seed.disconnect();
    await server.dispose();
  }
}
