/**
 * The semantics of `brokerExplorer.tcp.open` as plain core: validate the
 * arguments, connect, send, wait for `take` bytes (or `timeoutMs`), then
 * close unless `keep`. A connection that cannot be made is a result with a
 * `connectionFailed` event, not a thrown error.
 */
import * as l10n from '@vscode/l10n';
import { fromBuffer, isHexBytes, toBuffer, type BytesLike } from '../bytes';
import { CancelledError, InputError, errorMessage } from '../errors';
import { checkHost, checkPort, checkTimeout, type TlsOptions } from '../profiles';
import { now } from '../net/dial';
import type { Reached } from '../net/reach';
import { DEFAULT_TCP_CONNECT_TIMEOUT_MS, TcpSession, type TcpProtocol, type TcpSessionOptions } from './tcpSession';

export interface TcpOpenArgs {
  host: string;
  port: number;
  tls?: TlsOptions | boolean;
  /** Written once connected. */
  send?: BytesLike;
  /** Wait until this many bytes have arrived (or timeoutMs, or the peer closes). */
  take?: number;
  /** Bounds the whole call, connect included (default 10,000 when `take` is given). */
  timeoutMs?: number;
  /** Keep the session open after returning (the caller owns it then). */
  keep?: boolean;
  /** Bounds TCP connect + TLS handshake (default 10,000, never above timeoutMs). */
  connectTimeoutMs?: number;
  /** Go through this profile's SSH tunnel (directly when it has none). */
  profile?: string;
  /** Which kind `profile` is, when a Redis and a RabbitMQ profile share the name. */
  kind?: 'redis' | 'rabbitmq';
}

export interface TcpOpenResult {
  /** Event lines: connectionMade, dataReceived, connectionLost, connectionFailed. */
  events: string[];
  /** Everything received (up to the buffer limit): text when valid UTF-8, otherwise `{ hex }`. Absent when the connection failed. */
  received?: BytesLike;
  /** Bytes that arrived but did not fit in the buffer (only when some did not). */
  droppedBytes?: number;
  /** One sentence when the connection could not be made. */
  error?: string;
  /** The still-open session when `keep` was asked and the peer has not closed it. */
  session?: TcpSession;
}

export interface OpenTcpOptions {
  signal?: AbortSignal;
  maxReceivedBytes?: number;
  /** Extra callbacks (a terminal, a tail buffer) attached before connecting. */
  protocol?: TcpProtocol;
  /** Where a profile's tunnel lets the session dial (a local forward); released once the session closes. */
  reached?: Reached;
  /** Says what carries the session in its connectionMade event (`SSH user@host:port`). */
  viaLabel?: string;
}

export const DEFAULT_TAKE_TIMEOUT_MS = 10_000;

function isTlsOptions(value: unknown): value is TlsOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  for (const key of ['ca', 'cert', 'key', 'servername']) if (o[key] !== undefined && typeof o[key] !== 'string') return false;
  for (const key of ['enabled', 'allowSelfSigned']) if (o[key] !== undefined && typeof o[key] !== 'boolean') return false;
  return true;
}

/** Checks a plain-object argument of `tcp.open`; throws an InputError sentence. */
export function parseTcpOpenArgs(raw: unknown): TcpOpenArgs {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(l10n.t('Opening a TCP session needs an argument like { host: "127.0.0.1", port: 6379 }.'));
  }
  const o = raw as Record<string, unknown>;
  const hostProblem = checkHost(o.host);
  if (hostProblem) throw new InputError(l10n.t('TCP session: {0}', hostProblem));
  const portProblem = checkPort(o.port);
  if (portProblem) throw new InputError(l10n.t('TCP session: {0}', portProblem));
  const args: TcpOpenArgs = { host: o.host as string, port: Number(o.port) };
  if (o.tls !== undefined) {
    if (typeof o.tls !== 'boolean' && !isTlsOptions(o.tls)) {
      throw new InputError(
        l10n.t('TCP session: "tls" must be true, false or { ca?, cert?, key?, servername?, allowSelfSigned? } with file paths as text.'),
      );
    }
    args.tls = o.tls;
  }
  if (o.send !== undefined) {
    if (typeof o.send !== 'string' && !isHexBytes(o.send))
      throw new InputError(l10n.t('TCP session: "send" must be text or { hex: "…" }.'));
    toBuffer(o.send, l10n.t('data to send'));
    args.send = o.send;
  }
  if (o.take !== undefined) {
    if (typeof o.take !== 'number' || !Number.isInteger(o.take) || o.take < 0) {
      throw new InputError(
        l10n.t('TCP session: "take" {0} is not valid: give a whole number of bytes, 0 or more.', JSON.stringify(o.take) ?? typeof o.take),
      );
    }
    args.take = o.take;
  }
  for (const key of ['timeoutMs', 'connectTimeoutMs'] as const) {
    if (o[key] === undefined) continue;
    const problem = checkTimeout(o[key]);
    if (problem) throw new InputError(l10n.t('TCP session: "{0}": {1}', key, problem));
    args[key] = o[key] as number;
  }
  if (o.keep !== undefined) {
    if (typeof o.keep !== 'boolean') throw new InputError(l10n.t('TCP session: "keep" must be true or false.'));
    args.keep = o.keep;
  }
  if (o.profile !== undefined) {
    if (typeof o.profile !== 'string' || o.profile.trim() === '')
      throw new InputError(l10n.t('TCP session: "profile" must be the name of a profile whose SSH tunnel to go through.'));
    args.profile = o.profile;
  }
  if (o.kind !== undefined) {
    if (o.kind !== 'redis' && o.kind !== 'rabbitmq') throw new InputError(l10n.t('TCP session: "kind" must be "redis" or "rabbitmq".'));
    args.kind = o.kind;
  }
  return args;
}

/**
 * Opens a session, sends `send`, waits for `take` bytes or `timeoutMs`, and
 * closes it unless `keep`. Rejects only on cancel or bad input.
 */
export async function openTcp(args: TcpOpenArgs, options: OpenTcpOptions = {}): Promise<TcpOpenResult> {
  const started = now();
  const timeoutMs = args.timeoutMs ?? (args.take !== undefined ? DEFAULT_TAKE_TIMEOUT_MS : undefined);
  const connectTimeoutMs = Math.min(args.connectTimeoutMs ?? DEFAULT_TCP_CONNECT_TIMEOUT_MS, timeoutMs ?? Number.POSITIVE_INFINITY);
  const sessionOptions: TcpSessionOptions = { host: args.host, port: args.port, connectTimeoutMs };
  if (args.tls !== undefined) sessionOptions.tls = args.tls;
  if (options.maxReceivedBytes !== undefined) sessionOptions.maxReceivedBytes = options.maxReceivedBytes;
  const { reached } = options;
  if (reached?.tunnelled)
    sessionOptions.via = { host: reached.host, port: reached.port, label: options.viaLabel ?? l10n.t('an SSH tunnel') };
  const session = new TcpSession(sessionOptions, options.protocol);
  if (reached) void session.whenClosed().then(() => reached.release());
  const onAbort = (): void => void session.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) throw new CancelledError();
    try {
      await session.connect();
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      return { events: session.events, error: errorMessage(err) };
    }
    if (args.send !== undefined) {
      try {
        await session.write(args.send);
      } catch {
        // The peer may already have closed: the events say so.
      }
    }
    if (timeoutMs !== undefined || args.take !== undefined) {
      const left = timeoutMs === undefined ? undefined : timeoutMs - (now() - started);
      const outcome = await session.waitForBytes(args.take ?? Number.POSITIVE_INFINITY, left, options.signal);
      if (outcome === 'aborted') {
        await session.close();
        throw new CancelledError();
      }
    }
    const keep = args.keep === true && session.state === 'open';
    if (!keep) await session.close();
    const taken = session.takeReceived();
    const result: TcpOpenResult = { events: session.events, received: fromBuffer(taken.data) };
    if (taken.droppedBytes > 0) result.droppedBytes = taken.droppedBytes;
    if (keep) result.session = session;
    return result;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
