/**
 * What a Sentinel-managed profile adds to a connection: the sentinels to
 * ask for the primary named `sentinelName` (with their own user and
 * password), the failover detector that reconnects on "+switch-master",
 * and a log line whenever the connection lands on another primary.
 */
import * as l10n from '@vscode/l10n';
import type { Redis, RedisOptions } from 'ioredis';
import { AuthError, ConnectionError, type BrokerError } from '../errors';
import type { Logger } from '../logger';
import { endpoint, type ResolvedRedisProfile } from '../profiles';
import { tlsOptions } from '../net/tls';
import { connectedAddress } from './redisClient';

/** How a profile's sentinel set is named in sentences: `primary "mymaster" via sentinels 10.0.0.1:26379, 10.0.0.2:26379`. */
export function sentinelWhere(profile: ResolvedRedisProfile): string {
  const list = (profile.sentinels ?? [{ host: profile.host, port: profile.port }]).map((s) => endpoint(s)).join(', ');
  return l10n.t('primary "{0}" via sentinels {1}', profile.sentinelName ?? '', list);
}

/**
 * The ioredis options of a sentinel profile, laid over the standalone ones:
 * no host/port (the sentinels name the primary), role master, the failover
 * detector on. `retry` is the reconnect policy of the data connection, used
 * for the sentinels too (null before the first connection: fail fast).
 */
export function sentinelOptions(
  profile: ResolvedRedisProfile,
  base: RedisOptions,
  sentinelPassword: string | undefined,
  retry: (times: number) => number | null,
): RedisOptions {
  const { host: _host, port: _port, ...rest } = base;
  void _host;
  void _port;
  const options: RedisOptions = {
    ...rest,
    // Behind SSH the sentinels are dialled through their forwards, and so is the primary they name.
    sentinels: (profile.sentinels ?? [{ host: profile.host, port: profile.port }]).map(
      (s) => profile.natMap?.(`${s.host}:${s.port}`) ?? { host: s.host, port: s.port },
    ),
    name: profile.sentinelName ?? '',
    role: 'master',
    failoverDetector: true,
    sentinelMaxConnections: 3,
    sentinelCommandTimeout: profile.connectTimeoutMs,
    sentinelRetryStrategy: retry,
    // A primary demoted by a failover answers writes with READONLY: reconnect (the sentinels name the new one) and resend.
    reconnectOnError: (err: Error): 2 | false => (/^READONLY/.test(err.message) ? 2 : false),
  };
  if (profile.natMap) options.natMap = profile.natMap;
  if (profile.sentinelUsername) options.sentinelUsername = profile.sentinelUsername;
  if (sentinelPassword !== undefined) options.sentinelPassword = sentinelPassword;
  const tls = tlsOptions(profile.tls, profile.host);
  if (tls) {
    options.enableTLSForSentinelMode = true;
    options.sentinelTLS = tls;
  }
  return options;
}

/** The sentence for a failure only a sentinel profile has, or undefined when the error is an ordinary one. */
export function sentinelFailure(profile: ResolvedRedisProfile, raw: string): BrokerError | undefined {
  if (profile.mode !== 'sentinel') return undefined;
  const where = l10n.t('Redis profile "{0}" ({1})', profile.name, sentinelWhere(profile));
  const fromSentinels = /All sentinels are unreachable/i.test(raw);
  if (fromSentinels && /NOAUTH|WRONGPASS|invalid username-password|invalid password/i.test(raw))
    return new AuthError(
      l10n.t(
        '{0}: the sentinels refused the login (wrong or missing sentinel password or user). Set their password with "Set Password" (secret "sentinel"); it is separate from the data password.',
        where,
      ),
    );
  if (fromSentinels)
    return new ConnectionError(
      l10n.t(
        'Cannot connect to {0}: no sentinel answered, or none knows the primary. Check the sentinel addresses, "sentinelName" and the sentinel password ("Set Password" with secret "sentinel").',
        where,
      ),
    );
  return undefined;
}

/** Logs each time the connection becomes ready on another primary than before (a failover), with the old and new address. */
export function logPrimaryChanges(client: Redis, profile: ResolvedRedisProfile, logger: Logger): void {
  let current = connectedAddress(client);
  client.on('ready', () => {
    const now = connectedAddress(client);
    if (now && current && now !== current)
      logger.info(
        `Redis "${profile.name}": the sentinels name a new primary for "${profile.sentinelName ?? ''}": now ${now} (was ${current}).`,
      );
    if (now) current = now;
  });
}
