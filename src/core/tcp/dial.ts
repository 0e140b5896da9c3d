/**
 * The socket-level pieces shared by the raw TCP session and the connection
 * test: DNS lookup, TCP connect and TLS upgrade, each bounded by a time
 * budget and an AbortSignal, and each ending in a short reason phrase
 * ("connection refused by 127.0.0.1:1") rather than a thrown stack.
 */
import { lookup } from 'node:dns/promises';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';
import { errorMessage } from '../errors';
import type { TlsOptions } from '../profiles';
import { tlsOptions } from '../redis/connection';

export type DialPhase = 'dns' | 'tcp' | 'tls';
export type DialFailureKind = 'refused' | 'dns' | 'timeout' | 'unreachable' | 'reset' | 'tls' | 'cancelled' | 'other';

/** Why a dial phase failed: a short phrase, its kind, and the system code when there is one. */
export interface DialFailure {
  ok: false;
  phase: DialPhase;
  kind: DialFailureKind;
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

function codeOf(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Turns a socket error into a failure with a short reason phrase. */
export function describeSocketError(err: unknown, phase: DialPhase, host: string, port: number): DialFailure {
  const ep = hostPort(host, port);
  const code = codeOf(err);
  const raw = errorMessage(err);
  const fail = (kind: DialFailureKind, reason: string): DialFailure =>
    code ? { ok: false, phase, kind, reason, code } : { ok: false, phase, kind, reason };
  if (code === 'ECONNREFUSED') return fail('refused', `connection refused by ${ep}`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return fail('dns', `host name "${host}" not found (DNS ${code})`);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL')
    return fail('unreachable', `${ep} is unreachable (${code})`);
  if (code === 'ETIMEDOUT') return fail('timeout', `timed out connecting to ${ep} (ETIMEDOUT)`);
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return fail(
      'reset',
      phase === 'tls' ? `${ep} reset the connection during the TLS handshake (is it a TLS port?)` : `connection reset by ${ep}`,
    );
  }
  if (phase === 'tls') {
    const hint = /wrong version number|packet length too long|unknown protocol/i.test(raw) ? ' (is it a TLS port?)' : '';
    return fail('tls', `TLS handshake with ${ep} failed: ${raw}${hint}`);
  }
  return fail('other', `${raw}${code && !raw.includes(code) ? ` (${code})` : ''}`);
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
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<DialFailure>((resolve) => {
    timer = setTimeout(
      () => resolve(timedOut('dns', `DNS lookup of "${host}" timed out after ${Math.round(timeoutMs)} ms`)),
      Math.max(0, timeoutMs),
    );
    onAbort = (): void => resolve(cancelled('dns'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([
      lookup(host).then(
        (r): DialOutcome<{ address: string; family: number; lookedUp: boolean }> => ({
          ok: true,
          value: { address: r.address, family: r.family, lookedUp: true },
          ms: roundMs(now() - started),
        }),
        (err: unknown): DialFailure => describeSocketError(err, 'dns', host, 0),
      ),
      stop,
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
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
  const started = now();
  if (signal?.aborted) return Promise.resolve(cancelled('tcp'));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let done = false;
    const finish = (outcome: DialOutcome<net.Socket>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
      if (!outcome.ok) socket.destroy();
      resolve(outcome);
    };
    const onConnect = (): void => finish({ ok: true, value: socket, ms: roundMs(now() - started) });
    const onError = (err: unknown): void => finish(describeSocketError(err, 'tcp', host, port));
    const onAbort = (): void => finish(cancelled('tcp'));
    const timer = setTimeout(
      () =>
        finish(
          timedOut(
            'tcp',
            `timed out after ${Math.round(budgetMs ?? timeoutMs)} ms waiting for ${hostPort(host, port)} to accept the connection`,
          ),
        ),
      Math.max(0, timeoutMs),
    );
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
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
  const started = now();
  if (signal?.aborted) {
    socket.destroy();
    return Promise.resolve(cancelled('tls'));
  }
  let connectionOptions: tls.ConnectionOptions;
  try {
    connectionOptions = { ...(tlsOptions({ ...options, enabled: true }, host) ?? {}) };
  } catch (err) {
    socket.destroy();
    return Promise.resolve({ ok: false, phase: 'tls', kind: 'tls', reason: `cannot read a TLS file of the profile: ${errorMessage(err)}` });
  }
  return new Promise((resolve) => {
    const secure = tls.connect({ ...connectionOptions, host, socket });
    let done = false;
    const finish = (outcome: DialOutcome<{ socket: tls.TLSSocket; info: TlsInfo }>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      secure.removeListener('error', onError);
      secure.removeListener('secureConnect', onSecure);
      socket.removeListener('close', onClose);
      if (!outcome.ok) {
        secure.destroy();
        socket.destroy();
      }
      resolve(outcome);
    };
    const onSecure = (): void => {
      const info: TlsInfo = { protocol: secure.getProtocol() ?? 'TLS', authorized: secure.authorized };
      if (!secure.authorized && secure.authorizationError) info.authorizationError = String(secure.authorizationError);
      finish({ ok: true, value: { socket: secure, info }, ms: roundMs(now() - started) });
    };
    const onError = (err: unknown): void => finish(describeSocketError(err, 'tls', host, port));
    const onClose = (): void =>
      finish({
        ok: false,
        phase: 'tls',
        kind: 'reset',
        reason: `${hostPort(host, port)} closed the connection during the TLS handshake (is it a TLS port?)`,
      });
    const onAbort = (): void => finish(cancelled('tls'));
    const timer = setTimeout(
      () =>
        finish(
          timedOut('tls', `timed out after ${Math.round(budgetMs ?? timeoutMs)} ms in the TLS handshake with ${hostPort(host, port)}`),
        ),
      Math.max(0, timeoutMs),
    );
    secure.once('secureConnect', onSecure);
    secure.once('error', onError);
    socket.once('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One phrase for how a TLS session was verified. */
export function describeTls(info: TlsInfo): string {
  return info.authorized
    ? `${info.protocol}, certificate verified`
    : `${info.protocol}, certificate NOT verified: ${info.authorizationError ?? 'unknown reason'} (allowed by allowSelfSigned)`;
}

/** What to do about a failure of this kind, as the end of a sentence. */
export function adviceFor(kind: DialFailureKind): string {
  switch (kind) {
    case 'refused':
      return 'Check that a server listens there and that the host and port are right.';
    case 'dns':
      return 'Check the host name.';
    case 'timeout':
      return 'Check the host, the port and any firewall.';
    case 'unreachable':
      return 'Check the network and the host.';
    case 'reset':
      return 'Check that the port speaks the expected protocol (TLS or plain).';
    case 'tls':
      return 'Check the CA file and the server name, or allow self-signed certificates in the profile.';
    case 'cancelled':
      return 'It was cancelled.';
    default:
      return 'Check the host and port.';
  }
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
      this.ended ??= 'the server closed the connection';
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
      if (left <= 0) return { ok: false, reason: `no answer within ${timeoutMs} ms`, timedOut: true };
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
