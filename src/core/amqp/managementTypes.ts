/**
 * What the management API returns, as typed plain objects (camelCase), and
 * the narrowing of its JSON from `unknown`.
 */

/** One page of a list, as `brokerExplorer.rabbitmq.list` returns it. */
export interface Page<T> {
  items: T[];
  /** Items matching the filter (all items when there is none). */
  total: number;
  /** 1-based. */
  page: number;
  pageCount: number;
  pageSize: number;
  /** Items before the filter. */
  unfilteredTotal: number;
}

export interface VhostInfo {
  name: string;
  description?: string;
  tracing: boolean;
  messages?: number;
  messagesReady?: number;
  messagesUnacknowledged?: number;
}

export interface ExchangeInfo {
  vhost: string;
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
  /** The default exchange ("") and the `amq.*` ones. */
  builtIn: boolean;
  /** Messages/s published into it and routed out of it (message_stats), once the broker has sampled some traffic. */
  publishInRate?: number;
  publishOutRate?: number;
}

export type QueueType = 'classic' | 'quorum' | 'stream';

export interface QueueInfo {
  vhost: string;
  name: string;
  /** classic, quorum or stream (other values from plugins are passed through). */
  type: string;
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  arguments: Record<string, unknown>;
  state?: string;
  /** Statistics: absent until the broker has sampled a new queue (~5 s). */
  messages?: number;
  messagesReady?: number;
  messagesUnacknowledged?: number;
  consumers?: number;
  /** The node a classic queue lives on (a quorum or stream queue: its leader's). */
  node?: string;
  /** A quorum or stream queue's leader node. */
  leader?: string;
  /** A quorum or stream queue's member nodes (the leader included). */
  members?: string[];
  /** Its members that are running. */
  online?: string[];
  /** The policy and operator policy that apply to it, by name. */
  policy?: string;
  operatorPolicy?: string;
  /** What those policies set, merged as the broker applies them. */
  effectivePolicy?: Record<string, unknown>;
  /** Messages/s published to, delivered from and acknowledged on it (message_stats), once the broker has sampled some traffic. */
  publishRate?: number;
  deliverRate?: number;
  ackRate?: number;
}

/** One node of the cluster, as GET /api/nodes reports it; a stopped node has only its name and `running: false`. */
export interface NodeInfo {
  name: string;
  running: boolean;
  /** The memory high watermark was reached: publishers are blocked. */
  memoryAlarm: boolean;
  /** Free disk fell below its limit: publishers are blocked. */
  diskFreeAlarm: boolean;
  /** Nodes this one can not reach while they run (a network partition); empty when healthy. */
  partitions: string[];
  /** disc or ram. */
  type?: string;
  uptimeMs?: number;
  memoryUsed?: number;
  memoryLimit?: number;
  diskFree?: number;
  diskFreeLimit?: number;
}

export interface BindingInfo {
  vhost: string;
  /** "" is the default exchange. */
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: Record<string, unknown>;
  /** The key the management API uses to address this binding for DELETE. */
  propertiesKey: string;
}

export interface ConnectionInfo {
  /** The broker's name for it (`127.0.0.1:50682 -> 127.0.0.1:5672`): what DELETE takes. */
  name: string;
  vhost: string;
  user: string;
  /** The name the client gave (`connection_name` client property). */
  clientName?: string;
  state?: string;
  channels?: number;
  /** Client properties: library, its version, platform. */
  product?: string;
  version?: string;
  platform?: string;
  /** Bytes per second received from / sent to the client. */
  recvRate?: number;
  sendRate?: number;
}

export interface Overview {
  managementVersion: string;
  rabbitmqVersion?: string;
  erlangVersion?: string;
  clusterName?: string;
  node?: string;
  objectTotals: Record<string, number>;
  queueTotals: Record<string, number>;
}

// ---------------------------------------------------------------- narrowing

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(o: JsonObject, key: string, fallback = ''): string {
  const v = o[key];
  return typeof v === 'string' ? v : fallback;
}

export function optStr(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function optNum(o: JsonObject, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function optStrings(o: JsonObject, key: string): string[] | undefined {
  const v = o[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

export function bool(o: JsonObject, key: string): boolean {
  return o[key] === true;
}

export function args(o: JsonObject, key = 'arguments'): Record<string, unknown> {
  const v = o[key];
  return isObject(v) ? v : {};
}

function numbers(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** A `message_stats.<key>_details.rate` the management API gives, in messages per second. */
export function messageRate(o: JsonObject, key: string): number | undefined {
  const stats = isObject(o.message_stats) ? o.message_stats : {};
  const details = stats[`${key}_details`];
  return isObject(details) ? optNum(details, 'rate') : undefined;
}

export function withOptional<T extends object>(base: T, extra: Partial<T>): T {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (base as Record<string, unknown>)[k] = v;
  return base;
}

export function parseVhost(o: JsonObject): VhostInfo {
  return withOptional<VhostInfo>(
    { name: str(o, 'name'), tracing: bool(o, 'tracing') },
    {
      description: optStr(o, 'description'),
      messages: optNum(o, 'messages'),
      messagesReady: optNum(o, 'messages_ready'),
      messagesUnacknowledged: optNum(o, 'messages_unacknowledged'),
    },
  );
}

export function parseExchange(o: JsonObject): ExchangeInfo {
  const name = str(o, 'name');
  return {
    vhost: str(o, 'vhost'),
    name,
    type: str(o, 'type'),
    durable: bool(o, 'durable'),
    autoDelete: bool(o, 'auto_delete'),
    internal: bool(o, 'internal'),
    arguments: args(o),
    builtIn: name === '' || name.startsWith('amq.'),
    ...withOptional<Pick<ExchangeInfo, 'publishInRate' | 'publishOutRate'>>(
      {},
      { publishInRate: messageRate(o, 'publish_in'), publishOutRate: messageRate(o, 'publish_out') },
    ),
  };
}

export function parseQueue(o: JsonObject): QueueInfo {
  const a = args(o);
  const declared = typeof a['x-queue-type'] === 'string' ? a['x-queue-type'] : undefined;
  return withOptional<QueueInfo>(
    {
      vhost: str(o, 'vhost'),
      name: str(o, 'name'),
      type: str(o, 'type', declared ?? 'classic'),
      durable: bool(o, 'durable'),
      autoDelete: bool(o, 'auto_delete'),
      exclusive: bool(o, 'exclusive'),
      arguments: a,
    },
    {
      state: optStr(o, 'state'),
      messages: optNum(o, 'messages'),
      messagesReady: optNum(o, 'messages_ready'),
      messagesUnacknowledged: optNum(o, 'messages_unacknowledged'),
      consumers: optNum(o, 'consumers'),
      node: optStr(o, 'node'),
      leader: optStr(o, 'leader'),
      members: optStrings(o, 'members'),
      online: optStrings(o, 'online'),
      policy: optStr(o, 'policy') || undefined,
      operatorPolicy: optStr(o, 'operator_policy') || undefined,
      effectivePolicy:
        isObject(o.effective_policy_definition) && Object.keys(o.effective_policy_definition).length > 0
          ? o.effective_policy_definition
          : undefined,
      publishRate: messageRate(o, 'publish'),
      deliverRate: messageRate(o, 'deliver_get'),
      ackRate: messageRate(o, 'ack'),
    },
  );
}

export function parseNode(o: JsonObject): NodeInfo {
  return withOptional<NodeInfo>(
    {
      name: str(o, 'name'),
      running: bool(o, 'running'),
      memoryAlarm: bool(o, 'mem_alarm'),
      diskFreeAlarm: bool(o, 'disk_free_alarm'),
      partitions: optStrings(o, 'partitions') ?? [],
    },
    {
      type: optStr(o, 'type'),
      uptimeMs: optNum(o, 'uptime'),
      memoryUsed: optNum(o, 'mem_used'),
      memoryLimit: optNum(o, 'mem_limit'),
      diskFree: optNum(o, 'disk_free'),
      diskFreeLimit: optNum(o, 'disk_free_limit'),
    },
  );
}

export function parseBinding(o: JsonObject): BindingInfo {
  return {
    vhost: str(o, 'vhost'),
    source: str(o, 'source'),
    destination: str(o, 'destination'),
    destinationType: str(o, 'destination_type') === 'exchange' ? 'exchange' : 'queue',
    routingKey: str(o, 'routing_key'),
    arguments: args(o),
    propertiesKey: str(o, 'properties_key'),
  };
}

export function parseConnection(o: JsonObject): ConnectionInfo {
  const props = isObject(o.client_properties) ? o.client_properties : {};
  return withOptional<ConnectionInfo>(
    { name: str(o, 'name'), vhost: str(o, 'vhost'), user: str(o, 'user') },
    {
      clientName: optStr(o, 'user_provided_name') ?? optStr(props, 'connection_name'),
      state: optStr(o, 'state'),
      channels: optNum(o, 'channels'),
      product: optStr(props, 'product'),
      version: optStr(props, 'version'),
      platform: optStr(props, 'platform'),
      recvRate: isObject(o.recv_oct_details) ? optNum(o.recv_oct_details, 'rate') : undefined,
      sendRate: isObject(o.send_oct_details) ? optNum(o.send_oct_details, 'rate') : undefined,
    },
  );
}

export function parseOverview(o: JsonObject): Overview {
  return withOptional<Overview>(
    {
      managementVersion: str(o, 'management_version'),
      objectTotals: numbers(o.object_totals),
      queueTotals: numbers(o.queue_totals),
    },
    {
      rabbitmqVersion: optStr(o, 'rabbitmq_version'),
      erlangVersion: optStr(o, 'erlang_version'),
      clusterName: optStr(o, 'cluster_name'),
      node: optStr(o, 'node'),
    },
  );
}

/** The items of a paged reply, or of a plain array reply. */
export function replyItems(body: unknown): JsonObject[] {
  const list = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.items) ? body.items : [];
  return list.filter(isObject);
}

export interface PagedReplyCounts {
  total: number;
  unfilteredTotal: number;
  page: number;
  pageCount: number;
}

export function replyCounts(body: unknown): PagedReplyCounts {
  const o = isObject(body) ? body : {};
  return {
    total: optNum(o, 'filtered_count') ?? 0,
    unfilteredTotal: optNum(o, 'total_count') ?? 0,
    page: optNum(o, 'page') ?? 1,
    pageCount: optNum(o, 'page_count') ?? 0,
  };
}
