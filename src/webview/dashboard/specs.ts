/**
 * What each dashboard shows: its charts (ChartSpec) and its table of the
 * newest sample (Readout: one row per figure, the raw number in
 * `data-value`, so a test can compare it with INFO or the management API).
 */
import type { NodeGauge, QueueSample, RabbitSample } from '../../core/amqp/overviewSeries';
import type { RedisSample } from '../../core/redis/infoSeries';
import { formatBytes } from '../../core/units';
import type { ChartSpec, SeriesValue } from './liveChart';
import type { DashboardKind, DashboardSample } from './protocol';

export interface Readout {
  /** `usedMemory`, `keys.db0`, `node.rabbit@host.memoryUsed`: the row's `data-field`. */
  field: string;
  label: string;
  value: number | null;
  text: string;
}

const count = (v: number): string =>
  Math.abs(v) >= 10_000 ? `${(v / 1000).toFixed(v >= 100_000 ? 0 : 1)}k` : String(Math.round(v * 100) / 100);
const perSec = (v: number): string => `${count(v)}/s`;
const bytes = (v: number): string => formatBytes(Math.round(v));
const bytesPerSec = (v: number): string => `${formatBytes(Math.round(v))}/s`;
const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;
const opt = (v: number | null, f: (n: number) => string): string => (v === null ? '–' : f(v));

const redisCharts: ChartSpec<RedisSample>[] = [
  { id: 'ops', title: 'Commands per second', format: perSec, series: (s) => [{ label: 'ops/s', value: s.opsPerSec }] },
  {
    id: 'memory',
    title: 'Memory',
    format: bytes,
    series: (s) => [
      { label: 'used', value: s.usedMemory },
      ...(s.maxMemory > 0 ? [{ label: 'maxmemory', value: s.maxMemory, dash: true }] : []),
    ],
  },
  {
    id: 'clients',
    title: 'Clients',
    format: count,
    series: (s) => [
      { label: 'connected', value: s.connectedClients },
      { label: 'blocked', value: s.blockedClients },
    ],
  },
  { id: 'hits', title: 'Keyspace hit ratio', format: percent, max: 1, series: (s) => [{ label: 'hits', value: s.hitRatio }] },
  {
    id: 'network',
    title: 'Network',
    format: bytesPerSec,
    series: (s) => [
      { label: 'in', value: s.netInPerSec },
      { label: 'out', value: s.netOutPerSec },
    ],
  },
  {
    id: 'keys',
    title: 'Keys per database',
    format: count,
    series: (s) => Object.entries(s.keysPerDb).map(([db, n]): SeriesValue => ({ label: db, value: n })),
  },
  {
    id: 'evictions',
    title: 'Evicted and expired keys per second',
    format: perSec,
    series: (s) => [
      { label: 'evicted', value: s.evictedPerSec },
      { label: 'expired', value: s.expiredPerSec },
    ],
  },
];

function redisReadouts(s: RedisSample): Readout[] {
  return [
    { field: 'opsPerSec', label: 'Commands per second', value: s.opsPerSec, text: opt(s.opsPerSec, perSec) },
    { field: 'usedMemory', label: 'Used memory', value: s.usedMemory, text: bytes(s.usedMemory) },
    { field: 'maxMemory', label: 'maxmemory', value: s.maxMemory, text: s.maxMemory > 0 ? bytes(s.maxMemory) : 'no limit' },
    { field: 'connectedClients', label: 'Connected clients', value: s.connectedClients, text: String(s.connectedClients) },
    { field: 'blockedClients', label: 'Blocked clients', value: s.blockedClients, text: String(s.blockedClients) },
    { field: 'hitRatio', label: 'Hit ratio (last interval)', value: s.hitRatio, text: opt(s.hitRatio, percent) },
    { field: 'hitRatioTotal', label: 'Hit ratio (since start)', value: s.hitRatioTotal, text: opt(s.hitRatioTotal, percent) },
    { field: 'netInPerSec', label: 'Network in', value: s.netInPerSec, text: opt(s.netInPerSec, bytesPerSec) },
    { field: 'netOutPerSec', label: 'Network out', value: s.netOutPerSec, text: opt(s.netOutPerSec, bytesPerSec) },
    { field: 'evictedPerSec', label: 'Evicted keys per second', value: s.evictedPerSec, text: opt(s.evictedPerSec, perSec) },
    { field: 'expiredPerSec', label: 'Expired keys per second', value: s.expiredPerSec, text: opt(s.expiredPerSec, perSec) },
    { field: 'totalCommands', label: 'Commands processed', value: s.counters.totalCommands, text: String(s.counters.totalCommands) },
    ...Object.entries(s.keysPerDb).map(([db, n]) => ({ field: `keys.${db}`, label: `Keys in ${db}`, value: n, text: String(n) })),
  ];
}

const rateSeries = (r: RabbitSample['rates']): SeriesValue[] => [
  { label: 'publish', value: r.publish },
  { label: 'deliver', value: r.deliver },
  { label: 'ack', value: r.ack },
  { label: 'redeliver', value: r.redeliver },
];

const rabbitCharts: ChartSpec<RabbitSample>[] = [
  { id: 'rates', title: 'Message rates', format: perSec, series: (s) => rateSeries(s.rates) },
  {
    id: 'queued',
    title: 'Queued messages',
    format: count,
    series: (s) => [
      { label: 'ready', value: s.ready },
      { label: 'unacked', value: s.unacked },
    ],
  },
  {
    id: 'objects',
    title: 'Connections, channels and consumers',
    format: count,
    series: (s) => [
      { label: 'connections', value: s.connections },
      { label: 'channels', value: s.channels },
      { label: 'consumers', value: s.consumers },
    ],
  },
  {
    id: 'nodeMemory',
    title: 'Node memory against the high watermark',
    format: bytes,
    series: (s) => s.nodes.flatMap((n) => gauge(n, n.memoryUsed, n.memoryLimit, 'memory')),
  },
  {
    id: 'nodeDisk',
    title: 'Free disk against its limit',
    format: bytes,
    series: (s) => s.nodes.flatMap((n) => gauge(n, n.diskFree, n.diskFreeLimit, 'free disk')),
  },
];

function gauge(n: NodeGauge, value: number, limit: number, what: string): SeriesValue[] {
  return [
    { label: `${n.name} ${what}`, value: n.running ? value : null },
    { label: `${n.name} limit`, value: limit, dash: true },
  ];
}

function rateReadouts(r: RabbitSample['rates']): Readout[] {
  return (['publish', 'deliver', 'ack', 'redeliver'] as const).map((k) => ({
    field: `rates.${k}`,
    label: `${k} rate`,
    value: r[k],
    text: perSec(r[k]),
  }));
}

function rabbitReadouts(s: RabbitSample): Readout[] {
  const plain = (field: 'ready' | 'unacked' | 'connections' | 'channels' | 'consumers' | 'queues', label: string, v: number): Readout => ({
    field,
    label,
    value: v,
    text: String(v),
  });
  return [
    ...rateReadouts(s.rates),
    plain('ready', 'Ready messages', s.ready),
    plain('unacked', 'Unacknowledged messages', s.unacked),
    plain('connections', 'Connections', s.connections),
    plain('channels', 'Channels', s.channels),
    plain('consumers', 'Consumers', s.consumers),
    plain('queues', 'Queues', s.queues),
    ...s.nodes.flatMap((n): Readout[] => [
      {
        field: `node.${n.name}.memoryUsed`,
        label: `${n.name}: memory`,
        value: n.memoryUsed,
        text: `${bytes(n.memoryUsed)} of ${bytes(n.memoryLimit)}${n.memoryAlarm ? ' — ALARM: publishers blocked' : ''}`,
      },
      {
        field: `node.${n.name}.diskFree`,
        label: `${n.name}: free disk`,
        value: n.diskFree,
        text: `${bytes(n.diskFree)} (limit ${bytes(n.diskFreeLimit)})${n.diskAlarm ? ' — ALARM: publishers blocked' : ''}`,
      },
    ]),
  ];
}

const queueCharts: ChartSpec<QueueSample>[] = [
  {
    id: 'depth',
    title: 'Depth',
    format: count,
    series: (s) => [
      { label: 'messages', value: s.messages },
      { label: 'ready', value: s.ready },
      { label: 'unacked', value: s.unacked },
    ],
  },
  { id: 'rates', title: 'Message rates', format: perSec, series: (s) => rateSeries(s.rates) },
  { id: 'consumers', title: 'Consumers', format: count, series: (s) => [{ label: 'consumers', value: s.consumers }] },
];

function queueReadouts(s: QueueSample): Readout[] {
  return [
    { field: 'messages', label: 'Messages', value: s.messages, text: String(s.messages) },
    { field: 'ready', label: 'Ready', value: s.ready, text: String(s.ready) },
    { field: 'unacked', label: 'Unacknowledged', value: s.unacked, text: String(s.unacked) },
    { field: 'consumers', label: 'Consumers', value: s.consumers, text: String(s.consumers) },
    ...rateReadouts(s.rates),
  ];
}

export interface DashboardSpec {
  charts: ChartSpec<DashboardSample>[];
  readouts(sample: DashboardSample): Readout[];
}

/** The charts and readouts of a kind of dashboard (the samples of a page are all of its kind). */
export function dashboardSpec(kind: DashboardKind): DashboardSpec {
  switch (kind) {
    case 'redis':
      return { charts: redisCharts, readouts: (s) => redisReadouts(s as RedisSample) };
    case 'rabbitmq':
      return { charts: rabbitCharts, readouts: (s) => rabbitReadouts(s as RabbitSample) };
    case 'queue':
      return { charts: queueCharts, readouts: (s) => queueReadouts(s as QueueSample) };
  }
}
