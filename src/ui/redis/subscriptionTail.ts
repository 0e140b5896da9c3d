/**
 * A Redis subscription as a tail: its own dedicated connection, its own
 * output channel (time, channel, pattern, payload — JSON pretty when it
 * parses, hex for binary), batched appends, a bounded buffer for
 * `tails.read` (a line, once, when it starts dropping), the first `take`
 * messages held apart (never dropped), and a line when the connection
 * drops and when it is back. Once stopped it is kept by the registry's
 * retention rule.
 */
import * as vscode from 'vscode';
import type { RedisClient } from '../../core/redis/redisClient';
import { displayBytes, formatPayload } from '../../core/bytes';
import { errorMessage } from '../../core/errors';
import type { ResolvedRedisProfile } from '../../core/profiles';
import { formatCount } from '../../core/units';
import { messageToJson, Subscription, type PubSubMessage } from '../../core/redis/pubsub';
import type { Settings } from '../settings';
import { droppingLine, TailOutput, timestamp } from '../tails/tailOutput';
import type { Tail, TailRegistry } from '../tails/tailRegistry';

/** One message as output lines. */
export function formatMessage(m: PubSubMessage): string {
  const where = m.pattern ? vscode.l10n.t('{0} (pattern {1})', displayBytes(m.channel), displayBytes(m.pattern)) : displayBytes(m.channel);
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
    output.append(`${timestamp()}  ── ${vscode.l10n.t('lost connection: {0}; messages published meanwhile are not received', reason)} ──`),
  );
  subscription.on('dropping', (capacity) => output.append(droppingLine(capacity)));
  subscription.on('resubscribed', (server) =>
    output.append(
      `${timestamp()}  ── ${server ? vscode.l10n.t('reconnected to {0} and resubscribed to {1}', server, label) : vscode.l10n.t('reconnected and resubscribed to {0}', label)} ──`,
    ),
  );
  try {
    await subscription.start();
  } catch (err) {
    output.dispose();
    throw err;
  }
  output.append(`${timestamp()}  ── ${vscode.l10n.t('subscribed to {0} on {1}', label, o.profile.name)} ──`);
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
      output.append(`${timestamp()}  ── ${vscode.l10n.t('stopped after {0} messages', formatCount(subscription.received))} ──`);
      output.flush();
    },
    show: () => output.show(),
    dispose: () => output.dispose(),
  });
  subscription.on('ended', (reason) => {
    output.append(`${timestamp()}  ── ${vscode.l10n.t('ended: {0}', reason)} ──`);
    registry.stop(tail.id).catch((err: unknown) => output.append(vscode.l10n.t('stopping failed: {0}', errorMessage(err))));
  });
  return { tail, subscription, output };
}
