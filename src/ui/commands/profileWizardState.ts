/**
 * The answers of the guided Add Connection flow (profileWizard.ts) and the
 * settings object they make: the address step's text read as host:port, a
 * redis:// URL, a seed list, sentinels or AMQP URLs, checked with the same
 * parsers the profiles use, so the flow refuses what saving would refuse.
 */
import * as vscode from 'vscode';
import type { SshConfig, SshSecrets } from '../../core/net/sshTunnel';
import { errorMessage } from '../../core/errors';
import { parseEndpointList } from '../../core/profileFields';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DELIMITER,
  parseAmqpUrl,
  parseRedisUrl,
  secretKey,
  resolveRabbitProfile,
  resolveRedisProfile,
  type ProfileKind,
  type RedisMode,
  type ResolvedProfile,
  type TlsOptions,
} from '../../core/profiles';
import type { ProfileTarget } from '../profileStore';

export type TlsChoice = 'none' | 'system' | 'ca' | 'selfSigned';

/** Everything the flow asked so far; Back keeps it, so a step shows its earlier answer. */
export interface WizardState {
  kind: ProfileKind;
  mode: RedisMode;
  name: string;
  /** host:port or a redis:// URL; the seed list; the sentinels; the AMQP URL(s). */
  address: string;
  db: string;
  sentinelName: string;
  username: string;
  password: string;
  sentinelPassword: string;
  tls: TlsChoice;
  caPath: string;
  readOnly: boolean;
  connectTimeoutMs: number;
  delimiter: string;
  managementUrl: string;
  ssh: SshConfig | undefined;
  sshSecrets: SshSecrets;
  target: ProfileTarget;
  /** Edit Connection: the endpoint the prefilled secrets belong to; another endpoint asks them again. */
  secretsOf?: string;
}

export function initialState(kind: ProfileKind): WizardState {
  return {
    kind,
    mode: 'standalone',
    name: '',
    address: '',
    db: '0',
    sentinelName: 'mymaster',
    username: '',
    password: '',
    sentinelPassword: '',
    tls: 'none',
    caPath: '',
    readOnly: false,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    delimiter: DEFAULT_DELIMITER,
    managementUrl: '',
    ssh: undefined,
    sshSecrets: {},
    target: 'global',
  };
}

export const isRedisUrl = (s: string): boolean => /^rediss?:\/\//i.test(s.trim());
export const splitList = (s: string): string[] =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** The address as profile fields; throws the sentence saying what is wrong. */
export function addressFields(s: WizardState): Record<string, unknown> {
  const name = s.name || vscode.l10n.t('new');
  if (s.kind === 'rabbitmq') {
    const urls = splitList(s.address);
    if (urls.length === 0) throw new Error(vscode.l10n.t('Give the AMQP URL of the node (several, comma-separated, for a cluster).'));
    for (const u of urls)
      if (parseAmqpUrl(u).password !== undefined) throw new Error(vscode.l10n.t('Leave the password out of the URL: it is asked next.'));
    return urls.length === 1 ? { url: urls[0] } : { urls };
  }
  if (s.mode === 'cluster') return { mode: 'cluster', nodes: parseEndpointList(splitList(s.address), 'seed nodes', name, 6379) };
  if (s.mode === 'sentinel') return { mode: 'sentinel', sentinels: parseEndpointList(splitList(s.address), 'sentinels', name, 26379) };
  if (isRedisUrl(s.address)) {
    if (parseRedisUrl(s.address.trim()).password !== undefined)
      throw new Error(vscode.l10n.t('Leave the password out of the URL: it is asked next.'));
    return { url: s.address.trim() };
  }
  const [node] = parseEndpointList([s.address.trim()], 'address', name, 6379);
  if (node === undefined) throw new Error(vscode.l10n.t('Give host:port, or a redis:// URL.'));
  return { host: node.host, port: node.port };
}

export function problemOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

function tlsFields(s: WizardState): TlsOptions | undefined {
  if (s.tls === 'none') return undefined;
  if (s.tls === 'ca') return { enabled: true, ca: s.caPath };
  if (s.tls === 'selfSigned') return { enabled: true, allowSelfSigned: true };
  return { enabled: true };
}

/** The settings object the answers make (no secret in it). */
export function wizardProfile(s: WizardState): Record<string, unknown> {
  const raw: Record<string, unknown> = { name: s.name, ...addressFields(s) };
  if (s.kind === 'redis') {
    if (s.mode === 'sentinel') raw.sentinelName = s.sentinelName;
    if (s.mode !== 'cluster' && !(isRedisUrl(s.address) && parseRedisUrl(s.address.trim()).db !== undefined)) raw.db = Number(s.db);
    if (s.username !== '' && !urlUser(s)) raw.username = s.username;
    if (s.delimiter !== DEFAULT_DELIMITER) raw.delimiter = s.delimiter;
  } else if (s.managementUrl !== '') {
    raw.managementUrl = s.managementUrl;
  }
  const tls = tlsFields(s);
  if (tls) raw.tls = tls;
  if (s.connectTimeoutMs !== DEFAULT_CONNECT_TIMEOUT_MS) raw.connectTimeoutMs = s.connectTimeoutMs;
  if (s.readOnly) raw.readOnly = true;
  if (s.ssh) raw.ssh = s.ssh;
  return raw;
}

/** The user name a URL carries (a Redis URL of a standalone profile, or the AMQP URL). */
export function urlUser(s: WizardState): string | undefined {
  if (s.kind === 'rabbitmq') return splitList(s.address).map((u) => parseAmqpUrl(u).username)[0];
  return s.mode === 'standalone' && isRedisUrl(s.address) ? parseRedisUrl(s.address.trim()).username : undefined;
}

export function resolved(s: WizardState): ResolvedProfile {
  const raw = wizardProfile(s);
  return s.kind === 'redis' ? resolveRedisProfile(raw) : resolveRabbitProfile(raw);
}

/** Fields the flow asks for; any other field of an edited profile is kept as it is. */
const ASKED_FIELDS = [
  'name',
  'host',
  'port',
  'url',
  'urls',
  'mode',
  'nodes',
  'sentinels',
  'sentinelName',
  'db',
  'username',
  'delimiter',
  'managementUrl',
  'tls',
  'connectTimeoutMs',
  'readOnly',
  'ssh',
];

const endpoints = (list: readonly { host: string; port: number }[] | undefined): string =>
  (list ?? []).map((e) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`).join(', ');

/** The answers an existing profile gives (Edit Connection starts from them); secrets are the stored ones. */
export function stateFromProfile(
  profile: ResolvedProfile,
  raw: Record<string, unknown>,
  secrets: { password?: string; sentinelPassword?: string },
  target: ProfileTarget,
): WizardState {
  const s = initialState(profile.kind);
  const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  s.name = profile.name;
  s.target = target;
  s.readOnly = profile.readOnly;
  s.connectTimeoutMs = profile.connectTimeoutMs;
  s.ssh = profile.ssh;
  s.password = secrets.password ?? '';
  s.sentinelPassword = secrets.sentinelPassword ?? '';
  s.secretsOf = endpointOf(profile);
  const tls = profile.tls;
  s.tls = !tls?.enabled ? 'none' : tls.ca ? 'ca' : tls.allowSelfSigned ? 'selfSigned' : 'system';
  s.caPath = tls?.ca ?? '';
  if (profile.kind === 'redis') {
    s.mode = profile.mode;
    s.db = String(profile.db);
    s.username = text(raw.username);
    s.delimiter = profile.delimiter;
    s.sentinelName = profile.sentinelName ?? s.sentinelName;
    if (profile.mode === 'cluster') s.address = endpoints(profile.nodes);
    else if (profile.mode === 'sentinel') s.address = endpoints(profile.sentinels);
    else s.address = typeof raw.url === 'string' ? raw.url : `${profile.host}:${profile.port}`;
  } else {
    s.address = Array.isArray(raw.urls) ? raw.urls.map(text).join(', ') : text(raw.url);
    s.managementUrl = text(raw.managementUrl);
  }
  return s;
}

/** An edited profile: the answers over the fields the flow does not ask for (TLS client certificates, management URLs, …). */
export function editedProfile(current: Record<string, unknown>, s: WizardState): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(current).filter(([k]) => !ASKED_FIELDS.includes(k)));
  const made = wizardProfile(s);
  const oldTls = current.tls;
  if (made.tls && typeof oldTls === 'object' && oldTls !== null) {
    const { cert, key, servername } = oldTls as TlsOptions;
    made.tls = { ...(made.tls as TlsOptions), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(servername ? { servername } : {}) };
  }
  return { ...kept, ...made };
}

/** What a stored password is bound to, the name and the SSH bastion aside (secretKey's identity). */
const endpointOf = (profile: ResolvedProfile): string => secretKey({ ...profile, name: '', ssh: undefined });

/**
 * Before the password step of an edit: secrets prefilled from the stored
 * ones stay only while the address and user are the ones they were stored
 * for; a password is never carried to another server without being typed.
 */
export function forgetMovedSecrets(s: WizardState): void {
  if (s.secretsOf === undefined) return;
  const now = problemOf(() => resolved(s)) === undefined ? endpointOf(resolved(s)) : undefined;
  if (now === s.secretsOf) return;
  s.password = '';
  s.sentinelPassword = '';
  s.secretsOf = undefined;
}
