/**
 * Redis on 127.0.0.1:6379 for tests and the bench: profiles, a plain client
 * outside the code under test, seeding, and the mocha fixture of a suite
 * that owns one database. Importing this registers nothing; `useRedisDb`
 * registers its hooks when a describe() calls it.
 */
import { RedisSession } from '../../../src/core/redis/session';
import { Redis } from 'ioredis';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../../src/core/profiles';
import { isCluster, nodeAddress, type RedisClient } from '../../../src/core/redis/redisClient';
import { keySlot } from '../../../src/core/redis/hashSlot';

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

export function localProfile(db: number, extra: Record<string, unknown> = {}): ResolvedRedisProfile {
  return resolveRedisProfile({ name: `test-db${db}`, host: REDIS_HOST, port: REDIS_PORT, db, ...extra });
}

/** A plain client for seeding and checking, outside the code under test. */
export function plainClient(db: number): Redis {
  return new Redis({ host: REDIS_HOST, port: REDIS_PORT, db, lazyConnect: false, maxRetriesPerRequest: 1 });
}

/**
 * Writes `count` string keys named by `name(i)` in pipelined batches; on a
 * cluster, one pipeline per primary (straight to the node that owns each key's slot).
 */
export async function seedKeys(client: RedisClient, count: number, name: (i: number) => string | Buffer, batch = 10_000): Promise<void> {
  const nodes = isCluster(client) ? new Map(client.nodes('master').map((n) => [nodeAddress(n), n])) : undefined;
  for (let start = 0; start < count; start += batch) {
    const pipelines = new Map<Redis | RedisClient, ReturnType<Redis['pipeline']>>();
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const key = name(i);
      const owner = isCluster(client) ? nodes?.get(client.slots[keySlot(key)]?.[0] ?? '') : client;
      if (!owner) throw new Error(`no primary owns the slot of ${String(key)}`);
      let p = pipelines.get(owner);
      if (!p) pipelines.set(owner, (p = owner.pipeline()));
      p.set(key, '1');
    }
    await Promise.all([...pipelines.values()].map((p) => p.exec()));
  }
}

/** A client under test: an ioredis client (disconnect) or a RespClient (close). */
export type ClosableClient = { disconnect(): void } | { close(): void };

export interface RedisDbFixture {
  /** Closes the client under test and opens a new one (bound again), as after a test that broke the connection. */
  reopen(): Promise<void>;
}

/**
 * The mocha fixture of a suite that owns Redis database `db`; call it inside
 * describe(). Before the suite: a plain seed client, the database flushed,
 * and the client under test from `open`, both handed to the suite's
 * variables through `bind`. The database is flushed after each test (or,
 * with `flush: 'end'`, once after the suite); both clients are closed after
 * the suite.
 */
export function useRedisDb<C extends ClosableClient>(
  db: number,
  open: (profile: ResolvedRedisProfile) => Promise<C>,
  bind: (seed: Redis, client: C) => void,
  flush: 'each' | 'end' = 'each',
): RedisDbFixture {
  let seed: Redis | undefined;
  let client: C | undefined;
  const close = (c: C | undefined): void => {
    if (c === undefined) return;
    if ('disconnect' in c) c.disconnect();
    else c.close();
  };
  before(async () => {
    seed = plainClient(db);
    await seed.flushdb();
    client = await open(localProfile(db));
    bind(seed, client);
  });
  if (flush === 'each') {
    afterEach(async () => {
      await seed?.flushdb();
    });
  }
  after(async () => {
    if (flush === 'end') await seed?.flushdb();
    seed?.disconnect();
    close(client);
  });
  return {
    async reopen(): Promise<void> {
      close(client);
      client = await open(localProfile(db));
      if (seed) bind(seed, client);
    },
  };
}

/** useRedisDb with a RedisSession of the db's profile (connected before the suite) as the suite's client. */
export function useRedisSessionDb(db: number, bind: (seed: Redis, session: RedisSession) => void, flush: 'each' | 'end' = 'each'): void {
  const open = async (profile: ResolvedRedisProfile): Promise<{ close: () => void; session: RedisSession }> => {
    const session = new RedisSession(profile);
    await session.client();
    return { close: () => session.close(), session };
  };
  useRedisDb(db, open, (seed, c) => bind(seed, c.session), flush);
}
