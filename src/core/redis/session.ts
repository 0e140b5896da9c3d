/**
 * A Redis session: one profile and one database, bound together so that
 * every write path checks read-only in one place (`assertWritable`). It
 * holds the shared (pooled) connection, opens dedicated ones for blocking
 * commands, subscriptions and the console, and caches the server's command
 * catalog and docs until the connection is replaced or reconnects.
 */
import * as l10n from '@vscode/l10n';
import type { Redis } from 'ioredis';
import { displayBytes } from '../bytes';
import { ConnectionError, InputError, errorMessage } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { Endpoint, ResolvedRedisProfile } from '../profiles';
import { assertWritable } from '../readOnly';
import { getCommandDocsFrom, loadCommandCatalog, type CommandCatalog, type CommandDoc } from './commandInfo';
import { connectProfile } from './clusterConnection';
import { ClusterRouter } from './clusterRouter';
import type { RedisConnectOptions } from './connection';
import { isCluster, primariesOf, refreshSlots, type RedisClient } from './redisClient';
import { parseAddress } from './slotMap';
import { keySlot } from './hashSlot';
import { ioredisReplySource } from './reply';
import { nodeProfile, openRespClient, type RespClient } from './respClient';

export interface RedisSessionOptions {
  /** The database; the profile's own when absent. */
  db?: number;
  password?: string;
  /** The sentinels' own password (mode "sentinel"). */
  sentinelPassword?: string;
  logger?: Logger;
}

interface CommandCache {
  catalog: Promise<CommandCatalog>;
  docs?: Promise<CommandDoc[]>;
}

export class RedisSession {
  readonly db: number;
  private readonly password: string | undefined;
  private readonly sentinelPassword: string | undefined;
  private readonly logger: Logger;
  private shared: Promise<RedisClient> | undefined;
  private exact: Promise<RedisClient> | undefined;
  private walk: Promise<RespClient | ClusterRouter> | undefined;
  private commands: CommandCache | undefined;
  private closed = false;

  constructor(
    readonly profile: ResolvedRedisProfile,
    options: RedisSessionOptions = {},
  ) {
    this.db = options.db ?? profile.db;
    if (profile.mode === 'cluster' && this.db !== 0)
      throw new InputError(
        l10n.t(
          'Redis profile "{0}" is a Redis Cluster, which has only database 0, not {1}: leave the database out (or use 0).',
          profile.name,
          this.db,
        ),
      );
    this.password = options.password;
    this.sentinelPassword = options.sentinelPassword;
    this.logger = options.logger ?? silentLogger;
  }

  /** Throws the read-only refusal before anything is sent when the profile is read-only. */
  assertWritable(action: string): void {
    assertWritable(this.profile, action);
  }

  /**
   * The shared connection, opened on first use. When it was lost (and is
   * reconnecting) a fresh one is opened at once: it works when the server
   * is back, and fails with a sentence when not.
   */
  async client(): Promise<RedisClient> {
    const current = this.shared;
    if (current) {
      const client = await current;
      if (client.status === 'ready') return client;
      if (this.shared !== current) return this.client();
      this.shared = undefined;
      client.disconnect();
    }
    const opening = this.connect({ connectionName: 'broker-explorer' });
    this.shared = opening;
    this.commands = undefined;
    opening.then(
      (client) => client.on('ready', () => (this.commands = undefined)),
      () => {
        if (this.shared === opening) this.shared = undefined;
      },
    );
    return opening;
  }

  /**
   * A shared connection that returns integers as strings (ioredis
   * `stringNumbers`), for replies that must stay exact past 2^53.
   */
  async exactClient(): Promise<RedisClient> {
    const current = this.exact;
    if (current) {
      const client = await current;
      if (client.status === 'ready') return client;
      if (this.exact === current) this.exact = undefined;
      client.disconnect();
      return this.exactClient();
    }
    const opening = this.connect({ connectionName: 'broker-explorer:exact', stringNumbers: true });
    this.exact = opening;
    opening.catch(() => {
      if (this.exact === opening) this.exact = undefined;
    });
    return opening;
  }

  /**
   * A RESP connection of the session's own for long key walks with type and
   * TTL (`scanKeys` with a large limit): opened on first use, kept while it
   * is open, replaced when it closed. Walks may share it: replies come back in order.
   * On a cluster, a router over one such connection per node (the slot map's addresses).
   */
  async walker(signal?: AbortSignal): Promise<RespClient | ClusterRouter> {
    const current = this.walk;
    if (current) {
      const client = await current.catch(() => undefined);
      if (client?.connected) return client;
      if (this.walk === current) this.walk = undefined;
    }
    const opening = this.resp('walk', this.db, signal).then<RespClient | ClusterRouter>((seed) =>
      this.profile.mode === 'cluster' ? ClusterRouter.open(seed) : seed,
    );
    this.walk = opening;
    opening.catch(() => {
      if (this.walk === opening) this.walk = undefined;
    });
    return opening;
  }

  /** A dedicated connection the caller owns and must close (blocking commands, subscriptions); on a cluster, a Cluster of its own. */
  dedicated(purpose: string, db: number = this.db): Promise<RedisClient> {
    return this.connect({ connectionName: `broker-explorer:${purpose}`, db });
  }

  /**
   * The connections to every primary, from the shared client: a cluster's
   * primaries as its slot map names them now; otherwise the one server (or
   * the primary the sentinels name).
   */
  async primaries(): Promise<Redis[]> {
    return primariesOf(await this.client());
  }

  /** A dedicated RESP connection with exact replies (the console, typed-in commands); the caller closes it. */
  resp(purpose: string, db: number = this.db, signal?: AbortSignal): Promise<RespClient> {
    return openRespClient(this.profile, {
      db,
      connectionName: `broker-explorer:${purpose}`,
      ...(this.password !== undefined ? { password: this.password } : {}),
      ...(this.sentinelPassword !== undefined ? { sentinelPassword: this.sentinelPassword } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * A dedicated RESP connection to the primary that owns the slot of `key`
   * (SSUBSCRIBE of a shard channel on a cluster, asked again after a
   * failover); elsewhere the same as resp().
   */
  async respForSlotOf(key: Buffer, purpose: string, signal?: AbortSignal): Promise<RespClient> {
    if (this.profile.mode !== 'cluster') return this.resp(purpose, this.db, signal);
    const cluster = await this.client();
    if (!isCluster(cluster)) return this.resp(purpose, this.db, signal);
    await refreshSlots(cluster).catch(() => undefined);
    const owner = parseAddress(cluster.slots[keySlot(key)]?.[0] ?? '');
    if (!owner)
      throw new ConnectionError(
        l10n.t(
          'No primary of Redis Cluster profile "{0}" serves the slot of "{1}" now: try again in a moment.',
          this.profile.name,
          displayBytes(key, 80),
        ),
      );
    return this.respAt(owner, purpose, signal);
  }

  /** A dedicated RESP connection to one node of the profile's topology (a cluster node: database 0); the caller closes it. */
  respAt(node: Endpoint, purpose: string, signal?: AbortSignal): Promise<RespClient> {
    return openRespClient(nodeProfile(this.profile, node), {
      db: 0,
      connectionName: `broker-explorer:${purpose}`,
      ...(this.password !== undefined ? { password: this.password } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  /** The server's command catalog (read-only classification), cached until the connection is replaced or reconnects. */
  catalog(): Promise<CommandCatalog> {
    const cached = this.commands;
    if (cached) return cached.catalog;
    const entry: CommandCache = {
      catalog: this.client().then(
        (client) => loadCommandCatalog(ioredisReplySource(client)),
        (err: unknown) => {
          if (this.commands === entry) this.commands = undefined;
          throw err;
        },
      ),
    };
    this.commands = entry;
    return entry.catalog;
  }

  /** Every command's docs (completion, HELP), cached with the catalog. */
  async docs(): Promise<CommandDoc[]> {
    const catalog = this.catalog();
    const entry = this.commands;
    if (entry?.docs) return entry.docs;
    const docs = (async (): Promise<CommandDoc[]> => getCommandDocsFrom(ioredisReplySource(await this.client()), await catalog))();
    if (entry) entry.docs = docs;
    docs.catch(() => {
      if (entry?.docs === docs) delete entry.docs;
    });
    return docs;
  }

  /** Closes the shared connections; dedicated ones belong to their callers. */
  close(): void {
    this.closed = true;
    this.commands = undefined;
    for (const c of [this.shared, this.exact]) {
      c?.then(
        (client) => client.disconnect(),
        () => undefined,
      );
    }
    this.walk?.then(
      (client) => client.close(),
      () => undefined,
    );
    this.shared = undefined;
    this.exact = undefined;
    this.walk = undefined;
  }

  private connect(extra: Pick<RedisConnectOptions, 'connectionName' | 'db' | 'stringNumbers'>): Promise<RedisClient> {
    if (this.closed) return Promise.reject(new Error(l10n.t('The session of Redis profile "{0}" was closed.', this.profile.name)));
    const opts: RedisConnectOptions = { db: this.db, logger: this.logger, ...extra };
    if (this.password !== undefined) opts.password = this.password;
    if (this.sentinelPassword !== undefined) opts.sentinelPassword = this.sentinelPassword;
    return connectProfile(this.profile, opts).catch((err: unknown) => {
      this.logger.debug(`Redis "${this.profile.name}" db ${this.db}: ${errorMessage(err)}`);
      throw err;
    });
  }
}
