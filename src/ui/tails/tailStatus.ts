/**
 * The status bar item of running tails: "$(broadcast) 2 tails" while any
 * subscription, tail, consumer or TCP session runs, hidden otherwise;
 * clicking lists them (brokerExplorer.tails.running) to show or stop one.
 */
import * as vscode from 'vscode';
import type { TailRegistry } from './tailRegistry';

export const RUNNING_TAILS_COMMAND = 'brokerExplorer.tails.running';

export class TailStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: vscode.Disposable;
  private tooltip = '';

  constructor(private readonly registry: TailRegistry) {
    this.item = vscode.window.createStatusBarItem('brokerExplorer.tails', vscode.StatusBarAlignment.Left, 49);
    this.item.name = vscode.l10n.t('Broker Explorer tails');
    this.item.command = RUNNING_TAILS_COMMAND;
    this.subscription = registry.onDidChange((structural) => {
      if (structural) this.update();
    });
    this.update();
  }

  /** What the item shows (for tests and the API): undefined while hidden. */
  get shown(): { text: string; tooltip: string } | undefined {
    return this.registry.list().length === 0 ? undefined : { text: this.item.text, tooltip: this.tooltip };
  }

  private update(): void {
    const running = this.registry.list();
    if (running.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text =
      running.length === 1
        ? vscode.l10n.t('$(broadcast) {0} tail', running.length)
        : vscode.l10n.t('$(broadcast) {0} tails', running.length);
    this.tooltip = vscode.l10n.t('Running: {0}. Click to show or stop one.', running.map((t) => t.label).join(', '));
    this.item.tooltip = this.tooltip;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
