/**
 * What a queue consumer and an exchange tail share: the ring of handled
 * messages, the first `take` held apart from it, and the ways to read them.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from '../errors';
import type { Logger } from '../logger';
import { TailBuffer, type TailBatch, type TailClaim, type TailReadOptions } from '../tailBuffer';
import { TypedEmitter } from '../typedEmitter';
import type { AmqpMessage } from './messageProperties';

/** The events every buffered stream emits. */
export interface BufferedEvents {
  /** The ring buffer is full and starts dropping its oldest messages (said once). */
  dropping: { capacity: number };
}

/** A message stream with a ring buffer (dropping the oldest when nobody reads) and an optional first `take`. */
export class BufferedMessages<E extends BufferedEvents> extends TypedEmitter<E> {
  protected readonly buffer: TailBuffer<AmqpMessage>;
  private first: TailClaim<AmqpMessage> | undefined;
  protected endedFlag = false;

  constructor(logger: Logger, bufferSize: number) {
    super(logger);
    this.buffer = new TailBuffer<AmqpMessage>(bufferSize, (capacity) => this.emit('dropping', { capacity }));
  }

  get running(): boolean {
    return !this.endedFlag;
  }

  /** Handled messages dropped from the ring because nobody read them in time (the first `take` never are). */
  get dropped(): number {
    return this.buffer.dropped;
  }

  /** Takes handled messages: waits until `take` are there (or the timeout), then removes and returns them (see TailBuffer.read). */
  read(options: TailReadOptions = {}): Promise<AmqpMessage[]> {
    return this.buffer.read(options);
  }

  /** Like `read`, with how many messages the ring dropped since the read before. */
  readBatch(options: TailReadOptions = {}): Promise<TailBatch<AmqpMessage>> {
    return this.buffer.readBatch(options);
  }

  /** The first `take` messages (the start option), held apart from the ring: waits until they came, the timeout or the end. */
  takeFirst(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<AmqpMessage[]> {
    if (!this.first) return Promise.reject(new InputError(l10n.t('This was started without "take".')));
    return this.first.wait(this.running ? options.timeoutMs : 0, options.signal);
  }

  /** The buffered and future messages, until the stream stops. */
  [Symbol.asyncIterator](): AsyncIterator<AmqpMessage> {
    return this.buffer[Symbol.asyncIterator]();
  }

  /** Holds the first `take` messages apart from the ring (called on start). */
  protected claimFirst(take: number | undefined): void {
    if (take !== undefined) this.first = this.buffer.claim(take);
  }
}
