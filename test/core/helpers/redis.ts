import { Redis } from 'ioredis';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../../src/core/profiles';

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

export function localProfile(db: number, extra: Record<string, unknown> = {}): ResolvedRedisProfile {
  return resolveRedisProfile({ name: `test-db${db}`, host: REDIS_HOST, port: REDIS_PORT, db, ...extra });
}

/** A plain client for seeding and checking, outside the code under test. */
export function plainClient(db: number): Redis {
  return new Redis({ host: REDIS_HOST, port: REDIS_PORT, db, lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Writes `count` string keys named by `name(i)` in pipelined batches. */
export async function seedKeys(client: Redis, count: number, name: (i: number) => string | Buffer, batch = 10_000): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    const p = client.pipeline();
    for (let i = start; i < Math.min(count, start + batch); i++) p.set(name(i), '1');
    await p.exec();
  }
}
