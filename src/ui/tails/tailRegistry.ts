/**
 * Every running tail (subscription, exchange tail, consumer, TCP session),
 * by id: `tails.read` and `tails.stop` work on any of them, and the trees
 * list them under their profile with a live count and a Stop action.
 *
 * Retention, the one rule for every kind of tail: a stopped tail stays
 * readable — `tails.read` returns what its buffer still holds and its output
 * channel stays open — until STOPPED_TAILS_KEPT tails stopped after it
 * (oldest first), or the extension deactivates; then the registry disposes
 * it (its buffer and its output channel go).
 */
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';

export type TailKind = 'redis' | 'rabbitmq' | 'tcp';

/** How many stopped tails stay readable (see the retention rule above). */
export const STOPPED_TAILS_KEPT = 20;

/** What a tail's read returns: the messages, and how many its ring dropped since the read before. */
export interface TailBatchResult {
  messages: unknown[];
  dropped: number;
}

export interface TailReadResult extends TailBatchResult {
  running: boolean;
}

/** What each kind of tail provides to the registry. */
export interface TailSource {
  kind: TailKind;
  /** The profile it belongs to (absent for a TCP session opened by address). */
  profile?: string;
  /** Short label for the tree: "orders.*", "queue jobs", "127.0.0.1:6379". */
  label: string;
  /** Messages received so far. */
  count(): number;
  /** Messages its ring dropped unread so far. */
  dropped(): number;
  running(): boolean;
  /** Waits until `take` messages came (or the timeout), then returns and removes them. */
  read(take: number, timeoutMs: number): Promise<TailBatchResult>;
  stop(): Promise<void>;
  /** Shows its output channel or terminal. */
  show?(): void;
  /** Releases what it keeps readable after the stop (its output channel); called when retention lets it go. */
  dispose?(): void;
}

export interface Tail extends TailSource {
  id: string;
  startedAt: number;
}

export class TailRegistry implements vscode.Disposable {
  private readonly tails = new Map<string, Tail>();
  /** `true` when a tail started or stopped; `false` for the once-a-second count tick. */
  private readonly changed = new vscode.EventEmitter<boolean>();
  readonly onDidChange = this.changed.event;
  private seq = 0;
  private countTimer: NodeJS.Timeout | undefined;

  add(source: TailSource): Tail {
    const id = `${source.kind}-${++this.seq}-${Date.now().toString(36)}`;
    const tail: Tail = Object.assign(source, { id, startedAt: Date.now() });
    this.tails.set(id, tail);
    this.changed.fire(true);
    // Live counts in the tree: at most one refresh a second while tails run.
    this.countTimer ??= setInterval(() => {
      if (this.tails.size === 0) {
        clearInterval(this.countTimer);
        this.countTimer = undefined;
      } else this.changed.fire(false);
    }, 1000);
    return tail;
  }

  get(id: unknown): Tail {
    if (typeof id !== 'string' || id === '')
      throw new InputError(vscode.l10n.t('Name a tail by its "id" (the one its start call returned).'));
    const tail = this.tails.get(id);
    if (!tail) throw new InputError(vscode.l10n.t('There is no running tail "{0}": it may have been stopped already.', id));
    return tail;
  }

  list(kind?: TailKind, profile?: string): Tail[] {
    return [...this.tails.values()].filter(
      (t) => (kind === undefined || t.kind === kind) && (profile === undefined || t.profile === profile),
    );
  }

  async read(id: unknown, take: number, timeoutMs: number): Promise<TailReadResult> {
    const tail = (typeof id === 'string' ? this.stopped.get(id) : undefined) ?? this.get(id);
    const { messages, dropped } = await tail.read(take, timeoutMs);
    return { messages, running: this.tails.has(tail.id) && tail.running(), dropped };
  }

  /** Stopped tails, oldest first, kept by the retention rule. */
  private readonly stopped = new Map<string, Tail>();

  async stop(id: string): Promise<boolean> {
    const tail = this.tails.get(id);
    if (!tail) return false;
    this.tails.delete(id);
    try {
      await tail.stop();
    } finally {
      this.stopped.set(id, tail);
      for (const [oldId, old] of this.stopped) {
        if (this.stopped.size <= STOPPED_TAILS_KEPT) break;
        this.stopped.delete(oldId);
        old.dispose?.();
      }
      this.changed.fire(true);
    }
    return true;
  }

  async dispose(): Promise<void> {
    if (this.countTimer) clearInterval(this.countTimer);
    await Promise.allSettled([...this.tails.keys()].map((id) => this.stop(id)));
    for (const tail of this.stopped.values()) tail.dispose?.();
    this.stopped.clear();
    this.changed.dispose();
  }
}
