/**
 * Opening Redis connections: the whole handshake (TCP, TLS, AUTH, SELECT,
 * ready check) bounded by the profile's connectTimeoutMs; a first connection
 * fails fast with one sentence (no offline queue, no retries); an
 * established connection reconnects with capped backoff.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Redis, type Command, type RedisOptions } from 'ioredis';
import { AuthError, BrokerError, ConnectionError, NotFoundError, TimeoutError, errorMessage } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { endpoint, redactText, type ResolvedRedisProfile, type TlsOptions } from '../profiles';

export interface RedisConnectOptions {
  /** Database to select; the profile's own when absent. */
  db?: number;
  password?: string;
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

export function tlsOptions(tls: TlsOptions | undefined, host: string): ConnectionOptions | undefined {
  if (!tls || tls.enabled === false) return undefined;
  const out: ConnectionOptions = { servername: tls.servername ?? (/^[\d.:]+$/.test(host) ? undefined : host) };
  if (tls.ca) out.ca = readFileSync(tls.ca);
  if (tls.cert) out.cert = readFileSync(tls.cert);
  if (tls.key) out.key = readFileSync(tls.key);
  if (tls.allowSelfSigned) out.rejectUnauthorized = false;
  return out;
}

/**
 * An ioredis client whose commands, when the connection fails them (lost,
 * closed, not back in time), reject with the profile's ConnectionError
 * sentence instead of ioredis' own wording; server error replies
 * (ReplyError) pass through as they are.
 */
class ProfileRedis extends Redis {
  private readonly wrapped = new WeakSet<Command>();

  constructor(
    options: RedisOptions,
    private readonly describeFailure: (err: Error) => Error,
  ) {
    super(options);
  }

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    // A command can pass through here more than once (offline queue, resend after reconnect).
    if (this.describeFailure && !this.wrapped.has(command)) {
      this.wrapped.add(command);
      const reject = command.reject;
      command.reject = (err: Error): void => reject(err.name === 'ReplyError' ? err : this.describeFailure(err));
    }
    return super.sendCommand(command, stream);
  }
}

/** Turns an ioredis / socket error into one sentence naming the profile and endpoint. */
export function describeRedisError(profile: ResolvedRedisProfile, err: unknown, db?: number): BrokerError {
  if (err instanceof BrokerError) return err;
  const where = `Redis profile "${profile.name}" (${endpoint(profile)})`;
  const raw = errorMessage(err);
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(raw)) {
    return new ConnectionError(
      `Cannot connect to ${where}: the connection was refused. Check that the server runs and the host and port are right.`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(raw)) {
    return new ConnectionError(`Cannot connect to ${where}: the host name "${profile.host}" was not found. Check the host.`);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new ConnectionError(`Cannot connect to ${where}: the host is unreachable. Check the network and the host.`);
  }
  if (/WRONGPASS|invalid username-password|NOAUTH|invalid password/i.test(raw)) {
    return new AuthError(
      `Redis profile "${profile.name}" (${endpoint(profile)}) refused the login: wrong user name or password. Set the right password with "Set Password".`,
    );
  }
  if (/NOPERM/i.test(raw)) {
    return new AuthError(`Redis profile "${profile.name}": the user has no permission for this: ${redactText(raw)}.`);
  }
  if (/DB index is out of range|invalid DB index/i.test(raw)) {
    return new NotFoundError(
      `Redis profile "${profile.name}" has no database ${db ?? profile.db}: the server's "databases" setting is lower. Pick a smaller database number.`,
    );
  }
  if (/certificate|self[- ]signed|SSL|TLS|EPROTO|wrong version number/i.test(raw)) {
    return new ConnectionError(
      `TLS with ${where} failed: ${redactText(raw)}. Check the CA file, or allow self-signed certificates in the profile.`,
    );
  }
  if (/ETIMEDOUT|timed? ?out/i.test(raw)) {
    return new TimeoutError(`${where} did not answer within ${profile.connectTimeoutMs} ms. Check the host, port and firewall.`);
  }
  if ((err instanceof Error && err.name === 'MaxRetriesPerRequestError') || /max retries per request/i.test(raw)) {
    return new ConnectionError(`The connection to ${where} was lost and is not back yet; check that the server runs, then try again.`);
  }
  if (/Connection is closed|ECONNRESET|EPIPE|Stream isn't writeable/i.test(raw)) {
    return new ConnectionError(
      `The connection to ${where} was lost (${redactText(raw).replace(/[.\s]+$/, '')}); check that the server runs, then try again.`,
    );
  }
  return new BrokerError(`${where}: ${redactText(raw)}`);
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
  const redisOptions: RedisOptions = {
    host: profile.host,
    port: profile.port,
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
    retryStrategy: (times: number): number | null => {
      if (!established || !reconnect) return null;
      const delay = Math.min(100 * 2 ** Math.min(times, 6), MAX_RECONNECT_DELAY_MS);
      logger.info(`Redis "${profile.name}" (${endpoint(profile)}): reconnect attempt ${times} in ${delay} ms`);
      return delay;
    },
    reconnectOnError: () => false,
  };
  if (options.stringNumbers) redisOptions.stringNumbers = true;
  if (profile.username) redisOptions.username = profile.username;
  if (options.password) redisOptions.password = options.password;
  const tls = tlsOptions(profile.tls, profile.host);
  if (tls) redisOptions.tls = tls;
  const client = new ProfileRedis(redisOptions, (err) => describeRedisError(profile, err, db));
  let lastError: unknown;
  client.on('error', (err: unknown) => {
    lastError = err;
    if (established)
      logger.warn(
        `Redis "${profile.name}" (${endpoint(profile)}): ${redactText(errorMessage(err), options.password ? [options.password] : [])}`,
      );
  });
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => client.disconnect();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new TimeoutError(
                `Redis profile "${profile.name}" (${endpoint(profile)}) did not complete the connection within ${profile.connectTimeoutMs} ms. Check the host, port, TLS setting and firewall.`,
              ),
            ),
          profile.connectTimeoutMs,
        );
      }),
    ]);
    // ioredis only emits a failed SELECT of the handshake; ask again so a bad db rejects.
    if (db !== 0) await client.select(db);
    established = true;
    return client;
  } catch (err) {
    client.disconnect();
    const cause = err instanceof TimeoutError ? err : (lastError ?? err);
    if (options.signal?.aborted) throw describeRedisError(profile, new Error('cancelled'), db);
    if (!(cause instanceof BrokerError) && /ECONNRESET|EPIPE|Connection is closed|socket hang up/i.test(errorMessage(cause))) {
      // Closed during the handshake, typically plain TCP to a TLS port.
      throw new ConnectionError(
        `Cannot connect to Redis profile "${profile.name}" (${endpoint(profile)}): the server closed the connection during the handshake; check the port and whether the server expects TLS (rediss://) or plain TCP.`,
      );
    }
    throw describeRedisError(profile, cause, db);
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
