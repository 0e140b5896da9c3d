/**
 * Redis sessions, one per (profile, db), from the one pool (ProfilePool).
 * A session is bound to its profile: its shared connection, its dedicated
 * ones (console, blocking commands, subscriptions), its command catalog and
 * its read-only guard.
 */
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { ProfilePool } from '../profilePool';
import { directReach, reachProfile, type Reach } from '../net/reach';
import type { ResolvedRedisProfile } from '../profiles';
import type { RedisClient } from './redisClient';
import { RedisSession, type RedisSessionOptions } from './session';

export interface RedisPoolSource {
  /** The profile by name, or an error naming what is missing. */
  profile(name: string): ResolvedRedisProfile;
  password(profile: ResolvedRedisProfile): Promise<string | undefined>;
  /** The sentinels' own password of a sentinel profile (its "sentinel" secret), when the source has one. */
  sentinelPassword?(profile: ResolvedRedisProfile): Promise<string | undefined>;
}

export class RedisPool {
  private readonly sessions: ProfilePool<ResolvedRedisProfile, RedisSession>;
  /** What each session holds of an SSH tunnel, let go when the session closes. */
  private readonly releases = new WeakMap<RedisSession, () => void>();

  /** `reach`: how a profile's connections get to it (directly, or through its SSH tunnel). */
  constructor(
    private readonly source: RedisPoolSource,
    private readonly logger: Logger = silentLogger,
    private readonly reach: Reach<ResolvedRedisProfile> = directReach,
  ) {
    this.sessions = new ProfilePool(
      async (profile, part) => {
        const password = await this.source.password(profile);
        const options: RedisSessionOptions = { db: Number(part), logger: this.logger };
        if (password !== undefined) options.password = password;
        if (profile.mode === 'sentinel') {
          const sentinelPassword = await this.source.sentinelPassword?.(profile);
          if (sentinelPassword !== undefined) options.sentinelPassword = sentinelPassword;
        }
        const reached = await reachProfile(this.reach, profile);
        const session = new RedisSession(reached.profile, options);
        this.releases.set(session, reached.release);
        return session;
      },
      (session) => {
        session.close();
        this.releases.get(session)?.();
      },
    );
  }

  profile(name: string): ResolvedRedisProfile {
    return this.source.profile(name);
  }

  /** The session of (profile, db); the profile's db when none is given. */
  session(profileName: string, db?: number): Promise<RedisSession> {
    const profile = this.source.profile(profileName);
    return this.sessions.acquire(profile, String(db ?? profile.db));
  }

  /** The shared connection of (profile, db), for reads (writes go through the session's core operations). */
  async get(profileName: string, db?: number): Promise<RedisClient> {
    return (await this.session(profileName, db)).client();
  }

  /** A dedicated connection the caller owns and must quit. */
  async dedicated(profileName: string, db?: number, connectionName?: string): Promise<RedisClient> {
    const session = await this.session(profileName, db);
    return session.dedicated((connectionName ?? 'dedicated').replace(/^broker-explorer:/, ''));
  }

  /** Closes every session of a profile (after its settings or password change), or of all. */
  invalidate(profileName?: string): void {
    this.sessions.invalidate(profileName);
  }

  dispose(): Promise<void> {
    return this.sessions.dispose();
  }
}
