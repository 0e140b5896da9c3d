/**
 * The one socket-error classifier every protocol uses: Redis, AMQP, the
 * management API and raw TCP all turn a socket (or TLS, or DNS) failure into
 * the same code, then build their own sentence from it. The code travels on
 * the typed error as its `cause`, so the ui and the tests can read it.
 */
import * as l10n from '@vscode/l10n';
import { CancelledError, ConnectionError, TimeoutError, errorMessage, type BrokerError } from '../errors';

export type SocketErrorCode = 'refused' | 'notFound' | 'unreachable' | 'timeout' | 'tls' | 'reset' | 'closed' | 'cancelled' | 'other';

/** A classified socket failure: its code, the system code (`ECONNREFUSED`) when there is one, and the raw message. */
export interface SocketFailure {
  code: SocketErrorCode;
  errno?: string;
  detail: string;
}

const BY_ERRNO: Readonly<Record<string, SocketErrorCode>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'notFound',
  EAI_AGAIN: 'notFound',
  EAI_NONAME: 'notFound',
  EAI_FAIL: 'notFound',
  EAI_NODATA: 'notFound',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  EPROTO: 'tls',
  ABORT_ERR: 'cancelled',
};

/** OpenSSL / Node certificate and handshake codes: `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, `ERR_SSL_…`. */
const TLS_ERRNO = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** Messages of libraries that drop the system code (ioredis, amqplib, undici), most specific first. */
const BY_MESSAGE: readonly [RegExp, SocketErrorCode][] = [
  [/ECONNREFUSED/, 'refused'],
  [/ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL/, 'notFound'],
  [/EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/, 'unreachable'],
  [/certificate|self[- ]signed|\bSSL\b|\bTLS\b|EPROTO|wrong version number/i, 'tls'],
  [/ETIMEDOUT|timed? ?out/i, 'timeout'],
  [/ECONNRESET|EPIPE|socket hang up/i, 'reset'],
  [/Connection is closed|Stream isn't writeable|Socket closed|Connection closed/i, 'closed'],
];

/** The system code of an error (`ECONNREFUSED`), when it has a string one. */
function errnoOf(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function nameOf(err: unknown): string | undefined {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Classifies any socket, DNS or TLS error by its system code first, then by its message. */
export function classifySocketError(err: unknown): SocketFailure {
  const errno = errnoOf(err);
  const detail = errorMessage(err);
  const failure = (code: SocketErrorCode): SocketFailure => (errno ? { code, errno, detail } : { code, detail });
  const known =
    errno === undefined ? undefined : Object.hasOwn(BY_ERRNO, errno) ? BY_ERRNO[errno] : TLS_ERRNO.test(errno) ? 'tls' : undefined;
  if (known) return failure(known);
  const name = nameOf(err);
  if (name === 'TimeoutError') return failure('timeout');
  if (name === 'AbortError' || err instanceof CancelledError) return failure('cancelled');
  for (const [pattern, code] of BY_MESSAGE) if (pattern.test(detail)) return failure(code);
  return failure('other');
}

/** What to do about a failure of this kind, as a sentence. */
export function adviceFor(code: SocketErrorCode): string {
  switch (code) {
    case 'refused':
      return l10n.t('Check that a server listens there and that the host and port are right.');
    case 'notFound':
      return l10n.t('Check the host name.');
    case 'timeout':
      return l10n.t('Check the host, the port and any firewall.');
    case 'unreachable':
      return l10n.t('Check the network and the host.');
    case 'reset':
    case 'closed':
      return l10n.t('Check that the port speaks the expected protocol (TLS or plain).');
    case 'tls':
      return l10n.t('Check the CA file and the server name, or allow self-signed certificates in the profile.');
    case 'cancelled':
      return l10n.t('It was cancelled.');
    case 'other':
      return l10n.t('Check the host and port.');
  }
}

/** The typed error for a failure of this kind carrying `message`, with the failure as its cause. */
export function socketError(failure: SocketFailure, message: string): BrokerError {
  const error =
    failure.code === 'timeout'
      ? new TimeoutError(message)
      : failure.code === 'cancelled'
        ? new CancelledError(message)
        : new ConnectionError(message);
  error.cause = failure;
  return error;
}

/** The classified socket failure behind a typed error, when a socket failure caused it. */
export function socketFailureOf(err: unknown): SocketFailure | undefined {
  const cause = err instanceof Error ? err.cause : undefined;
  if (typeof cause !== 'object' || cause === null) return undefined;
  const code = (cause as { code?: unknown }).code;
  const detail = (cause as { detail?: unknown }).detail;
  return typeof code === 'string' && typeof detail === 'string' ? (cause as SocketFailure) : undefined;
}
