/**
 * `brokerExplorer.rabbitmq.exportMessages`: a queue to a JSON lines file,
 * one message a line: `{ exchange, routingKey, redelivered, body,
 * properties }`, the body as text when it is valid UTF-8 and `{ hex }`
 * otherwise, headers with their AMQP types (typedHeaders.ts). Two modes:
 * "peek" gives every message back at the end (nack with requeue: the queue
 * is unchanged, the messages flagged redelivered); "drain" acks a batch only
 * after its lines were written and fsynced, so a crash loses nothing (the
 * unacked ones go back to the queue, and may also be in the file). A peek
 * never keeps more than `maxUnacked` (default 5,000) unacked: a deeper one
 * turns the queue once instead (exportRotation.ts).
 */
import * as l10n from '@vscode/l10n';
import { open, type FileHandle } from 'node:fs/promises';
import type { Channel, ConsumeMessage } from 'amqplib';
import { InputError, PreconditionError } from '../errors';
import { closeQuietly } from './amqpConnection';
import type { AmqpSession } from './amqpSession';
import { checkShortString } from './amqpTable';
import { messageLine } from './exportLine';
import { settledDepth } from './moveTarget';
import { rotateExport } from './exportRotation';
import { HeaderTap } from './typedHeaders';

export interface ExportArgs {
  queue: string;
  /** An absolute path; the file is created or replaced. */
  path: string;
  mode: 'peek' | 'drain';
  /** How many; all the queue holds when the export starts when absent. */
  count?: number;
}

export interface ExportResult {
  exported: number;
  path: string;
  /** The most messages unacked at once (peek: at most `maxUnacked`; drain: about two batches). */
  maxUnacked: number;
  /** Peek past the bound: each message was republished behind the rest (one full turn), see exportRotation.ts. */
  rotated: boolean;
  /** Why the export ended early (peek past the bound only). */
  stoppedBecause?: string;
  /** False when this amqplib could not be tapped: headers then went out as amqplib decoded them (numbers untyped). */
  typedHeaders: boolean;
}

export interface ExportOptions {
  signal?: AbortSignal;
  onProgress?: (exported: number, total: number) => void;
  /** Messages written (and, draining, acked) together (default 500). */
  batch?: number;
  /** Peek: messages unacked at once at most (default 5,000). A peek of more turns the queue once instead (exportRotation.ts). */
  maxUnacked?: number;
}

export const DEFAULT_PEEK_WINDOW = 5_000;

export const MAX_EXPORT_COUNT = 100_000_000;

function checkExportArgs(args: ExportArgs): { queue: string; count: number | undefined } {
  const queue = checkShortString(args.queue, l10n.t('queue name'));
  if (args.mode !== 'peek' && args.mode !== 'drain')
    throw new InputError(
      l10n.t('The export mode {0} is not known: use "peek" (the queue keeps every message) or "drain".', JSON.stringify(args.mode)),
    );
  if (typeof args.path !== 'string' || args.path.trim() === '') throw new InputError(l10n.t('The export needs a file path.'));
  const count = args.count;
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > MAX_EXPORT_COUNT))
    throw new InputError(
      l10n.t('The count {0} is not valid: give a whole number from 1 to {1}, or none for all.', JSON.stringify(count), MAX_EXPORT_COUNT),
    );
  return { queue, count };
}

/** Exports; drain mode is refused on read-only profiles before anything is sent. */
export async function exportMessages(session: AmqpSession, args: ExportArgs, options: ExportOptions = {}): Promise<ExportResult> {
  const { queue, count } = checkExportArgs(args);
  if (args.mode === 'drain') session.assertWritable(l10n.t('draining queue "{0}" into a file', queue));
  const what = l10n.t('exporting queue "{0}"', queue);
  const model = await session.openConnection(`export ${queue}`, options.signal);
  const tap = HeaderTap.install(model);
  let file: FileHandle | undefined;
  try {
    const open1 = await session.openChannel(what, { model });
    const ch = open1.channel;
    let depth: number;
    try {
      depth = (await ch.checkQueue(queue)).messageCount;
    } catch (err) {
      throw session.describe(l10n.t('checking queue "{0}"', queue), open1.serverError ?? err);
    }
    const info = await session
      .management()
      .getQueue(session.vhost, queue)
      .catch(() => undefined);
    if (info?.type === 'stream')
      throw new PreconditionError(l10n.t('Queue "{0}" is a stream: export reads queues; browse a stream instead.', queue));
    const total = count ?? depth;
    const window = Math.max(1, Math.min(options.maxUnacked ?? DEFAULT_PEEK_WINDOW, 65_535));
    const rotate = args.mode === 'peek' && Math.min(total, depth) > window;
    if (rotate)
      session.assertWritable(
        l10n.t(
          'a peek at the {0} messages of queue "{1}" (more than {2} unacked at once, so each would be republished behind the rest; a count of at most {2} reads without writing)',
          Math.min(total, depth),
          queue,
          window,
        ),
      );
    file = await open(args.path, 'w');
    const typedHeaders = (): boolean => tap?.working ?? false;
    if (rotate) {
      const target = await session.openChannel(what, { model, confirm: true });
      const turn = await rotateExport(open1, target, file, tap, { queue, depth, total, window }, options);
      await file.sync();
      // What the broker delivered past the turn comes back with requeue a moment later.
      await settledDepth(session, queue, depth);
      return {
        exported: turn.exported,
        path: args.path,
        typedHeaders: typedHeaders(),
        maxUnacked: turn.maxUnacked,
        rotated: true,
        ...(turn.stoppedBecause !== undefined ? { stoppedBecause: turn.stoppedBecause } : {}),
      };
    }
    const loop = total === 0 ? { exported: 0, maxUnacked: 0 } : await exportLoop(ch, file, tap, { queue, total, mode: args.mode }, options);
    await file.sync();
    return { exported: loop.exported, path: args.path, typedHeaders: typedHeaders(), maxUnacked: loop.maxUnacked, rotated: false };
  } catch (err) {
    throw session.describe(what, err);
  } finally {
    await file?.close().catch(() => undefined);
    await closeQuietly(model);
  }
}

interface LoopPlan {
  queue: string;
  total: number;
  mode: 'peek' | 'drain';
}

async function exportLoop(
  ch: Channel,
  file: FileHandle,
  tap: HeaderTap | undefined,
  plan: LoopPlan,
  options: ExportOptions,
): Promise<{ exported: number; maxUnacked: number }> {
  const batchSize = Math.max(1, options.batch ?? 500);
  const channelNo = (ch as unknown as { ch?: number }).ch ?? 0;
  // Peek keeps every message unacked until the end (at most the peek window: more turn the queue instead).
  await ch.prefetch(plan.mode === 'drain' ? batchSize * 2 : Math.min(plan.total, 65_535));
  let unacked = 0;
  let maxUnacked = 0;
  let lines: string[] = [];
  let last: ConsumeMessage | undefined;
  let exported = 0;
  let writing: Promise<void> = Promise.resolve();
  let tag: string | undefined;
  const flush = (final: boolean): Promise<void> => {
    const text = lines.join('');
    const upTo = last;
    lines = [];
    writing = writing.then(async () => {
      if (text !== '') await file.write(text);
      if (plan.mode === 'drain' && upTo) {
        await file.sync();
        ch.ack(upTo, true);
        unacked = 0;
      }
      if (final && plan.mode === 'peek' && upTo) ch.nack(upTo, true, true);
    });
    return writing;
  };
  await new Promise<void>((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (idle) clearTimeout(idle);
      options.signal?.removeEventListener('abort', finish);
      if (tag) void ch.cancel(tag).catch(() => undefined);
      flush(true).then(resolve, reject);
    };
    const rearm = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(finish, 2_000);
    };
    options.signal?.addEventListener('abort', finish, { once: true });
    ch.on('close', () => !done && reject(new Error('Channel closed')));
    ch.consume(
      plan.queue,
      (msg) => {
        if (!msg) return finish();
        const typed = tap?.working ? tap.next(channelNo) : undefined;
        if (done || exported >= plan.total) return; // peek: given back with the final nack; drain: requeued on close
        lines.push(`${messageLine(msg, typed)}\n`);
        last = msg;
        exported++;
        maxUnacked = Math.max(maxUnacked, ++unacked);
        options.onProgress?.(exported, plan.total);
        if (exported >= plan.total) return finish();
        if (lines.length >= batchSize) void flush(false).catch(reject);
        rearm();
      },
      { noAck: false },
    ).then((ok) => {
      tag = ok.consumerTag;
      if (done) void ch.cancel(ok.consumerTag).catch(() => undefined);
      else rearm();
    }, reject);
  });
  return { exported, maxUnacked };
}
