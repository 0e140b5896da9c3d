/**
 * Shared Redis connections, one per (profile, db). Dedicated connections
 * (console, blocking commands, subscriptions) are opened with
 * `connectRedis` directly and are never pooled.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { ResolvedRedisProfile } from '../profiles';
import { connectRedis } from './connection';

export interface RedisPoolSource {
  /** The profile by name, or an error naming what is missing. */
  profile(name: string): ResolvedRedisProfile;
  password(profile: ResolvedRedisProfile): Promise<string | undefined>;
}

interface Entry {
  profile: ResolvedRedisProfile;
  client: Promise<Redis>;
}

export class RedisPool {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly source: RedisPoolSource,
    private readonly logger: Logger = silentLogger,
  ) {}

  profile(name: string): ResolvedRedisProfile {
    return this.source.profile(name);
  }

  password(profile: ResolvedRedisProfile): Promise<string | undefined> {
    return this.source.password(profile);
  }

  /** The shared connection for (profile, db), connecting when needed. */
  async get(profileName: string, db?: number): Promise<Redis> {
    const profile = this.source.profile(profileName);
    const useDb = db ?? profile.db;
    const key = `${profileName}\u0000${useDb}`;
    const existing = this.entries.get(key);
    if (existing && existing.profile === profile) {
      const client = await existing.client;
      if (client.status === 'ready') return client;
      // Lost and reconnecting (or closed): a fresh connection answers at once —
      // it works when the server is back, and fails with a sentence when not —
      // instead of waiting for the next reconnect attempt.
      const current = this.entries.get(key);
      if (current !== undefined && current !== existing) return this.get(profileName, db);
    }
    if (existing) this.drop(key, existing);
    const client = (async (): Promise<Redis> => {
      const password = await this.source.password(profile);
      const opts: Parameters<typeof connectRedis>[1] = { db: useDb, logger: this.logger };
      if (password !== undefined) opts.password = password;
      return connectRedis(profile, opts);
    })();
    const entry: Entry = { profile, client };
    this.entries.set(key, entry);
    client.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return client;
  }

  /** A dedicated connection the caller owns and must quit. */
  async dedicated(profileName: string, db?: number, connectionName?: string): Promise<Redis> {
    const profile = this.source.profile(profileName);
    const password = await this.source.password(profile);
    const opts: Parameters<typeof connectRedis>[1] = { db: db ?? profile.db, logger: this.logger };
    if (password !== undefined) opts.password = password;
    if (connectionName) opts.connectionName = connectionName;
    return connectRedis(profile, opts);
  }

  /** Closes every connection of a profile (after its settings or password change). */
  invalidate(profileName?: string): void {
    for (const [key, entry] of this.entries) {
      if (profileName === undefined || entry.profile.name === profileName) this.drop(key, entry);
    }
  }

  dispose(): void {
    this.invalidate();
  }

  private drop(key: string, entry: Entry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
    entry.client.then(
      (c) => c.disconnect(),
      () => undefined,
    );
  }
}
