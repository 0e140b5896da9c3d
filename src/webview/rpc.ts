/**
 * The browser side of the webview protocol (./protocol.ts): request() returns a
 * promise answered by the host, onPush() listens to the host's pushes, and
 * getState()/setState() wrap the webview's persisted state (kept while the tab
 * is hidden and across a window reload). One client per page, made in main.ts.
 */
import {
  isHostToPage,
  type PageToHost,
  type PanelProtocol,
  type PushData,
  type PushEvent,
  type RequestMethod,
  type RequestParams,
  type RequestResult,
} from './protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** A request the host answered with an error: `message` is the one sentence to show. */
export class HostError extends Error {
  override name = 'HostError';
}

export interface RpcClient<P extends PanelProtocol, S> {
  request<M extends RequestMethod<P>>(method: M, params: RequestParams<P, M>): Promise<RequestResult<P, M>>;
  /** Listens to one push event; returns a function that stops listening. */
  onPush<E extends PushEvent<P>>(event: E, listener: (data: PushData<P, E>) => void): () => void;
  getState(): S | undefined;
  setState(state: S): void;
  /** Tells the host the page is listening (call once, after the onPush listeners are in place). */
  ready(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export function createRpcClient<P extends PanelProtocol, S>(): RpcClient<P, S> {
  const api = acquireVsCodeApi();
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  let nextId = 1;
  const post = (message: PageToHost): void => api.postMessage(message);

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data;
    if (!isHostToPage(message)) return;
    if (message.kind === 'push') {
      for (const listener of listeners.get(message.event) ?? []) listener(message.data);
      return;
    }
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(new HostError(message.error));
  });

  return {
    request<M extends RequestMethod<P>>(method: M, params: RequestParams<P, M>): Promise<RequestResult<P, M>> {
      const id = nextId++;
      return new Promise<RequestResult<P, M>>((resolve, reject) => {
        pending.set(id, { resolve: (v) => resolve(v), reject });
        post({ kind: 'request', id, method, params });
      });
    },
    onPush<E extends PushEvent<P>>(event: E, listener: (data: PushData<P, E>) => void): () => void {
      const set = listeners.get(event) ?? new Set<(data: unknown) => void>();
      listeners.set(event, set);
      const wrapped = (data: unknown): void => listener(data as PushData<P, E>);
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    getState: () => (api.getState() as S | null) ?? undefined,
    setState: (state) => api.setState(state),
    ready: () => post({ kind: 'ready' }),
  };
}
