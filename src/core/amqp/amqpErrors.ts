/**
 * Turning amqplib and socket errors into one-sentence typed errors that name
 * the operation, the profile and the vhost, and never contain a password.
 */
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
  return `${capitalize(ctx.what)} on profile "${ctx.profile.name}" (vhost "${ctx.vhost}")`;
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
      return new NotFoundError(`${where} failed: ${reason}; check the name and the vhost.`);
    case 406:
      if (/inequivalent arg/.test(reason)) {
        return new PreconditionError(`${where} failed: ${reason}; declare it with the settings it already has, or delete it first.`);
      }
      return new PreconditionError(`${where} failed: ${reason}.`);
    case 405:
      return new PreconditionError(`${where} failed: ${reason}; it is exclusive to another connection.`);
    case 403:
      if (/Login was refused|ACCESS_REFUSED - Login/i.test(raw)) {
        return new AuthError(
          `${where} failed: the broker at ${host} refused the login of user "${ctx.profile.username}"; set the right password with "Set Password".`,
        );
      }
      return new PermissionError(
        `${where} failed: access refused (${reason}); ask for configure, write or read permission on vhost "${ctx.vhost}".`,
      );
    case 530:
      return new AuthError(
        `${where} failed: ${reason}; check that vhost "${ctx.vhost}" exists and user "${ctx.profile.username}" may use it.`,
      );
    case 320:
      return new ConnectionError(`${where} failed: the broker closed the connection (${reason}); try again.`);
    case 503:
      return new InputError(
        `${where} failed: the broker refused the command (${reason}) and closed the connection; fix the input, the next command reconnects.`,
      );
    case 540:
      return new PreconditionError(`${where} failed: the broker does not support this here (${reason}).`);
    default:
      break;
  }
  if (/Expected ConnectionOpenOk/.test(raw)) {
    return new NotFoundError(
      `${where} failed: vhost "${ctx.vhost}" does not exist at ${host}, or user "${ctx.profile.username}" has no permission on it; check the vhost name and the user's permissions.`,
    );
  }
  if (/Handshake terminated by server: 403|ACCESS_REFUSED/i.test(raw)) {
    return new AuthError(
      `${where} failed: the broker at ${host} refused the login of user "${ctx.profile.username}"; set the right password with "Set Password".`,
    );
  }
  if (/Channel closed|Channel ended/i.test(raw)) {
    return new ConnectionError(`${where} failed: the connection to ${host} was lost (${raw}); try again.`);
  }
  const failure = classifySocketError(err);
  if (failure.code !== 'other') return amqpSocketError(ctx, failure, raw);
  if (err instanceof RangeError && /exceeds/.test(raw)) {
    return new InputError(`${where} failed: the headers or arguments are too large (${raw.replace(/\.$/, '')}); make them smaller.`);
  }
  if (err instanceof RangeError || err instanceof TypeError) {
    return new InputError(`${where} failed: ${raw}.`);
  }
  return new BrokerError(`${where} failed: ${raw}.`);
}

/** The sentence for a socket failure (classified by the one classifier) of an AMQP connection. */
function amqpSocketError(ctx: AmqpErrorContext, failure: SocketFailure, raw: string): BrokerError {
  const where = amqpWhere(ctx);
  const host = endpoint(ctx.profile);
  switch (failure.code) {
    case 'refused':
      return socketError(
        failure,
        `${where} failed: the connection to ${host} was refused; check that RabbitMQ runs and the host and port are right.`,
      );
    case 'notFound':
      return socketError(failure, `${where} failed: the host name "${ctx.profile.host}" was not found; check the host.`);
    case 'unreachable':
      return socketError(failure, `${where} failed: ${host} is unreachable; check the network and the host.`);
    case 'tls':
      return socketError(
        failure,
        `${where} failed: TLS with ${host} failed (${raw}); check the CA file, or allow self-signed certificates in the profile.`,
      );
    case 'timeout':
      return socketError(
        failure,
        `${where} failed: ${host} did not answer within ${ctx.profile.connectTimeoutMs} ms; check the host, port and firewall.`,
      );
    case 'reset':
    case 'closed':
      return socketError(failure, `${where} failed: the connection to ${host} was lost (${raw}); try again.`);
    case 'cancelled':
      return socketError(failure, `${amqpWhere(ctx)} was cancelled.`);
    case 'other':
      return new BrokerError(`${where} failed: ${raw}.`);
  }
}

/** A CancelledError naming what was cancelled. */
export function cancelledError(ctx: AmqpErrorContext): CancelledError {
  return new CancelledError(`${amqpWhere(ctx)} was cancelled.`);
}
