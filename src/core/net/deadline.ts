/**
 * The one connect-with-timeout: races a piece of work (a TCP connect, a TLS
 * handshake, a whole Redis or AMQP handshake) against a time budget and an
 * AbortSignal, and closes whatever the work opens after it lost the race.
 */

export type DeadlineOutcome<T> = { kind: 'done'; value: T } | { kind: 'timeout' } | { kind: 'cancelled' };

export interface Deadline<T> {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Closes a value the work delivers after the timeout or the cancel. */
  discard?: (late: T) => void;
}

/**
 * Waits for `work` for at most `timeoutMs`, or until `signal` aborts. A
 * rejection of `work` before then rejects the same way. Never leaves a
 * timer or a listener behind.
 */
export async function settleWithin<T>(work: Promise<T>, deadline: Deadline<T>): Promise<DeadlineOutcome<T>> {
  const { signal, discard } = deadline;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<DeadlineOutcome<T>>((resolve) => {
    if (signal?.aborted) {
      resolve({ kind: 'cancelled' });
      return;
    }
    timer = setTimeout(() => resolve({ kind: 'timeout' }), Math.max(0, deadline.timeoutMs));
    onAbort = (): void => resolve({ kind: 'cancelled' });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const outcome = await Promise.race([work.then((value): DeadlineOutcome<T> => ({ kind: 'done', value })), stop]);
    if (outcome.kind !== 'done')
      work.then(
        (late) => discard?.(late),
        () => undefined,
      );
    return outcome;
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

export interface ConnectDeadline<T> extends Deadline<T> {
  /** The error thrown when time runs out. */
  timeoutError: () => Error;
  /** The error thrown when the signal aborts. */
  cancelledError: () => Error;
}

/** `settleWithin` for work that throws: resolves the value, or throws the deadline's timeout or cancel error. */
export async function connectWithin<T>(work: Promise<T>, deadline: ConnectDeadline<T>): Promise<T> {
  const outcome = await settleWithin(work, deadline);
  if (outcome.kind === 'done') return outcome.value;
  throw outcome.kind === 'timeout' ? deadline.timeoutError() : deadline.cancelledError();
}
