/**
 * Connections, channels and consumers, broker-wide or for one vhost, paged
 * (the broker pages its broker-wide channel list; per-vhost channels and
 * every consumer list come unpaged and are paged here), and the overview
 * with listeners and alarms.
 */
import * as l10n from '@vscode/l10n';
import type { ManagementClient, RequestOptions } from './managementClient';
import { encodeName } from './managementHttp';
import { checkPaging, cmp, pageLocally, type ListOptions } from './managementPaging';
import { isObject, replyItems, str, type JsonObject, type Page } from './managementTypes';
import { parseChannel, parseConsumer, type ChannelInfo, type ConsumerInfo } from './operationsTypes';

/** Which connections, channels or consumers: one vhost's, or (no vhost) the whole broker's. */
export interface ScopeOptions extends ListOptions {
  vhost?: string;
}

const CHANNEL_COLUMNS =
  'name,connection_details.name,vhost,user,number,prefetch_count,messages_unacknowledged,messages_unconfirmed,consumer_count,confirm,state,message_stats';

function sig(options: RequestOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

export async function listChannels(m: ManagementClient, options: ScopeOptions = {}): Promise<Page<ChannelInfo>> {
  if (options.vhost === undefined) {
    return m.paged('/api/channels', CHANNEL_COLUMNS, parseChannel, options, l10n.t('listing channels'), l10n.t('the channel list'));
  }
  checkPaging(options);
  const vhost = options.vhost;
  const reply = await m.request({
    path: `/api/vhosts/${encodeName(vhost)}/channels`,
    what: l10n.t('listing the channels of vhost "{0}"', vhost),
    notFound: l10n.t('vhost "{0}"', vhost),
    ...sig(options),
  });
  const all = replyItems(reply.body).map(parseChannel);
  all.sort((a, b) => cmp(a.name, b.name));
  return pageLocally(all, options, (c) => [c.name, c.user]);
}

export async function listConsumers(m: ManagementClient, options: ScopeOptions = {}): Promise<Page<ConsumerInfo>> {
  checkPaging(options);
  const vhost = options.vhost;
  const reply = await m.request(
    vhost === undefined
      ? { path: '/api/consumers', what: l10n.t('listing consumers'), ...sig(options) }
      : {
          path: `/api/consumers/${encodeName(vhost)}`,
          what: l10n.t('listing the consumers of vhost "{0}"', vhost),
          notFound: l10n.t('vhost "{0}"', vhost),
          ...sig(options),
        },
  );
  const all = replyItems(reply.body).map(parseConsumer);
  all.sort((a, b) => cmp(a.queue, b.queue) || cmp(a.consumerTag, b.consumerTag));
  return pageLocally(all, options, (c) => [c.queue, c.consumerTag, c.channelName]);
}

export interface Listener {
  node: string;
  protocol: string;
  ipAddress: string;
  port: number;
}

export interface BrokerOverview {
  rabbitmqVersion?: string;
  erlangVersion?: string;
  managementVersion?: string;
  clusterName?: string;
  node?: string;
  objectTotals: Record<string, number>;
  queueTotals: Record<string, number>;
  listeners: Listener[];
  /** One line per raised alarm (memory or disk, per node); empty when none. */
  alarms: string[];
}

function nodeAlarms(o: JsonObject): string[] {
  const name = str(o, 'name');
  const alarms: string[] = [];
  if (o.mem_alarm === true) alarms.push(l10n.t('memory alarm on {0}: publishers are blocked', name));
  if (o.disk_free_alarm === true) alarms.push(l10n.t('disk alarm on {0}: publishers are blocked', name));
  if (o.running === false) alarms.push(l10n.t('node {0} is not running', name));
  return alarms;
}

/** `rabbitmq.overview`: versions, cluster name, totals, listeners and the alarms of every node. */
export async function brokerOverview(m: ManagementClient, options: RequestOptions = {}): Promise<BrokerOverview> {
  const [overview, nodes, cluster] = await Promise.all([
    m.request({ path: '/api/overview', what: l10n.t('reading the overview'), ...sig(options) }),
    m.request({ path: '/api/nodes', what: l10n.t('reading the nodes'), ...sig(options) }),
    m.request({ path: '/api/cluster-name', what: l10n.t('reading the cluster name'), ...sig(options) }),
  ]);
  const o = isObject(overview.body) ? overview.body : {};
  const numbers = (v: unknown): Record<string, number> =>
    Object.fromEntries(Object.entries(isObject(v) ? v : {}).filter((e): e is [string, number] => typeof e[1] === 'number'));
  const listeners = (Array.isArray(o.listeners) ? o.listeners : []).filter(isObject).map((l) => ({
    node: str(l, 'node'),
    protocol: str(l, 'protocol'),
    ipAddress: str(l, 'ip_address'),
    port: typeof l.port === 'number' ? l.port : 0,
  }));
  const result: BrokerOverview = {
    objectTotals: numbers(o.object_totals),
    queueTotals: numbers(o.queue_totals),
    listeners,
    alarms: replyItems(nodes.body).flatMap(nodeAlarms),
  };
  const set = (key: 'rabbitmqVersion' | 'erlangVersion' | 'managementVersion' | 'node' | 'clusterName', value: unknown): void => {
    if (typeof value === 'string') result[key] = value;
  };
  set('rabbitmqVersion', o.rabbitmq_version);
  set('erlangVersion', o.erlang_version);
  set('managementVersion', o.management_version);
  set('node', o.node);
  set('clusterName', isObject(cluster.body) ? cluster.body.name : undefined);
  return result;
}
