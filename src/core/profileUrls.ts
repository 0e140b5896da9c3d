/**
 * Connection URLs: parsing redis://, amqp:// and ssh:// URLs, and keeping
 * passwords out of saved URLs, messages and logs. No I/O here.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from './errors';
import type { SshHop } from './net/sshTunnel';
import { checkDb, checkHost } from './profileFields';

/** `ssh://user[:password]@host[:port]`: the bastion of `addFromUrl`'s `via`. */
export function parseSshUrl(url: string): { hop: SshHop; password?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(l10n.t('"{0}" is not an SSH URL: write it as ssh://user@host:22.', redactUrl(url)));
  }
  if (u.protocol !== 'ssh:') throw new InputError(l10n.t('"{0}" is not an SSH URL: it must start with ssh://.', redactUrl(url)));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const hostProblem = checkHost(host);
  if (hostProblem) throw new InputError(hostProblem);
  if (!u.username) throw new InputError(l10n.t('The SSH URL "{0}" names no user: write it as ssh://user@host:22.', redactUrl(url)));
  const hop: SshHop = { host, username: decodeURIComponent(u.username) };
  if (u.port) hop.port = Number(u.port);
  return u.password ? { hop, password: decodeURIComponent(u.password) } : { hop };
}

export interface ParsedRedisUrl {
  host: string;
  port: number;
  db?: number;
  username?: string;
  password?: string;
  tls: boolean;
}

/** Parses `redis://[user[:password]@]host[:port][/db]` and `rediss://…`. */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(l10n.t('"{0}" is not a URL: write it as redis://host:port/db or rediss://host:port/db.', redactUrl(url)));
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new InputError(l10n.t('"{0}" is not a Redis URL: it must start with redis:// or rediss://.', redactUrl(url)));
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const hostProblem = checkHost(host);
  if (hostProblem) throw new InputError(hostProblem);
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  let db: number | undefined;
  if (path !== '') {
    const problem = checkDb(path);
    if (problem) throw new InputError(problem);
    db = Number(path);
  }
  const result: ParsedRedisUrl = { host, port, tls: u.protocol === 'rediss:' };
  if (db !== undefined) result.db = db;
  if (u.username) result.username = decodeURIComponent(u.username);
  if (u.password) result.password = decodeURIComponent(u.password);
  return result;
}

export interface ParsedAmqpUrl {
  host: string;
  port: number;
  username: string;
  password?: string;
  vhost: string;
  amqps: boolean;
}

/** Parses `amqp://user[:password]@host[:port][/vhost]`; an empty path is vhost "/". */
export function parseAmqpUrl(url: string): ParsedAmqpUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(l10n.t('"{0}" is not a URL: write it as amqp://user@host:5672/vhost.', redactUrl(url)));
  }
  if (u.protocol !== 'amqp:' && u.protocol !== 'amqps:') {
    throw new InputError(l10n.t('"{0}" is not an AMQP URL: it must start with amqp:// or amqps://.', redactUrl(url)));
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const hostProblem = checkHost(host);
  if (hostProblem) throw new InputError(hostProblem);
  const amqps = u.protocol === 'amqps:';
  const port = u.port ? Number(u.port) : amqps ? 5671 : 5672;
  const rawPath = u.pathname.replace(/^\//, '');
  const vhost = rawPath === '' ? '/' : decodeURIComponent(rawPath);
  const result: ParsedAmqpUrl = {
    host,
    port,
    username: u.username ? decodeURIComponent(u.username) : 'guest',
    vhost,
    amqps,
  };
  if (u.password) result.password = decodeURIComponent(u.password);
  return result;
}

/** The URL with any password removed (for saving in settings). */
export function stripPassword(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** The URL with any password shown as `***` (for messages and logs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@\s]*):[^@\s]*@/, '//$1:***@');
  }
}

/** Replaces every occurrence of each secret, and any password inside a URL, with `***`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s/]*@/gi, '$1:***@');
  for (const secret of secrets) {
    if (secret && secret.length >= 1) out = out.split(secret).join('***');
  }
  return out;
}
