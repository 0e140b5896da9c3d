/**
 * A Redis stream as a tail: a StreamReader (its own dedicated connection)
 * writing each entry as one line to its own output channel, with the
 * tail buffer behind `tails.read`, a line when the connection drops and
 * when reading resumes (from the last ID seen), and — in a group with
 * automatic ack — each entry acknowledged only once its line is in the
 * channel. Once stopped it is kept by the registry's retention rule.
 */
import * as vscode from 'vscode';
import { displayBytes, formatPayload } from '../../core/bytes';
import { errorMessage } from '../../core/errors';
import type { ResolvedRedisProfile } from '../../core/profiles';
import type { RedisSession } from '../../core/redis/session';
import { formatCount } from '../../core/units';
import { StreamReader, streamMessageToJson, type StreamMessage, type StreamReaderOptions } from '../../core/redis/streamReader';
import type { Settings } from '../settings';
import { droppingLine, TailOutput, timestamp } from './tailOutput';
import type { Tail, TailRegistry } from './tailRegistry';

/** One entry: time, ID, then `field=value` pairs (values by the one payload formatter: text as is, binary as hex, long ones cut). */
export function formatStreamEntry(m: StreamMessage): string {
  const pairs: string[] = [];
  for (let i = 0; i + 1 < m.fields.length; i += 2)
    pairs.push(`${displayBytes(m.fields[i], 80)}=${formatPayload(m.fields[i + 1], { maxChars: 1000, maxHexBytes: 256 })}`);
  return `${timestamp(m.time)}  ${m.id}  ${pairs.join('  ')}`;
}

export interface StreamTailOptions {
  profile: ResolvedRedisProfile;
  session: RedisSession;
  key: Buffer;
  reader: Omit<StreamReaderOptions, 'key' | 'sink' | 'bufferSize' | 'logger'>;
  settings: Settings;
  redact(text: string): string;
}

export interface StartedStreamTail {
  tail: Tail;
  reader: StreamReader;
  output: TailOutput;
}

function describe(o: StreamTailOptions['reader'], key: string): string {
  if (o.group === undefined) return vscode.l10n.t('stream {0}', key);
  return vscode.l10n.t('stream {0} as {1} of {2}', key, o.consumer ?? '', o.group);
}

/** Starts reading; resolves once the stream (and group) were checked and reading is on, registered as a tail. */
export async function startStreamTail(registry: TailRegistry, o: StreamTailOptions): Promise<StartedStreamTail> {
  const key = displayBytes(o.key, 60);
  const label = describe(o.reader, key);
  const output = new TailOutput(`Redis ⟫ ${o.profile.name} ⟫ ${label}`, o.settings.tailMaxLines, (text) => o.redact(text));
  const acking = o.reader.group !== undefined && (o.reader.ack ?? true);
  const reader = new StreamReader(o.session, {
    ...o.reader,
    key: o.key,
    bufferSize: o.settings.tailBufferSize,
    // Formatted when written out; the promise resolves once the lines are in the channel, and only then is the batch acknowledged.
    sink: (batch) => {
      output.appendAllLazy(batch, formatStreamEntry);
      return acking ? output.whenFlushed() : undefined;
    },
  });
  reader.on('lost', ({ reason }) =>
    output.append(`${timestamp()}  ── ${vscode.l10n.t('lost connection: {0}; reading resumes from the last ID seen', reason)} ──`),
  );
  reader.on('resumed', ({ from }) => output.append(`${timestamp()}  ── ${vscode.l10n.t('reconnected; reading on after {0}', from)} ──`));
  reader.on('dropping', ({ capacity }) => output.append(droppingLine(capacity)));
  try {
    await reader.start();
  } catch (err) {
    output.dispose();
    throw err;
  }
  const how =
    o.reader.group === undefined
      ? vscode.l10n.t('after {0}', reader.lastId)
      : acking
        ? vscode.l10n.t('from {0}, acknowledging each entry once shown', reader.lastId)
        : vscode.l10n.t('from {0}', reader.lastId);
  output.append(`${timestamp()}  ── ${vscode.l10n.t('reading {0} on {1} (db{2}) {3}', label, o.profile.name, o.session.db, how)} ──`);
  let stopped = false;
  const tail = registry.add({
    kind: 'redis',
    profile: o.profile.name,
    label,
    count: () => reader.received,
    dropped: () => reader.dropped,
    running: () => reader.running,
    read: async (take, timeoutMs) => {
      const batch = await reader.readBatch(take, timeoutMs);
      return { messages: batch.messages.map(streamMessageToJson), dropped: batch.dropped };
    },
    stop: () => {
      if (stopped) return Promise.resolve();
      stopped = true;
      reader.stop();
      const stoppedLine = acking
        ? vscode.l10n.t('stopped after {0} entries, {1} acknowledged', formatCount(reader.received), formatCount(reader.acked))
        : vscode.l10n.t('stopped after {0} entries', formatCount(reader.received));
      output.append(`${timestamp()}  ── ${stoppedLine} ──`);
      output.flush();
      return Promise.resolve();
    },
    show: () => output.show(),
    dispose: () => output.dispose(),
  });
  reader.on('ended', ({ reason }) => {
    output.append(`${timestamp()}  ── ${vscode.l10n.t('ended: {0}', reason)} ──`);
    registry.stop(tail.id).catch((err: unknown) => output.append(vscode.l10n.t('stopping failed: {0}', errorMessage(err))));
  });
  return { tail, reader, output };
}
