/**
 * Where the lines of a pipeline or transaction go: one RESP connection, or
 * a Redis Cluster router. On a cluster a pipeline is grouped per node (each
 * batch routed before any of it is sent), and a transaction runs on the
 * node of its keys' one hash slot: MULTI goes there with the first batch,
 * and a line in another slot refuses the whole transaction (CROSSSLOT)
 * before EXEC, so nothing runs.
 */
import * as l10n from '@vscode/l10n';
import { InputError, errorMessage } from '../errors';
import { ClusterRouter, crossSlotSentence, type Route } from './clusterRouter';
import type { RedisReply } from './reply';
import type { RespClient } from './respClient';

const cmd = (s: string): Buffer[] => [Buffer.from(s)];

/** A command connection: one RESP client, or a router over a cluster's nodes. */
export type CommandChannel = RespClient | ClusterRouter;

/** What the router refused, named by its line. */
export function lineRefusal(err: unknown, line: number | undefined): Error {
  if (!(err instanceof InputError) || line === undefined) return err instanceof Error ? err : new Error(errorMessage(err));
  return new InputError(l10n.t('Line {0}: {1}', line, err.message));
}

export class ScriptSink {
  private txLink: RespClient | undefined;
  /** The node a cluster transaction runs on, and the first key that chose it. */
  private pinnedAddress: string | undefined;
  private pinnedKey: { key: Buffer; slot: number } | undefined;
  private open = false;

  constructor(
    private readonly channel: CommandChannel,
    private readonly tx: boolean,
    /** `node` for keyless lines on a cluster. */
    private readonly node?: string,
  ) {}

  get connected(): boolean {
    return this.channel.connected;
  }

  /** Starts a transaction on a single connection at once (a cluster's starts with its first batch, on its slot's node). */
  async begin(): Promise<void> {
    if (!this.tx || this.channel instanceof ClusterRouter) return;
    await this.multi(this.channel);
  }

  /** Sends one batch; `lines` name the lines in a refusal. Routing refusals throw before anything of the batch is sent. */
  async send(argvs: readonly Buffer[][], lines: readonly number[]): Promise<RedisReply[]> {
    if (argvs.length === 0) return [];
    const ch = this.channel;
    if (!(ch instanceof ClusterRouter)) return ch.sendMany(argvs);
    const routes = await this.routes(ch, argvs, lines);
    if (!this.tx) return ch.sendRouted(argvs, routes);
    this.pin(ch, routes, argvs, lines);
    if (!this.txLink) {
      const link = await ch.link(this.pinnedAddress as string);
      await this.multi(link);
      this.txLink = link;
    }
    return this.txLink.sendMany(argvs);
  }

  /** DISCARD when a transaction is open. */
  async discard(): Promise<void> {
    const link = this.link();
    if (this.open && link) await link.send(cmd('DISCARD'));
    this.open = false;
  }

  /** EXEC of the open transaction (an empty array when nothing was queued on a cluster). */
  async exec(): Promise<RedisReply> {
    const link = this.link();
    if (!this.open || !link) return { type: 'array', items: [] };
    this.open = false;
    return link.send(cmd('EXEC'));
  }

  private link(): RespClient | undefined {
    return this.channel instanceof ClusterRouter ? this.txLink : this.channel;
  }

  private async multi(link: RespClient): Promise<void> {
    const reply = await link.send(cmd('MULTI'));
    if (reply.type === 'error') throw new InputError(l10n.t('The transaction could not start: {0}.', reply.message));
    this.open = true;
  }

  private async routes(router: ClusterRouter, argvs: readonly Buffer[][], lines: readonly number[]): Promise<Route[]> {
    const out: Route[] = [];
    for (let i = 0; i < argvs.length; i++) {
      try {
        out.push(await router.route(argvs[i], this.tx ? (this.node ?? this.pinnedAddress) : this.node, this.tx));
      } catch (err) {
        throw lineRefusal(err, lines[i]);
      }
    }
    return out;
  }

  /** Keeps a transaction on one slot (the first key's); a key in another slot refuses it, as does a transaction with no key and no node. */
  private pin(router: ClusterRouter, routes: readonly Route[], argvs: readonly Buffer[][], lines: readonly number[]): void {
    routes.forEach((r, i) => {
      if (r.slot === undefined) return;
      const key = { key: r.keys[0], slot: r.slot };
      if (!this.pinnedKey && (this.pinnedAddress === undefined || this.pinnedAddress === r.address)) {
        this.pinnedKey = key;
        this.pinnedAddress = r.address;
        return;
      }
      const first = this.pinnedKey;
      if (first && first.slot === r.slot) return;
      const what = first ? l10n.t('this transaction') : l10n.t('the transaction on {0}', String(this.pinnedAddress));
      throw new InputError(l10n.t('Line {0}: {1}', lines[i], crossSlotSentence(what, first ? [first, key] : [key], 'transaction')));
    });
    if (this.pinnedAddress === undefined) {
      // No key at all in the first batch: the transaction goes to `node`, or is refused with the sentence naming it.
      try {
        this.pinnedAddress = router.keylessTarget(argvs[0], this.node);
      } catch (err) {
        throw lineRefusal(err, lines[0]);
      }
    }
  }
}
