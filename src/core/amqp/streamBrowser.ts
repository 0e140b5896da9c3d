/**
 * `brokerExplorer.rabbitmq.browseStream`: a page of a stream queue from any
 * offset ("first", "last", "next", a number, or `{ timestamp }`: the first
 * chunk written at or after that time), each message with its offset (the
 * `x-stream-offset` header the broker adds) and its timestamp property.
 * Pass the last offset + 1 back as `offset` for the next page. Reading a
 * stream never removes anything.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from '../errors';
import type { AmqpSession } from './amqpSession';
import { checkShortString } from './amqpTable';
import { consumeStream, DEFAULT_STREAM_IDLE_MS } from './peek';
import { toAmqpMessage, type AmqpMessage } from './messageProperties';

export type StreamOffset = 'first' | 'last' | 'next' | number | { timestamp: number | string };

export interface BrowseStreamArgs {
  queue: string;
  offset: StreamOffset;
  count: number;
}

export interface StreamMessage extends Omit<AmqpMessage, 'redelivered'> {
  offset: number;
  /** The message's timestamp property (seconds since 1970) as an ISO date, when it has one. */
  timestamp?: string;
}

export const MAX_BROWSE = 10_000;

/** The x-stream-offset argument for an offset as the command takes it. */
export function streamOffsetArgument(offset: unknown): unknown {
  if (offset === 'first' || offset === 'last' || offset === 'next') return offset;
  if (typeof offset === 'number') {
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new InputError(l10n.t('The stream offset {0} is not valid: give a whole number from 0.', offset));
    return offset;
  }
  if (typeof offset === 'object' && offset !== null && 'timestamp' in offset) {
    const t = offset.timestamp;
    const ms = typeof t === 'number' ? t * 1000 : typeof t === 'string' ? Date.parse(t) : NaN;
    if (!Number.isFinite(ms) || ms < 0)
      throw new InputError(l10n.t('The stream timestamp {0} is not valid: give seconds since 1970 or an ISO date.', JSON.stringify(t)));
    return { '!': 'timestamp', value: Math.floor(ms / 1000) };
  }
  throw new InputError(
    l10n.t(
      'The stream offset {0} is not valid: use "first", "last", "next", an offset number, or { "timestamp": "2024-01-01T00:00:00Z" }.',
      JSON.stringify(offset),
    ),
  );
}

export async function browseStream(
  session: AmqpSession,
  args: BrowseStreamArgs,
  options: { signal?: AbortSignal; idleMs?: number } = {},
): Promise<{ messages: StreamMessage[] }> {
  const queue = checkShortString(args.queue, l10n.t('stream name'));
  const offset = streamOffsetArgument(args.offset);
  if (!Number.isInteger(args.count) || args.count < 1 || args.count > MAX_BROWSE)
    throw new InputError(l10n.t('The count {0} is not valid: give a whole number from 1 to {1}.', JSON.stringify(args.count), MAX_BROWSE));
  const got = await session.withChannel(
    l10n.t('browsing stream "{0}"', queue),
    (ch) => consumeStream(ch, queue, args.count, offset, options.idleMs ?? DEFAULT_STREAM_IDLE_MS),
    options.signal ? { signal: options.signal } : {},
  );
  const messages = got.map((msg): StreamMessage => {
    const { redelivered: _r, ...m } = toAmqpMessage(msg);
    const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
    const raw = headers['x-stream-offset'];
    const out: StreamMessage = { ...m, offset: typeof raw === 'number' ? raw : -1 };
    if (out.properties.headers) {
      delete out.properties.headers['x-stream-offset'];
      if (Object.keys(out.properties.headers).length === 0) delete out.properties.headers;
    }
    if (typeof msg.properties.timestamp === 'number') out.timestamp = new Date(msg.properties.timestamp * 1000).toISOString();
    return out;
  });
  return { messages };
}
