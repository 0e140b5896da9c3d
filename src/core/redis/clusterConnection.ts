/**
 * Opening a Redis Cluster profile: an ioredis `Cluster` from the profile's
 * seed nodes, with the standalone connection's rules (whole handshake within
 * connectTimeoutMs, a first connection that fails fast with one sentence
 * naming the seeds, capped reconnects once established, failures in the
 * profile's words). ioredis routes every keyed command by slot and follows
 * MOVED / ASK itself. `connectProfile` opens whichever the profile's mode asks.
 */
import * as l10n from '@vscode/l10n';
import { Cluster, type ClusterOptions, type Command } from 'ioredis';
import { BrokerError, ConnectionError, errorMessage } from '../errors';
import { silentLogger } from '../logger';
import { connectWithin } from '../net/deadline';
import { socketError } from '../net/socketErrors';
import { tlsOptions } from '../net/tls';
import { endpoint, redactText, type ResolvedRedisProfile } from '../profiles';
import { connectRedis, describeRedisError, MAX_RECONNECT_DELAY_MS, type RedisConnectOptions } from './connection';
import type { RedisClient } from './redisClient';

/** `Redis Cluster profile "x" (seeds a:1, b:2)`: how sentences name a cluster. */
export function clusterWhere(profile: ResolvedRedisProfile): string {
  const seeds = (profile.nodes ?? [{ host: profile.host, port: profile.port }]).map((n) => endpoint(n)).join(', ');
  return l10n.t('Redis Cluster profile "{0}" (seeds {1})', profile.name, seeds);
}

/** The sentence for a cluster failure: cluster-wide ones in the cluster's words, a node's as for a standalone server. */
export function describeClusterError(profile: ResolvedRedisProfile, err: unknown, cause?: unknown): BrokerError {
  if (err instanceof BrokerError) return err;
  const raw = redactText(errorMessage(err)).replace(/[.\s]+$/, '');
  if (/None of startup nodes is available|Failed to refresh slots cache/i.test(raw)) {
    const why = cause !== undefined && cause !== err ? ` (${redactText(errorMessage(cause)).replace(/[.\s]+$/, '')})` : '';
    return new ConnectionError(
      l10n.t(
        'Cannot connect to {0}: no seed node answered with the cluster\'s slot map{1}. Check that the nodes run, the addresses, and that the profile\'s mode should be "cluster".',
        clusterWhere(profile),
        why,
      ),
    );
  }
  if (/CLUSTERDOWN/i.test(raw))
    return new ConnectionError(
      l10n.t('{0} is down ({1}): some slots have no live primary. Try again once it recovered.', clusterWhere(profile), raw),
    );
  if (/Cluster isn't ready|Cluster is disconnected|enableOfflineQueue/i.test(raw))
    return new ConnectionError(
      l10n.t('The connection to {0} was lost and is not back yet; check that the nodes run, then try again.', clusterWhere(profile)),
    );
  if (/Too many Cluster redirections/i.test(raw))
    return new ConnectionError(l10n.t('{0} kept redirecting the command (slots moving?): try again in a moment.', clusterWhere(profile)));
  if (/cluster support disabled|This instance has cluster support disabled/i.test(raw))
    return new ConnectionError(
      l10n.t('{0}: the server is not a Redis Cluster node. Set the profile\'s mode to "standalone".', clusterWhere(profile)),
    );
  return describeRedisError(profile, err);
}

/** A Cluster whose commands, when the connection fails them, reject with the profile's sentence (server replies pass through). */
class ProfileCluster extends Cluster {
  private readonly wrapped = new WeakSet<Command>();

  constructor(
    nodes: { host: string; port: number }[],
    options: ClusterOptions,
    private readonly describeFailure: (err: Error) => Error,
  ) {
    super(nodes, options);
  }

  override sendCommand(
    command: Command,
    stream?: Parameters<Cluster['sendCommand']>[1],
    node?: Parameters<Cluster['sendCommand']>[2],
  ): unknown {
    if (this.describeFailure && !this.wrapped.has(command)) {
      this.wrapped.add(command);
      const reject = command.reject;
      command.reject = (err: Error): void => reject(err.name === 'ReplyError' ? err : this.describeFailure(err));
    }
    return super.sendCommand(command, stream, node);
  }
}

/** Opens a cluster and resolves once its slot map is loaded and it is ready; rejects within connectTimeoutMs with one sentence. */
export async function connectCluster(profile: ResolvedRedisProfile, options: RedisConnectOptions = {}): Promise<Cluster> {
  const logger = options.logger ?? silentLogger;
  const reconnect = options.reconnect ?? true;
  let established = false;
  const redisOptions: ClusterOptions['redisOptions'] = {
    connectTimeout: profile.connectTimeoutMs,
    maxRetriesPerRequest: 0,
    connectionName: options.connectionName ?? 'broker-explorer',
    reconnectOnError: () => false,
  };
  if (profile.username) redisOptions.username = profile.username;
  if (options.password) redisOptions.password = options.password;
  if (options.stringNumbers) redisOptions.stringNumbers = true;
  const tls = tlsOptions(profile.tls, profile.host);
  if (tls) redisOptions.tls = tls;
  const clusterOptions: ClusterOptions = {
    lazyConnect: true,
    // While the whole cluster is unreachable (reconnecting), a command fails at once with a sentence instead of
    // waiting in a queue for as long as the reconnects go on; a single node's failover is retried by ioredis.
    enableOfflineQueue: false,
    enableReadyCheck: true,
    scaleReads: 'master',
    slotsRefreshTimeout: profile.connectTimeoutMs,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    redisOptions,
    clusterRetryStrategy: (times: number): number | null => {
      if (!established || !reconnect) return null;
      const delay = Math.min(100 * 2 ** Math.min(times, 6), MAX_RECONNECT_DELAY_MS);
      logger.info(`${clusterWhere(profile)}: reconnect attempt ${times} in ${delay} ms`);
      return delay;
    },
  };
  // Behind SSH the seeds are dialled through their forwards, and so is every node the cluster announces.
  const natMap = profile.natMap;
  const seeds = (profile.nodes ?? [{ host: profile.host, port: profile.port }]).map((n) => natMap?.(`${n.host}:${n.port}`) ?? { ...n });
  if (natMap) clusterOptions.natMap = natMap;
  const cluster = new ProfileCluster(seeds, clusterOptions, (err) => describeClusterError(profile, err));
  const secrets = [options.password ?? ''].filter(Boolean);
  let lastError: unknown;
  cluster.on('error', (err: unknown) => {
    lastError = err;
    if (established) logger.warn(`${clusterWhere(profile)}: ${redactText(errorMessage(err), secrets)}`);
  });
  const where = clusterWhere(profile);
  try {
    await connectWithin(cluster.connect(), {
      timeoutMs: profile.connectTimeoutMs,
      signal: options.signal,
      timeoutError: () =>
        socketError(
          { code: 'timeout', detail: `no ready cluster within ${profile.connectTimeoutMs} ms` },
          l10n.t(
            '{0} did not complete the connection within {1} ms. Check the seed addresses, TLS setting and firewall.',
            where,
            profile.connectTimeoutMs,
          ),
        ),
      cancelledError: () => socketError({ code: 'cancelled', detail: 'cancelled' }, l10n.t('Connecting to {0} was cancelled.', where)),
    });
    established = true;
    return cluster;
  } catch (err) {
    cluster.disconnect();
    if (err instanceof BrokerError) throw err;
    const last = lastError as { lastNodeError?: unknown } | undefined;
    throw describeClusterError(profile, err, last?.lastNodeError ?? lastError);
  }
}

/** Opens the profile's client: a Cluster for mode "cluster", otherwise one connection (to the server, or to the primary the sentinels name). */
export function connectProfile(profile: ResolvedRedisProfile, options: RedisConnectOptions = {}): Promise<RedisClient> {
  return profile.mode === 'cluster' ? connectCluster(profile, options) : connectRedis(profile, options);
}
