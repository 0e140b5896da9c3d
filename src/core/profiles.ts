/**
 * Connection profiles: types, defaults, resolving a profile from settings,
 * merging global and workspace settings, secret identity and endpoints.
 * Field checks live in profileFields.ts, URLs and redaction in profileUrls.ts,
 * the "ssh" field in profileSsh.ts. No I/O here.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from './errors';
import type { SshConfig } from './net/sshTunnel';
import { asObject, checkDb, checkHost, checkName, checkPort, checkTimeout, failProfile, optString } from './profileFields';
import { parseSsh } from './profileSsh';
import { amqpUrls, managementUrlList, parseProfileAmqpUrl, redisTopology, type RedisMode } from './profileTopology';
import { parseRedisUrl, type ParsedRedisUrl } from './profileUrls';

export { checkDb, checkHost, checkName, checkPort, checkTimeout } from './profileFields';
export { parseAmqpUrl, parseRedisUrl, parseSshUrl, redactText, redactUrl, stripPassword } from './profileUrls';
export type { ParsedAmqpUrl, ParsedRedisUrl } from './profileUrls';
export type { RedisMode } from './profileTopology';

export type ProfileKind = 'redis' | 'rabbitmq';

export interface TlsOptions {
  enabled?: boolean;
  /** File paths. */
  ca?: string;
  cert?: string;
  key?: string;
  allowSelfSigned?: boolean;
  servername?: string;
}

export interface RedisProfile {
  name: string;
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  url?: string;
  tls?: TlsOptions;
  connectTimeoutMs?: number;
  readOnly?: boolean;
  delimiter?: string;
  mode?: RedisMode;
  /** Cluster seed nodes. */
  nodes?: Endpoint[];
  /** Sentinel addresses. */
  sentinels?: Endpoint[];
  /** The primary's name as the sentinels know it. */
  sentinelName?: string;
  sentinelUsername?: string;
  ssh?: SshConfig;
}

export interface RabbitProfile {
  name: string;
  url?: string;
  /** Cluster nodes, tried in order and failed over on loss (instead of `url`). */
  urls?: string[];
  managementUrl?: string;
  managementUrls?: string[];
  tls?: TlsOptions;
  connectTimeoutMs?: number;
  readOnly?: boolean;
  ssh?: SshConfig;
}

export type ProfileScope = 'global' | 'workspace';

/** A Redis profile with every default applied and URL parts resolved. */
export interface ResolvedRedisProfile {
  kind: 'redis';
  name: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  tls?: TlsOptions;
  connectTimeoutMs: number;
  readOnly: boolean;
  delimiter: string;
  scope: ProfileScope;
  /** standalone: host:port; cluster: `nodes` are the seeds (host:port is the first); sentinel: `sentinels` (host:port is the first). */
  mode: RedisMode;
  /** Cluster seed nodes (mode "cluster"); the first is host:port. */
  nodes?: Endpoint[];
  /** The sentinels (mode "sentinel"); the first is host:port. */
  sentinels?: Endpoint[];
  /** The monitored primary's name (mode "sentinel"). */
  sentinelName?: string;
  /** The user for the sentinels (their password is the "sentinel" secret). */
  sentinelUsername?: string;
  /** Reached through this SSH bastion (and its jump hosts). */
  ssh?: SshConfig;
  /** Where to dial instead of host:port (a local forward of the SSH tunnel); messages still name host:port. */
  via?: Endpoint;
  /**
   * Behind SSH, on a cluster or sentinel profile: where to dial each node
   * (seed, sentinel, or one the cluster or sentinels announce, as
   * `host:port`), a local forward of the tunnel; null: dial it as it is.
   */
  natMap?: (address: string) => Endpoint | null;
}

/** A host and a port. */
export interface Endpoint {
  host: string;
  port: number;
}

export interface ResolvedRabbitProfile {
  kind: 'rabbitmq';
  name: string;
  /** AMQP URL without a password (the first of `urls`). */
  url: string;
  /** Every node's AMQP URL, in the order they are tried; at least one (the first is `url`). */
  urls: string[];
  host: string;
  port: number;
  username: string;
  vhost: string;
  amqps: boolean;
  /** Management API base URL, no trailing slash, no credentials (the first of `managementUrls`). */
  managementUrl: string;
  /** Every management API base URL, tried in order and failed over; at least one. */
  managementUrls: string[];
  tls?: TlsOptions;
  connectTimeoutMs: number;
  readOnly: boolean;
  scope: ProfileScope;
  /** Reached through this SSH bastion (and its jump hosts). */
  ssh?: SshConfig;
  /** Where to dial instead of host:port (a local forward of the SSH tunnel); messages still name host:port. */
  via?: Endpoint;
  /** Where to send management API requests instead of managementUrl's host:port (a local forward). */
  managementVia?: Endpoint;
  /** Behind SSH: the local forward of each entry of `urls`, in the same order (the first is `via`). */
  urlVias?: Endpoint[];
  /** Behind SSH: the local forward of each entry of `managementUrls`, in the same order (the first is `managementVia`). */
  managementVias?: Endpoint[];
}

export type ResolvedProfile = ResolvedRedisProfile | ResolvedRabbitProfile;

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_DELIMITER = ':';

export const LOCAL_REDIS_PROFILE: RedisProfile = { name: 'local', host: '127.0.0.1', port: 6379, db: 0 };
export const LOCAL_RABBIT_PROFILE: RabbitProfile = {
  name: 'local',
  url: 'amqp://guest@127.0.0.1:5672/',
  managementUrl: 'http://127.0.0.1:15672',
};
export const LOCAL_RABBIT_PASSWORD = 'guest';

// ---------------------------------------------------------------- resolving

function parseTls(value: unknown, profileName: string): TlsOptions | undefined {
  if (value === undefined || value === null) return undefined;
  const o = asObject(value, l10n.t('Profile "{0}": "{1}"', profileName, 'tls'));
  const tls: TlsOptions = {};
  for (const key of ['ca', 'cert', 'key', 'servername'] as const) {
    const s = optString(o, key, profileName);
    if (s !== undefined) tls[key] = s;
  }
  for (const key of ['enabled', 'allowSelfSigned'] as const) {
    const v = o[key];
    if (v !== undefined && typeof v !== 'boolean') failProfile(profileName, l10n.t('"tls.{0}" must be true or false.', key));
    if (typeof v === 'boolean') tls[key] = v;
  }
  return tls;
}

/**
 * Checks a Redis profile from settings and applies its defaults and URL.
 * Throws an InputError naming the profile and the field.
 */
export function resolveRedisProfile(raw: unknown, scope: ProfileScope = 'global'): ResolvedRedisProfile {
  const o = asObject(raw, l10n.t('A Redis profile'));
  const nameProblem = checkName(o.name);
  if (nameProblem) throw new InputError(nameProblem);
  const name = o.name as string;
  if ('password' in o)
    failProfile(
      name,
      l10n.t('passwords are not kept in settings: remove "password" and use "Set Password" (it goes to the secret storage).'),
    );
  let host = '127.0.0.1';
  let port = 6379;
  let db = 0;
  let username: string | undefined;
  let tls = parseTls(o.tls, name);
  const url = optString(o, 'url', name);
  if (url !== undefined) {
    let parsed: ParsedRedisUrl;
    try {
      parsed = parseRedisUrl(url);
    } catch (err) {
      failProfile(name, err instanceof Error ? err.message : String(err));
    }
    if (parsed.password) failProfile(name, l10n.t('the URL holds a password: remove it from the URL and use "Set Password".'));
    host = parsed.host;
    port = parsed.port;
    if (parsed.db !== undefined) db = parsed.db;
    username = parsed.username;
    if (parsed.tls) tls = { ...tls, enabled: true };
  }
  if (o.host !== undefined) {
    const problem = checkHost(o.host);
    if (problem) failProfile(name, problem);
    host = o.host as string;
  }
  if (o.port !== undefined) {
    const problem = checkPort(o.port);
    if (problem) failProfile(name, problem);
    port = Number(o.port);
  }
  if (o.db !== undefined) {
    const problem = checkDb(o.db);
    if (problem) failProfile(name, problem);
    db = Number(o.db);
  }
  const user = optString(o, 'username', name);
  if (user !== undefined) username = user;
  const timeoutProblem = checkTimeout(o.connectTimeoutMs);
  if (timeoutProblem) failProfile(name, timeoutProblem);
  if (o.readOnly !== undefined && typeof o.readOnly !== 'boolean') failProfile(name, l10n.t('"readOnly" must be true or false.'));
  const delimiter = optString(o, 'delimiter', name) ?? DEFAULT_DELIMITER;
  const mode = o.mode ?? 'standalone';
  if (mode !== 'standalone' && mode !== 'cluster' && mode !== 'sentinel') {
    failProfile(name, l10n.t('"mode" {0} is not a mode: give "standalone", "cluster" or "sentinel".', JSON.stringify(mode)));
  }
  const resolved: ResolvedRedisProfile = {
    kind: 'redis',
    name,
    host,
    port,
    db,
    connectTimeoutMs: (o.connectTimeoutMs as number | undefined) ?? DEFAULT_CONNECT_TIMEOUT_MS,
    readOnly: o.readOnly === true,
    delimiter,
    scope,
    mode,
  };
  Object.assign(resolved, redisTopology(o, resolved));
  if (username !== undefined) resolved.username = username;
  if (tls !== undefined && (tls.enabled ?? true)) resolved.tls = tls;
  const ssh = parseSsh(o.ssh, name);
  if (ssh) resolved.ssh = ssh;
  return resolved;
}

export function resolveRabbitProfile(raw: unknown, scope: ProfileScope = 'global'): ResolvedRabbitProfile {
  const o = asObject(raw, l10n.t('A RabbitMQ profile'));
  const nameProblem = checkName(o.name);
  if (nameProblem) throw new InputError(nameProblem);
  const name = o.name as string;
  if ('password' in o)
    failProfile(
      name,
      l10n.t('passwords are not kept in settings: remove "password" and use "Set Password" (it goes to the secret storage).'),
    );
  const urls = amqpUrls(o, name);
  const parsed = urls.map((u) => parseProfileAmqpUrl(u, name));
  const first = parsed[0];
  for (const [i, p] of parsed.entries()) {
    if (p.username !== first.username || p.vhost !== first.vhost || p.amqps !== first.amqps)
      failProfile(
        name,
        l10n.t(
          '"urls[{0}]" has another user, vhost or scheme than the first URL: every node of one profile is reached with the same user and vhost.',
          i,
        ),
      );
  }
  const managementUrls = managementUrlList(o, name, parsed);
  const timeoutProblem = checkTimeout(o.connectTimeoutMs);
  if (timeoutProblem) failProfile(name, timeoutProblem);
  if (o.readOnly !== undefined && typeof o.readOnly !== 'boolean') failProfile(name, l10n.t('"readOnly" must be true or false.'));
  const tls = parseTls(o.tls, name);
  const resolved: ResolvedRabbitProfile = {
    kind: 'rabbitmq',
    name,
    url: urls[0],
    urls,
    host: first.host,
    port: first.port,
    username: first.username,
    vhost: first.vhost,
    amqps: first.amqps,
    managementUrl: managementUrls[0],
    managementUrls,
    connectTimeoutMs: (o.connectTimeoutMs as number | undefined) ?? DEFAULT_CONNECT_TIMEOUT_MS,
    readOnly: o.readOnly === true,
    scope,
  };
  if (tls !== undefined && (tls.enabled ?? true)) resolved.tls = tls;
  const ssh = parseSsh(o.ssh, name);
  if (ssh) resolved.ssh = ssh;
  return resolved;
}

// ---------------------------------------------------------------- merging, identity

export interface ProfileProblem {
  scope: ProfileScope;
  name: string;
  message: string;
}

export interface MergedProfiles<P> {
  profiles: P[];
  problems: ProfileProblem[];
}

/**
 * Merges global and workspace profiles by name (workspace wins); workspace
 * profiles are ignored in an untrusted workspace. Invalid entries are
 * reported as problems, not thrown.
 */
export function mergeProfiles<P extends { name: string }>(
  globalRaw: readonly unknown[],
  workspaceRaw: readonly unknown[],
  trusted: boolean,
  resolve: (raw: unknown, scope: ProfileScope) => P,
): MergedProfiles<P> {
  const byName = new Map<string, P>();
  const problems: ProfileProblem[] = [];
  const take = (list: readonly unknown[], scope: ProfileScope): void => {
    for (const raw of list) {
      try {
        const p = resolve(raw, scope);
        byName.set(p.name, p);
      } catch (err) {
        const name =
          typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string'
            ? (raw as { name: string }).name
            : '?';
        problems.push({ scope, name, message: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  take(globalRaw, 'global');
  if (trusted) take(workspaceRaw, 'workspace');
  return { profiles: [...byName.values()], problems };
}

/** The secrets a profile can have: the data password, the sentinels' password, the bastion's SSH password and key passphrase. */
export type SecretName = 'password' | 'sentinel' | 'ssh' | 'sshPassphrase';

/**
 * The key under which one of a profile's secrets is stored: bound to the
 * profile's identity (kind, name, host, port, user and, where there is one,
 * the SSH chain: each hop's user@host:port), so a profile redefined with
 * another host, user or bastion never receives the secret. A profile without
 * SSH keeps the key it always had.
 */
export function secretKey(profile: ResolvedProfile, secret: SecretName = 'password'): string {
  const user = profile.kind === 'redis' ? (profile.username ?? '') : profile.username;
  const identity: unknown[] = [profile.kind, profile.name, profile.host.toLowerCase(), profile.port, user];
  const endpoints = secretEndpoints(profile);
  if (endpoints) identity.push(endpoints);
  if (profile.ssh) {
    const hops = [...(profile.ssh.jumpHosts ?? []), profile.ssh];
    identity.push(['ssh', ...hops.map((h) => `${h.username}@${h.host.toLowerCase()}:${h.port ?? 22}`)]);
  }
  return `brokerExplorer.${secret}:${JSON.stringify(identity)}`;
}

/**
 * The endpoints beyond host:port that a secret is bound to: every cluster
 * seed, every sentinel and the primary's name, every AMQP node. Undefined
 * for a single-endpoint profile, whose key stays what it always was.
 */
function secretEndpoints(profile: ResolvedProfile): unknown[] | undefined {
  const list = (eps: readonly Endpoint[]): string[] => eps.map((e) => `${e.host.toLowerCase()}:${e.port}`);
  if (profile.kind === 'rabbitmq') {
    return profile.urls.length > 1 ? ['urls', ...profile.urls.map((u) => u.toLowerCase())] : undefined;
  }
  if (profile.mode === 'cluster') return ['cluster', ...list(profile.nodes ?? [])];
  if (profile.mode === 'sentinel')
    return ['sentinel', profile.sentinelName, profile.sentinelUsername ?? '', ...list(profile.sentinels ?? [])];
  return undefined;
}

/** Where a connection to the profile dials: its SSH forward when it has one, else its host and port. */
export function dialEndpoint(profile: { host: string; port: number; via?: Endpoint }): Endpoint {
  return profile.via ?? { host: profile.host, port: profile.port };
}

/** The host and port a management API URL names (80 / 443 when it names none; IPv6 without brackets). */
export function managementEndpoint(managementUrl: string): Endpoint {
  const url = new URL(managementUrl);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
}

/** A management API URL for `path`, sent to the SSH forward when the profile has one. */
export function managementRequestUrl(profile: { managementUrl: string; managementVia?: Endpoint | undefined }, path: string): string {
  const url = new URL(profile.managementUrl.replace(/\/+$/, '') + path);
  if (profile.managementVia) {
    url.hostname = profile.managementVia.host;
    url.port = String(profile.managementVia.port);
  }
  return url.href;
}

/** A management API base URL and where its requests go (its SSH forward, when the profile has one). */
export interface ManagementTarget {
  url: string;
  via?: Endpoint;
}

/** The management API base URLs a RabbitMQ profile can use, in order, each with its SSH forward when it has one. */
export function managementTargets(profile: ResolvedRabbitProfile): ManagementTarget[] {
  const urls = profile.managementUrls.length === 0 ? [profile.managementUrl] : profile.managementUrls;
  if (profile.managementVia && !profile.managementVias) return [{ url: urls[0], via: profile.managementVia }];
  return urls.map((url, i) => {
    const via = profile.managementVias?.[i];
    return via ? { url, via } : { url };
  });
}

/** host:port, with brackets for IPv6. */
export function endpoint(profile: { host: string; port: number }): string {
  return profile.host.includes(':') ? `[${profile.host}]:${profile.port}` : `${profile.host}:${profile.port}`;
}
