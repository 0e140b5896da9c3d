/**
 * A Redis subscription as a tail: its own dedicated connection, its own
 * output channel (time, channel, pattern, payload — JSON pretty when it
 * parses, hex for binary), batched appends, a bounded buffer for
 * `tails.read`, and a line when the connection drops and when it is back.
 */
import type { Redis } from 'ioredis';
import { displayBytes, formatPayload } from '../../core/bytes';
import { errorMessage } from '../../core/errors';
import type { ResolvedRedisProfile } from '../../core/profiles';
import { messageToJson, Subscription, type PubSubMessage } from '../../core/redis/pubsub';
import type { Settings } from '../settings';
import { TailOutput, timestamp } from '../tails/tailOutput';
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
  open(): Promise<Redis>;
  settings: Settings;
  redact(text: string): string;
}

export interface StartedSubscription {
  tail: Tail;
  subscription: Subscription;
  output: TailOutput;
}

/** Output channels of stopped subscriptions stay readable; only the last few are kept. */
const stoppedOutputs: TailOutput[] = [];
const KEEP_STOPPED_OUTPUTS = 8;

function retire(output: TailOutput): void {
  stoppedOutputs.push(output);
  while (stoppedOutputs.length > KEEP_STOPPED_OUTPUTS) stoppedOutputs.shift()?.dispose();
}

export function disposeStoppedOutputs(): void {
  for (const o of stoppedOutputs.splice(0)) o.dispose();
}

/** Starts the subscription; resolves once the server confirmed it, registered as a tail. */
export async function startSubscriptionTail(registry: TailRegistry, o: SubscriptionTailOptions): Promise<StartedSubscription> {
  const names = [...o.channels.map((c) => displayBytes(c, 60)), ...o.patterns.map((p) => displayBytes(p, 60))];
  const label = names.join(' ');
  const output = new TailOutput(`Redis ⟫ ${o.profile.name} ⟫ ${label}`, o.settings.tailMaxLines, o.redact);
  const subscription = new Subscription(o.open, {
    channels: o.channels,
    patterns: o.patterns,
    bufferSize: o.settings.tailBufferSize,
    // Formatted only when written out: at most tailMaxLines per flush, however fast messages arrive.
    sink: (batch) => output.appendAllLazy(batch, formatMessage),
  });
  subscription.on('lost', (reason) =>
    output.append(`${timestamp()}  ── lost connection: ${reason}; messages published meanwhile are not received ──`),
  );
  subscription.on('resubscribed', () => output.append(`${timestamp()}  ── reconnected and resubscribed to ${label} ──`));
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
    running: () => subscription.running,
    read: async (take, timeoutMs) => (await subscription.read(take, timeoutMs)).map(messageToJson),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await subscription.stop();
      output.append(`${timestamp()}  ── stopped after ${subscription.received.toLocaleString('en-US')} messages ──`);
      output.flush();
      retire(output);
    },
    show: () => output.show(),
  });
  subscription.on('ended', (reason) => {
    output.append(`${timestamp()}  ── ended: ${reason} ──`);
    registry.stop(tail.id).catch((err: unknown) => output.append(`stopping failed: ${errorMessage(err)}`));
  });
  return { tail, subscription, output };
}
