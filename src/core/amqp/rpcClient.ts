/**
 * RPC over AMQP: publish with `replyTo` and a UUID `correlationId`, wait
 * for the reply with that id (others are ignored) or time out. The default
 * reply path is direct reply-to: one RPC channel per session, opened on the
 * first call, consumes `amq.rabbitmq.reply-to` with noAck once, and every
 * call publishes on it and waits in a map of pending calls keyed by
 * correlationId, so concurrent calls each get their own answer. When that
 * channel closes, the pending calls fail and the next call opens a new one.
 * `replyMode: "callbackQueue"` uses an exclusive server-named queue on a
 * channel of its own per call instead, as the classic tutorial.
 */
import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ConsumeMessage, Message } from 'amqplib';
import { toBuffer, fromBuffer, type BytesLike } from '../bytes';
import { InputError, NotFoundError, TimeoutError, asError } from '../errors';
import { cancelledError, describeAmqpError } from './amqpErrors';
import { checkShortString } from './amqpTable';
import { detailedError, type AmqpSession, type OpenChannel } from './amqpSession';
import { propertiesFromAmqp, publishOptions, type AmqpProperties } from './messageProperties';

export type ReplyMode = 'direct' | 'callbackQueue';

export interface RpcArgs {
  /** Default "" (the default exchange: routingKey names the server's queue). */
  exchange?: string;
  routingKey: string;
  body: BytesLike | Buffer;
  /** replyTo and correlationId are set by the call itself. */
  properties?: unknown;
  /** Default 10,000 ms. */
  timeoutMs?: number;
  /** Default "direct". */
  replyMode?: ReplyMode;
}

export interface RpcResult {
  body: BytesLike;
  properties: AmqpProperties;
  /** From publishing the request to receiving the reply. */
  elapsedMs: number;
}

export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/** `brokerExplorer.rabbitmq.rpcCall`. */
export async function rpcCall(session: AmqpSession, args: RpcArgs, options: { signal?: AbortSignal } = {}): Promise<RpcResult> {
  const exchange = checkShortString(args.exchange ?? '', l10n.t('exchange name'), { allowEmpty: true });
  const routingKey = checkShortString(args.routingKey, l10n.t('routing key'), { allowEmpty: exchange !== '' });
  const body = toBuffer(args.body, l10n.t('request body'));
  const props = publishOptions(args.properties);
  const timeoutMs = args.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) {
    throw new InputError(
      l10n.t('The timeout {0} ms is not valid: give a whole number of milliseconds from 1 to 600000.', String(timeoutMs)),
    );
  }
  const mode = args.replyMode ?? 'direct';
  if (mode !== 'direct' && mode !== 'callbackQueue')
    throw new InputError(l10n.t('The reply mode "{0}" is not known: use "direct" or "callbackQueue".', String(mode)));
  const target =
    exchange === '' ? l10n.t('queue "{0}"', routingKey) : l10n.t('exchange "{0}" with routing key "{1}"', exchange, routingKey);
  const what = l10n.t('calling {0} (RPC)', target);
  session.assertWritable(what);
  const call: CallSpec = { what, target, exchange, routingKey, body, props, timeoutMs };
  if (mode === 'direct') return directReplies(session).call(call, options.signal);
  return callbackQueueCall(session, call, options.signal);
}

interface CallSpec {
  what: string;
  /** `queue "q"` or `exchange "x" with routing key "k"`. */
  target: string;
  exchange: string;
  routingKey: string;
  body: Buffer;
  props: ReturnType<typeof publishOptions>;
  timeoutMs: number;
}

function whereOf(session: AmqpSession): string {
  return l10n.t('on profile "{0}" (vhost "{1}")', session.profile.name, session.vhost);
}

function noReplyError(session: AmqpSession, spec: CallSpec): TimeoutError {
  const { target } = spec;
  return new TimeoutError(
    l10n.t(
      'The RPC call to {0} {1} got no reply within {2} ms; check that a server consumes {0} and replies to the replyTo queue with the same correlationId.',
      target,
      whereOf(session),
      spec.timeoutMs,
    ),
  );
}

function returnedError(session: AmqpSession, spec: CallSpec): NotFoundError {
  const { target } = spec;
  return new NotFoundError(
    spec.exchange === ''
      ? l10n.t(
          'The RPC call to {0} {1} was not delivered: there is no queue named "{2}"; check the name and that the server is running.',
          target,
          whereOf(session),
          spec.routingKey,
        )
      : l10n.t(
          'The RPC call to {0} {1} was not delivered: no queue is bound for that routing key; check the routing key and that the server is running.',
          target,
          whereOf(session),
        ),
  );
}

function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

// ---------------------------------------------------------------- direct reply-to: one channel per session

/** A call waiting for its reply on the RPC channel. */
interface Pending {
  id: string;
  spec: CallSpec;
  started: number;
  /** performance.now() after which the call times out. */
  deadline: number;
  resolve(result: RpcResult): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface RpcChannel {
  open: OpenChannel;
  /** By correlationId. */
  pending: Map<string, Pending>;
  /**
   * One timer for all the calls on the channel, armed for the earliest
   * deadline (a timer per call costs more than the rest of the call). It is
   * unref'd: the connection's socket keeps the process alive meanwhile.
   */
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
}

/** The direct reply-to channel of one session and its pending calls. */
class DirectReplies {
  private current: Promise<RpcChannel> | undefined;
  /** What `current` resolved to, so a close can tell whether it is still the current channel. */
  private live: RpcChannel | undefined;

  constructor(private readonly session: AmqpSession) {
    session.onClose(() => this.close());
  }

  async call(spec: CallSpec, signal?: AbortSignal): Promise<RpcResult> {
    if (signal?.aborted) throw cancelledError(this.session.context(spec.what));
    // The open channel at once when there is one: no extra await on the hot path.
    const rpc = this.live && !this.live.open.closed ? this.live : await this.channel(spec.what);
    if (signal?.aborted) throw cancelledError(this.session.context(spec.what));
    return this.publish(rpc, spec, signal);
  }

  private publish(rpc: RpcChannel, spec: CallSpec, signal: AbortSignal | undefined): Promise<RpcResult> {
    const id = randomUUID();
    return new Promise<RpcResult>((resolve, reject) => {
      const started = performance.now();
      const p: Pending = { id, spec, started, deadline: started + spec.timeoutMs, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        p.onAbort = (): void => this.fail(rpc, p, cancelledError(this.session.context(spec.what)));
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      rpc.pending.set(id, p);
      this.arm(rpc, p.deadline);
      try {
        p.started = performance.now();
        rpc.open.channel.publish(spec.exchange, spec.routingKey, spec.body, {
          ...spec.props,
          replyTo: DIRECT_REPLY_TO,
          correlationId: id,
          mandatory: true,
        });
      } catch (err) {
        this.fail(rpc, p, describeAmqpError(this.session.context(spec.what), detailedError(err, rpc.open.serverError)));
      }
    });
  }

  /** Forgets the call; false when it was already settled. */
  private forget(rpc: RpcChannel, p: Pending): boolean {
    if (rpc.pending.get(p.id) !== p) return false;
    rpc.pending.delete(p.id);
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    return true;
  }

  private fail(rpc: RpcChannel, p: Pending, err: unknown): void {
    if (this.forget(rpc, p)) p.reject(err);
  }

  /** Makes sure the channel's timer fires by `deadline`. */
  private arm(rpc: RpcChannel, deadline: number): void {
    if (rpc.timer !== undefined && rpc.timerAt <= deadline) return;
    if (rpc.timer !== undefined) clearTimeout(rpc.timer);
    rpc.timerAt = deadline;
    rpc.timer = setTimeout(() => this.sweep(rpc), Math.max(1, Math.ceil(deadline - performance.now())));
    rpc.timer.unref();
  }

  /** Times out the calls past their deadline and re-arms for the next one. */
  private sweep(rpc: RpcChannel): void {
    rpc.timer = undefined;
    // Timers run on the loop's cached clock: allow for a millisecond of it.
    const now = performance.now() + 1;
    let next = Infinity;
    for (const p of [...rpc.pending.values()]) {
      if (p.deadline <= now) this.fail(rpc, p, noReplyError(this.session, p.spec));
      else next = Math.min(next, p.deadline);
    }
    if (next !== Infinity) this.arm(rpc, next);
  }

  /** The open RPC channel, opened (with its one reply consumer) on first use and after it closed. */
  private channel(what: string): Promise<RpcChannel> {
    if (!this.current) {
      const opening = this.openChannel(what);
      this.current = opening;
      opening.catch(() => {
        if (this.current === opening) this.current = undefined;
      });
      return opening;
    }
    return this.current;
  }

  private async openChannel(what: string): Promise<RpcChannel> {
    const open = await this.session.openChannel(what);
    const rpc: RpcChannel = { open, pending: new Map(), timer: undefined, timerAt: 0 };
    const ch = open.channel;
    const failAll = (reason: string): void => {
      if (this.live === rpc) {
        this.live = undefined;
        this.current = undefined;
      }
      if (rpc.timer !== undefined) clearTimeout(rpc.timer);
      rpc.timer = undefined;
      for (const p of [...rpc.pending.values()]) {
        this.fail(rpc, p, describeAmqpError(this.session.context(p.spec.what), detailedError(new Error(reason), open.serverError)));
      }
    };
    ch.on('close', () => failAll('Channel closed'));
    ch.on('return', (msg: Message) => {
      const id = msg.properties.correlationId as unknown;
      const p = typeof id === 'string' ? rpc.pending.get(id) : undefined;
      if (p) this.fail(rpc, p, returnedError(this.session, p.spec));
    });
    const onReply = (msg: ConsumeMessage | null): void => {
      if (msg === null) {
        failAll('Channel closed: the reply consumer was cancelled');
        void open.close();
        return;
      }
      const id = msg.properties.correlationId as unknown;
      const p = typeof id === 'string' ? rpc.pending.get(id) : undefined;
      if (!p) return; // an unknown or late reply: ignore it
      const elapsedMs = elapsedSince(p.started);
      this.forget(rpc, p);
      p.resolve({ body: fromBuffer(msg.content), properties: propertiesFromAmqp(msg.properties), elapsedMs });
    };
    try {
      // Direct reply-to needs the consumer (noAck) before the publish, on the same channel.
      await ch.consume(DIRECT_REPLY_TO, onReply, { noAck: true });
    } catch (err) {
      await open.close();
      throw describeAmqpError(this.session.context(what), detailedError(err, open.serverError));
    }
    if (open.closed) throw describeAmqpError(this.session.context(what), detailedError(new Error('Channel closed'), open.serverError));
    this.live = rpc;
    return rpc;
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    this.live = undefined;
    const rpc = await current?.catch(() => undefined);
    await rpc?.open.close();
  }
}

const perSession = new WeakMap<AmqpSession, DirectReplies>();

function directReplies(session: AmqpSession): DirectReplies {
  let d = perSession.get(session);
  if (!d) {
    d = new DirectReplies(session);
    perSession.set(session, d);
  }
  return d;
}

// ---------------------------------------------------------------- callback queue: a channel per call

function callbackQueueCall(session: AmqpSession, spec: CallSpec, signal?: AbortSignal): Promise<RpcResult> {
  return session.withChannel(
    spec.what,
    async (ch) => {
      const replyTo = (await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false })).queue;
      const correlationId = randomUUID();
      return new Promise<RpcResult>((resolve, reject) => {
        let started = 0;
        let settled = false;
        const settle = (fn: () => void): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          fn();
        };
        const timer = setTimeout(() => settle(() => reject(noReplyError(session, spec))), spec.timeoutMs);
        ch.on('close', () => settle(() => reject(new Error('Channel closed'))));
        ch.on('return', (msg: Message) => {
          if (msg.properties.correlationId !== correlationId) return;
          settle(() => reject(returnedError(session, spec)));
        });
        const onReply = (msg: ConsumeMessage | null): void => {
          if (msg === null) return settle(() => reject(new Error('Channel closed: the reply consumer was cancelled')));
          if (msg.properties.correlationId !== correlationId) return; // someone else's reply: ignore it
          const elapsedMs = elapsedSince(started);
          settle(() => resolve({ body: fromBuffer(msg.content), properties: propertiesFromAmqp(msg.properties), elapsedMs }));
        };
        ch.consume(replyTo, onReply, { noAck: true, exclusive: true }).then(
          () => {
            if (settled) return;
            started = performance.now();
            try {
              ch.publish(spec.exchange, spec.routingKey, spec.body, { ...spec.props, replyTo, correlationId, mandatory: true });
            } catch (err) {
              settle(() => reject(asError(err)));
            }
          },
          (err: unknown) => settle(() => reject(asError(err))),
        );
      });
    },
    signal ? { signal } : {},
  );
}
