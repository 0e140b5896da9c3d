/**
 * Connection profiles: types, validation, URL parsing, merging of global and
 * workspace settings, secret identity and redaction. No I/O here.
 */
import { InputError } from './errors';
import type { SshConfig, SshHop } from './net/sshTunnel';

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
  mode?: 'standalone' | 'cluster' | 'sentinel';
  ssh?: SshConfig;
}

export interface RabbitProfile {
  name: string;
  url?: string;
  managementUrl?: string;
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
  /** Reached through this SSH bastion (and its jump hosts). */
  ssh?: SshConfig;
  /** Where to dial instead of host:port (a local forward of the SSH tunnel); messages still name host:port. */
  via?: Endpoint;
}

/** A host and a port. */
export interface Endpoint {
  host: string;
  port: number;
}

export interface ResolvedRabbitProfile {
  kind: 'rabbitmq';
  name: string;
  /** AMQP URL without a password. */
  url: string;
  host: string;
  port: number;
  username: string;
  vhost: string;
  amqps: boolean;
  /** Management API base URL, no trailing slash, no credentials. */
  managementUrl: string;
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

// ---------------------------------------------------------------- validation

/** Why a profile name is unusable, or undefined when it is fine. */
export function checkName(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') return 'A profile needs a name.';
  if (name !== name.trim()) return `The profile name "${name}" has spaces at its ends: remove them.`;
  if (name.length > 100) return 'A profile name is at most 100 characters.';
  if ([...name].some((c) => c.charCodeAt(0) < 0x20)) return 'A profile name cannot contain control characters.';
  return undefined;
}

export function checkHost(host: unknown): string | undefined {
  if (typeof host !== 'string' || host === '') return 'The host is empty: give a host name or an IP address, such as 127.0.0.1.';
  if (/\s/.test(host)) return `The host "${host}" contains spaces: give a host name or an IP address without spaces.`;
  if (!/^[A-Za-z0-9._\-:[\]%]+$/.test(host)) return `The host "${host}" has characters a host name cannot have.`;
  return undefined;
}

export function checkPort(port: unknown): string | undefined {
  const n = typeof port === 'string' && /^\d+$/.test(port.trim()) ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n))
    return `The port "${String(port)}" is not a number: give a whole number from 1 to 65535.`;
  if (n < 1 || n > 65535) return `The port ${n} is out of range: give a whole number from 1 to 65535.`;
  return undefined;
}

export function checkDb(db: unknown): string | undefined {
  const n = typeof db === 'string' && /^\d+$/.test(db.trim()) ? Number(db) : db;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1_000_000) {
    return `The database "${String(db)}" is not valid: give a whole number from 0 (most servers have 0 to 15).`;
  }
  return undefined;
}

export function checkTimeout(ms: unknown): string | undefined {
  if (ms === undefined) return undefined;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 100 || ms > 600_000) {
    return `The connect timeout ${JSON.stringify(ms) ?? 'undefined'} ms is not valid: give a number of milliseconds from 100 to 600000.`;
  }
  return undefined;
}

function fail(profileName: string, reason: string): never {
  throw new InputError(`Profile "${profileName}": ${reason}`);
}

// ---------------------------------------------------------------- URLs

/** `ssh://user[:password]@host[:port]`: the bastion of `addFromUrl`'s `via`. */
export function parseSshUrl(url: string): { hop: SshHop; password?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`"${redactUrl(url)}" is not an SSH URL: write it as ssh://user@host:22.`);
  }
  if (u.protocol !== 'ssh:') throw new InputError(`"${redactUrl(url)}" is not an SSH URL: it must start with ssh://.`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const hostProblem = checkHost(host);
  if (hostProblem) throw new InputError(hostProblem);
  if (!u.username) throw new InputError(`The SSH URL "${redactUrl(url)}" names no user: write it as ssh://user@host:22.`);
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
    throw new InputError(`"${redactUrl(url)}" is not a URL: write it as redis://host:port/db or rediss://host:port/db.`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new InputError(`"${redactUrl(url)}" is not a Redis URL: it must start with redis:// or rediss://.`);
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
    throw new InputError(`"${redactUrl(url)}" is not a URL: write it as amqp://user@host:5672/vhost.`);
  }
  if (u.protocol !== 'amqp:' && u.protocol !== 'amqps:') {
    throw new InputError(`"${redactUrl(url)}" is not an AMQP URL: it must start with amqp:// or amqps://.`);
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

// ---------------------------------------------------------------- resolving

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${what} must be an object.`);
  }
  return value as Record<string, unknown>;
}

function optString(o: Record<string, unknown>, key: string, profileName: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') fail(profileName, `"${key}" must be text.`);
  return v;
}

function parseTls(value: unknown, profileName: string): TlsOptions | undefined {
  if (value === undefined || value === null) return undefined;
  const o = asObject(value, `Profile "${profileName}": "tls"`);
  const tls: TlsOptions = {};
  for (const key of ['ca', 'cert', 'key', 'servername'] as const) {
    const s = optString(o, key, profileName);
    if (s !== undefined) tls[key] = s;
  }
  for (const key of ['enabled', 'allowSelfSigned'] as const) {
    const v = o[key];
    if (v !== undefined && typeof v !== 'boolean') fail(profileName, `"tls.${key}" must be true or false.`);
    if (typeof v === 'boolean') tls[key] = v;
  }
  return tls;
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

function parseHop(value: unknown, profileName: string, where: string): SshHop {
  const o = asObject(value, `Profile "${profileName}": "${where}"`);
  const hostProblem = checkHost(o.host);
  if (hostProblem) fail(profileName, `"${where}.host": ${hostProblem}`);
  if (o.port !== undefined) {
    const problem = checkPort(o.port);
    if (problem) fail(profileName, `"${where}.port": ${problem}`);
  }
  const username = optString(o, 'username', profileName);
  if (username === undefined) fail(profileName, `"${where}.username" is missing: give the SSH user name.`);
  if ('password' in o || 'passphrase' in o)
    fail(profileName, `"${where}" holds a secret: remove it and use "Set Password" (SSH password or key passphrase).`);
  const hop: SshHop = { host: o.host as string, username };
  if (o.port !== undefined) hop.port = Number(o.port);
  const key = optString(o, 'privateKeyPath', profileName);
  if (key !== undefined) hop.privateKeyPath = key;
  if (o.agent !== undefined && typeof o.agent !== 'boolean') fail(profileName, `"${where}.agent" must be true or false.`);
  if (o.agent === true) hop.agent = true;
  const hostKey = optString(o, 'hostKey', profileName);
  if (hostKey !== undefined) {
    if (!FINGERPRINT.test(hostKey))
      fail(profileName, `"${where}.hostKey" must be a SHA256 fingerprint as OpenSSH prints it (SHA256: and 43 base64 characters).`);
    hop.hostKey = hostKey;
  }
  return hop;
}

function parseSsh(value: unknown, profileName: string): SshConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const bastion: SshConfig = parseHop(value, profileName, 'ssh');
  const jumps = (value as Record<string, unknown>).jumpHosts;
  if (jumps !== undefined) {
    if (!Array.isArray(jumps)) fail(profileName, '"ssh.jumpHosts" must be a list of hosts.');
    const hops = jumps.map((j, i) => parseHop(j, profileName, `ssh.jumpHosts[${i}]`));
    if (hops.length > 0) bastion.jumpHosts = hops;
  }
  return bastion;
}

/**
 * Checks a Redis profile from settings and applies its defaults and URL.
 * Throws an InputError naming the profile and the field.
 */
export function resolveRedisProfile(raw: unknown, scope: ProfileScope = 'global'): ResolvedRedisProfile {
  const o = asObject(raw, 'A Redis profile');
  const nameProblem = checkName(o.name);
  if (nameProblem) throw new InputError(nameProblem);
  const name = o.name as string;
  if ('password' in o)
    fail(name, 'passwords are not kept in settings: remove "password" and use "Set Password" (it goes to the secret storage).');
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
      fail(name, err instanceof Error ? err.message : String(err));
    }
    if (parsed.password) fail(name, 'the URL holds a password: remove it from the URL and use "Set Password".');
    host = parsed.host;
    port = parsed.port;
    if (parsed.db !== undefined) db = parsed.db;
    username = parsed.username;
    if (parsed.tls) tls = { ...tls, enabled: true };
  }
  if (o.host !== undefined) {
    const problem = checkHost(o.host);
    if (problem) fail(name, problem);
    host = o.host as string;
  }
  if (o.port !== undefined) {
    const problem = checkPort(o.port);
    if (problem) fail(name, problem);
    port = Number(o.port);
  }
  if (o.db !== undefined) {
    const problem = checkDb(o.db);
    if (problem) fail(name, problem);
    db = Number(o.db);
  }
  const user = optString(o, 'username', name);
  if (user !== undefined) username = user;
  const timeoutProblem = checkTimeout(o.connectTimeoutMs);
  if (timeoutProblem) fail(name, timeoutProblem);
  if (o.readOnly !== undefined && typeof o.readOnly !== 'boolean') fail(name, '"readOnly" must be true or false.');
  const delimiter = optString(o, 'delimiter', name) ?? DEFAULT_DELIMITER;
  const mode = o.mode;
  if (mode !== undefined && mode !== 'standalone') {
    fail(name, `mode ${JSON.stringify(mode)} is not supported yet: only "standalone" is.`);
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
  };
  if (username !== undefined) resolved.username = username;
  if (tls !== undefined && (tls.enabled ?? true)) resolved.tls = tls;
  const ssh = parseSsh(o.ssh, name);
  if (ssh) resolved.ssh = ssh;
  return resolved;
}

export function resolveRabbitProfile(raw: unknown, scope: ProfileScope = 'global'): ResolvedRabbitProfile {
  const o = asObject(raw, 'A RabbitMQ profile');
  const nameProblem = checkName(o.name);
  if (nameProblem) throw new InputError(nameProblem);
  const name = o.name as string;
  if ('password' in o)
    fail(name, 'passwords are not kept in settings: remove "password" and use "Set Password" (it goes to the secret storage).');
  const url = optString(o, 'url', name) ?? 'amqp://guest@127.0.0.1:5672/';
  let parsed: ParsedAmqpUrl;
  try {
    parsed = parseAmqpUrl(url);
  } catch (err) {
    fail(name, err instanceof Error ? err.message : String(err));
  }
  if (parsed.password) fail(name, 'the URL holds a password: remove it from the URL and use "Set Password".');
  let managementUrl = optString(o, 'managementUrl', name);
  if (managementUrl === undefined) {
    managementUrl = `${parsed.amqps ? 'https' : 'http'}://${parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host}:${parsed.amqps ? 15671 : 15672}`;
  }
  let mu: URL;
  try {
    mu = new URL(managementUrl);
  } catch {
    fail(name, `"managementUrl" ${redactUrl(managementUrl)} is not a URL: write it as http://host:15672.`);
  }
  if (mu.protocol !== 'http:' && mu.protocol !== 'https:') fail(name, '"managementUrl" must start with http:// or https://.');
  if (mu.password || mu.username) fail(name, '"managementUrl" must not hold credentials: the AMQP user and the stored password are used.');
  const timeoutProblem = checkTimeout(o.connectTimeoutMs);
  if (timeoutProblem) fail(name, timeoutProblem);
  if (o.readOnly !== undefined && typeof o.readOnly !== 'boolean') fail(name, '"readOnly" must be true or false.');
  const tls = parseTls(o.tls, name);
  const resolved: ResolvedRabbitProfile = {
    kind: 'rabbitmq',
    name,
    url,
    host: parsed.host,
    port: parsed.port,
    username: parsed.username,
    vhost: parsed.vhost,
    amqps: parsed.amqps,
    managementUrl: managementUrl.replace(/\/+$/, ''),
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
  if (profile.ssh) {
    const hops = [...(profile.ssh.jumpHosts ?? []), profile.ssh];
    identity.push(['ssh', ...hops.map((h) => `${h.username}@${h.host.toLowerCase()}:${h.port ?? 22}`)]);
  }
  return `brokerExplorer.${secret}:${JSON.stringify(identity)}`;
}

/** Where a connection to the profile dials: its SSH forward when it has one, else its host and port. */
export function dialEndpoint(profile: { host: string; port: number; via?: Endpoint }): Endpoint {
  return profile.via ?? { host: profile.host, port: profile.port };
}

/** A management API URL for `path`, sent to the SSH forward when the profile has one. */
export function managementRequestUrl(profile: { managementUrl: string; managementVia?: Endpoint }, path: string): string {
  const url = new URL(profile.managementUrl.replace(/\/+$/, '') + path);
  if (profile.managementVia) {
    url.hostname = profile.managementVia.host;
    url.port = String(profile.managementVia.port);
  }
  return url.href;
}

/** host:port, with brackets for IPv6. */
export function endpoint(profile: { host: string; port: number }): string {
  return profile.host.includes(':') ? `[${profile.host}]:${profile.port}` : `${profile.host}:${profile.port}`;
}
