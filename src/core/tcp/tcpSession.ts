/**
 * A raw TCP (optionally TLS) session, split the way event-driven network
 * frameworks split it: the session is the transport (connect, write, close),
 * and whoever uses it supplies a protocol whose callbacks are called as
 * things happen — connectionMade, dataReceived, connectionLost,
 * connectionFailed. Every event is also kept as a line in a bounded log, and
 * received bytes in a bounded buffer, so a command can return them.
 */
import * as l10n from '@vscode/l10n';
import type * as net from 'node:net';
import { toBuffer, type BytesLike } from '../bytes';
import { ConnectionError, type BrokerError } from '../errors';
import type { TlsOptions } from '../profiles';
import {
  connectTcp,
  dialFailureCause,
  describeSocketError,
  describeTls,
  hostPort,
  now,
  roundMs,
  upgradeTls,
  type DialFailure,
  type TlsInfo,
} from '../net/dial';
import { adviceFor, socketError, type SocketErrorCode } from '../net/socketErrors';

/** The callbacks a protocol implements; all optional. */
export interface TcpProtocol {
  /** The connection (and TLS handshake, when used) is up. Addresses as host:port. */
  connectionMade?(local: string, peer: string): void;
  dataReceived?(data: Buffer): void;
  /** The connection ended: `reason` is undefined for a clean close, otherwise why it broke. */
  connectionLost?(reason: string | undefined): void;
  /** The connection could not be made (refused, timed out, DNS, TLS, cancelled). */
  connectionFailed?(reason: string): void;
}

export interface TcpSessionOptions {
  host: string;
  port: number;
  /** TLS on top of TCP: `true` for defaults, or the profile-style options (file paths). */
  tls?: TlsOptions | boolean;
  /** Covers TCP connect and TLS handshake together (default 10,000). */
  connectTimeoutMs?: number;
  /** Received bytes kept until taken (default 1 MiB); the rest is counted, not kept. */
  maxReceivedBytes?: number;
  /** Event lines kept (default 10,000). */
  maxEvents?: number;
  /** Aborting it cancels a connect in progress or closes an open session. */
  signal?: AbortSignal;
  /** Dial this instead (a local forward of an SSH tunnel); `host` stays the name TLS checks and events show. */
  via?: { host: string; port: number; label: string };
}

export type TcpSessionState = 'new' | 'connecting' | 'open' | 'closing' | 'closed' | 'failed';

export type TcpEvent =
  | { type: 'connectionMade'; local: string; peer: string; ms: number; tls?: TlsInfo; via?: string }
  | { type: 'dataReceived'; data: Buffer }
  | { type: 'connectionLost'; reason?: string; by: 'peer' | 'us' }
  | { type: 'connectionFailed'; reason: string; kind: SocketErrorCode };

export const DEFAULT_TCP_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RECEIVED_BYTES = 1024 * 1024;
export const DEFAULT_MAX_EVENTS = 10_000;
/** How long a close waits for the peer to finish before the socket is destroyed. */
export const CLOSE_GRACE_MS = 1_000;

/** The event as one log line, named like the protocol callback. */
export function formatTcpEvent(event: TcpEvent): string {
  switch (event.type) {
    case 'connectionMade':
      return `connectionMade ${event.local} -> ${event.peer}${event.via ? ` through ${event.via}` : ''}${event.tls ? ` (${describeTls(event.tls)})` : ''}`;
    case 'dataReceived':
      return `dataReceived ${event.data.length} ${event.data.length === 1 ? 'byte' : 'bytes'}`;
    case 'connectionLost':
      return event.reason === undefined
        ? `connectionLost: closed cleanly by ${event.by === 'us' ? 'us' : 'the peer'}`
        : `connectionLost: ${event.reason}`;
    case 'connectionFailed':
      return `connectionFailed: ${event.reason}`;
  }
}

export interface TakenBytes {
  data: Buffer;
  /** Bytes received since the last take that did not fit in the buffer. */
  droppedBytes: number;
}

export class TcpSession {
  readonly host: string;
  readonly port: number;
  /** host:port of the peer as given. */
  readonly endpoint: string;
  private readonly options: TcpSessionOptions;
  private socket: net.Socket | undefined;
  private currentState: TcpSessionState = 'new';
  private readonly eventLog: string[] = [];
  private droppedEvents = 0;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private droppedBytes = 0;
  private totalBytes = 0;
  private readonly listeners = new Set<(event: TcpEvent) => void>();
  private readonly connectAbort = new AbortController();
  private connecting: Promise<void> | undefined;
  private closingByUs = false;
  private peerEnded = false;
  private lastError: string | undefined;
  private resolveClosed: () => void = () => undefined;
  private readonly closed: Promise<void>;
  private tls: TlsInfo | undefined;

  constructor(options: TcpSessionOptions, protocol?: TcpProtocol) {
    this.options = options;
    this.host = options.host;
    this.port = options.port;
    this.endpoint = hostPort(options.host, options.port);
    this.closed = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
    });
    if (protocol) this.onEvent((event) => dispatch(protocol, event));
    options.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  get state(): TcpSessionState {
    return this.currentState;
  }

  /** The TLS protocol and verification, once a TLS session is up. */
  get tlsInfo(): TlsInfo | undefined {
    return this.tls;
  }

  /** Every event so far, one line each (bounded by maxEvents). */
  get events(): string[] {
    return this.droppedEvents > 0 ? [...this.eventLog, `(${this.droppedEvents} more events not kept)`] : [...this.eventLog];
  }

  /** Bytes received since the session opened (kept or not). */
  get receivedTotal(): number {
    return this.totalBytes;
  }

  /** Bytes waiting in the buffer. */
  get receivedBuffered(): number {
    return this.bufferedBytes;
  }

  /** Calls `listener` for every later event; returns the function that stops it. */
  onEvent(listener: (event: TcpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the session is closed or failed. */
  whenClosed(): Promise<void> {
    return this.closed;
  }

  /**
   * Connects (and runs the TLS handshake) within connectTimeoutMs. Resolves
   * after connectionMade; rejects with one sentence after connectionFailed.
   */
  connect(): Promise<void> {
    this.connecting ??= this.doConnect();
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    if (this.currentState !== 'new')
      throw new ConnectionError(l10n.t('The TCP session with {0} was already closed: open a new session.', this.endpoint));
    this.currentState = 'connecting';
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_TCP_CONNECT_TIMEOUT_MS;
    const signal = this.connectAbort.signal;
    if (this.options.signal?.aborted) this.connectAbort.abort();
    const started = now();
    const via = this.options.via;
    const tcp = await connectTcp(via?.host ?? this.host, via?.port ?? this.port, timeoutMs, signal);
    if (!tcp.ok) throw this.fail(tcp);
    const raw = tcp.value;
    const local = hostPort(raw.localAddress ?? '?', raw.localPort ?? 0);
    const peer = via ? this.endpoint : hostPort(raw.remoteAddress ?? this.host, raw.remotePort ?? this.port);
    let socket: net.Socket = raw;
    if (
      this.options.tls !== undefined &&
      this.options.tls !== false &&
      !(typeof this.options.tls === 'object' && this.options.tls.enabled === false)
    ) {
      const tlsOptions = this.options.tls === true ? {} : this.options.tls;
      const upgraded = await upgradeTls(raw, this.host, this.port, tlsOptions, timeoutMs - (now() - started), signal, timeoutMs);
      if (!upgraded.ok) throw this.fail(upgraded);
      socket = upgraded.value.socket;
      this.tls = upgraded.value.info;
    }
    if (signal.aborted) {
      socket.destroy();
      throw this.fail({ ok: false, phase: 'tcp', kind: 'cancelled', reason: 'cancelled' });
    }
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      if (!this.closingByUs) this.peerEnded = true;
    });
    socket.on('error', (err: unknown) => {
      this.lastError ??= describeSocketError(err, 'tcp', this.host, this.port).reason;
    });
    socket.on('close', () => this.onClose());
    this.currentState = 'open';
    const made: TcpEvent = { type: 'connectionMade', local, peer, ms: roundMs(now() - started) };
    if (this.tls) made.tls = this.tls;
    if (via) made.via = via.label;
    this.emit(made);
  }

  private fail(failure: DialFailure): BrokerError {
    this.currentState = 'failed';
    this.emit({ type: 'connectionFailed', reason: failure.reason, kind: failure.kind });
    this.resolveClosed();
    const cause = dialFailureCause(failure);
    if (failure.kind === 'cancelled') return socketError(cause, l10n.t('Opening the TCP session to {0} was cancelled.', this.endpoint));
    return socketError(cause, l10n.t('Cannot open a TCP session to {0}: {1}. {2}', this.endpoint, failure.reason, adviceFor(failure.kind)));
  }

  /** Writes bytes (a Buffer, UTF-8 text or `{ hex }`); resolves when they are handed to the OS. */
  write(value: BytesLike | Buffer): Promise<number> {
    let data: Buffer;
    try {
      data = toBuffer(value, l10n.t('data to send'));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const socket = this.socket;
    if (this.currentState !== 'open' || !socket) {
      return Promise.reject(
        new ConnectionError(
          l10n.t(
            'Cannot write to the TCP session with {0}: it is {1}. Open a new session.',
            this.endpoint,
            this.currentState === 'new' ? l10n.t('not connected yet') : this.currentState,
          ),
        ),
      );
    }
    return new Promise((resolve, reject) => {
      socket.write(data, (err) => {
        if (err)
          reject(
            new ConnectionError(
              l10n.t(
                'Writing to the TCP session with {0} failed: {1}. Open a new session.',
                this.endpoint,
                describeSocketError(err, 'tcp', this.host, this.port).reason,
              ),
            ),
          );
        else resolve(data.length);
      });
    });
  }

  /**
   * Closes cleanly (FIN, then waits up to CLOSE_GRACE_MS for the peer) and
   * resolves after connectionLost. A connect in progress is cancelled.
   */
  async close(): Promise<void> {
    switch (this.currentState) {
      case 'new':
        this.currentState = 'closed';
        this.resolveClosed();
        return;
      case 'connecting':
        this.connectAbort.abort();
        break;
      case 'open': {
        this.closingByUs = true;
        this.currentState = 'closing';
        const socket = this.socket;
        socket?.end();
        const timer = setTimeout(() => socket?.destroy(), CLOSE_GRACE_MS);
        void this.closed.then(() => clearTimeout(timer));
        break;
      }
      default:
        break;
    }
    await this.closed;
  }

  /** Removes and returns the buffered bytes. */
  takeReceived(): TakenBytes {
    const taken: TakenBytes = { data: Buffer.concat(this.chunks, this.bufferedBytes), droppedBytes: this.droppedBytes };
    this.chunks = [];
    this.bufferedBytes = 0;
    this.droppedBytes = 0;
    return taken;
  }

  /**
   * Waits until at least `bytes` are buffered ('bytes'), the session ends
   * ('closed'), `timeoutMs` passes ('timeout') or the signal aborts ('aborted').
   */
  waitForBytes(bytes: number, timeoutMs: number | undefined, signal?: AbortSignal): Promise<'bytes' | 'closed' | 'timeout' | 'aborted'> {
    const check = (): 'bytes' | 'closed' | undefined => {
      if (this.bufferedBytes + this.droppedBytes >= bytes) return 'bytes';
      if (this.currentState === 'closed' || this.currentState === 'failed') return 'closed';
      return undefined;
    };
    const first = check();
    if (first) return Promise.resolve(first);
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: 'bytes' | 'closed' | 'timeout' | 'aborted'): void => {
        if (timer) clearTimeout(timer);
        stop();
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onAbort = (): void => finish('aborted');
      const stop = this.onEvent(() => {
        const now = check();
        if (now) finish(now);
      });
      if (timeoutMs !== undefined) timer = setTimeout(() => finish('timeout'), Math.max(0, timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private onData(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    const max = this.options.maxReceivedBytes ?? DEFAULT_MAX_RECEIVED_BYTES;
    const room = Math.max(0, max - this.bufferedBytes);
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.bufferedBytes += chunk.length;
    } else {
      if (room > 0) {
        this.chunks.push(chunk.subarray(0, room));
        this.bufferedBytes += room;
      }
      this.droppedBytes += chunk.length - room;
    }
    this.emit({ type: 'dataReceived', data: chunk });
  }

  private onClose(): void {
    this.currentState = 'closed';
    const reason = this.lastError;
    const by = this.closingByUs && !this.peerEnded ? 'us' : 'peer';
    this.emit(reason === undefined ? { type: 'connectionLost', by } : { type: 'connectionLost', reason, by });
    this.resolveClosed();
  }

  private emit(event: TcpEvent): void {
    const final = event.type === 'connectionLost' || event.type === 'connectionFailed';
    if (final || this.eventLog.length < (this.options.maxEvents ?? DEFAULT_MAX_EVENTS)) this.eventLog.push(formatTcpEvent(event));
    else this.droppedEvents += 1;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not break the transport or the other listeners.
      }
    }
  }
}

function dispatch(protocol: TcpProtocol, event: TcpEvent): void {
  switch (event.type) {
    case 'connectionMade':
      protocol.connectionMade?.(event.local, event.peer);
      break;
    case 'dataReceived':
      protocol.dataReceived?.(event.data);
      break;
    case 'connectionLost':
      protocol.connectionLost?.(event.reason);
      break;
    case 'connectionFailed':
      protocol.connectionFailed?.(event.reason);
      break;
  }
}
