/**
 * "Redis: Open Dashboard" from the palette, a profile node, the "Server"
 * node (a cluster node's own) or the API (`{ profile, node? }` → `{ opened:
 * true }`): live charts of one server's INFO, and its keyspace analysis as a
 * treemap whose top keys open like the tree's. Polling uses a connection of
 * its own (INFO only), never the tree's.
 */
import * as vscode from 'vscode';
import type { KeyspaceAnalysis } from '../../../core/redis/keyspaceAnalysis';
import { RedisInfoReader } from '../../../core/redis/infoSeries';
import { oneServer } from '../../../core/redis/redisClient';
import type { DashboardPanels } from '../../views/dashboardPanels';
import type { CommandCall, CommandSpec } from '../registry';
import type { RedisUiDeps } from './redisTarget';
import { resolveServer } from './serverTarget';

export const REDIS_DASHBOARD_INTERVAL_MS = 1000;

async function openDashboard(deps: RedisUiDeps, panels: DashboardPanels, call: CommandCall): Promise<{ opened: true }> {
  const t = await resolveServer(deps, call, vscode.l10n.t('Open Dashboard'));
  const { profile, node } = t;
  const id = `redis/${profile.name}/${node ?? ''}`;
  // The panel owns the target's connection once it opened; otherwise (already open, or failed) it is let go here.
  let owned = false;
  try {
    await panels.show(id, async () => {
      // The server's own connection when one was opened for a cluster node; otherwise one of the dashboard's own.
      const own = node === undefined || profile.mode !== 'cluster' ? oneServer(await t.session.dedicated('dashboard')) : undefined;
      const client = own ?? t.client;
      const reader = new RedisInfoReader(client);
      owned = true;
      const target = { profile: profile.name, ...(node !== undefined && profile.mode === 'cluster' ? { node } : {}) };
      return {
        id,
        kind: 'redis',
        title: `Redis ⟫ ${profile.name}${node !== undefined ? ` ⟫ ${node}` : ''}`,
        where: t.where,
        intervalMs: REDIS_DASHBOARD_INTERVAL_MS,
        db: t.db,
        read: () => reader.read(),
        analyze: async ({ db, match }) =>
          await vscode.commands.executeCommand<KeyspaceAnalysis>('brokerExplorer.redis.analyzeKeyspace', {
            ...target,
            db,
            ...(match !== undefined ? { match } : {}),
          }),
        openKey: async (db, key) => {
          await vscode.commands.executeCommand('brokerExplorer.redis.openKey', { profile: profile.name, db, key });
        },
        release: () => {
          own?.disconnect();
          t.release();
        },
      };
    });
  } finally {
    if (!owned) t.release();
  }
  return { opened: true };
}

export function redisDashboardCommands(deps: RedisUiDeps, panels: DashboardPanels): CommandSpec[] {
  return [{ id: 'brokerExplorer.redis.openDashboard', run: (call) => openDashboard(deps, panels, call) }];
}
