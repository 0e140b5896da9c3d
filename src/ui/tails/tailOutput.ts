/**
 * One output channel per tail, named for what it tails. Lines are batched
 * (one append per 100 ms however fast messages arrive) and the channel is
 * trimmed to about `maxLines`, keeping the newest half when it overflows.
 *
 * Messages can be queued raw, with the function that formats them
 * (`appendLazy`): they are formatted only at flush, and at most `maxLines`
 * of them wait — older ones of the same batch would be trimmed from the
 * channel anyway, so they are counted in the trim notice, never formatted.
 * Formatting then costs at most `maxLines` messages per flush, and memory
 * at most `maxLines` messages, however fast they arrive.
 */
import * as vscode from 'vscode';
import { formatCount } from '../../core/units';

/** Formats one queued item as one line, or as several. */
export type LineFormatter<T> = (item: T) => string | readonly string[];

type AnyFormatter = (item: unknown) => string | readonly string[];

export class TailOutput implements vscode.Disposable {
  private readonly channel: vscode.OutputChannel;
  /** Pending entries, oldest first from `start`: raw items, or lines when their formatter is undefined. */
  private readonly items: unknown[];
  private readonly formats: (AnyFormatter | undefined)[];
  private start = 0;
  private size = 0;
  /** Entries of the current batch pushed out of the ring (never formatted: counted as trimmed lines). */
  private skipped = 0;
  private timer: NodeJS.Timeout | undefined;
  private soon = false;
  /** The newest lines written, so a trim can keep them. */
  private recent: string[] = [];
  private lines = 0;
  private disposed = false;
  private flushed: Promise<void> | undefined;
  private resolveFlushed: (() => void) | undefined;

  constructor(
    readonly name: string,
    private readonly maxLines: number,
    redact: (text: string) => string = (t) => t,
  ) {
    this.channel = vscode.window.createOutputChannel(name);
    this.redact = redact;
    const cap = Math.max(1, Math.floor(maxLines));
    this.items = new Array<unknown>(cap);
    this.formats = new Array<AnyFormatter | undefined>(cap);
  }

  private readonly redact: (text: string) => string;

  show(): void {
    this.channel.show(true);
  }

  /** Queues lines; they reach the channel within 100 ms. */
  append(...lines: string[]): void {
    if (this.disposed) return;
    for (const line of lines) this.enqueue(line, undefined);
    this.schedule();
  }

  /** Queues one item, formatted only when it is written out (within 100 ms). */
  appendLazy<T>(item: T, format: LineFormatter<T>): void {
    if (this.disposed) return;
    this.enqueue(item, format as unknown as AnyFormatter);
    this.schedule();
  }

  /** Queues items in order, each formatted only when it is written out (within 100 ms). */
  appendAllLazy<T>(items: readonly T[], format: LineFormatter<T>): void {
    if (this.disposed || items.length === 0) return;
    const f = format as unknown as AnyFormatter;
    const cap = this.items.length;
    let i = 0;
    if (items.length >= cap) {
      // Only the newest `cap` can be shown: everything queued before them is trimmed unformatted.
      i = items.length - cap;
      for (let k = 0; k < this.size; k++) {
        const at = (this.start + k) % cap;
        this.items[at] = undefined;
        this.formats[at] = undefined;
      }
      this.skipped += this.size + i;
      this.start = 0;
      this.size = 0;
    }
    for (; i < items.length; i++) this.enqueue(items[i], f);
    this.schedule();
  }

  /**
   * Resolves once what is queued now has reached the channel. Somebody waits
   * on it (a consumer acknowledging only what is shown), so the flush comes
   * at the end of this turn of the event loop rather than after 100 ms.
   */
  whenFlushed(): Promise<void> {
    if (this.disposed || this.size === 0) return Promise.resolve();
    if (!this.flushed) this.flushed = new Promise<void>((resolve) => (this.resolveFlushed = resolve));
    if (!this.soon) {
      this.soon = true;
      setImmediate(() => {
        if (this.soon) this.flush();
      });
    }
    return this.flushed;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.soon = false;
    const resolve = this.resolveFlushed;
    this.flushed = undefined;
    this.resolveFlushed = undefined;
    try {
      if (!this.disposed && this.size > 0) this.write();
    } finally {
      resolve?.();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.flush();
    this.disposed = true;
    this.channel.dispose();
  }

  private enqueue(item: unknown, format: AnyFormatter | undefined): void {
    const cap = this.items.length;
    if (this.size < cap) {
      const at = (this.start + this.size) % cap;
      this.items[at] = item;
      this.formats[at] = format;
      this.size++;
    } else {
      this.items[this.start] = item;
      this.formats[this.start] = format;
      this.start = (this.start + 1) % cap;
      this.skipped++;
    }
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), 100);
  }

  private write(): void {
    const cap = this.items.length;
    const batch: string[] = [];
    for (let i = 0; i < this.size; i++) {
      const at = (this.start + i) % cap;
      const item = this.items[at];
      const format = this.formats[at];
      this.items[at] = undefined;
      this.formats[at] = undefined;
      if (format === undefined) {
        batch.push(this.redact(item as string));
        continue;
      }
      let formatted: string | readonly string[];
      try {
        formatted = format(item);
      } catch (err) {
        formatted = vscode.l10n.t('(could not format: {0})', err instanceof Error ? err.message : String(err));
      }
      if (typeof formatted === 'string') batch.push(this.redact(formatted));
      else for (const line of formatted) batch.push(this.redact(line));
    }
    this.lines += batch.length + this.skipped;
    this.start = 0;
    this.size = 0;
    this.skipped = 0;
    for (const line of batch) this.recent.push(line);
    const keep = Math.max(1, Math.floor(this.maxLines / 2));
    if (this.recent.length > this.maxLines) this.recent = this.recent.slice(-keep);
    if (this.lines > this.maxLines) {
      const trimmed = this.lines - this.recent.length;
      this.channel.replace(
        `${vscode.l10n.t('… {0} older lines trimmed (brokerExplorer.tailMaxLines) …', formatCount(trimmed))}\n${this.recent.join('\n')}\n`,
      );
      this.lines = this.recent.length;
    } else {
      this.channel.append(`${batch.join('\n')}\n`);
    }
  }
}

/** The line a tail writes once, when its ring buffer starts dropping. */
export function droppingLine(capacity: number): string {
  const sentence = vscode.l10n.t(
    'the tails.read buffer is full ({0} messages, brokerExplorer.tailBufferSize): its oldest messages are dropped from now on; this channel still shows every message, and tails.read reports how many were dropped',
    formatCount(capacity),
  );
  return `${timestamp()}  ── ${sentence} ──`;
}

let lastStampMs = Number.NaN;
let lastStamp = '';

/** `12:00:00.123` in local time (the last one is remembered: messages of a batch share their time). */
export function timestamp(ms: number = Date.now()): string {
  if (ms === lastStampMs) return lastStamp;
  const d = new Date(ms);
  lastStamp = `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  lastStampMs = ms;
  return lastStamp;
}
