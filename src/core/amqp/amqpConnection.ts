/**
 * Opening one AMQP connection: `noDelay` on the socket (Nagle + delayed ACK
 * otherwise cost ~40 ms per round trip), the whole handshake (TCP, TLS,
 * AMQP start / tune / open) bounded by the profile's connectTimeoutMs, and
 * `error` / `close` listeners attached before it is handed out.
 */
import * as l10n from '@vscode/l10n';
import type { ConnectionOptions } from 'node:tls';
import { connect, type ChannelModel, type Options, type SocketOptions } from 'amqplib';
import { errorMessage } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { connectWithin } from '../net/deadline';
import { socketError } from '../net/socketErrors';
import { tlsOptions } from '../net/tls';
import { dialEndpoint, endpoint, redactText, type ResolvedRabbitProfile } from '../profiles';
import { cancelledError, describeAmqpError } from './amqpErrors';

export interface AmqpConnectOptions {
  password?: string;
  /** The vhost to open; the profile's own when absent. */
  vhost?: string;
  /** Shown in the management UI as the connection's name. */
  connectionName?: string;
  /** Heartbeat in seconds (default 30; 0 disables). */
  heartbeatSeconds?: number;
  logger?: Logger;
  signal?: AbortSignal;
}

export const DEFAULT_HEARTBEAT_SECONDS = 30;

/**
 * Opens a connection to (profile, vhost) and resolves once AMQP `open-ok`
 * has arrived. Rejects within connectTimeoutMs with one typed sentence.
 */
export async function connectAmqp(profile: ResolvedRabbitProfile, options: AmqpConnectOptions = {}): Promise<ChannelModel> {
  const logger = options.logger ?? silentLogger;
  const vhost = options.vhost ?? profile.vhost;
  const secrets = options.password ? [options.password] : [];
  const ctx = { profile, vhost, what: l10n.t('connecting to {0}', endpoint(profile)), secrets };
  if (options.signal?.aborted) throw cancelledError(ctx);

  const url: Options.Connect = {
    protocol: profile.amqps ? 'amqps' : 'amqp',
    hostname: dialEndpoint(profile).host,
    port: dialEndpoint(profile).port,
    username: profile.username,
    password: options.password ?? '',
    vhost,
    heartbeat: options.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
  };
  let tls: ConnectionOptions;
  try {
    tls = (profile.amqps ? tlsOptions(profile.tls ?? { enabled: true }, profile.host) : undefined) ?? {};
  } catch (err) {
    throw describeAmqpError({ ...ctx, what: l10n.t('reading the TLS files') }, err);
  }
  const socket: SocketOptions = {
    ...tls,
    noDelay: true,
    timeout: profile.connectTimeoutMs,
    clientProperties: { connection_name: options.connectionName ?? 'broker-explorer' },
  };

  const pending = connect(url, socket);
  try {
    const model = await connectWithin(pending, {
      timeoutMs: profile.connectTimeoutMs,
      signal: options.signal,
      timeoutError: () =>
        socketError(
          { code: 'timeout', detail: l10n.t('no AMQP open-ok within {0} ms', profile.connectTimeoutMs) },
          l10n.t(
            'Connecting to profile "{0}" ({1}, vhost "{2}") did not complete within {3} ms; check the host, port, TLS setting and firewall.',
            profile.name,
            endpoint(profile),
            vhost,
            profile.connectTimeoutMs,
          ),
        ),
      cancelledError: () => cancelledError(ctx),
      // A connection that opens after the timeout or the cancel is closed at once.
      discard: (late) => {
        late.on('error', () => undefined);
        void late.close().catch(() => undefined);
      },
    });
    model.on('error', (err: unknown) => {
      logger.warn(`AMQP "${profile.name}" vhost "${vhost}": ${redactText(errorMessage(err), secrets)}`);
    });
    model.on('blocked', (reason: unknown) =>
      logger.warn(`AMQP "${profile.name}" vhost "${vhost}": the broker blocked publishing (${String(reason)})`),
    );
    model.on('unblocked', () => logger.info(`AMQP "${profile.name}" vhost "${vhost}": publishing unblocked`));
    logger.debug(
      `AMQP "${profile.name}": connected to ${endpoint(profile)} vhost "${vhost}" (${options.connectionName ?? 'broker-explorer'})`,
    );
    return model;
  } catch (err) {
    throw describeAmqpError(ctx, err);
  }
}

/** Closes a connection, ignoring a connection that is already gone. */
export async function closeQuietly(model: ChannelModel | undefined): Promise<void> {
  if (!model) return;
  try {
    await model.close();
  } catch {
    // already closed
  }
}
