/**
 * A Redis Cluster's slot map: which primary (and replicas) serve each of the
 * 16,384 hash slots, read from `CLUSTER SLOTS`; a key's slot through
 * cluster-key-slot (hash tags `{…}` honoured); and the MOVED / ASK redirects
 * a node answers with. No I/O here.
 */
import { endpoint, type Endpoint } from '../profiles';
import { replyText, type RedisReply } from './reply';

export const SLOT_COUNT = 16_384;

/** The endpoint of an address as `endpoint()` writes it: `host:port` (`[v6]:port` too); undefined when it is not one. */
export function parseAddress(address: string): Endpoint | undefined {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(address.trim());
  if (!m || m[1] === '') return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65_536 ? { host: m[1], port } : undefined;
}

export interface SlotRange {
  from: number;
  to: number;
  primary: string;
  replicas: string[];
}

/** A redirect a cluster node answered with: MOVED (the slot lives elsewhere now) or ASK (during a migration, this once). */
export interface Redirect {
  kind: 'moved' | 'ask';
  slot: number;
  address: string;
}

/** The redirect in an error reply (`MOVED 3999 127.0.0.1:6381`, `ASK …`), or undefined. */
export function redirectOf(reply: RedisReply): Redirect | undefined {
  if (reply.type !== 'error') return undefined;
  const m = /^(MOVED|ASK) (\d+) (\S+)$/.exec(reply.message.trim());
  return m ? { kind: m[1] === 'MOVED' ? 'moved' : 'ask', slot: Number(m[2]), address: m[3] } : undefined;
}

export class SlotMap {
  /** Owner of each slot (address), undefined where no node serves it. */
  private readonly owners: (string | undefined)[] = new Array<string | undefined>(SLOT_COUNT);
  private readonly replicasOf = new Map<string, string[]>();

  constructor(readonly ranges: readonly SlotRange[]) {
    for (const r of ranges) {
      for (let s = r.from; s <= r.to && s < SLOT_COUNT; s++) this.owners[s] = r.primary;
      const known = this.replicasOf.get(r.primary) ?? [];
      for (const rep of r.replicas) if (!known.includes(rep)) known.push(rep);
      this.replicasOf.set(r.primary, known);
    }
  }

  /** The primary that serves a slot, or undefined when none does (the cluster is not complete). */
  nodeOf(slot: number): string | undefined {
    return this.owners[slot];
  }

  /** Records what a MOVED said, until the next full read of the map. */
  assign(slot: number, address: string): void {
    this.owners[slot] = address;
  }

  /** The primaries, in address order. */
  primaries(): string[] {
    return [...new Set(this.owners.filter((o): o is string => o !== undefined))].sort(compareAddress);
  }

  /** The replicas the map names, in address order. */
  replicas(): string[] {
    return [...new Set([...this.replicasOf.values()].flat())].sort(compareAddress);
  }

  /** Every node the map names (primaries first). */
  all(): string[] {
    return [...this.primaries(), ...this.replicas().filter((r) => !this.replicasOf.has(r))];
  }
}

/** Orders addresses by host, then port as a number. */
export function compareAddress(a: string, b: string): number {
  const ea = parseAddress(a);
  const eb = parseAddress(b);
  if (!ea || !eb) return a.localeCompare(b);
  return ea.host === eb.host ? ea.port - eb.port : ea.host.localeCompare(eb.host);
}

/**
 * The slot map from a `CLUSTER SLOTS` reply: `[[from, to, [ip, port, id, …], replicas…], …]`.
 * `seed` stands in for a node that announces an empty ip (it means "the address you reached me by").
 */
export function slotMapFromReply(reply: RedisReply, seed: Endpoint): SlotMap {
  const ranges: SlotRange[] = [];
  if (reply.type !== 'array') return new SlotMap(ranges);
  const addressOf = (node: RedisReply | undefined): string | undefined => {
    if (node?.type !== 'array' || node.items.length < 2) return undefined;
    const host = replyText(node.items[0]) ?? '';
    const portReply = node.items[1];
    const port = portReply.type === 'integer' ? Number(portReply.value) : Number(replyText(portReply));
    return endpoint({ host: host === '' || host === '?' ? seed.host : host, port });
  };
  for (const item of reply.items) {
    if (item.type !== 'array' || item.items.length < 3) continue;
    const [fromReply, toReply, primaryReply, ...rest] = item.items;
    const primary = addressOf(primaryReply);
    if (!primary || fromReply.type !== 'integer' || toReply.type !== 'integer') continue;
    const replicas = rest.map(addressOf).filter((a): a is string => a !== undefined);
    ranges.push({ from: Number(fromReply.value), to: Number(toReply.value), primary, replicas });
  }
  return new SlotMap(ranges.sort((a, b) => a.from - b.from));
}
