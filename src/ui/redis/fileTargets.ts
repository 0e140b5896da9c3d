/**
 * Which profile and database each `.redis` document runs against: chosen
 * once per document (the first run asks), shown in the status bar while
 * that document is active (clicking it chooses again), and forgotten when
 * the document closes.
 */
import * as vscode from 'vscode';
import type { ResolvedRedisProfile } from '../../core/profiles';
import { REDIS_LANGUAGE } from './redisLanguage';

export interface FileTarget {
  profile: ResolvedRedisProfile;
  db: number;
}

export class RedisFileTargets implements vscode.Disposable {
  private readonly targets = new Map<string, FileTarget>();
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('brokerExplorer.redis.fileTarget', vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('Redis file target');
    this.item.command = 'brokerExplorer.redis.chooseFileTarget';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidOpenTextDocument(() => this.update()),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.targets.delete(doc.uri.toString());
        this.update();
      }),
    );
    this.update();
  }

  get(doc: vscode.TextDocument): FileTarget | undefined {
    return this.targets.get(doc.uri.toString());
  }

  set(doc: vscode.TextDocument, target: FileTarget): void {
    this.targets.set(doc.uri.toString(), { profile: target.profile, db: target.db });
    this.update();
  }

  /** What the status bar shows for the active editor (for tests): undefined when hidden. */
  get shown(): { text: string; tooltip: string } | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== REDIS_LANGUAGE) return undefined;
    this.update();
    return { text: this.item.text, tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : '' };
  }

  private update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== REDIS_LANGUAGE) {
      this.item.hide();
      return;
    }
    const t = this.get(doc);
    this.item.text = t ? `$(database) ${t.profile.name} · db${t.db}` : vscode.l10n.t('$(database) Redis: no target');
    this.item.tooltip = t
      ? vscode.l10n.t('This file runs against db {0} of "{1}". Click to choose another profile or database.', t.db, t.profile.name)
      : vscode.l10n.t('This file has no Redis target yet: the first run asks. Click to choose one now.');
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.targets.clear();
  }
}
