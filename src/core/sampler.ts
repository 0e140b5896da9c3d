/**
 * A periodic sampler behind the live dashboards: reads one sample every
 * `intervalMs` (never two reads at once: the next waits for the one before),
 * keeps the last `windowMs` of them in the one bounded ring (TailBuffer), and
 * tells its listeners of each sample or failure. A failed read is reported
 * and polling goes on, so the dashboard recovers with the server. `stop()`
 * aborts a read in flight; `start()` again resumes.
 */
import * as l10n from '@vscode/l10n';
import { InputError, errorMessage } from './errors';
import type { Logger } from './logger';
import { silentLogger } from './logger';
import { TailBuffer } from './tailBuffer';
import { TypedEmitter } from './typedEmitter';

export const DEFAULT_WINDOW_MS = 10 * 60_000;

export interface SamplerOptions<S> {
  /** Milliseconds between the start of one read and the next (at least 250). */
  intervalMs: number;
  /** How far back the history goes (default 10 minutes). */
  windowMs?: number;
  /** Reads one sample; aborted when the sampler stops. */
  read(signal: AbortSignal): Promise<S>;
  logger?: Logger;
}

export interface SamplerEvents<S> {
  sample: S;
  /** One sentence: why the last read failed. */
  error: string;
}

export class Sampler<S> {
  readonly intervalMs: number;
  private readonly ring: TailBuffer<S>;
  private readonly events: TypedEmitter<SamplerEvents<S>>;
  private readonly read: (signal: AbortSignal) => Promise<S>;
  private timer: NodeJS.Timeout | undefined;
  private abort: AbortController | undefined;
  private reads = 0;

  constructor(options: SamplerOptions<S>) {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs < 250)
      throw new InputError(l10n.t('The polling interval {0} ms is too short: give at least 250 ms.', options.intervalMs));
    this.intervalMs = options.intervalMs;
    const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.ring = new TailBuffer<S>(Math.max(2, Math.ceil(windowMs / options.intervalMs) + 1));
    this.events = new TypedEmitter<SamplerEvents<S>>(options.logger ?? silentLogger);
    this.read = (signal) => options.read(signal);
  }

  /** Polling now (started and not stopped). */
  get running(): boolean {
    return this.abort !== undefined;
  }

  /** How many reads were started since the sampler was made (for tests of stop). */
  get readCount(): number {
    return this.reads;
  }

  /** The samples kept, oldest first. */
  history(): S[] {
    return this.ring.snapshot();
  }

  /** The newest sample, if any. */
  latest(): S | undefined {
    const all = this.ring.snapshot();
    return all[all.length - 1];
  }

  on<K extends keyof SamplerEvents<S>>(event: K, listener: (value: SamplerEvents<S>[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Starts polling (the first read at once); does nothing when already running. */
  start(): void {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    void this.tick(abort);
  }

  /** Stops polling and aborts a read in flight; the history stays. */
  stop(): void {
    this.abort?.abort();
    this.abort = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stop();
    this.ring.close();
  }

  private async tick(abort: AbortController): Promise<void> {
    const started = Date.now();
    this.reads++;
    try {
      const sample = await this.read(abort.signal);
      if (abort.signal.aborted) return;
      this.ring.push(sample);
      this.events.emit('sample', sample);
    } catch (err) {
      if (abort.signal.aborted) return;
      this.events.emit('error', errorMessage(err));
    }
    if (abort.signal.aborted) return;
    const wait = Math.max(0, this.intervalMs - (Date.now() - started));
    this.timer = setTimeout(() => void this.tick(abort), wait);
  }
}
