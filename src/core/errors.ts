/**
 * Typed errors raised by the core. Each carries a message that is one clear
 * sentence for the user (what failed, where, why, what to do) and never a
 * secret; the ui shows `message` as it is.
 */
import * as l10n from '@vscode/l10n';

export class BrokerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server could not be reached, or the connection was lost. */
export class ConnectionError extends BrokerError {}
/** The server refused the credentials. */
export class AuthError extends BrokerError {}
/** Logged in, but the user may not do this (NOPERM, HTTP 403, AMQP access refused, a missing tag). */
export class PermissionError extends AuthError {}
/** The SSH bastion refused the login, or the SSH key could not be decrypted. */
export class SshAuthError extends AuthError {}
/** A key, queue, exchange, vhost or profile does not exist. */
export class NotFoundError extends BrokerError {}
/** The server refused the request because of existing state (AMQP 406, WATCH conflict, …). */
export class PreconditionError extends BrokerError {}
/** Something did not answer in time. */
export class TimeoutError extends BrokerError {}
/** A write was refused because the profile is read-only. */
export class ReadOnlyError extends BrokerError {}
/** The user's input was refused before anything was sent. */
export class InputError extends BrokerError {}
/** The work was cancelled by the user. */
export class CancelledError extends BrokerError {
  constructor(message = l10n.t('cancelled')) {
    super(message);
  }
}

/** The message of any thrown value, without a stack. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return String(err);
}

/** A thrown value as an Error (for rejecting promises with what a callback passed). */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(errorMessage(err));
}

/** Throws a CancelledError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Wraps `message` as a sentence: first letter as is, ends with a period (a full-width one after CJK text). */
export function sentence(message: string): string {
  const trimmed = message.trim();
  if (/[.!?。！？]$/.test(trimmed)) return trimmed;
  return /[\u3000-\u9fff\uff00-\uffef]$/.test(trimmed) ? `${trimmed}。` : `${trimmed}.`;
}
