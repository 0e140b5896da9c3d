/**
 * A Redis subscription as a tail: its own dedicated connection, its own
 * output channel (time, channel, pattern, payload — JSON pretty when it
 * parses, hex for binary), batched appends, a bounded buffer for
 * `tails.read` (a line, once, when it starts dropping), the first `take`
 * messages held apart (never dropped), and a line when the connection
 * drops and when it is back. Once stopped it is kept by the registry's
 * retention rule.
 */
import type { RedisClient } from '../../core/redis/redisClient';
import { displayBytes, formatPayload } from '../../core/bytes';
import { errorMessage } from '../../core/errors';
import type { ResolvedRedisProfile } from '../../core/profiles';
import { messageToJson, Subscription, type PubSubMessage } from '../../core/redis/pubsub';
import type { Settings } from '../settings';
import { droppingLine, TailOutput, timestamp } from '../tails/tailOutput';
import type { Tail, TailRegistry } from '../tails/tailRegistry';

/** One message as output lines. */
export function formatMessage(m: PubSubMessage): string {
  const where = m.pattern ? `${displayBytes(m.channel)} (pattern ${displayBytes(m.pattern)})` : displayBytes(m.channel);
  return `${timestamp(m.time)}  ${where}  ${formatPayload(m.message, { json: true })}`;
}

export interface SubscriptionTailOptions {
  profile: ResolvedRedisProfile;
  db: number;
  channels: Buffer[];
  patterns: Buffer[];
  open(): Promise<RedisClient>;
  settings: Settings;
  redact(text: string): string;
  /** Hold the first this many messages for `subscription.takeFirst` (never dropped). */
  take?: number;
}

export interface StartedSubscription {
  tail: Tail;
  subscription: Subscription;
  output: TailOutput;
}

/** Starts the subscription; resolves once the server confirmed it, registered as a tail. */
export async function startSubscriptionTail(registry: TailRegistry, o: SubscriptionTailOptions): Promise<StartedSubscription> {
  const names = [...o.channels.map((c) => displayBytes(c, 60)), ...o.patterns.map((p) => displayBytes(p, 60))];
  const label = names.join(' ');
  const output = new TailOutput(`Redis ⟫ ${o.profile.name} ⟫ ${label}`, o.settings.tailMaxLines, (text) => o.redact(text));
  const subscription = new Subscription(() => o.open(), {
    channels: o.channels,
    patterns: o.patterns,
    bufferSize: o.settings.tailBufferSize,
    ...(o.take !== undefined ? { take: o.take } : {}),
    // Formatted only when written out: at most tailMaxLines per flush, however fast messages arrive.
    sink: (batch) => output.appendAllLazy(batch, formatMessage),
  });
  subscription.on('lost', (reason) =>
    output.append(`${timestamp()}  ── lost connection: ${reason}; messages published meanwhile are not received ──`),
  );
  subscription.on('dropping', (capacity) => output.append(droppingLine(capacity)));
  subscription.on('resubscribed', (server) =>
    output.append(`${timestamp()}  ── reconnected${server ? ` to ${server}` : ''} and resubscribed to ${label} ──`),
  );
  try {
    await subscription.start();
  } catch (err) {
    output.dispose();
    throw err;
  }
  output.append(`${timestamp()}  ── subscribed to ${label} on ${o.profile.name} ──`);
  let stopped = false;
  const tail = registry.add({
    kind: 'redis',
    profile: o.profile.name,
    label,
    count: () => subscription.received,
    dropped: () => subscription.dropped,
    running: () => subscription.running,
    read: async (take, timeoutMs) => {
      const batch = await subscription.readBatch(take, timeoutMs);
      return { messages: batch.messages.map(messageToJson), dropped: batch.dropped };
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await subscription.stop();
      output.append(`${timestamp()}  ── stopped after ${subscription.received.toLocaleString('en-US')} messages ──`);
      output.flush();
    },
    show: () => output.show(),
    dispose: () => output.dispose(),
  });
  subscription.on('ended', (reason) => {
    output.append(`${timestamp()}  ── ended: ${reason} ──`);
    registry.stop(tail.id).catch((err: unknown) => output.append(`stopping failed: ${errorMessage(err)}`));
  });
  return { tail, subscription, output };
}
