/**
 * What the management API says about channels, consumers, policies, users,
 * permissions and vhost limits, narrowed from its JSON to small typed
 * shapes (the same way managementTypes.ts does for queues and exchanges).
 */
import { args, bool, isObject, messageRate, optNum, optStr, str, withOptional, type JsonObject } from './managementTypes';

export interface ChannelInfo {
  /** `127.0.0.1:50682 -> 127.0.0.1:5672 (1)`. */
  name: string;
  connectionName: string;
  vhost: string;
  user: string;
  number: number;
  prefetch: number;
  unacked: number;
  unconfirmed: number;
  consumers: number;
  confirm: boolean;
  state?: string;
  publishRate?: number;
  deliverRate?: number;
  ackRate?: number;
}

export interface ConsumerInfo {
  consumerTag: string;
  queue: string;
  vhost: string;
  channelName: string;
  connectionName: string;
  ackRequired: boolean;
  prefetch: number;
  exclusive: boolean;
  active?: boolean;
  arguments: Record<string, unknown>;
}

export interface PolicyInfo {
  name: string;
  vhost: string;
  pattern: string;
  applyTo: string;
  definition: Record<string, unknown>;
  priority: number;
  /** An operator policy (caps set by the operator), not a user policy. */
  operator: boolean;
}

export interface UserInfo {
  name: string;
  tags: string[];
}

export interface PermissionInfo {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

export interface TopicPermissionInfo {
  user: string;
  vhost: string;
  exchange: string;
  write: string;
  read: string;
}

export interface VhostLimitInfo {
  vhost: string;
  limits: Record<string, number>;
}

const rate = messageRate;

export function parseChannel(o: JsonObject): ChannelInfo {
  const conn = isObject(o.connection_details) ? o.connection_details : {};
  return withOptional<ChannelInfo>(
    {
      name: str(o, 'name'),
      connectionName: str(conn, 'name'),
      vhost: str(o, 'vhost'),
      user: str(o, 'user'),
      number: optNum(o, 'number') ?? 0,
      prefetch: optNum(o, 'prefetch_count') ?? 0,
      unacked: optNum(o, 'messages_unacknowledged') ?? 0,
      unconfirmed: optNum(o, 'messages_unconfirmed') ?? 0,
      consumers: optNum(o, 'consumer_count') ?? 0,
      confirm: bool(o, 'confirm'),
    },
    { state: optStr(o, 'state'), publishRate: rate(o, 'publish'), deliverRate: rate(o, 'deliver_get'), ackRate: rate(o, 'ack') },
  );
}

export function parseConsumer(o: JsonObject): ConsumerInfo {
  const ch = isObject(o.channel_details) ? o.channel_details : {};
  const q = isObject(o.queue) ? o.queue : {};
  return withOptional<ConsumerInfo>(
    {
      consumerTag: str(o, 'consumer_tag'),
      queue: str(q, 'name'),
      vhost: str(q, 'vhost'),
      channelName: str(ch, 'name'),
      connectionName: str(ch, 'connection_name'),
      ackRequired: bool(o, 'ack_required'),
      prefetch: optNum(o, 'prefetch_count') ?? 0,
      exclusive: bool(o, 'exclusive'),
      arguments: args(o),
    },
    { active: typeof o.active === 'boolean' ? o.active : undefined },
  );
}

export function parsePolicy(o: JsonObject, operator: boolean): PolicyInfo {
  return {
    name: str(o, 'name'),
    vhost: str(o, 'vhost'),
    pattern: str(o, 'pattern'),
    applyTo: str(o, 'apply-to', 'all'),
    definition: args(o, 'definition'),
    priority: optNum(o, 'priority') ?? 0,
    operator,
  };
}

export function parseUser(o: JsonObject): UserInfo {
  const tags = o.tags;
  // 3.9+ returns a list; older brokers a comma-separated string.
  const list = Array.isArray(tags)
    ? tags.filter((t): t is string => typeof t === 'string')
    : typeof tags === 'string'
      ? tags.split(',')
      : [];
  return { name: str(o, 'name'), tags: list.map((t) => t.trim()).filter((t) => t !== '') };
}

export function parsePermission(o: JsonObject): PermissionInfo {
  return { user: str(o, 'user'), vhost: str(o, 'vhost'), configure: str(o, 'configure'), write: str(o, 'write'), read: str(o, 'read') };
}

export function parseTopicPermission(o: JsonObject): TopicPermissionInfo {
  return { user: str(o, 'user'), vhost: str(o, 'vhost'), exchange: str(o, 'exchange'), write: str(o, 'write'), read: str(o, 'read') };
}

export function parseVhostLimit(o: JsonObject): VhostLimitInfo {
  const value = isObject(o.value) ? o.value : {};
  const limits: Record<string, number> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'number') limits[k] = v;
  return { vhost: str(o, 'vhost'), limits };
}
