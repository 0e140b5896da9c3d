/**
 * Opening Redis connections: the whole handshake (TCP, TLS, AUTH, SELECT,
 * ready check) bounded by the profile's connectTimeoutMs; a first connection
 * fails fast with one sentence (no offline queue, no retries); an
 * established connection reconnects with capped backoff.
 */
import * as l10n from '@vscode/l10n';
import { Redis, type Command, type RedisOptions } from 'ioredis';
import { AuthError, BrokerError, ConnectionError, NotFoundError, PermissionError, errorMessage } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { connectWithin } from '../net/deadline';
import { classifySocketError, socketError, type SocketFailure } from '../net/socketErrors';
import { tlsOptions } from '../net/tls';
import { dialEndpoint, endpoint, redactText, type ResolvedRedisProfile } from '../profiles';
import { logPrimaryChanges, sentinelFailure, sentinelOptions } from './sentinelConnection';

export interface RedisConnectOptions {
  /** Database to select; the profile's own when absent. */
  db?: number;
  password?: string;
  /** The sentinels' own password (mode "sentinel"). */
  sentinelPassword?: string;
  /** Reconnect after an established connection drops (default true). */
  reconnect?: boolean;
  /** Connection name shown by CLIENT LIST. */
  connectionName?: string;
  /** Integer replies as strings, exact past 2^53 (ioredis `stringNumbers`). */
  stringNumbers?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Longest pause between reconnect attempts of an established connection. */
export const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * An ioredis client whose commands, when the connection fails them (lost,
 * closed, not back in time), reject with the profile's ConnectionError
 * sentence instead of ioredis' own wording; server error replies
 * (ReplyError) pass through as they are.
 *
 * ioredis fails commands for the connection's sake in two places: its
 * queue flush (connection closed, retries exhausted) and sendCommand on an
 * ended connection. Both are translated here, once per failure rather than
 * once per command: wrapping every command's reject cost a fifth of the
 * throughput of a TYPE/PTTL walk (bench row 13).
 */
class ProfileRedis extends Redis {
  constructor(
    options: RedisOptions,
    private readonly describeFailure: (err: Error) => Error,
  ) {
    super(options);
    // flushQueue is private in ioredis' types; it is the one place queued commands are failed with a connection error.
    const self = this as unknown as { flushQueue: (error: Error, options?: unknown) => void };
    const flush = self.flushQueue.bind(this);
    self.flushQueue = (error: Error, flushOptions?: unknown): void =>
      flush(error.name === 'ReplyError' ? error : this.describeFailure(error), flushOptions);
  }

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    if (this.status === 'end') {
      command.reject(this.describeFailure(new Error('Connection is closed.')));
      return command.promise;
    }
    return super.sendCommand(command, stream);
  }
}

/** The sentence for a socket failure (classified by the one classifier) of a Redis profile. */
function redisSocketError(profile: ResolvedRedisProfile, failure: SocketFailure): BrokerError {
  const where = l10n.t('Redis profile "{0}" ({1})', profile.name, endpoint(profile));
  const detail = redactText(failure.detail).replace(/[.\s]+$/, '');
  switch (failure.code) {
    case 'refused':
      return socketError(
        failure,
        l10n.t('Cannot connect to {0}: the connection was refused. Check that the server runs and the host and port are right.', where),
      );
    case 'notFound':
      return socketError(failure, l10n.t('Cannot connect to {0}: the host name "{1}" was not found. Check the host.', where, profile.host));
    case 'unreachable':
      return socketError(failure, l10n.t('Cannot connect to {0}: the host is unreachable. Check the network and the host.', where));
    case 'tls':
      return socketError(
        failure,
        l10n.t('TLS with {0} failed: {1}. Check the CA file, or allow self-signed certificates in the profile.', where, detail),
      );
    case 'timeout':
      return socketError(
        failure,
        l10n.t('{0} did not answer within {1} ms. Check the host, port and firewall.', where, profile.connectTimeoutMs),
      );
    case 'reset':
    case 'closed':
      return socketError(
        failure,
        l10n.t('The connection to {0} was lost ({1}); check that the server runs, then try again.', where, detail),
      );
    case 'cancelled':
      return socketError(failure, l10n.t('Connecting to {0} was cancelled.', where));
    case 'other':
      return new BrokerError(`${where}: ${redactText(failure.detail)}`);
  }
}

/** Turns an ioredis / socket error into one sentence naming the profile and endpoint. */
export function describeRedisError(profile: ResolvedRedisProfile, err: unknown, db?: number): BrokerError {
  if (err instanceof BrokerError) return err;
  const raw = errorMessage(err);
  const sentinel = sentinelFailure(profile, raw);
  if (sentinel) return sentinel;
  if (/WRONGPASS|invalid username-password|NOAUTH|invalid password/i.test(raw)) {
    return new AuthError(
      l10n.t(
        'Redis profile "{0}" ({1}) refused the login: wrong user name or password. Set the right password with "Set Password".',
        profile.name,
        endpoint(profile),
      ),
    );
  }
  if (/NOPERM/i.test(raw)) {
    return new PermissionError(l10n.t('Redis profile "{0}": the user has no permission for this: {1}.', profile.name, redactText(raw)));
  }
  if (/DB index is out of range|invalid DB index/i.test(raw)) {
    return new NotFoundError(
      l10n.t(
        'Redis profile "{0}" has no database {1}: the server\'s "databases" setting is lower. Pick a smaller database number.',
        profile.name,
        db ?? profile.db,
      ),
    );
  }
  if ((err instanceof Error && err.name === 'MaxRetriesPerRequestError') || /max retries per request/i.test(raw)) {
    return new ConnectionError(
      l10n.t(
        'The connection to Redis profile "{0}" ({1}) was lost and is not back yet; check that the server runs, then try again.',
        profile.name,
        endpoint(profile),
      ),
    );
  }
  return redisSocketError(profile, classifySocketError(err));
}

/**
 * Opens a connection and resolves once it is ready (AUTH and SELECT done).
 * Rejects within connectTimeoutMs with one sentence.
 */
export async function connectRedis(profile: ResolvedRedisProfile, options: RedisConnectOptions = {}): Promise<Redis> {
  const logger = options.logger ?? silentLogger;
  const db = options.db ?? profile.db;
  let established = false;
  const reconnect = options.reconnect ?? true;
  const retryStrategy = (times: number): number | null => {
    if (!established || !reconnect) return null;
    const delay = Math.min(100 * 2 ** Math.min(times, 6), MAX_RECONNECT_DELAY_MS);
    logger.info(`Redis "${profile.name}" (${endpoint(profile)}): reconnect attempt ${times} in ${delay} ms`);
    return delay;
  };
  let redisOptions: RedisOptions = {
    ...dialEndpoint(profile),
    db,
    lazyConnect: true,
    connectTimeout: profile.connectTimeoutMs,
    enableOfflineQueue: true,
    // A command the connection loses fails at once instead of being sent again
    // after a reconnect (a write could run twice); one queued while reconnecting
    // fails at the next failed attempt.
    maxRetriesPerRequest: 0,
    autoResubscribe: true,
    enableReadyCheck: true,
    connectionName: options.connectionName ?? 'broker-explorer',
    retryStrategy,
    reconnectOnError: () => false,
  };
  if (options.stringNumbers) redisOptions.stringNumbers = true;
  if (profile.username) redisOptions.username = profile.username;
  if (options.password) redisOptions.password = options.password;
  const tls = tlsOptions(profile.tls, profile.host);
  if (tls) redisOptions.tls = tls;
  if (profile.mode === 'sentinel') redisOptions = sentinelOptions(profile, redisOptions, options.sentinelPassword, retryStrategy);
  const client = new ProfileRedis(redisOptions, (err) => describeRedisError(profile, err, db));
  let lastError: unknown;
  client.on('error', (err: unknown) => {
    lastError = err;
    if (established)
      logger.warn(
        `Redis "${profile.name}" (${endpoint(profile)}): ${redactText(errorMessage(err), [options.password ?? '', options.sentinelPassword ?? ''].filter(Boolean))}`,
      );
  });
  const where = l10n.t('Redis profile "{0}" ({1})', profile.name, endpoint(profile));
  const handshake = async (): Promise<void> => {
    await client.connect();
    // ioredis only emits a failed SELECT of the handshake; ask again so a bad db rejects.
    if (db !== 0) await client.select(db);
  };
  try {
    await connectWithin(handshake(), {
      timeoutMs: profile.connectTimeoutMs,
      signal: options.signal,
      timeoutError: () =>
        socketError(
          { code: 'timeout', detail: `no ready connection within ${profile.connectTimeoutMs} ms` },
          l10n.t(
            '{0} did not complete the connection within {1} ms. Check the host, port, TLS setting and firewall.',
            where,
            profile.connectTimeoutMs,
          ),
        ),
      cancelledError: () => socketError({ code: 'cancelled', detail: 'cancelled' }, l10n.t('Connecting to {0} was cancelled.', where)),
    });
    established = true;
    if (profile.mode === 'sentinel') logPrimaryChanges(client, profile, logger);
    return client;
  } catch (err) {
    client.disconnect();
    if (err instanceof BrokerError) throw err;
    const cause = lastError ?? err;
    const sentinel = sentinelFailure(profile, errorMessage(cause));
    if (sentinel) throw sentinel;
    const failure = classifySocketError(cause);
    if (failure.code === 'reset' || failure.code === 'closed') {
      // Closed during the handshake, typically plain TCP to a TLS port.
      throw socketError(
        failure,
        l10n.t(
          'Cannot connect to {0}: the server closed the connection during the handshake; check the port and whether the server expects TLS (rediss://) or plain TCP.',
          where,
        ),
      );
    }
    throw describeRedisError(profile, cause, db);
  }
}
