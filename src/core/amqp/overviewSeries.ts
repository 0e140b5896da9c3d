/**
 * Dashboard samples of a RabbitMQ broker from the management API: the
 * overview's message rates (as the broker computes them, the same figures
 * its own UI charts), queued messages and object totals, each node's memory
 * and disk against its alarm thresholds; and one queue's depth and rates.
 * Every read is trimmed with `columns=`, so a sample stays small whatever
 * the broker holds.
 */
import * as l10n from '@vscode/l10n';
import { encodeName } from './managementHttp';
import type { ManagementClient, RequestOptions } from './managementClient';
import { isObject, replyItems, str, type JsonObject } from './managementTypes';

/** Messages per second, as the broker's `*_details.rate`. */
export interface MessageRates {
  publish: number;
  /** Deliveries to consumers and basic.get (`deliver_get`). */
  deliver: number;
  ack: number;
  redeliver: number;
}

export interface NodeGauge {
  name: string;
  running: boolean;
  memoryUsed: number;
  /** The memory high watermark: publishers are blocked above it. */
  memoryLimit: number;
  diskFree: number;
  /** Publishers are blocked when free disk falls below it. */
  diskFreeLimit: number;
  memoryAlarm: boolean;
  diskAlarm: boolean;
}

export interface RabbitSample {
  /** When the reads answered, ms since the epoch. */
  t: number;
  rates: MessageRates;
  ready: number;
  unacked: number;
  connections: number;
  channels: number;
  consumers: number;
  queues: number;
  nodes: NodeGauge[];
}

export interface QueueSample {
  t: number;
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
  rates: MessageRates;
}

const OVERVIEW_COLUMNS = 'message_stats,queue_totals,object_totals';
const NODE_COLUMNS = 'name,running,mem_used,mem_limit,disk_free,disk_free_limit,mem_alarm,disk_free_alarm';
const QUEUE_COLUMNS = 'messages,messages_ready,messages_unacknowledged,consumers,message_stats';

const obj = (v: unknown): JsonObject => (isObject(v) ? v : {});
const num = (o: JsonObject, key: string): number => (typeof o[key] === 'number' ? o[key] : 0);
const rateOf = (stats: JsonObject, name: string): number => num(obj(stats[`${name}_details`]), 'rate');

/** The rates of a `message_stats` object (absent figures are 0: nothing happened yet). */
export function messageRates(stats: unknown): MessageRates {
  const s = obj(stats);
  return { publish: rateOf(s, 'publish'), deliver: rateOf(s, 'deliver_get'), ack: rateOf(s, 'ack'), redeliver: rateOf(s, 'redeliver') };
}

export function nodeGauge(o: JsonObject): NodeGauge {
  return {
    name: str(o, 'name'),
    running: o.running === true,
    memoryUsed: num(o, 'mem_used'),
    memoryLimit: num(o, 'mem_limit'),
    diskFree: num(o, 'disk_free'),
    diskFreeLimit: num(o, 'disk_free_limit'),
    memoryAlarm: o.mem_alarm === true,
    diskAlarm: o.disk_free_alarm === true,
  };
}

/** The sample of an overview reply and a nodes reply read at `t`. */
export function rabbitSample(overview: unknown, nodes: unknown, t: number): RabbitSample {
  const o = obj(overview);
  const totals = obj(o.queue_totals);
  const objects = obj(o.object_totals);
  return {
    t,
    rates: messageRates(o.message_stats),
    ready: num(totals, 'messages_ready'),
    unacked: num(totals, 'messages_unacknowledged'),
    connections: num(objects, 'connections'),
    channels: num(objects, 'channels'),
    consumers: num(objects, 'consumers'),
    queues: num(objects, 'queues'),
    nodes: replyItems(nodes).map(nodeGauge),
  };
}

/** One broker sample: GET /api/overview and /api/nodes, trimmed, at once. */
export async function readRabbitSample(m: ManagementClient, options: RequestOptions = {}): Promise<RabbitSample> {
  const signal = options.signal ? { signal: options.signal } : {};
  const [overview, nodes] = await Promise.all([
    m.request({ path: '/api/overview', query: { columns: OVERVIEW_COLUMNS }, what: l10n.t('reading the overview'), ...signal }),
    m.request({ path: '/api/nodes', query: { columns: NODE_COLUMNS }, what: l10n.t('reading the nodes'), ...signal }),
  ]);
  return rabbitSample(overview.body, nodes.body, Date.now());
}

/** One queue's sample from GET /api/queues/<vhost>/<name>. */
export function queueSample(queue: unknown, t: number): QueueSample {
  const q = obj(queue);
  return {
    t,
    messages: num(q, 'messages'),
    ready: num(q, 'messages_ready'),
    unacked: num(q, 'messages_unacknowledged'),
    consumers: num(q, 'consumers'),
    rates: messageRates(q.message_stats),
  };
}

/** Reads one queue's sample; a missing queue or vhost is the management client's one sentence. */
export async function readQueueSample(
  m: ManagementClient,
  vhost: string,
  queue: string,
  options: RequestOptions = {},
): Promise<QueueSample> {
  const reply = await m.request(
    {
      path: `/api/queues/${encodeName(vhost)}/${encodeName(queue)}`,
      query: { columns: QUEUE_COLUMNS },
      what: l10n.t('reading queue "{0}" of vhost "{1}"', queue, vhost),
      notFound: l10n.t('queue "{0}" in vhost "{1}"', queue, vhost),
      ...(options.signal ? { signal: options.signal } : {}),
    },
    { vhost },
  );
  return queueSample(reply.body, Date.now());
}
