/**
 * Peek-style export of a queue deeper than the in-flight bound. Holding every
 * message unacked until the end (what a short peek does) would keep the whole
 * queue in flight; giving a window back with requeue puts it back at the head,
 * where the next delivery finds it again. So each message is written to the
 * file, republished behind the rest of the queue (default exchange, routing
 * key = the queue, `mandatory`, on a confirm channel, properties and typed
 * headers as an import of the line would publish them) and acked only after
 * the broker confirmed the copy. After one full turn the queue holds the same
 * messages in the same order, and never more than `window` (at most 500) are
 * unacked.
 *
 * Differences from the original, said in the README: a copy's TTL starts
 * again, its redelivered flag is cleared, and a cancelled turn leaves the
 * queue complete but rotated.
 */
import * as l10n from '@vscode/l10n';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { FileHandle } from 'node:fs/promises';
import { asError, errorMessage } from '../errors';
import type { OpenChannel } from './amqpSession';
import { messageLine } from './exportLine';
import { parseLine } from './messageImport';
import type { HeaderTap } from './typedHeaders';

export interface RotationPlan {
  queue: string;
  /** Messages the queue held at the start: one full turn. */
  depth: number;
  /** Lines to write (the first `total` of the turn). */
  total: number;
  /** Unacked messages at most. */
  window: number;
}

export interface RotationOutcome {
  exported: number;
  /** The most messages unacked at once. */
  maxUnacked: number;
  /** Why the turn ended early (cancelled, a copy refused). */
  stoppedBecause?: string;
}

/** Unacked messages at most while turning (or the caller's bound, if smaller). */
export const ROTATION_PREFETCH = 500;

export async function rotateExport(
  source: OpenChannel,
  target: OpenChannel<ConfirmChannel>,
  file: FileHandle,
  tap: HeaderTap | undefined,
  plan: RotationPlan,
  options: { signal?: AbortSignal; onProgress?: (exported: number, total: number) => void },
): Promise<RotationOutcome> {
  const ch = source.channel;
  const channelNo = (ch as unknown as { ch?: number }).ch ?? 0;
  // A smaller window near the end of the turn: whatever the broker delivers past the turn goes back with requeue (slow, and flagged redelivered).
  let prefetch = Math.min(plan.window, ROTATION_PREFETCH);
  await ch.prefetch(prefetch);
  let seen = 0;
  let exported = 0;
  let unacked = 0;
  let maxUnacked = 0;
  let lines: string[] = [];
  let writing: Promise<void> = Promise.resolve();
  let stoppedBecause: string | undefined;
  let tag: string | undefined;
  let ending = false;
  // Copies go to the queue's own name through the default exchange: a return means the queue is gone.
  let returned = false;
  target.channel.on('return', () => (returned = true));
  return new Promise<RotationOutcome>((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (unacked > 0 || !ending) return;
      if (idle) clearTimeout(idle);
      const text = lines.join('');
      lines = [];
      writing = writing.then(() => (text === '' ? undefined : file.write(text).then(() => undefined)));
      writing.then(() => resolve({ exported, maxUnacked, ...(stoppedBecause !== undefined ? { stoppedBecause } : {}) }), reject);
    };
    const end = (reason?: string): void => {
      if (reason !== undefined) stoppedBecause ??= reason;
      if (ending) return;
      ending = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (tag !== undefined) void ch.cancel(tag).catch(() => undefined);
      finish();
    };
    const onAbort = (): void =>
      end(l10n.t('Cancelled after {0} message(s); the queue keeps every message, turned by {1}', exported, seen - unacked));
    const rearm = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => end(), 2_000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    void source.whenClosed.then(() => !ending && reject(asError(source.serverError ?? new Error('Channel closed'))));
    void target.whenClosed.then(() => !ending && reject(asError(target.serverError ?? new Error('Channel closed'))));
    const onMessage = (msg: ConsumeMessage | null): void => {
      if (msg === null) return end(l10n.t('Queue "{0}" was deleted during the export', plan.queue));
      const typed = tap?.working ? tap.next(channelNo) : undefined;
      if (ending || seen >= plan.depth) {
        ch.nack(msg, false, true);
        return;
      }
      seen++;
      rearm();
      if (plan.depth - seen < prefetch && prefetch > 1) {
        prefetch = Math.max(1, Math.floor(prefetch / 2));
        void ch.prefetch(prefetch).catch(() => undefined);
      }
      const line = messageLine(msg, typed);
      if (exported < plan.total) {
        lines.push(`${line}\n`);
        exported++;
        options.onProgress?.(exported, plan.total);
        if (lines.length >= 500) {
          const text = lines.join('');
          lines = [];
          writing = writing.then(() => file.write(text).then(() => undefined));
        }
      }
      unacked++;
      maxUnacked = Math.max(maxUnacked, unacked);
      const copy = parseLine(line, seen, { path: '', exchange: '', routingKey: plan.queue });
      target.channel.publish('', plan.queue, copy.body, { ...copy.options, mandatory: true }, (err: unknown) => {
        unacked--;
        if (err !== null && err !== undefined) {
          ch.nack(msg, false, true);
          end(l10n.t('The broker refused the copy of a message ({0}); it stays in the queue', errorMessage(err)));
        } else if (returned) {
          ch.nack(msg, false, true);
          end(l10n.t('Queue "{0}" no longer routes its own name; the message stays', plan.queue));
        } else ch.ack(msg);
        finish();
      });
      if (seen >= plan.depth) end();
    };
    ch.consume(plan.queue, onMessage, { noAck: false }).then((ok) => {
      tag = ok.consumerTag;
      if (ending) void ch.cancel(ok.consumerTag).catch(() => undefined);
      else rearm();
    }, reject);
  });
}
