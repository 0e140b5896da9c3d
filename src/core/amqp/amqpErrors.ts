/**
 * Turning amqplib and socket errors into one-sentence typed errors that name
 * the operation, the profile and the vhost, and never contain a password.
 */
import * as l10n from '@vscode/l10n';
import {
  AuthError,
  BrokerError,
  CancelledError,
  ConnectionError,
  InputError,
  NotFoundError,
  PermissionError,
  PreconditionError,
  errorMessage,
} from '../errors';
import { classifySocketError, socketError, type SocketFailure } from '../net/socketErrors';
import { endpoint, redactText, type ResolvedRabbitProfile } from '../profiles';

export interface AmqpErrorContext {
  profile: ResolvedRabbitProfile;
  vhost: string;
  /** What was being done, as a gerund phrase: `declaring queue "orders"`. */
  what: string;
  /** Secrets to scrub from any text taken from the error. */
  secrets?: readonly string[];
}

/** The AMQP reply code of an amqplib error (404, 406, 320, …), when it has one. */
export function amqpReplyCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number') return code;
  const m = /\b(\d{3}) \([A-Z-]+\)/.exec(errorMessage(err));
  return m ? Number(m[1]) : undefined;
}

/** The broker's own reply text (`no queue 'x' in vhost '/'`), without the code prefix. */
export function amqpReplyText(err: unknown): string | undefined {
  const m = /with message "([^"]*)"/.exec(errorMessage(err));
  if (!m || m[1] === undefined) return undefined;
  return m[1].replace(/^[A-Z_]+ - /, '');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `Declaring queue "a" on profile "local" (vhost "/")` */
export function amqpWhere(ctx: AmqpErrorContext): string {
  return l10n.t('{0} on profile "{1}" (vhost "{2}")', capitalize(ctx.what), ctx.profile.name, ctx.vhost);
}

/** Maps any error thrown by amqplib (or the socket under it) to a typed, redacted sentence. */
export function describeAmqpError(ctx: AmqpErrorContext, err: unknown): BrokerError {
  if (err instanceof BrokerError) return err;
  const secrets = ctx.secrets ?? [];
  const raw = redactText(errorMessage(err), secrets);
  const where = amqpWhere(ctx);
  const server = amqpReplyText(err);
  const reason = server !== undefined ? redactText(server, secrets) : raw;
  const code = amqpReplyCode(err);
  const host = endpoint(ctx.profile);

  switch (code) {
    case 404:
      return new NotFoundError(l10n.t('{0} failed: {1}; check the name and the vhost.', where, reason));
    case 406:
      if (/inequivalent arg/.test(reason)) {
        return new PreconditionError(
          l10n.t('{0} failed: {1}; declare it with the settings it already has, or delete it first.', where, reason),
        );
      }
      return new PreconditionError(l10n.t('{0} failed: {1}.', where, reason));
    case 405:
      return new PreconditionError(l10n.t('{0} failed: {1}; it is exclusive to another connection.', where, reason));
    case 403:
      if (/Login was refused|ACCESS_REFUSED - Login/i.test(raw)) {
        return new AuthError(
          l10n.t(
            '{0} failed: the broker at {1} refused the login of user "{2}"; set the right password with "Set Password".',
            where,
            host,
            ctx.profile.username,
          ),
        );
      }
      return new PermissionError(
        l10n.t('{0} failed: access refused ({1}); ask for configure, write or read permission on vhost "{2}".', where, reason, ctx.vhost),
      );
    case 530:
      return new AuthError(
        l10n.t('{0} failed: {1}; check that vhost "{2}" exists and user "{3}" may use it.', where, reason, ctx.vhost, ctx.profile.username),
      );
    case 320:
      return new ConnectionError(l10n.t('{0} failed: the broker closed the connection ({1}); try again.', where, reason));
    case 503:
      return new InputError(
        l10n.t(
          '{0} failed: the broker refused the command ({1}) and closed the connection; fix the input, the next command reconnects.',
          where,
          reason,
        ),
      );
    case 540:
      return new PreconditionError(l10n.t('{0} failed: the broker does not support this here ({1}).', where, reason));
    default:
      break;
  }
  if (/Expected ConnectionOpenOk/.test(raw)) {
    return new NotFoundError(
      l10n.t(
        '{0} failed: vhost "{1}" does not exist at {2}, or user "{3}" has no permission on it; check the vhost name and the user\'s permissions.',
        where,
        ctx.vhost,
        host,
        ctx.profile.username,
      ),
    );
  }
  if (/Handshake terminated by server: 403|ACCESS_REFUSED/i.test(raw)) {
    return new AuthError(
      l10n.t(
        '{0} failed: the broker at {1} refused the login of user "{2}"; set the right password with "Set Password".',
        where,
        host,
        ctx.profile.username,
      ),
    );
  }
  if (/Channel closed|Channel ended/i.test(raw)) {
    return new ConnectionError(l10n.t('{0} failed: the connection to {1} was lost ({2}); try again.', where, host, raw));
  }
  const failure = classifySocketError(err);
  if (failure.code !== 'other') return amqpSocketError(ctx, failure, raw);
  if (err instanceof RangeError && /exceeds/.test(raw)) {
    return new InputError(
      l10n.t('{0} failed: the headers or arguments are too large ({1}); make them smaller.', where, raw.replace(/\.$/, '')),
    );
  }
  if (err instanceof RangeError || err instanceof TypeError) {
    return new InputError(l10n.t('{0} failed: {1}.', where, raw));
  }
  return new BrokerError(l10n.t('{0} failed: {1}.', where, raw));
}

/** The sentence for a socket failure (classified by the one classifier) of an AMQP connection. */
function amqpSocketError(ctx: AmqpErrorContext, failure: SocketFailure, raw: string): BrokerError {
  const where = amqpWhere(ctx);
  const host = endpoint(ctx.profile);
  switch (failure.code) {
    case 'refused':
      return socketError(
        failure,
        l10n.t('{0} failed: the connection to {1} was refused; check that RabbitMQ runs and the host and port are right.', where, host),
      );
    case 'notFound':
      return socketError(failure, l10n.t('{0} failed: the host name "{1}" was not found; check the host.', where, ctx.profile.host));
    case 'unreachable':
      return socketError(failure, l10n.t('{0} failed: {1} is unreachable; check the network and the host.', where, host));
    case 'tls':
      return socketError(
        failure,
        l10n.t(
          '{0} failed: TLS with {1} failed ({2}); check the CA file, or allow self-signed certificates in the profile.',
          where,
          host,
          raw,
        ),
      );
    case 'timeout':
      return socketError(
        failure,
        l10n.t(
          '{0} failed: {1} did not answer within {2} ms; check the host, port and firewall.',
          where,
          host,
          ctx.profile.connectTimeoutMs,
        ),
      );
    case 'reset':
    case 'closed':
      return socketError(failure, l10n.t('{0} failed: the connection to {1} was lost ({2}); try again.', where, host, raw));
    case 'cancelled':
      return socketError(failure, l10n.t('{0} was cancelled.', amqpWhere(ctx)));
    case 'other':
      return new BrokerError(l10n.t('{0} failed: {1}.', where, raw));
  }
}

/** A CancelledError naming what was cancelled. */
export function cancelledError(ctx: AmqpErrorContext): CancelledError {
  return new CancelledError(l10n.t('{0} was cancelled.', amqpWhere(ctx)));
}
