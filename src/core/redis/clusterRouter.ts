/**
 * Cluster routing for our RESP client (console, runCommand, pipelines,
 * `.redis` files): each command goes to the primary serving its keys' hash
 * slot, over one RESP connection per node opened on demand (RespClient
 * `dialNode`). MOVED and ASK replies are followed (ASK with ASKING) and
 * reported; a MOVED refreshes the slot map before the next command.
 * Commands without a key go to the node named by `node` ("host:port", or
 * "all" for every primary); without one they are refused. A multi-key
 * command across slots is refused before anything is sent.
 */
import * as l10n from '@vscode/l10n';
import { ConnectionError, InputError } from '../errors';
import type { CommandCatalog } from './commandInfo';
import { commandKeys } from './commandKeys';
import type { RedisReply, ReplySource } from './reply';
import type { RespClient } from './respClient';
import { parseAddress, redirectOf, slotMapFromReply, type Redirect, type SlotMap } from './slotMap';
import { keySlot } from './hashSlot';
import { displayBytes } from '../bytes';
import { endpoint } from '../profiles';

export interface ClusterRouterOptions {
  /** The server's command table (tells keyless commands apart without a round trip). */
  catalog?: () => Promise<CommandCatalog | undefined>;
  /** Told of every MOVED / ASK that was followed. */
  onRedirect?: (redirect: Redirect) => void;
  /**
   * Where keyless commands go when no `node` is given (the console: the node it is on, like `redis-cli -c`);
   * undefined refuses them. With `followRedirects`, a redirect moves it to the node redirected to.
   */
  defaultNode?: string;
  followRedirects?: boolean;
}

/** Where one command goes. */
export interface Route {
  address: string;
  /** The hash slot of its keys; undefined for a keyless command. */
  slot?: number;
  keys: Buffer[];
}

const MAX_REDIRECTS = 5;
const b = (s: string): Buffer => Buffer.from(s);

function commandName(argv: readonly Buffer[]): string {
  return (argv[0] ?? Buffer.alloc(0)).toString('utf8').toUpperCase();
}

/** The one sentence for keys in different hash slots: what, which slots, hash tags, nothing ran. */
export function crossSlotSentence(what: string, keys: readonly { key: Buffer; slot: number }[], scope: 'command' | 'transaction'): string {
  const shown = keys
    .slice(0, 3)
    .map((k) => l10n.t('{0} → slot {1}', displayBytes(k.key, 40), k.slot))
    .join(', ');
  const list = `${shown}${keys.length > 3 ? ', …' : ''}`;
  return scope === 'command'
    ? l10n.t(
        'CROSSSLOT: {0} uses keys in different hash slots ({1}); on a Redis Cluster a multi-key command must keep all its keys in one slot: give them the same hash tag, e.g. {user:1}:cart and {user:1}:orders (only the part in braces is hashed). Nothing was run.',
        what,
        list,
      )
    : l10n.t(
        'CROSSSLOT: {0} uses keys in different hash slots ({1}); on a Redis Cluster a transaction (MULTI … EXEC) must keep all its keys in one slot: give them the same hash tag, e.g. {user:1}:cart and {user:1}:orders (only the part in braces is hashed). Nothing was run.',
        what,
        list,
      );
}

export class ClusterRouter {
  private readonly links = new Map<string, Promise<RespClient>>();
  private closed = false;
  private stale = false;
  /** The node keyless commands go to when no `node` is given (moves with redirects when following them). */
  current: string | undefined;

  private constructor(
    private readonly seed: RespClient,
    private map: SlotMap,
    private readonly options: ClusterRouterOptions,
  ) {
    this.links.set(seed.address, Promise.resolve(seed));
    this.current = options.defaultNode;
  }

  /** Reads the slot map through `seed` (a connection to any node, from openRespClient) and routes from then on. */
  static async open(seed: RespClient, options: ClusterRouterOptions = {}): Promise<ClusterRouter> {
    try {
      return new ClusterRouter(seed, await readSlotMap(seed), options);
    } catch (err) {
      seed.close();
      throw err;
    }
  }

  get profileName(): string {
    return this.seed.profile.name;
  }

  /** True until closed (a lost node connection is opened again on next use). */
  get connected(): boolean {
    return !this.closed;
  }

  /** A cluster has database 0 only. */
  get db(): number {
    return 0;
  }

  get slots(): SlotMap {
    return this.map;
  }

  /** The connection to one node, opened on first use and again after it was lost. */
  async link(address: string): Promise<RespClient> {
    if (this.closed) throw new ConnectionError(l10n.t('The command connections of Redis profile "{0}" were closed.', this.profileName));
    const existing = this.links.get(address);
    if (existing) {
      const client = await existing.catch(() => undefined);
      if (client?.connected) return client;
      if (this.links.get(address) === existing) this.links.delete(address);
      this.stale = true;
    }
    const ep = parseAddress(address);
    if (!ep) throw new InputError(l10n.t('"{0}" is not a node address: write it as host:port.', address));
    const opening = this.seed.dialNode(ep);
    this.links.set(address, opening);
    opening.catch(() => {
      if (this.links.get(address) === opening) this.links.delete(address);
    });
    return opening;
  }

  /**
   * A new dedicated connection (the caller closes it) to the primary serving
   * `key`'s slot, the map read again first: what SSUBSCRIBE to a shard
   * channel needs, also after a failover moved the slot.
   */
  async dialFor(key: Buffer): Promise<RespClient> {
    this.stale = true;
    await this.refreshIfStale();
    const address = this.map.nodeOf(keySlot(key));
    const ep = address ? parseAddress(address) : undefined;
    if (!ep)
      throw new ConnectionError(l10n.t('No node of Redis Cluster profile "{0}" serves hash slot {1}.', this.profileName, keySlot(key)));
    return this.seed.dialNode(ep);
  }

  /** Checks a `node` argument against the cluster's nodes; the address as the map spells it. */
  checkNode(node: string): string {
    const ep = parseAddress(node);
    const address = ep ? endpoint(ep) : node;
    const known = this.map.all();
    if (known.includes(address)) return address;
    throw new InputError(
      l10n.t(
        '"node" {0} is not a node of Redis Cluster profile "{1}": give one of {2}, or "all".',
        node,
        this.profileName,
        known.join(', '),
      ),
    );
  }

  /**
   * Where a command goes; refuses (before sending) a keyless command without a node and keys across slots.
   * `deferKeyless`: a keyless command without a node gets address "" instead (a transaction places it later).
   */
  async route(argv: readonly Buffer[], node?: string, deferKeyless = false): Promise<Route> {
    await this.refreshIfStale();
    const keys = await commandKeys(argv, await this.options.catalog?.(), this.anyNode);
    if (keys.length === 0) return { address: deferKeyless && node === undefined ? '' : this.keylessTarget(argv, node), keys };
    const slots = keys.map((key) => ({ key, slot: keySlot(key) }));
    const slot = slots[0].slot;
    const other = slots.find((s) => s.slot !== slot);
    if (other) throw new InputError(crossSlotSentence(commandName(argv), [slots[0], other], 'command'));
    const address = this.map.nodeOf(slot);
    if (!address)
      throw new ConnectionError(
        l10n.t(
          'No node of Redis Cluster profile "{0}" serves hash slot {1} (the cluster is not complete): check CLUSTER INFO.',
          this.profileName,
          slot,
        ),
      );
    return { address, slot, keys };
  }

  /** Routes every command first (so a refusal sends nothing). */
  async plan(argvs: readonly (readonly Buffer[])[], node?: string): Promise<Route[]> {
    const out: Route[] = [];
    for (const argv of argvs) out.push(await this.route(argv, node));
    return out;
  }

  /** Sends one command where it belongs, following redirects. */
  async send(argv: readonly Buffer[], node?: string): Promise<RedisReply> {
    const route = await this.route(argv, node);
    return this.sendAt(route.address, argv, route.slot);
  }

  /** Sends a keyless command to every primary: `{ [address]: reply }`. */
  async sendAll(argv: readonly Buffer[]): Promise<Map<string, RedisReply>> {
    await this.refreshIfStale();
    const primaries = this.map.primaries();
    const replies = await Promise.all(primaries.map(async (address) => (await this.link(address)).send(argv)));
    return new Map(primaries.map((address, i) => [address, replies[i]]));
  }

  /**
   * Sends commands grouped per node (one write per node, in parallel),
   * replies in the order given; redirected ones are sent again where the
   * redirect points. Everything is routed before anything is sent.
   */
  async sendMany(argvs: readonly (readonly Buffer[])[], node?: string): Promise<RedisReply[]> {
    return this.sendRouted(argvs, await this.plan(argvs, node));
  }

  /** sendMany with the routes already known (from `plan` / `route`). */
  async sendRouted(argvs: readonly (readonly Buffer[])[], routes: readonly Route[]): Promise<RedisReply[]> {
    const groups = new Map<string, number[]>();
    routes.forEach((r, i) => groups.set(r.address, [...(groups.get(r.address) ?? []), i]));
    const replies: RedisReply[] = new Array<RedisReply>(argvs.length);
    await Promise.all(
      [...groups].map(async ([address, indexes]) => {
        const got = await (await this.link(address)).sendMany(indexes.map((i) => argvs[i]));
        indexes.forEach((at, j) => (replies[at] = got[j]));
      }),
    );
    for (let i = 0; i < replies.length; i++) {
      const redirect = redirectOf(replies[i]);
      if (redirect) replies[i] = await this.follow(redirect, argvs[i], 1);
    }
    return replies;
  }

  /**
   * Sends to a node, following MOVED / ASK. When the node cannot be reached
   * (nothing was sent), the slot map is read again and a keyed command goes
   * to the slot's new primary once (after a failover).
   */
  async sendAt(address: string, argv: readonly Buffer[], slot?: number): Promise<RedisReply> {
    let link: RespClient;
    try {
      link = await this.link(address);
    } catch (err) {
      if (slot === undefined || this.closed) throw err;
      this.stale = true;
      await this.refreshIfStale();
      const now = this.map.nodeOf(slot);
      if (!now || now === address) throw err;
      link = await this.link(now);
    }
    const reply = await link.send(argv);
    const redirect = redirectOf(reply);
    return redirect ? this.follow(redirect, argv, 1) : reply;
  }

  /** Reads the slot map again now (after a node failed or was demoted). */
  async refresh(): Promise<void> {
    this.stale = true;
    await this.refreshIfStale();
  }

  /** Closes every node connection. */
  close(): void {
    this.closed = true;
    for (const link of this.links.values())
      link.then(
        (c) => c.close(),
        () => undefined,
      );
    this.links.clear();
  }

  private async follow(redirect: Redirect, argv: readonly Buffer[], hops: number): Promise<RedisReply> {
    this.options.onRedirect?.(redirect);
    if (redirect.kind === 'moved') {
      this.map.assign(redirect.slot, redirect.address);
      this.stale = true;
    }
    if (this.options.followRedirects) this.current = redirect.address;
    const link = await this.link(redirect.address);
    const reply = redirect.kind === 'ask' ? (await link.sendMany([[b('ASKING')], argv]))[1] : await link.send(argv);
    const next = redirectOf(reply);
    return next && hops < MAX_REDIRECTS ? this.follow(next, argv, hops + 1) : reply;
  }

  /** Where a keyless command goes: `node`, else the current node; else the sentence that asks for `node`. */
  keylessTarget(argv: readonly Buffer[], node: string | undefined): string {
    if (node !== undefined) return this.checkNode(node);
    if (this.current !== undefined) return this.current;
    const name = commandName(argv);
    throw new InputError(
      l10n.t(
        '{0} has no key to route by on Redis Cluster profile "{1}": give "node" as one node\'s "host:port" ({2}) or "all" for every primary.',
        name,
        this.profileName,
        this.map.primaries().join(', '),
      ),
    );
  }

  /** Where COMMAND GETKEYS is asked (only when the tables cannot tell): the seed while it is up, else a primary. */
  private readonly anyNode: ReplySource = {
    send: async (argv) =>
      (await this.link(this.seed.connected ? this.seed.address : (this.map.primaries()[0] ?? this.seed.address))).send(argv),
  };

  private async refreshIfStale(): Promise<void> {
    if (!this.stale) return;
    this.stale = false;
    for (const address of [this.seed.address, ...this.map.primaries()]) {
      try {
        this.map = await readSlotMap(await this.link(address));
        return;
      } catch {
        // try the next node
      }
    }
  }
}

/** The slot map as one node sees it; a sentence when the server is not a cluster node. */
async function readSlotMap(client: RespClient): Promise<SlotMap> {
  const reply = await client.send([b('CLUSTER'), b('SLOTS')]);
  if (reply.type === 'error')
    throw new InputError(
      l10n.t(
        'Redis profile "{0}" is set to mode "cluster", but {1} is not a cluster node ({2}): set "mode" to "standalone" or give the cluster\'s nodes.',
        client.profile.name,
        client.address,
        reply.message,
      ),
    );
  return slotMapFromReply(reply, { host: client.profile.host, port: client.profile.port });
}
