/**
 * SSUBSCRIBE for real: a dedicated RESP connection that sends SSUBSCRIBE on
 * the wire and hands on every reply the server pushes (`ssubscribe`
 * confirmations, `smessage`s) exactly as sent, so a console can print them
 * like redis-cli does. ioredis-based subscriptions only know SUBSCRIBE and
 * PSUBSCRIBE here, hence this small one. When the connection drops it emits
 * `lost`, opens a new one and subscribes again (`resubscribed`) until stopped;
 * on a cluster, `connect` opens at the slot's owner, and a `sunsubscribe`
 * the server pushes (the slot moved: failover) counts as a loss too.
 */
import * as l10n from '@vscode/l10n';
import { EventEmitter } from 'node:events';
import { InputError, errorMessage } from '../errors';
import type { RedisReply } from './reply';
import type { RespClient } from './respClient';

export interface ShardSubscriptionOptions {
  /** Opens a new dedicated connection (closed by the subscription). */
  connect(): Promise<RespClient>;
  /** Shard channels, exact bytes. */
  channels: readonly Buffer[];
  /** Every reply the server pushes, in order: confirmations first, then `smessage` arrays. */
  onPush(reply: RedisReply): void;
  /** First wait before reconnecting (doubles up to 5 s; default 500 ms). */
  retryMs?: number;
}

export interface ShardSubscriptionEvents {
  /** The connection dropped: messages published meanwhile are not received. */
  lost: [reason: string];
  /** Reconnected and subscribed again to every channel. */
  resubscribed: [];
}

const MAX_RETRY_MS = 5000;

function isSunsubscribe(reply: RedisReply): boolean {
  const kind = reply.type === 'array' ? reply.items[0] : undefined;
  return kind?.type === 'bulk' && kind.value.toString('latin1').toLowerCase() === 'sunsubscribe';
}

export class ShardSubscription extends EventEmitter<ShardSubscriptionEvents> {
  private client: RespClient | undefined;
  private stopped = false;
  private started = false;

  constructor(private readonly options: ShardSubscriptionOptions) {
    super();
    if (options.channels.length === 0) throw new InputError(l10n.t('SSUBSCRIBE needs at least one shard channel.'));
  }

  /**
   * Connects and sends SSUBSCRIBE; resolves once the server answered it.
   * Rejects with the server's error (for instance on a server before Redis
   * 7.0, which does not know SSUBSCRIBE) or the connection's.
   */
  async start(): Promise<void> {
    if (this.started) throw new InputError(l10n.t('This shard subscription was already started.'));
    this.started = true;
    try {
      await this.subscribe();
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  /** Closes the connection; nothing more is pushed. */
  stop(): void {
    this.stopped = true;
    this.client?.close();
    this.client = undefined;
  }

  /** One connection: SSUBSCRIBE sent, the first reply checked, the rest pushed on. */
  private async subscribe(): Promise<void> {
    const client = await this.options.connect();
    if (this.stopped) {
      client.close();
      return;
    }
    this.client = client;
    // Every push is handed on synchronously, the first one too, so the order is the wire's.
    const first = new Promise<void>((resolve, reject) => {
      let answered = false;
      client.on('push', (reply) => {
        if (!answered && reply.type === 'error') {
          answered = true;
          const reason = reply.message.replace(/[.\s]+$/, '');
          reject(
            new InputError(
              /unknown command/i.test(reply.message)
                ? l10n.t('The server refused SSUBSCRIBE: {0}. SSUBSCRIBE needs Redis 7.0 or later: use SUBSCRIBE there.', reason)
                : l10n.t('The server refused SSUBSCRIBE: {0}.', reason),
            ),
          );
          return;
        }
        answered = true;
        if (!this.stopped) this.options.onPush(reply);
        resolve();
        // We never send SUNSUBSCRIBE: one pushed means the slot moved away (a failover or resharding); subscribe again at its owner.
        if (isSunsubscribe(reply) && !this.stopped && this.client === client) client.close();
      });
      client.once('close', (reason) => {
        if (!answered) reject(reason);
        else if (!this.stopped && this.client === client) this.onLost(reason);
      });
    });
    try {
      client.sendPush([Buffer.from('SSUBSCRIBE'), ...this.options.channels]);
      await first;
    } catch (err) {
      if (this.client === client) this.client = undefined;
      client.close();
      throw err;
    }
  }

  private onLost(reason: Error): void {
    this.client = undefined;
    this.emit('lost', l10n.t('the connection was lost ({0}); reconnecting', errorMessage(reason).replace(/[.\s]+$/, '')));
    void this.reconnect(this.options.retryMs ?? 500);
  }

  private async reconnect(waitMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    if (this.stopped) return;
    try {
      await this.subscribe();
      if (!this.stopped) this.emit('resubscribed');
    } catch {
      if (!this.stopped) await this.reconnect(Math.min(MAX_RETRY_MS, waitMs * 2));
    }
  }
}
