/**
 * What each dashboard shows: its charts (ChartSpec) and its table of the
 * newest sample (Readout: one row per figure, the raw number in
 * `data-value`, so a test can compare it with INFO or the management API).
 */
import * as l10n from '@vscode/l10n';
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

/** The charts' titles and series names are built when a page asks for them, in its language. */
const redisCharts = (): ChartSpec<RedisSample>[] => [
  { id: 'ops', title: l10n.t('Commands per second'), format: perSec, series: (s) => [{ label: l10n.t('ops/s'), value: s.opsPerSec }] },
  {
    id: 'memory',
    title: l10n.t('Memory'),
    format: bytes,
    series: (s) => [
      { label: l10n.t('used'), value: s.usedMemory },
      ...(s.maxMemory > 0 ? [{ label: 'maxmemory', value: s.maxMemory, dash: true }] : []),
    ],
  },
  {
    id: 'clients',
    title: l10n.t('Clients'),
    format: count,
    series: (s) => [
      { label: l10n.t('connected'), value: s.connectedClients },
      { label: l10n.t('blocked'), value: s.blockedClients },
    ],
  },
  {
    id: 'hits',
    title: l10n.t('Keyspace hit ratio'),
    format: percent,
    max: 1,
    series: (s) => [{ label: l10n.t('hits'), value: s.hitRatio }],
  },
  {
    id: 'network',
    title: l10n.t('Network'),
    format: bytesPerSec,
    series: (s) => [
      { label: l10n.t('in'), value: s.netInPerSec },
      { label: l10n.t('out'), value: s.netOutPerSec },
    ],
  },
  {
    id: 'keys',
    title: l10n.t('Keys per database'),
    format: count,
    series: (s) => Object.entries(s.keysPerDb).map(([db, n]): SeriesValue => ({ label: db, value: n })),
  },
  {
    id: 'evictions',
    title: l10n.t('Evicted and expired keys per second'),
    format: perSec,
    series: (s) => [
      { label: l10n.t('evicted'), value: s.evictedPerSec },
      { label: l10n.t('expired'), value: s.expiredPerSec },
    ],
  },
];

function redisReadouts(s: RedisSample): Readout[] {
  return [
    { field: 'opsPerSec', label: l10n.t('Commands per second'), value: s.opsPerSec, text: opt(s.opsPerSec, perSec) },
    { field: 'usedMemory', label: l10n.t('Used memory'), value: s.usedMemory, text: bytes(s.usedMemory) },
    { field: 'maxMemory', label: 'maxmemory', value: s.maxMemory, text: s.maxMemory > 0 ? bytes(s.maxMemory) : l10n.t('no limit') },
    {
      field: 'connectedClients',
      label: l10n.t('Connected clients'),
      value: s.connectedClients,
      text: String(s.connectedClients),
    },
    { field: 'blockedClients', label: l10n.t('Blocked clients'), value: s.blockedClients, text: String(s.blockedClients) },
    { field: 'hitRatio', label: l10n.t('Hit ratio (last interval)'), value: s.hitRatio, text: opt(s.hitRatio, percent) },
    {
      field: 'hitRatioTotal',
      label: l10n.t('Hit ratio (since start)'),
      value: s.hitRatioTotal,
      text: opt(s.hitRatioTotal, percent),
    },
    { field: 'netInPerSec', label: l10n.t('Network in'), value: s.netInPerSec, text: opt(s.netInPerSec, bytesPerSec) },
    { field: 'netOutPerSec', label: l10n.t('Network out'), value: s.netOutPerSec, text: opt(s.netOutPerSec, bytesPerSec) },
    {
      field: 'evictedPerSec',
      label: l10n.t('Evicted keys per second'),
      value: s.evictedPerSec,
      text: opt(s.evictedPerSec, perSec),
    },
    {
      field: 'expiredPerSec',
      label: l10n.t('Expired keys per second'),
      value: s.expiredPerSec,
      text: opt(s.expiredPerSec, perSec),
    },
    {
      field: 'totalCommands',
      label: l10n.t('Commands processed'),
      value: s.counters.totalCommands,
      text: String(s.counters.totalCommands),
    },
    ...Object.entries(s.keysPerDb).map(([db, n]) => ({ field: `keys.${db}`, label: l10n.t('Keys in {0}', db), value: n, text: String(n) })),
  ];
}

const rateSeries = (r: RabbitSample['rates']): SeriesValue[] => [
  { label: l10n.t('publish'), value: r.publish },
  { label: l10n.t('deliver'), value: r.deliver },
  { label: l10n.t('ack'), value: r.ack },
  { label: l10n.t('redeliver'), value: r.redeliver },
];

const rabbitCharts = (): ChartSpec<RabbitSample>[] => [
  { id: 'rates', title: l10n.t('Message rates'), format: perSec, series: (s) => rateSeries(s.rates) },
  {
    id: 'queued',
    title: l10n.t('Queued messages'),
    format: count,
    series: (s) => [
      { label: l10n.t('ready'), value: s.ready },
      { label: l10n.t('unacked'), value: s.unacked },
    ],
  },
  {
    id: 'objects',
    title: l10n.t('Connections, channels and consumers'),
    format: count,
    series: (s) => [
      { label: l10n.t('connections'), value: s.connections },
      { label: l10n.t('channels'), value: s.channels },
      { label: l10n.t('consumers'), value: s.consumers },
    ],
  },
  {
    id: 'nodeMemory',
    title: l10n.t('Node memory against the high watermark'),
    format: bytes,
    series: (s) => s.nodes.flatMap((n) => gauge(n, n.memoryUsed, n.memoryLimit, l10n.t('{0} memory', n.name))),
  },
  {
    id: 'nodeDisk',
    title: l10n.t('Free disk against its limit'),
    format: bytes,
    series: (s) => s.nodes.flatMap((n) => gauge(n, n.diskFree, n.diskFreeLimit, l10n.t('{0} free disk', n.name))),
  },
];

/** A node's figure (`label` names it) and its limit, dashed. */
function gauge(n: NodeGauge, value: number, limit: number, label: string): SeriesValue[] {
  return [
    { label, value: n.running ? value : null },
    { label: l10n.t('{0} limit', n.name), value: limit, dash: true },
  ];
}

const RATES = ['publish', 'deliver', 'ack', 'redeliver'] as const;

function rateLabel(k: (typeof RATES)[number]): string {
  switch (k) {
    case 'publish':
      return l10n.t('publish rate');
    case 'deliver':
      return l10n.t('deliver rate');
    case 'ack':
      return l10n.t('ack rate');
    case 'redeliver':
      return l10n.t('redeliver rate');
  }
}

function rateReadouts(r: RabbitSample['rates']): Readout[] {
  return RATES.map((k) => ({ field: `rates.${k}`, label: rateLabel(k), value: r[k], text: perSec(r[k]) }));
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
    plain('ready', l10n.t('Ready messages'), s.ready),
    plain('unacked', l10n.t('Unacknowledged messages'), s.unacked),
    plain('connections', l10n.t('Connections'), s.connections),
    plain('channels', l10n.t('Channels'), s.channels),
    plain('consumers', l10n.t('Consumers'), s.consumers),
    plain('queues', l10n.t('Queues'), s.queues),
    ...s.nodes.flatMap((n): Readout[] => [
      {
        field: `node.${n.name}.memoryUsed`,
        label: l10n.t('{0}: memory', n.name),
        value: n.memoryUsed,
        text: n.memoryAlarm
          ? l10n.t('{0} of {1} — ALARM: publishers blocked', bytes(n.memoryUsed), bytes(n.memoryLimit))
          : l10n.t('{0} of {1}', bytes(n.memoryUsed), bytes(n.memoryLimit)),
      },
      {
        field: `node.${n.name}.diskFree`,
        label: l10n.t('{0}: free disk', n.name),
        value: n.diskFree,
        text: n.diskAlarm
          ? l10n.t('{0} (limit {1}) — ALARM: publishers blocked', bytes(n.diskFree), bytes(n.diskFreeLimit))
          : l10n.t('{0} (limit {1})', bytes(n.diskFree), bytes(n.diskFreeLimit)),
      },
    ]),
  ];
}

const queueCharts = (): ChartSpec<QueueSample>[] => [
  {
    id: 'depth',
    title: l10n.t('Depth'),
    format: count,
    series: (s) => [
      { label: l10n.t('messages'), value: s.messages },
      { label: l10n.t('ready'), value: s.ready },
      { label: l10n.t('unacked'), value: s.unacked },
    ],
  },
  { id: 'rates', title: l10n.t('Message rates'), format: perSec, series: (s) => rateSeries(s.rates) },
  {
    id: 'consumers',
    title: l10n.t('Consumers'),
    format: count,
    series: (s) => [{ label: l10n.t('consumers'), value: s.consumers }],
  },
];

function queueReadouts(s: QueueSample): Readout[] {
  return [
    { field: 'messages', label: l10n.t('Messages'), value: s.messages, text: String(s.messages) },
    { field: 'ready', label: l10n.t('Ready'), value: s.ready, text: String(s.ready) },
    { field: 'unacked', label: l10n.t('Unacknowledged'), value: s.unacked, text: String(s.unacked) },
    { field: 'consumers', label: l10n.t('Consumers'), value: s.consumers, text: String(s.consumers) },
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
      return { charts: redisCharts(), readouts: (s) => redisReadouts(s as RedisSample) };
    case 'rabbitmq':
      return { charts: rabbitCharts(), readouts: (s) => rabbitReadouts(s as RabbitSample) };
    case 'queue':
      return { charts: queueCharts(), readouts: (s) => queueReadouts(s as QueueSample) };
  }
}
