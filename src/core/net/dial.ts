/**
 * The dial layer: DNS lookup, TCP connect and TLS upgrade, each bounded by a
 * time budget and an AbortSignal (through the one connect-with-timeout), and
 * each ending in a short reason phrase ("connection refused by 127.0.0.1:1")
 * built from the one socket-error classifier, rather than a thrown stack.
 */
import * as l10n from '@vscode/l10n';
import { lookup } from 'node:dns/promises';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';
import { errorMessage } from '../errors';
import type { TlsOptions } from '../profiles';
import { settleWithin } from './deadline';
import { classifySocketError, type SocketErrorCode, type SocketFailure } from './socketErrors';
import { tlsOptions } from './tls';

export type DialPhase = 'dns' | 'tcp' | 'tls';

/** Why a dial phase failed: a short phrase, its code (from the one classifier), and the system code when there is one. */
export interface DialFailure {
  ok: false;
  phase: DialPhase;
  kind: SocketErrorCode;
  reason: string;
  code?: string;
}

export interface DialSuccess<T> {
  ok: true;
  value: T;
  ms: number;
}

export type DialOutcome<T> = DialSuccess<T> | DialFailure;

export interface TlsInfo {
  protocol: string;
  authorized: boolean;
  /** Why the certificate was not verified (only when allowSelfSigned let it through). */
  authorizationError?: string;
}

/** Milliseconds since an arbitrary origin, sub-millisecond precision. */
export function now(): number {
  return performance.now();
}

/** Rounds to 0.1 ms. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** host:port, with brackets for IPv6. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The short reason phrase of a classified failure in this phase. */
function reasonFor(code: SocketErrorCode, phase: DialPhase, host: string, ep: string, raw: string, errno: string | undefined): string {
  switch (code) {
    case 'refused':
      return l10n.t('connection refused by {0}', ep);
    case 'notFound':
      return l10n.t('host name "{0}" not found (DNS {1})', host, errno ?? raw);
    case 'unreachable':
      return l10n.t('{0} is unreachable ({1})', ep, errno ?? raw);
    case 'timeout':
      return l10n.t('timed out connecting to {0} ({1})', ep, errno ?? raw);
    case 'reset':
      return phase === 'tls'
        ? l10n.t('{0} reset the connection during the TLS handshake (is it a TLS port?)', ep)
        : l10n.t('connection reset by {0}', ep);
    case 'closed':
      return phase === 'tls'
        ? l10n.t('{0} closed the connection during the TLS handshake (is it a TLS port?)', ep)
        : l10n.t('connection closed by {0}', ep);
    case 'tls': {
      return /wrong version number|packet length too long|unknown protocol/i.test(raw)
        ? l10n.t('TLS handshake with {0} failed: {1} (is it a TLS port?)', ep, raw)
        : l10n.t('TLS handshake with {0} failed: {1}', ep, raw);
    }
    case 'cancelled':
      return 'cancelled';
    case 'other':
      return `${raw}${errno && !raw.includes(errno) ? ` (${errno})` : ''}`;
  }
}

/** Turns a socket error into a failure with a short reason phrase. */
export function describeSocketError(err: unknown, phase: DialPhase, host: string, port: number): DialFailure {
  const classified = classifySocketError(err);
  // A handshake error without a socket code is the TLS layer's own complaint.
  const kind = phase === 'tls' && classified.code === 'other' ? 'tls' : classified.code;
  const reason = reasonFor(kind, phase, host, hostPort(host, port), classified.detail, classified.errno);
  return classified.errno ? { ok: false, phase, kind, reason, code: classified.errno } : { ok: false, phase, kind, reason };
}

/** A dial failure as the classified socket failure a typed error carries (see socketError). */
export function dialFailureCause(failure: DialFailure): SocketFailure {
  return failure.code
    ? { code: failure.kind, errno: failure.code, detail: failure.reason }
    : { code: failure.kind, detail: failure.reason };
}

function cancelled(phase: DialPhase): DialFailure {
  return { ok: false, phase, kind: 'cancelled', reason: 'cancelled' };
}

function timedOut(phase: DialPhase, reason: string): DialFailure {
  return { ok: false, phase, kind: 'timeout', reason };
}

/** Resolves a host name (an IP address resolves to itself without a lookup). */
export async function resolveHost(
  host: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<DialOutcome<{ address: string; family: number; lookedUp: boolean }>> {
  const started = now();
  if (signal?.aborted) return cancelled('dns');
  const family = net.isIP(host);
  if (family !== 0) return { ok: true, value: { address: host, family, lookedUp: false }, ms: roundMs(now() - started) };
  try {
    const outcome = await settleWithin(lookup(host), { timeoutMs, signal });
    if (outcome.kind === 'timeout')
      return timedOut('dns', l10n.t('DNS lookup of "{0}" timed out after {1} ms', host, Math.round(timeoutMs)));
    if (outcome.kind === 'cancelled') return cancelled('dns');
    return {
      ok: true,
      value: { address: outcome.value.address, family: outcome.value.family, lookedUp: true },
      ms: roundMs(now() - started),
    };
  } catch (err) {
    return describeSocketError(err, 'dns', host, 0);
  }
}

/**
 * Waits for `socket` to emit `ready` (or `error`) within the deadline; on
 * any failure destroys the sockets in `destroy`. `describe` turns an error
 * or a premature close into the failure.
 */
async function whenReady<S>(
  emitter: net.Socket,
  ready: 'connect' | 'secureConnect',
  value: () => S,
  deadline: { timeoutMs: number; signal: AbortSignal | undefined; phase: DialPhase; timeoutReason: string },
  onError: (err: unknown) => DialFailure,
  closedEarly?: { socket: net.Socket; failure: () => DialFailure },
): Promise<DialOutcome<S>> {
  const started = now();
  const listeners: (() => void)[] = [];
  const work = new Promise<DialOutcome<S>>((resolve) => {
    const onReady = (): void => resolve({ ok: true, value: value(), ms: roundMs(now() - started) });
    const onFail = (err: unknown): void => resolve(onError(err));
    emitter.once(ready, onReady);
    emitter.once('error', onFail);
    listeners.push(
      () => emitter.removeListener(ready, onReady),
      () => emitter.removeListener('error', onFail),
    );
    if (closedEarly) {
      const onClose = (): void => resolve(closedEarly.failure());
      closedEarly.socket.once('close', onClose);
      listeners.push(() => closedEarly.socket.removeListener('close', onClose));
    }
  });
  const outcome = await settleWithin(work, deadline);
  for (const remove of listeners) remove();
  const result: DialOutcome<S> =
    outcome.kind === 'done'
      ? outcome.value
      : outcome.kind === 'timeout'
        ? timedOut(deadline.phase, deadline.timeoutReason)
        : cancelled(deadline.phase);
  if (!result.ok) {
    emitter.destroy();
    closedEarly?.socket.destroy();
  }
  return result;
}

/**
 * Opens a TCP connection within `timeoutMs`. `host` may be a name (resolved
 * by the socket) or an address. `budgetMs`, when the time left is part of a
 * larger budget, is the figure a timeout reports.
 */
export function connectTcp(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
  budgetMs?: number,
): Promise<DialOutcome<net.Socket>> {
  if (signal?.aborted) return Promise.resolve(cancelled('tcp'));
  const socket = net.connect({ host, port });
  return whenReady(
    socket,
    'connect',
    () => socket,
    {
      timeoutMs,
      signal,
      phase: 'tcp',
      timeoutReason: l10n.t(
        'timed out after {0} ms waiting for {1} to accept the connection',
        Math.round(budgetMs ?? timeoutMs),
        hostPort(host, port),
      ),
    },
    (err) => describeSocketError(err, 'tcp', host, port),
  );
}

/**
 * Runs the TLS handshake over a connected socket. The certificate is checked
 * against `host` (or `tls.servername`); `allowSelfSigned` lets an unverified
 * certificate through and says so in the result.
 */
export function upgradeTls(
  socket: net.Socket,
  host: string,
  port: number,
  options: TlsOptions,
  timeoutMs: number,
  signal?: AbortSignal,
  budgetMs?: number,
): Promise<DialOutcome<{ socket: tls.TLSSocket; info: TlsInfo }>> {
  if (signal?.aborted) {
    socket.destroy();
    return Promise.resolve(cancelled('tls'));
  }
  let connectionOptions: tls.ConnectionOptions;
  try {
    connectionOptions = { ...(tlsOptions({ ...options, enabled: true }, host) ?? {}) };
  } catch (err) {
    socket.destroy();
    return Promise.resolve({
      ok: false,
      phase: 'tls',
      kind: 'tls',
      reason: l10n.t('cannot read a TLS file of the profile: {0}', errorMessage(err)),
    });
  }
  const ep = hostPort(host, port);
  const secure = tls.connect({ ...connectionOptions, host, socket });
  return whenReady(
    secure,
    'secureConnect',
    () => {
      const info: TlsInfo = { protocol: secure.getProtocol() ?? 'TLS', authorized: secure.authorized };
      if (!secure.authorized && secure.authorizationError) info.authorizationError = String(secure.authorizationError);
      return { socket: secure, info };
    },
    {
      timeoutMs,
      signal,
      phase: 'tls',
      timeoutReason: l10n.t('timed out after {0} ms in the TLS handshake with {1}', Math.round(budgetMs ?? timeoutMs), ep),
    },
    (err) => describeSocketError(err, 'tls', host, port),
    {
      socket,
      failure: () => ({
        ok: false,
        phase: 'tls',
        kind: 'closed',
        reason: l10n.t('{0} closed the connection during the TLS handshake (is it a TLS port?)', ep),
      }),
    },
  );
}

/** One phrase for how a TLS session was verified. */
export function describeTls(info: TlsInfo): string {
  return info.authorized
    ? l10n.t('{0}, certificate verified', info.protocol)
    : l10n.t(
        '{0}, certificate NOT verified: {1} (allowed by allowSelfSigned)',
        info.protocol,
        info.authorizationError ?? l10n.t('unknown reason'),
      );
}

/**
 * Accumulates what a socket receives and hands it to a parser until the
 * parser finds a whole reply; used for one request / reply exchanges.
 */
export class SocketReader {
  private buffer: Buffer = Buffer.alloc(0);
  private ended: string | undefined;
  private wake: (() => void) | undefined;

  constructor(socket: net.Socket, host: string, port: number) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    socket.on('error', (err: unknown) => {
      this.ended ??= describeSocketError(err, 'tcp', host, port).reason;
      this.wake?.();
    });
    socket.on('close', () => {
      this.ended ??= l10n.t('the server closed the connection');
      this.wake?.();
    });
  }

  /** Bytes received and not yet consumed. */
  get pending(): Buffer {
    return this.buffer;
  }

  /**
   * Waits until `parse` returns a value (it gets all unconsumed bytes and
   * returns the value and how many bytes it used, or undefined for "more").
   * Resolves `{ ok: false, reason }` on timeout, close or abort.
   */
  async read<T>(
    parse: (buf: Buffer) => { value: T; used: number } | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ ok: true; value: T } | { ok: false; reason: string; timedOut: boolean }> {
    const deadline = now() + timeoutMs;
    for (;;) {
      const parsed = parse(this.buffer);
      if (parsed) {
        this.buffer = this.buffer.subarray(parsed.used);
        return { ok: true, value: parsed.value };
      }
      if (signal?.aborted) return { ok: false, reason: 'cancelled', timedOut: false };
      if (this.ended !== undefined) return { ok: false, reason: this.ended, timedOut: false };
      const left = deadline - now();
      if (left <= 0) return { ok: false, reason: l10n.t('no answer within {0} ms', timeoutMs), timedOut: true };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        this.wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
      this.wake = undefined;
    }
  }
}
