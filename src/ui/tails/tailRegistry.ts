/**
 * Every running tail (subscription, exchange tail, consumer, TCP session),
 * by id: `tails.read` and `tails.stop` work on any of them, and the trees
 * list them under their profile with a live count and a Stop action.
 */
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';

export type TailKind = 'redis' | 'rabbitmq' | 'tcp';

export interface TailReadResult {
  messages: unknown[];
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
  running(): boolean;
  /** Waits until `take` messages are buffered (or the timeout), then returns and removes them. */
  read(take: number, timeoutMs: number): Promise<unknown[]>;
  stop(): Promise<void>;
  /** Shows its output channel or terminal. */
  show?(): void;
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
    if (typeof id !== 'string' || id === '') throw new InputError('Name a tail by its "id" (the one its start call returned).');
    const tail = this.tails.get(id);
    if (!tail) throw new InputError(`There is no running tail "${id}": it may have been stopped already.`);
    return tail;
  }

  list(kind?: TailKind, profile?: string): Tail[] {
    return [...this.tails.values()].filter(
      (t) => (kind === undefined || t.kind === kind) && (profile === undefined || t.profile === profile),
    );
  }

  async read(id: unknown, take: number, timeoutMs: number): Promise<TailReadResult> {
    const tail = (typeof id === 'string' ? this.stopped.get(id) : undefined) ?? this.get(id);
    const messages = await tail.read(take, timeoutMs);
    return { messages, running: this.tails.has(tail.id) && tail.running() };
  }

  /** Stopped tails stay readable for their buffered messages, a bounded few. */
  private readonly stopped = new Map<string, Tail>();

  async stop(id: string): Promise<boolean> {
    const tail = this.tails.get(id);
    if (!tail) return false;
    this.tails.delete(id);
    try {
      await tail.stop();
    } finally {
      this.stopped.set(id, tail);
      if (this.stopped.size > 20) this.stopped.delete(this.stopped.keys().next().value as string);
      this.changed.fire(true);
    }
    return true;
  }

  async dispose(): Promise<void> {
    if (this.countTimer) clearInterval(this.countTimer);
    await Promise.allSettled([...this.tails.keys()].map((id) => this.stop(id)));
    this.changed.dispose();
  }
}
