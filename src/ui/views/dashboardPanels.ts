/**
 * The extension side of the live dashboards: one panel per dashboard (a
 * Redis server, a RabbitMQ broker, one queue) on the one webview host. Each
 * panel owns a core Sampler polling its source; polling runs only while the
 * panel is visible (onDidChangeViewState) and ends with the panel, which
 * also lets go of the source's connection. Opening a dashboard that is
 * already open shows it.
 */
import * as vscode from 'vscode';
import type { BytesLike } from '../../core/bytes';
import type { KeyspaceAnalysis } from '../../core/redis/keyspaceAnalysis';
import { Sampler } from '../../core/sampler';
import type { AnalyzeParams, DashboardKind, DashboardProtocol, DashboardSample } from '../../webview/dashboard/protocol';
import type { ExtensionLog } from '../log';
import { openPanel, type WebviewHost } from './webviewHost';

export const DASHBOARD_VIEW_TYPE = 'brokerExplorer.dashboard';

/** What one dashboard polls, and the actions its page may ask for. */
export interface DashboardSource {
  /** Names the dashboard: opening one with the same id shows the open panel. */
  id: string;
  kind: DashboardKind;
  title: string;
  where: string;
  intervalMs: number;
  /** Redis: the database the analysis starts on. */
  db?: number;
  read(signal: AbortSignal): Promise<DashboardSample>;
  analyze?(params: AnalyzeParams): Promise<KeyspaceAnalysis>;
  openKey?(db: number, key: BytesLike): Promise<void>;
  /** Lets go of what the source holds (its connection). */
  release(): void;
}

interface OpenDashboard {
  host: WebviewHost<DashboardProtocol>;
  sampler: Sampler<DashboardSample>;
}

export class DashboardPanels implements vscode.Disposable {
  private readonly open = new Map<string, OpenDashboard>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: ExtensionLog,
  ) {}

  /** Shows the dashboard `id` when open; otherwise makes its source and opens it. */
  async show(id: string, make: () => Promise<DashboardSource>): Promise<void> {
    const existing = this.open.get(id);
    if (existing) {
      existing.host.panel.reveal();
      return;
    }
    const source = await make();
    if (this.open.has(id)) {
      source.release();
      this.open.get(id)?.host.panel.reveal();
      return;
    }
    this.create(source);
  }

  /** Whether the dashboard `id` is open and polling now (tests, status). */
  polling(id: string): boolean | undefined {
    return this.open.get(id)?.sampler.running;
  }

  private create(source: DashboardSource): void {
    const sampler = new Sampler<DashboardSample>({
      intervalMs: source.intervalMs,
      read: (signal) => source.read(signal),
      logger: this.log,
    });
    let lastError: string | undefined;
    const host = openPanel<DashboardProtocol>(
      this.extensionUri,
      { viewType: DASHBOARD_VIEW_TYPE, title: source.title },
      {
        bundle: 'dashboard',
        title: source.title,
        log: this.log,
        handlers: {
          init: () => ({
            kind: source.kind,
            title: source.title,
            where: source.where,
            intervalMs: source.intervalMs,
            history: sampler.history(),
            ...(lastError !== undefined ? { error: lastError } : {}),
            ...(source.db !== undefined ? { db: source.db } : {}),
          }),
          analyze: (params) => {
            if (!source.analyze) throw new Error(vscode.l10n.t('The {0} dashboard has no keyspace analysis.', source.title));
            return source.analyze(params);
          },
          openKey: async ({ db, key }) => {
            if (!source.openKey) throw new Error(vscode.l10n.t('The {0} dashboard opens no keys.', source.title));
            await source.openKey(db, key);
            return { opened: true };
          },
        },
      },
    );
    sampler.on('sample', (s) => {
      lastError = undefined;
      host.push('sample', s);
    });
    sampler.on('error', (message) => {
      if (message !== lastError) this.log.warn(`${source.title}: ${message}`);
      lastError = message;
      host.push('error', { message });
    });
    const visibility = host.panel.onDidChangeViewState(() => {
      if (host.panel.visible) sampler.start();
      else sampler.stop();
    });
    host.onDidDispose(() => {
      visibility.dispose();
      sampler.dispose();
      source.release();
      this.open.delete(source.id);
    });
    this.open.set(source.id, { host, sampler });
    sampler.start();
  }

  dispose(): void {
    for (const d of [...this.open.values()]) d.host.dispose();
    this.open.clear();
  }
}
