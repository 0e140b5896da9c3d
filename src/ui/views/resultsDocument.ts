/**
 * Read-only result documents (scheme `broker-redis-results`): command and
 * pipeline results, the first page of a scan. Each is kept in memory, bounded
 * in lines, and can grow while the work runs (appends are batched into one
 * update every 200 ms). Only the last few documents are kept.
 */
import * as vscode from 'vscode';
import { formatCount } from '../../core/units';

export const RESULTS_SCHEME = 'broker-redis-results';
const MAX_DOCUMENTS = 20;

interface Entry {
  header: string[];
  lines: string[];
  /** Lines left out past maxLines. */
  omitted: number;
  maxLines: number;
  timer: NodeJS.Timeout | undefined;
}

export interface ResultsHandle {
  readonly uri: vscode.Uri;
  /** Adds lines (shown within 200 ms); past the document's limit they are counted, not kept. */
  append(...lines: string[]): void;
  /** Replaces the header lines at the top. */
  setHeader(...lines: string[]): void;
  /** Shows any pending lines now. */
  flush(): void;
  text(): string;
}

export class ResultsDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly entries = new Map<string, Entry>();
  private seq = 0;

  /** A new results document (not shown yet); `name` becomes its tab label. */
  create(name: string, options: { maxLines?: number; language?: string } = {}): ResultsHandle {
    const label = name.replace(/[/\\]/g, '∕').slice(0, 80) || vscode.l10n.t('results');
    const ext = options.language === 'json' ? '.json' : options.language === 'jsonl' ? '.jsonl' : '';
    const uri = vscode.Uri.from({ scheme: RESULTS_SCHEME, path: `/${++this.seq}/${label}${ext}` });
    const key = uri.toString();
    const entry: Entry = { header: [], lines: [], omitted: 0, maxLines: options.maxLines ?? 20_000, timer: undefined };
    this.entries.set(key, entry);
    while (this.entries.size > MAX_DOCUMENTS) {
      const oldest = this.entries.keys().next().value as string;
      const old = this.entries.get(oldest);
      if (old?.timer) clearTimeout(old.timer);
      this.entries.delete(oldest);
    }
    const flush = (): void => {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = undefined;
      this.emitter.fire(uri);
    };
    const schedule = (): void => {
      entry.timer ??= setTimeout(flush, 200);
    };
    return {
      uri,
      append: (...lines: string[]): void => {
        for (const line of lines) {
          if (entry.lines.length < entry.maxLines) entry.lines.push(line);
          else entry.omitted++;
        }
        schedule();
      },
      setHeader: (...lines: string[]): void => {
        entry.header = lines;
        schedule();
      },
      flush,
      text: () => render(entry),
    };
  }

  /** Creates, fills and opens a document in one go. */
  async show(name: string, text: string, language?: string): Promise<vscode.Uri> {
    const handle = this.create(name, language ? { language } : {});
    handle.append(...text.split('\n'));
    handle.flush();
    await this.open(handle.uri, language);
    return handle.uri;
  }

  async open(uri: vscode.Uri, language?: string): Promise<vscode.TextDocument> {
    const doc = await vscode.workspace.openTextDocument(uri);
    if (language && language !== 'jsonl' && doc.languageId !== language) await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: false });
    return doc;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const entry = this.entries.get(uri.toString());
    return entry ? render(entry) : `${vscode.l10n.t('# These results are no longer kept: run the command again.')}\n`;
  }

  dispose(): void {
    for (const e of this.entries.values()) if (e.timer) clearTimeout(e.timer);
    this.entries.clear();
    this.emitter.dispose();
  }
}

function render(entry: Entry): string {
  const omitted = entry.omitted > 0 ? [vscode.l10n.t('… {0} more lines not shown here.', formatCount(entry.omitted))] : [];
  const header = entry.header.length > 0 ? [...entry.header, ''] : [];
  return `${[...header, ...entry.lines, ...omitted].join('\n')}\n`;
}

/** JSON for a notification or a document: short results inline, long ones in a document. */
export async function showJsonResult(results: ResultsDocuments, title: string, value: unknown): Promise<void> {
  const compact = JSON.stringify(value) ?? 'null';
  if (compact.length <= 160 && !compact.includes('\\n')) {
    void vscode.window.showInformationMessage(`${title}: ${compact}`);
    return;
  }
  await results.show(title, JSON.stringify(value, null, 2), 'json');
}
