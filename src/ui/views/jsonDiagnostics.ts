/**
 * Problems in an editable JSON document (a collection or a RedisJSON key)
 * shown at their place while the user types, and again when a save is
 * refused: one DiagnosticCollection, checked a moment after each change.
 */
import * as vscode from 'vscode';
import type { JsonSourceError } from '../../core/redis/jsonSource';

/** Line and column (0-based, UTF-16 like the editor's) of an offset in a text. */
export function positionIn(text: string, offset: number): vscode.Position {
  const before = text.slice(0, offset);
  const line = (before.match(/\n/g) ?? []).length;
  return new vscode.Position(line, offset - (before.lastIndexOf('\n') + 1));
}

/** "line 3, column 7" of a problem, for a sentence. */
export function placeOf(text: string, err: JsonSourceError): string {
  const p = positionIn(text, err.span.offset);
  return vscode.l10n.t('line {0}, column {1}', p.line + 1, p.character + 1);
}

export class JsonDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('brokerExplorer.redisJson');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners: vscode.Disposable[];

  /** `check` gives the problem in a text of a document of `scheme`, or undefined when there is none (or the document is not JSON). */
  constructor(
    private readonly scheme: string,
    private readonly check: (uri: vscode.Uri, text: string) => JsonSourceError | undefined,
  ) {
    this.listeners = [
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cancel(d.uri);
        this.collection.delete(d.uri);
      }),
    ];
  }

  /** Shows `err` on the document at once (a refused save). */
  show(uri: vscode.Uri, text: string, err: JsonSourceError): void {
    this.cancel(uri);
    const start = positionIn(text, err.span.offset);
    const end = positionIn(text, err.span.offset + Math.max(1, err.span.length));
    const d = new vscode.Diagnostic(new vscode.Range(start, end), err.message, vscode.DiagnosticSeverity.Error);
    d.source = 'Broker Explorer';
    this.collection.set(uri, [d]);
  }

  clear(uri: vscode.Uri): void {
    this.cancel(uri);
    this.collection.delete(uri);
  }

  /** The problems shown on a document now. */
  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  private schedule(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== this.scheme) return;
    this.cancel(doc.uri);
    const key = doc.uri.toString();
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (doc.isClosed) return;
        const text = doc.getText();
        const err = this.check(doc.uri, text);
        // In a JSON editor the JSON language service already marks syntax errors: add only what it cannot know.
        if (err && !(err.syntax && doc.languageId === 'json')) this.show(doc.uri, text, err);
        else this.collection.delete(doc.uri);
      }, 250),
    );
  }

  private cancel(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const l of this.listeners) l.dispose();
    this.collection.dispose();
  }
}
