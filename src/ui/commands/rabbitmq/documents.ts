/**
 * Read-only documents for RabbitMQ results (peeked messages, RPC replies,
 * list pages): a content provider over a small in-memory map, so nothing is
 * written to disk and closing the editor never asks to save.
 */
import * as vscode from 'vscode';

export const RABBIT_DOC_SCHEME = 'broker-rabbitmq';
const KEEP = 30;

export class RabbitDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private seq = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? vscode.l10n.t('This result is no longer kept: run the command again.');
  }

  /** Opens `content` in a read-only editor titled `name` (its extension picks the language). */
  async show(name: string, content: string): Promise<vscode.TextDocument> {
    const safe = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_');
    const uri = vscode.Uri.from({ scheme: RABBIT_DOC_SCHEME, path: `/${safe}`, query: String(++this.seq) });
    this.contents.set(uri.toString(), content);
    while (this.contents.size > KEEP) this.contents.delete(this.contents.keys().next().value as string);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}
