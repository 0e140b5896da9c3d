/**
 * The servers behind a Redis profile, for the tree's "Nodes" folder and
 * `brokerExplorer.redis.nodes`: a cluster's primaries and replicas with
 * their slot ranges and link state (CLUSTER NODES); a Sentinel profile's
 * primary, replicas and sentinels (SENTINEL MASTER / REPLICAS / SENTINELS);
 * a standalone server and what INFO replication says about it. Each data
 * node also gets its used memory and key count (INFO memory / keyspace).
 */
import * as l10n from '@vscode/l10n';
import { errorMessage } from '../errors';
import { endpoint, type RedisMode } from '../profiles';
import { replyText, type RedisReply } from './reply';
import type { RespClient } from './respClient';
import { sentinelView } from './sentinel';
import { compareAddress, parseAddress } from './slotMap';

export type NodeRole = 'primary' | 'replica' | 'sentinel';

export interface TopologyNode {
  /** The cluster node id (cluster only). */
  id?: string;
  address: string;
  role: NodeRole;
  /** A replica's primary (`host:port`). */
  primary?: string;
  /** A cluster primary's slot ranges, inclusive. */
  slots?: [number, number][];
  /** The link to it is up (cluster: link-state connected and not failing; others: it answered). */
  connected: boolean;
  /** INFO memory's used_memory, when it answered. */
  usedMemory?: number;
  /** Keys it holds (all databases), when it answered. */
  keys?: number;
  /** Why its figures are missing. */
  error?: string;
}

export interface Topology {
  mode: RedisMode;
  nodes: TopologyNode[];
}

const b = (s: string): Buffer => Buffer.from(s);
const text = (r: RedisReply): string => replyText(r) ?? '';

/** `field:value` lines of an INFO reply. */
export function infoFields(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return out;
}

/** Keys in every database of an INFO keyspace section (`db0:keys=12,expires=0,…`). */
function keyCount(fields: Map<string, string>): number {
  let n = 0;
  for (const [name, value] of fields) if (/^db\d+$/.test(name)) n += Number(/keys=(\d+)/.exec(value)?.[1] ?? 0);
  return n;
}

/** One line of CLUSTER NODES as a node (primaries' `primary` filled in later). */
function parseClusterLine(line: string, fallbackHost: string): (TopologyNode & { primaryId?: string }) | undefined {
  const parts = line.trim().split(' ');
  if (parts.length < 8) return undefined;
  const [id, addr, flagText, primaryId, , , , linkState, ...slotParts] = parts;
  const flags = flagText.split(',');
  const hostPort = addr.split('@')[0];
  const ep = parseAddress(hostPort.startsWith(':') ? `${fallbackHost}${hostPort}` : hostPort);
  if (!ep || flags.includes('handshake') || flags.includes('noaddr')) return undefined;
  const primary = flags.includes('master');
  const node: TopologyNode & { primaryId?: string } = {
    id,
    address: endpoint(ep),
    role: primary ? 'primary' : 'replica',
    connected: (flags.includes('myself') || linkState === 'connected') && !flags.includes('fail'),
  };
  if (!primary && primaryId !== '-') node.primaryId = primaryId;
  if (primary) {
    node.slots = slotParts
      .filter((p) => !p.startsWith('['))
      .map((p): [number, number] => {
        const [from, to] = p.split('-').map(Number);
        return [from, to ?? from];
      });
  }
  return node;
}

/** The nodes CLUSTER NODES names: primaries then replicas, each in address order. */
export function parseClusterNodes(reply: string, fallbackHost: string): TopologyNode[] {
  const parsed = reply
    .split('\n')
    .map((l) => parseClusterLine(l, fallbackHost))
    .filter((n) => n !== undefined);
  const byId = new Map(parsed.map((n) => [n.id, n.address]));
  const nodes = parsed.map(({ primaryId, ...n }) => (primaryId && byId.has(primaryId) ? { ...n, primary: byId.get(primaryId) } : n));
  const rank = (n: TopologyNode): number => (n.role === 'primary' ? 0 : n.role === 'replica' ? 1 : 2);
  return nodes.sort((x, y) => rank(x) - rank(y) || compareAddress(x.address, y.address));
}

/** Adds used memory and key count to a data node (its error instead, and `connected: false`, when it does not answer). */
async function addFigures(node: TopologyNode, link: (address: string) => Promise<RespClient>): Promise<void> {
  try {
    const client = await link(node.address);
    const [memory, keyspace] = await client.sendMany([
      [b('INFO'), b('memory')],
      [b('INFO'), b('keyspace')],
    ]);
    if (memory.type === 'error') throw new Error(memory.message);
    node.usedMemory = Number(infoFields(text(memory)).get('used_memory') ?? NaN);
    node.keys = keyCount(infoFields(text(keyspace)));
  } catch (err) {
    node.connected = false;
    node.error = errorMessage(err);
  }
}

async function sentinelNodes(client: RespClient): Promise<TopologyNode[]> {
  const view = await sentinelView(client.originProfile, client.sentinelDial());
  const primary: TopologyNode = { address: view.primary.address, role: 'primary', connected: view.primary.up };
  const replicas = view.replicas.map((r): TopologyNode => ({
    address: r.address,
    role: 'replica',
    primary: primary.address,
    connected: r.up && r.linkUp !== false,
  }));
  const sentinels = view.sentinels.map((s): TopologyNode => ({ address: s.address, role: 'sentinel', connected: s.up }));
  return [primary, ...replicas.sort((x, y) => compareAddress(x.address, y.address)), ...sentinels];
}

async function standaloneNodes(client: RespClient): Promise<TopologyNode[]> {
  const info = infoFields(text(await client.send([b('INFO'), b('replication')])));
  if (info.get('role') === 'slave') {
    const primary = endpoint({ host: info.get('master_host') ?? '?', port: Number(info.get('master_port') ?? 0) });
    return [{ address: client.address, role: 'replica', primary, connected: true }];
  }
  const replicas: TopologyNode[] = [];
  for (const [name, value] of info) {
    if (!/^slave\d+$/.test(name)) continue;
    const f = new Map(value.split(',').map((kv) => kv.split('=') as [string, string]));
    const address = endpoint({ host: f.get('ip') ?? '?', port: Number(f.get('port') ?? 0) });
    replicas.push({ address, role: 'replica', primary: client.address, connected: f.get('state') === 'online' });
  }
  return [{ address: client.address, role: 'primary', connected: true }, ...replicas];
}

/**
 * The profile's nodes with their figures. `client` is a command connection
 * of the profile (a cluster node, the Sentinel primary, the server); other
 * nodes are reached with its credentials and closed afterwards.
 */
export async function listNodes(client: RespClient): Promise<Topology> {
  const mode = client.originProfile.mode;
  let nodes: TopologyNode[];
  if (mode === 'cluster') {
    const reply = await client.send([b('CLUSTER'), b('NODES')]);
    if (reply.type === 'error') throw new Error(l10n.t('{0} is not a cluster node: {1}', client.address, reply.message));
    nodes = parseClusterNodes(text(reply), client.profile.host);
  } else if (mode === 'sentinel') {
    nodes = await sentinelNodes(client);
  } else {
    nodes = await standaloneNodes(client);
  }
  const opened: Promise<RespClient>[] = [];
  const link = (address: string): Promise<RespClient> => {
    if (address === client.address) return Promise.resolve(client);
    const ep = parseAddress(address);
    if (!ep) return Promise.reject(new Error(l10n.t('"{0}" is not host:port', address)));
    const p = client.dialNode(ep);
    opened.push(p);
    return p;
  };
  try {
    await Promise.all(nodes.filter((n) => n.role !== 'sentinel').map((n) => addFigures(n, link)));
  } finally {
    for (const p of opened)
      p.then(
        (c) => c.close(),
        () => undefined,
      );
  }
  return { mode, nodes };
}
