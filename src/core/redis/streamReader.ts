/**
 * Reading a stream as a tail, on a dedicated connection: XREAD BLOCK from
 * `$` (resolved to the last ID at start, so nothing added after the start
 * is missed) or from an ID; or XREADGROUP as a named consumer, from `>`
 * (new entries) or `0` / an ID (this consumer's pending history first,
 * then new entries).
 *
 * Each batch goes to the sink (the ui writes it out and resolves once it is
 * shown); in a group with `ack`, the entries are acknowledged (XACK) only
 * after that; then they go into the tail buffer (src/core/tailBuffer.ts:
 * `take` claims the first entries, never dropped), so what a caller takes
 * is acknowledged already. A lost connection is waited out:
 * once back, reading goes on from the last ID seen (a group reads its own
 * pending history from the last acknowledged ID first), so nothing is missed.
 */
import * as l10n from '@vscode/l10n';
import { formatCount } from '../units';
import type { RedisClient } from './redisClient';
import { toBuffer, type BytesLike } from '../bytes';
import { CancelledError, InputError, errorMessage, throwIfAborted } from '../errors';
import type { Logger } from '../logger';
import { DEFAULT_TAIL_BUFFER_SIZE, TailBuffer, type TailBatch, type TailClaim } from '../tailBuffer';
import { TypedEmitter } from '../typedEmitter';
import { bytesToJson } from './replyJson';
import type { RedisSession } from './session';
import { checkStreamId, entryToJson, noGroupError, parseEntries, streamError } from './streamEntries';
import { checkName } from './streamGroups';
import type { HashItem } from './valueScanner';

export interface StreamMessage {
  key: Buffer;
  id: string;
  /** field, value, field, value, … */
  fields: Buffer[];
  /** Milliseconds since the epoch when it was read. */
  time: number;
}

export interface StreamReaderOptions {
  key: BytesLike | Buffer;
  /** XREAD: `$` (default: what is added from now on) or an ID (entries after it; `0` for all). Group: `>` (default), `0` or an ID. */
  from?: string;
  /** Read as `consumer` of this consumer group (XREADGROUP). */
  group?: string;
  consumer?: string;
  /** Group only: acknowledge each entry once the sink resolved (default true). */
  ack?: boolean;
  /** Entries per read (default 100). */
  count?: number;
  /** How long one read blocks on the server (default 5000 ms). */
  blockMs?: number;
  /** Entries kept for `read` (default 10,000); the oldest go first. */
  bufferSize?: number;
  /** The first this many entries are held for `takeFirst`, never dropped. */
  take?: number;
  /** Read at most this many entries, then nothing more until the stop (a `take` without `keep`: nothing past it is read, shown or acknowledged). */
  limit?: number;
  /** Receives every batch in order; acknowledgements wait for its promise. */
  sink?: (batch: StreamMessage[]) => void | Promise<void>;
  /** The dedicated connection's name suffix (CLIENT LIST shows `broker-explorer:<purpose>`). */
  purpose?: string;
  logger?: Logger;
}

export interface StreamReaderEvents {
  lost: { reason: string };
  resumed: { from: string };
  /** Stopped on its own: the connection closed for good, or Redis refused a read. */
  ended: { reason: string };
  dropping: { capacity: number };
}

/** An entry as JSON for the command API: `{ key, id, fields: [{ field, value }] }`. */
export function streamMessageToJson(m: StreamMessage): { key: string | { hex: string }; id: string; fields: HashItem[] } {
  const { id, fields } = entryToJson(m);
  return { key: bytesToJson(m.key), id, fields };
}

export class StreamReader extends TypedEmitter<StreamReaderEvents> {
  private readonly key: Buffer;
  private readonly group: string | undefined;
  private readonly consumer: string | undefined;
  private readonly autoAck: boolean;
  private readonly count: number;
  private readonly blockMs: number;
  private readonly buffer: TailBuffer<StreamMessage>;
  private readonly first: TailClaim<StreamMessage> | undefined;
  private client: RedisClient | undefined;
  private active = false;
  /** XREAD: the last ID read. Group: where the pending history is read from, or `>` once it is read. */
  private position: string;
  /** Group: the last ID acknowledged (or, without ack, shown): where a resume re-reads the history from. */
  private resumeFrom = '0';
  /** Entries read since the start. */
  received = 0;
  acked = 0;

  constructor(
    private readonly session: RedisSession,
    private readonly options: StreamReaderOptions,
  ) {
    super(options.logger);
    this.key = toBuffer(options.key, 'key');
    if (options.group !== undefined || options.consumer !== undefined) {
      this.group = checkName(options.group, 'group');
      this.consumer = checkName(options.consumer, 'consumer');
      this.position = checkStreamId(options.from ?? '>', '"from" ID', { special: ['>'] });
    } else {
      if (options.ack !== undefined) throw new InputError(l10n.t('"ack" applies to a consumer group: give "group" and "consumer" too.'));
      this.position = checkStreamId(options.from ?? '$', '"from" ID', { special: ['$'] });
    }
    this.autoAck = this.group !== undefined && (options.ack ?? true);
    this.count = whole(options.count ?? 100, 1, 100_000, 'count');
    if (options.limit !== undefined) whole(options.limit, 1, Number.MAX_SAFE_INTEGER, 'limit');
    this.blockMs = whole(options.blockMs ?? 5000, 1, 3_600_000, l10n.t('block time'));
    this.buffer = new TailBuffer<StreamMessage>(options.bufferSize ?? DEFAULT_TAIL_BUFFER_SIZE, (capacity) =>
      this.emit('dropping', { capacity }),
    );
    this.first = options.take === undefined ? undefined : this.buffer.claim(options.take);
  }

  get running(): boolean {
    return this.active;
  }

  get dropped(): number {
    return this.buffer.dropped;
  }

  /** The last ID read (XREAD), or the group position (`>` once the history is read). */
  get lastId(): string {
    return this.position;
  }

  /** Opens the connection, checks the stream (and group), fixes where reading starts; resolves once reading is on. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.client) throw new InputError(l10n.t('This stream reader was already started.'));
    if (this.group !== undefined) this.session.assertWritable('XREADGROUP');
    throwIfAborted(signal);
    const client = await this.session.dedicated(this.options.purpose ?? 'stream-tail');
    const onAbort = (): void => client.disconnect();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (this.group === undefined) {
        if (this.position === '$') this.position = await this.lastEntryId(client);
        else await this.lastEntryId(client);
      } else await this.checkGroup(client);
      throwIfAborted(signal);
    } catch (err) {
      client.disconnect();
      if (signal?.aborted) throw new CancelledError();
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    this.client = client;
    this.active = true;
    client.on('end', () => {
      if (this.active) this.finish(l10n.t('the connection closed and will not reconnect'));
    });
    void this.loop(client);
  }

  /** Waits until `take` entries came (or the timeout, or the stop), then removes and returns them. */
  readBatch(take: number = this.buffer.capacity, timeoutMs = 0): Promise<TailBatch<StreamMessage>> {
    if (!Number.isInteger(take) || take < 1)
      return Promise.reject(new InputError(l10n.t('Cannot read {0} entries: give a whole number of at least 1.', take)));
    return this.buffer.readBatch({ take, timeoutMs: this.active ? timeoutMs : 0 });
  }

  /** The first `take` entries (the option): waits until they came, the timeout passed or the reader stopped. */
  takeFirst(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<StreamMessage[]> {
    if (!this.first) return Promise.reject(new InputError(l10n.t('This stream reader was started without "take".')));
    return this.first.wait(this.active ? options.timeoutMs : 0, options.signal);
  }

  /** Stops reading and closes the connection; entries shown but not yet acknowledged stay pending in the group. */
  stop(): void {
    this.active = false;
    this.buffer.close();
    const client = this.client;
    this.client = undefined;
    client?.disconnect();
  }

  private finish(reason: string): void {
    if (!this.active) return;
    this.stop();
    this.emit('ended', { reason });
  }

  /** The ID of the newest entry, or 0-0 for an empty or missing stream (refuses a key of another type). */
  private async lastEntryId(client: RedisClient): Promise<string> {
    try {
      const [last] = parseEntries(await client.callBuffer('XREVRANGE', this.key, '+', '-', 'COUNT', 1));
      return last ? last.id : '0-0';
    } catch (err) {
      throw streamError(this.session, err, 'XREAD', { key: this.key });
    }
  }

  private async checkGroup(client: RedisClient): Promise<void> {
    const about = { key: this.key, group: this.group };
    try {
      const groups = (await client.callBuffer('XINFO', 'GROUPS', this.key)) as unknown[];
      const named = groups.some((g) => Array.isArray(g) && String(g[1]) === this.group);
      if (!named) throw noGroupError(this.key, this.group ?? '');
    } catch (err) {
      throw streamError(this.session, err, 'XREADGROUP', about);
    }
  }

  private readArgv(): [string, ...(string | number | Buffer)[]] {
    const count = ['COUNT', Math.min(this.count, (this.options.limit ?? Number.POSITIVE_INFINITY) - this.received)];
    if (this.group === undefined) return ['XREAD', ...count, 'BLOCK', this.blockMs, 'STREAMS', this.key, this.position];
    const block = this.position === '>' ? ['BLOCK', this.blockMs] : [];
    return ['XREADGROUP', 'GROUP', this.group, this.consumer ?? '', ...count, ...block, 'STREAMS', this.key, this.position];
  }

  private async loop(client: RedisClient): Promise<void> {
    while (this.active && this.client === client && this.received < (this.options.limit ?? Number.POSITIVE_INFINITY)) {
      let reply: unknown;
      try {
        const [command, ...args] = this.readArgv();
        reply = await client.callBuffer(command, ...args);
      } catch (err) {
        if (!this.active) return;
        if (err instanceof Error && err.name === 'ReplyError') {
          const command = this.group === undefined ? 'XREAD' : 'XREADGROUP';
          this.finish(
            l10n.t('Redis refused the read: {0}', streamError(this.session, err, command, { key: this.key, group: this.group }).message),
          );
          return;
        }
        await this.recover(client, err);
        continue;
      }
      const raw = Array.isArray(reply) && Array.isArray(reply[0]) ? (reply[0] as unknown[])[1] : [];
      const rows = Array.isArray(raw) ? (raw as unknown[][]) : [];
      if (rows.length === 0) {
        if (this.group !== undefined && this.position !== '>') this.position = '>';
        continue;
      }
      const time = Date.now();
      const messages = parseEntries(rows).map((e): StreamMessage => ({ key: this.key, id: e.id, fields: e.fields, time }));
      const lastRaw = String(rows[rows.length - 1][0]);
      try {
        await this.deliver(client, messages);
      } catch (err) {
        this.finish(l10n.t('writing the entries out failed: {0}', errorMessage(err)));
        return;
      }
      if (this.group === undefined || this.position !== '>') this.position = lastRaw;
      if (this.group !== undefined && !this.autoAck) this.resumeFrom = lastRaw;
    }
  }

  /**
   * Hands a batch to the sink; once it resolved (the entries are shown), a group with ack acknowledges them,
   * and then they go to the buffer: what `take` and `tails.read` return is acknowledged already.
   */
  private async deliver(client: RedisClient, messages: StreamMessage[]): Promise<void> {
    if (messages.length === 0) return;
    this.received += messages.length;
    try {
      await this.options.sink?.(messages);
      if (this.autoAck && this.active) await this.ack(client, messages);
    } finally {
      this.buffer.pushAll(messages);
    }
  }

  private async ack(client: RedisClient, messages: StreamMessage[]): Promise<void> {
    const ids = messages.map((m) => m.id);
    try {
      this.acked += Number(await client.callBuffer('XACK', this.key, this.group ?? '', ...ids));
      this.resumeFrom = ids[ids.length - 1];
    } catch (err) {
      // Not acknowledged: the entries stay pending, and a resume reads them again from the history.
      this.options.logger?.warn(`XACK of ${ids.length} entries failed: ${errorMessage(err)}`);
    }
  }

  /** Waits for the connection to come back (ioredis reconnects it), then resumes from the last ID seen. */
  private async recover(client: RedisClient, err: unknown): Promise<void> {
    this.emit('lost', { reason: errorMessage(err).replace(/[.\s]+$/, '') });
    // Never spin: even when the connection looks ready, the next read waits a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    while (this.active && client.status !== 'ready' && client.status !== 'end') {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          client.off('ready', done);
          client.off('end', done);
          resolve();
        };
        client.on('ready', done);
        client.on('end', done);
        setTimeout(done, 1000);
      });
    }
    if (!this.active || client.status === 'end') return;
    if (this.group !== undefined) this.position = this.resumeFrom;
    this.emit('resumed', { from: this.position });
  }
}

function whole(n: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InputError(l10n.t('The {0} {1} is not valid: give a whole number from {2} to {3}.', what, String(n), min, formatCount(max)));
  return n;
}
