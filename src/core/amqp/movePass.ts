/**
 * One pass of a move over one connection: consume the source with manual
 * ack and a prefetch window, republish each message on a confirm channel
 * with `mandatory`, ack the source only after the broker confirmed the
 * copy. A returned (unroutable) or nacked copy puts its source message back
 * and stops the run. A lost connection ends the pass as "lost": every
 * unconfirmed source message goes back to the source with the broker's
 * requeue, so each message is in the source, in the target, or (when only
 * the ack was lost) in both, and the redelivery is counted as a possible
 * duplicate.
 */
import * as l10n from '@vscode/l10n';
import type { ConfirmChannel, ConsumeMessage, Message } from 'amqplib';
import { errorMessage } from '../errors';
import type { OpenChannel } from './amqpSession';
import { amqpReplyCode } from './amqpErrors';
import { MOVE_ID_HEADER, movedHeaders, type MoveRoute } from './deadLetters';

/** What a pass needs from the run: where each message goes and the run's counts. */
export interface MovePlan {
  queue: string;
  /** The copy's route, or why this message has none (the run stops, the message stays). */
  route(msg: Message): MoveRoute | { missing: string };
  /** `exchange "x" with routing key "k"` / `queue "q"`, for sentences. */
  describe(route: MoveRoute): string;
  moveId: string;
  /** How many to move in all (every pass together). */
  total: number;
  prefetch: number;
  /** A pass ends when nothing arrived for this long (the source ran dry before `total`). */
  idleMs: number;
}

/** The run's counts, shared by its passes. */
export interface MoveCounts {
  moved: number;
  possibleDuplicates: number;
  /** Copies in flight when a connection was lost: maybe in the target, and back in the source; the budget grows by them. */
  uncertain: number;
  stoppedBecause?: string;
}

interface InFlight {
  msg: ConsumeMessage;
  route: MoveRoute;
  returned: boolean;
}

export type PassOutcome = 'done' | 'lost';

export class MovePass {
  private readonly inflight = new Set<InFlight>();
  private consumerTag: string | undefined;
  private ending = false;
  private dead = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private settle: (outcome: PassOutcome) => void = () => undefined;
  readonly outcome: Promise<PassOutcome>;

  constructor(
    private readonly source: OpenChannel,
    private readonly target: OpenChannel<ConfirmChannel>,
    private readonly plan: MovePlan,
    private readonly counts: MoveCounts,
    private readonly onMoved: () => void,
  ) {
    this.outcome = new Promise<PassOutcome>((resolve) => {
      this.settle = resolve;
    });
  }

  /** Starts consuming; the outcome resolves when the pass ends. */
  async start(signal: AbortSignal | undefined): Promise<PassOutcome> {
    const target = this.target.channel;
    target.on('return', (returned: Message) => this.onReturn(returned));
    void this.source.whenClosed.then(() => this.onChannelClosed(this.source));
    void this.target.whenClosed.then(() => this.onChannelClosed(this.target));
    const onAbort = (): void => this.stop(l10n.t('Cancelled after {0} message(s)', this.counts.moved));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.source.channel.prefetch(this.plan.prefetch);
      const ok = await this.source.channel.consume(this.plan.queue, (msg) => this.onDelivery(msg), { noAck: false });
      this.consumerTag = ok.consumerTag;
      if (this.ending) void this.cancelConsumer();
      this.armIdle();
      if (signal?.aborted) onAbort();
      return await this.outcome;
    } catch (err) {
      if (this.dead) return this.outcome;
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (this.idleTimer) clearTimeout(this.idleTimer);
    }
  }

  private onDelivery(msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer: the queue was deleted.
      this.stop(l10n.t('Queue "{0}" was deleted while its messages were moved', this.plan.queue));
      return;
    }
    this.armIdle();
    if (this.ending || this.counts.moved + this.inflight.size >= this.budget()) {
      this.putBack(msg);
      this.beginEnd();
      return;
    }
    if ((msg.properties.headers ?? {})[MOVE_ID_HEADER] === this.plan.moveId) {
      this.putBack(msg);
      this.stop(l10n.t('The target routes the copies back to queue "{0}", so the move would never end', this.plan.queue));
      return;
    }
    const route = this.plan.route(msg);
    if ('missing' in route) {
      this.putBack(msg);
      this.stop(
        l10n.t('A message of queue "{0}" could not be replayed because {1}; it stays in the queue', this.plan.queue, route.missing),
      );
      return;
    }
    const entry: InFlight = { msg, route, returned: false };
    this.inflight.add(entry);
    const props = msg.properties as unknown as Record<string, unknown>;
    const options = { ...props, headers: movedHeaders(props.headers, this.plan.moveId), mandatory: true };
    try {
      this.target.channel.publish(route.exchange, route.routingKey, msg.content, options, (err: unknown) => this.onConfirm(entry, err));
    } catch {
      // The channel is closing: the pass ends as lost and the broker requeues the message.
    }
  }

  /** A returned copy: the broker sends basic.return before the ack of that same publish. */
  private onReturn(returned: Message): void {
    for (const entry of this.inflight) {
      if (
        !entry.returned &&
        entry.route.exchange === returned.fields.exchange &&
        entry.route.routingKey === returned.fields.routingKey &&
        entry.msg.content.equals(returned.content)
      ) {
        entry.returned = true;
        return;
      }
    }
  }

  private onConfirm(entry: InFlight, err: unknown): void {
    this.inflight.delete(entry);
    if (this.dead) return; // counted as uncertain; the broker requeues the source message
    if (err !== null && err !== undefined && !/nack/i.test(errorMessage(err))) {
      // "channel closed": the confirm will never come; the broker requeues the source message.
      this.inflight.add(entry);
      this.markLost();
      return;
    }
    if (err !== null && err !== undefined) {
      this.putBack(entry.msg);
      this.stop(
        l10n.t('The broker refused (nacked) the copy sent to {0}; the message stays in the source', this.plan.describe(entry.route)),
      );
    } else if (entry.returned) {
      this.putBack(entry.msg);
      this.stop(
        l10n.t(
          'A message could not be routed to {0} (nothing is bound for it), so it stays in queue "{1}"; bind a queue or choose another target',
          this.plan.describe(entry.route),
          this.plan.queue,
        ),
      );
    } else {
      try {
        this.source.channel.ack(entry.msg);
      } catch {
        // The ack is lost with the channel: the broker redelivers the message and it is counted as a possible duplicate.
      }
      this.counts.moved++;
      if (entry.msg.fields.redelivered) this.counts.possibleDuplicates++;
      this.onMoved();
      if (this.counts.moved >= this.budget()) this.beginEnd();
    }
    this.maybeFinish();
  }

  /** Stops the run with a reason (the first reason wins). */
  private stop(reason: string): void {
    this.counts.stoppedBecause ??= reason;
    this.beginEnd();
  }

  private beginEnd(): void {
    if (this.ending) return;
    this.ending = true;
    void this.cancelConsumer();
    this.maybeFinish();
  }

  private async cancelConsumer(): Promise<void> {
    const tag = this.consumerTag;
    if (tag === undefined) return;
    this.consumerTag = undefined;
    try {
      await this.source.channel.cancel(tag);
    } catch {
      // closed meanwhile
    }
  }

  private maybeFinish(): void {
    if (this.ending && this.inflight.size === 0 && !this.dead) this.settle('done');
  }

  private putBack(msg: ConsumeMessage): void {
    try {
      this.source.channel.nack(msg, false, true);
    } catch {
      // closed: the broker requeues it anyway
    }
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.inflight.size === 0) this.beginEnd();
      else this.armIdle();
    }, this.plan.idleMs);
  }

  private onChannelClosed(channel: OpenChannel): void {
    if (this.dead) return;
    if (this.ending && this.inflight.size === 0) return;
    this.markLost();
    const code = amqpReplyCode(channel.serverError);
    if (code === 404 && channel === this.target) {
      this.counts.stoppedBecause ??= l10n.t(
        'The target exchange was deleted during the move ({0}); the rest stay in the source',
        errorMessage(channel.serverError),
      );
      this.settle('done');
    }
  }

  /** The run's budget: the copies asked for, plus those whose confirm was lost (their source messages come back). */
  private budget(): number {
    return this.plan.total + this.counts.uncertain;
  }

  /** The connection or a channel is gone: every copy in flight is uncertain; the run reconnects. */
  private markLost(): void {
    if (this.dead) return;
    this.dead = true;
    this.counts.uncertain += this.inflight.size;
    this.inflight.clear();
    this.settle('lost');
  }
}
