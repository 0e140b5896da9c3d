/**
 * The one message protocol between a webview page and its extension-side host
 * (src/ui/views/webviewHost.ts). Shared by both sides: plain types and guards,
 * no DOM, no Node, no vscode.
 *
 * A panel declares its own map (src/webview/<panel>/protocol.ts):
 *   requests: method → { params, result }   (page asks, host answers)
 *   pushes:   event  → data                 (host tells, unasked)
 */

/** The shape every panel protocol has. */
export interface PanelProtocol {
  requests: Record<string, { params: unknown; result: unknown }>;
  pushes: Record<string, unknown>;
}

export type RequestMethod<P extends PanelProtocol> = keyof P['requests'] & string;
export type RequestParams<P extends PanelProtocol, M extends RequestMethod<P>> = P['requests'][M]['params'];
export type RequestResult<P extends PanelProtocol, M extends RequestMethod<P>> = P['requests'][M]['result'];
export type PushEvent<P extends PanelProtocol> = keyof P['pushes'] & string;
export type PushData<P extends PanelProtocol, E extends PushEvent<P>> = P['pushes'][E];

/** Page → host: a request; the host answers with a ResponseMessage carrying the same id. */
export interface RequestMessage {
  kind: 'request';
  id: number;
  method: string;
  params: unknown;
}

/** Page → host, once the page's script has started: the host may push from then on. */
export interface ReadyMessage {
  kind: 'ready';
}

/** Host → page: the answer to one request. `error` is one readable sentence. */
export type ResponseMessage =
  { kind: 'response'; id: number; ok: true; result: unknown } | { kind: 'response'; id: number; ok: false; error: string };

/** Host → page, unasked. */
export interface PushMessage {
  kind: 'push';
  event: string;
  data: unknown;
}

export type PageToHost = RequestMessage | ReadyMessage;
export type HostToPage = ResponseMessage | PushMessage;

function record(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Narrows what arrives from a page (anything else is ignored). */
export function isPageToHost(value: unknown): value is PageToHost {
  if (!record(value)) return false;
  if (value.kind === 'ready') return true;
  return value.kind === 'request' && typeof value.id === 'number' && typeof value.method === 'string';
}

/** Narrows what arrives from the host (anything else is ignored). */
export function isHostToPage(value: unknown): value is HostToPage {
  if (!record(value)) return false;
  if (value.kind === 'push') return typeof value.event === 'string';
  return value.kind === 'response' && typeof value.id === 'number' && typeof value.ok === 'boolean';
}

/** The element of the page's HTML that carries its PageData (a `<script type="application/json">`). */
export const PAGE_DATA_ID = 'be-page-data';

/** The id of the page's codicon stylesheet link (the id @vscode-elements' vscode-icon looks for). */
export const CODICON_STYLESHEET_ID = 'vscode-codicon-stylesheet';

/**
 * What every page reads before it starts (src/webview/pageData.ts), put in its HTML by the host:
 * VS Code's display language and the loaded l10n bundle (undefined in English), and the panel's
 * own first data when it sends some up front.
 */
export interface PageData {
  language: string;
  l10n: Record<string, string> | undefined;
  initial?: unknown;
}
