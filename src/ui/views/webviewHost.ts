/**
 * The one extension-side host of every webview panel (value editor, dashboards):
 * builds the page (strict CSP with a nonce, only local resources from
 * dist/webview, codicons, VS Code's theme variables), routes the page's typed
 * requests to the panel's handlers (src/webview/protocol.ts), turns a handler's
 * failure into the one readable sentence the page shows, sends pushes, and
 * disposes. A panel is made with `openPanel`, or wraps a panel VS Code hands
 * over (a restored panel, a custom editor) with `new WebviewHost(panel, …)`.
 * State lives in the page (getState/setState); `retainContextWhenHidden` is off.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import {
  CODICON_STYLESHEET_ID,
  isPageToHost,
  PAGE_DATA_ID,
  type PageData,
  type PanelProtocol,
  type PushData,
  type PushEvent,
  type RequestMessage,
  type RequestMethod,
  type RequestParams,
  type RequestResult,
  type ResponseMessage,
} from '../../webview/protocol';
import type { ExtensionLog } from '../log';

/** One handler per request method of the panel's protocol. */
export type RequestHandlers<P extends PanelProtocol> = {
  [M in RequestMethod<P>]: (params: RequestParams<P, M>) => Promise<RequestResult<P, M>> | RequestResult<P, M>;
};

export interface WebviewPageSpec<P extends PanelProtocol> {
  /** The bundle's name: dist/webview/<bundle>.js (from src/webview/<bundle>/main.ts), plus <bundle>.css when it imports CSS. */
  bundle: string;
  /** The page's <title> (for screen readers; the tab shows the panel's title). */
  title: string;
  handlers: RequestHandlers<P>;
  log: ExtensionLog;
  /**
   * The page's first data, written into its HTML (pageData.initial) so it shows without a request:
   * the panel is created at once and its HTML set when this resolves (without the data if it fails).
   */
  initial?: Promise<unknown>;
  /** Write the page's CSS and bundle into its HTML instead of linking them (see pageHtml). */
  inline?: boolean;
}

export interface OpenPanelOptions {
  viewType: string;
  /** The tab's title. */
  title: string;
  column?: vscode.ViewColumn;
  preserveFocus?: boolean;
  iconPath?: vscode.Uri | { light: vscode.Uri; dark: vscode.Uri };
}

/** The folder every panel's files are served from. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** The options every panel is created with: scripts on, only dist/webview readable, no retained context. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [webviewRoot(extensionUri)], retainContextWhenHidden: false, enableFindWidget: true };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A file of dist/webview as text; undefined when the build wrote none (a panel without CSS). */
function rootFile(root: vscode.Uri, name: string): string | undefined {
  const path = vscode.Uri.joinPath(root, name).fsPath;
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/**
 * What a page needs of the loaded l10n bundle (undefined in English): only the messages the pages use, listed
 * by the build in dist/webview/l10n-messages.json (the whole bundle when that list is missing).
 */
function pageBundle(root: vscode.Uri): Record<string, string> | undefined {
  const bundle = vscode.l10n.bundle;
  if (!bundle) return undefined;
  const list = rootFile(root, 'l10n-messages.json');
  if (list === undefined) return bundle;
  const keys = JSON.parse(list) as string[];
  return Object.fromEntries(keys.filter((k) => bundle[k] !== undefined).map((k) => [k, bundle[k]]));
}

/** JSON inside a <script type="application/json">: `<` escaped so no `</script>` can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The page: strict CSP (nothing but our files and one nonce-carrying script), codicons, the shared base CSS, the panel's bundle.
 * `inline` writes the base CSS, the panel's CSS and its bundle into the HTML (under the same nonce) instead of linking them: in
 * code-server each linked file is fetched through the webview's service worker and the remote connection, which delays the
 * page's first paint by far more than the bytes cost. The codicon stylesheet stays linked (its font is relative to it) but does
 * not hold the script back: it loads as `media="not all"` and the page sets `media="all"` once its first rows are shown.
 * A one-line script first in <head> stamps when the HTML began to be parsed (`data-be-doc` on <html>, Date.now()): what an
 * empty page would cost, next to which a page can time its own start.
 */
export function pageHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  bundle: string,
  title: string,
  initial?: unknown,
  inline = false,
): string {
  const nonce = randomBytes(18).toString('base64');
  const root = webviewRoot(extensionUri);
  const data: PageData = { language: vscode.env.language, l10n: pageBundle(root), initial };
  const src = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(root, file)).toString();
  const panelCssFile = `${bundle}.css`;
  const hasPanelCss = existsSync(vscode.Uri.joinPath(root, panelCssFile).fsPath);
  const bundleJs = inline ? rootFile(root, `${bundle}.js`) : undefined;
  const styles =
    bundleJs !== undefined
      ? `<style nonce="${nonce}">${[rootFile(root, 'webview.css'), hasPanelCss ? rootFile(root, panelCssFile) : undefined]
          .filter((css): css is string => css !== undefined)
          .join('\n')
          .replace(/<\/style/gi, '<\\/style')}</style>`
      : `<link rel="stylesheet" href="${src('webview.css')}">${hasPanelCss ? `\n<link rel="stylesheet" href="${src(panelCssFile)}">` : ''}`;
  const script =
    bundleJs !== undefined
      ? `<script nonce="${nonce}">${bundleJs.replace(/\/\/# sourceMappingURL=\S+\s*$/, '').replace(/<\/script/gi, '<\\/script')}</script>`
      : `<script nonce="${nonce}" src="${src(`${bundle}.js`)}"></script>`;
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource}${bundleJs !== undefined ? ` 'nonce-${nonce}'` : ''}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const codicons = `<link rel="stylesheet" id="${CODICON_STYLESHEET_ID}" href="${src('codicon.css')}"${bundleJs !== undefined ? ' media="not all"' : ''}>`;
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script nonce="${nonce}">document.documentElement.dataset.beDoc = String(Date.now());</script>
${codicons}
${styles}
<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="${PAGE_DATA_ID}">${scriptJson(data)}</script>
${script}
</body>
</html>`;
}

export class WebviewHost<P extends PanelProtocol> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly readyEmitter = new vscode.EventEmitter<void>();
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  private ready = false;
  private disposed = false;
  /** Pushes sent before the page listens: delivered on its `ready`. */
  private queued: { event: string; data: unknown }[] = [];
  /** When the page's HTML was set (Date.now()), for the panels that time their first paint. */
  htmlSetAt: number | undefined;

  /** Fires each time the page (re)starts and listens: after creation, after being shown again, after a reload. */
  readonly onDidBecomeReady = this.readyEmitter.event;
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly spec: WebviewPageSpec<P>,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    const setHtml = (initial?: unknown): void => {
      if (this.disposed) return;
      panel.webview.html = pageHtml(panel.webview, extensionUri, spec.bundle, spec.title, initial, spec.inline === true);
      this.htmlSetAt = Date.now();
    };
    if (spec.initial) spec.initial.then(setHtml, () => setHtml());
    else setHtml();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      panel.onDidChangeViewState(() => {
        // Hidden, the page is torn down (no retained context): it says `ready` again when shown.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
      this.readyEmitter,
      this.disposeEmitter,
    );
  }

  /** Sends a push; queued until the page listens, dropped while it is hidden (it reloads its state when shown). */
  push<E extends PushEvent<P>>(event: E, data: PushData<P, E>): void {
    if (this.disposed) return;
    if (!this.ready) {
      if (this.panel.visible) this.queued.push({ event, data });
      return;
    }
    void this.panel.webview.postMessage({ kind: 'push', event, data });
  }

  private receive(message: unknown): void {
    if (!isPageToHost(message)) return;
    if (message.kind === 'ready') {
      this.ready = true;
      const queued = this.queued;
      this.queued = [];
      for (const q of queued) void this.panel.webview.postMessage({ kind: 'push', event: q.event, data: q.data });
      this.readyEmitter.fire();
      return;
    }
    void this.answer(message);
  }

  private async answer(request: RequestMessage): Promise<void> {
    let response: ResponseMessage;
    const handlers = this.spec.handlers as Record<string, ((params: unknown) => unknown) | undefined>;
    const handler = Object.prototype.hasOwnProperty.call(handlers, request.method) ? handlers[request.method] : undefined;
    try {
      if (!handler) throw new Error(vscode.l10n.t('The {0} panel has no request "{1}".', this.spec.title, request.method));
      response = { kind: 'response', id: request.id, ok: true, result: await handler(request.params) };
    } catch (err) {
      const error = this.spec.log.redact(errorMessage(err));
      this.spec.log.error(`${this.spec.title} (${request.method}): ${error}`);
      response = { kind: 'response', id: request.id, ok: false, error };
    }
    if (!this.disposed) void this.panel.webview.postMessage(response);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** Creates a webview panel and its host. */
export function openPanel<P extends PanelProtocol>(
  extensionUri: vscode.Uri,
  options: OpenPanelOptions,
  spec: WebviewPageSpec<P>,
): WebviewHost<P> {
  const panel = vscode.window.createWebviewPanel(
    options.viewType,
    options.title,
    { viewColumn: options.column ?? vscode.ViewColumn.Active, preserveFocus: options.preserveFocus ?? false },
    webviewOptions(extensionUri),
  );
  if (options.iconPath) panel.iconPath = options.iconPath;
  return new WebviewHost(panel, extensionUri, spec);
}

/**
 * Restores a panel type's tabs after a window reload: `revive` gets the panel and the
 * state its page last saved with setState (undefined when it saved none). The panel's
 * viewType also needs `onWebviewPanel:<viewType>` in package.json's activationEvents.
 */
export function registerPanelRestorer(
  viewType: string,
  revive: (panel: vscode.WebviewPanel, state: unknown) => Promise<void>,
): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(viewType, {
    deserializeWebviewPanel: (panel: vscode.WebviewPanel, state: unknown) => revive(panel, state),
  });
}
