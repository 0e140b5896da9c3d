/**
 * The fields of a profile that name more than one server: a Redis
 * Cluster's seeds, a Sentinel set, a RabbitMQ cluster's node and management
 * URL lists. No I/O here.
 */
import * as l10n from '@vscode/l10n';
import { failProfile, optString, parseEndpointList } from './profileFields';
import { parseAmqpUrl, redactUrl, type ParsedAmqpUrl } from './profileUrls';

/** How a Redis profile is deployed: one server, a Redis Cluster, or a Sentinel-managed primary. */
export type RedisMode = 'standalone' | 'cluster' | 'sentinel';

interface Endpoint {
  host: string;
  port: number;
}

/** What a Redis profile's mode adds: the cluster's seeds or the sentinels; host:port becomes the first of them. */
export interface RedisTopologyFields {
  host: string;
  port: number;
  nodes?: Endpoint[];
  sentinels?: Endpoint[];
  sentinelName?: string;
  sentinelUsername?: string;
}

/** The topology fields of a raw Redis profile `o`, whose name, mode, db, host and port are already resolved. */
export function redisTopology(
  o: Record<string, unknown>,
  resolved: { name: string; mode: RedisMode; db: number; host: string; port: number },
): RedisTopologyFields {
  const name = resolved.name;
  const out: RedisTopologyFields = { host: resolved.host, port: resolved.port };
  const misplaced = (field: string, mode: RedisMode): void => {
    if (o[field] !== undefined && resolved.mode !== mode)
      failProfile(name, l10n.t('"{0}" belongs to mode "{1}": set "mode": "{1}" or remove "{0}".', field, mode));
  };
  misplaced('nodes', 'cluster');
  for (const field of ['sentinels', 'sentinelName', 'sentinelUsername']) misplaced(field, 'sentinel');
  if (resolved.mode === 'cluster') {
    if (resolved.db !== 0)
      failProfile(
        name,
        l10n.t(
          'a Redis Cluster has only database 0, not {0}: remove "db" (keys are spread over the nodes by hash slot instead).',
          resolved.db,
        ),
      );
    const nodes = o.nodes === undefined ? [{ host: resolved.host, port: resolved.port }] : parseEndpointList(o.nodes, 'nodes', name, 6379);
    out.nodes = nodes;
    out.host = nodes[0].host;
    out.port = nodes[0].port;
  } else if (resolved.mode === 'sentinel') {
    const sentinels = parseEndpointList(o.sentinels, 'sentinels', name, 26379);
    const sentinelName = optString(o, 'sentinelName', name);
    if (sentinelName === undefined)
      failProfile(name, l10n.t('"sentinelName" is missing: give the name the sentinels know the primary by (sentinel monitor <name> …).'));
    out.sentinels = sentinels;
    out.sentinelName = sentinelName;
    const sentinelUsername = optString(o, 'sentinelUsername', name);
    if (sentinelUsername !== undefined) out.sentinelUsername = sentinelUsername;
    out.host = sentinels[0].host;
    out.port = sentinels[0].port;
  }
  return out;
}

/** The profile's AMQP URLs: `urls`, or `url`, or the local default. */
export function amqpUrls(o: Record<string, unknown>, name: string): string[] {
  const url = optString(o, 'url', name);
  if (o.urls === undefined) return [url ?? 'amqp://guest@127.0.0.1:5672/'];
  if (url !== undefined) failProfile(name, l10n.t('give either "url" or "urls", not both.'));
  if (!Array.isArray(o.urls) || o.urls.length === 0 || o.urls.some((u) => typeof u !== 'string' || u === ''))
    failProfile(name, l10n.t('"urls" must be a list of at least one amqp:// URL, one per cluster node.'));
  return o.urls as string[];
}

export function parseProfileAmqpUrl(url: string, name: string): ParsedAmqpUrl {
  let parsed: ParsedAmqpUrl;
  try {
    parsed = parseAmqpUrl(url);
  } catch (err) {
    failProfile(name, err instanceof Error ? err.message : String(err));
  }
  if (parsed.password) failProfile(name, l10n.t('the URL holds a password: remove it from the URL and use "Set Password".'));
  return parsed;
}

/** The management API URLs: `managementUrls`, `managementUrl`, or one per AMQP node on 15672 (15671 for amqps); checked, without a trailing slash. */
export function managementUrlList(o: Record<string, unknown>, name: string, nodes: readonly ParsedAmqpUrl[]): string[] {
  const single = optString(o, 'managementUrl', name);
  let list: string[];
  if (o.managementUrls !== undefined) {
    if (single !== undefined) failProfile(name, l10n.t('give either "managementUrl" or "managementUrls", not both.'));
    if (
      !Array.isArray(o.managementUrls) ||
      o.managementUrls.length === 0 ||
      o.managementUrls.some((u) => typeof u !== 'string' || u === '')
    )
      failProfile(name, l10n.t('"managementUrls" must be a list of at least one http:// URL.'));
    list = o.managementUrls as string[];
  } else if (single !== undefined) {
    list = [single];
  } else {
    list = nodes.map((p) => `${p.amqps ? 'https' : 'http'}://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.amqps ? 15671 : 15672}`);
  }
  for (const managementUrl of list) {
    let mu: URL;
    try {
      mu = new URL(managementUrl);
    } catch {
      failProfile(name, l10n.t('"managementUrl" {0} is not a URL: write it as http://host:15672.', redactUrl(managementUrl)));
    }
    if (mu.protocol !== 'http:' && mu.protocol !== 'https:')
      failProfile(name, l10n.t('"managementUrl" must start with http:// or https://.'));
    if (mu.password || mu.username)
      failProfile(name, l10n.t('"managementUrl" must not hold credentials: the AMQP user and the stored password are used.'));
  }
  return [...new Set(list.map((u) => u.replace(/\/+$/, '')))];
}
