/** A tiny typed event emitter whose listener errors never reach the caller (a throwing listener would kill an amqplib channel). */
import type { Logger } from './logger';
import { silentLogger } from './logger';
import { errorMessage } from './errors';

type Listener<V> = (value: V) => void;

/** A minimal typed emitter; `on` returns the function that removes the listener. */
export class TypedEmitter<M> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();

  constructor(private readonly logger: Logger = silentLogger) {}

  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Resolves with the next value of `event`. */
  once<K extends keyof M>(event: K): Promise<M[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (v) => {
        off();
        resolve(v);
      });
    });
  }

  emit<K extends keyof M>(event: K, value: M[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<M[K]>)(value);
      } catch (err) {
        this.logger.error(`a listener of "${String(event)}" failed: ${errorMessage(err)}`);
      }
    }
  }
}
