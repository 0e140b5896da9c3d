/**
 * "RabbitMQ: Open Dashboard" (`{ profile }`) and "Open Queue Dashboard"
 * (`{ profile, vhost?, queue }`), each returning `{ opened: true }`: the
 * broker's message rates, queued messages, connections / channels /
 * consumers and node memory and disk against their alarm thresholds; or one
 * queue's depth and rates. Samples come from the management API (plain
 * HTTP reads trimmed with `columns=`), so no AMQP connection is held.
 */
import * as vscode from 'vscode';
import { readQueueSample, readRabbitSample } from '../../../core/amqp/overviewSeries';
import type { DashboardPanels } from '../../views/dashboardPanels';
import { pickProfile } from '../profilePicker';
import type { CommandCall, CommandSpec } from '../registry';
import { queueArg, target, type RabbitDeps } from './common';

export const RABBIT_DASHBOARD_INTERVAL_MS = 2000;

async function openDashboard(deps: RabbitDeps, panels: DashboardPanels, call: CommandCall): Promise<{ opened: true }> {
  const profile = await pickProfile(deps, call, 'rabbitmq', { title: vscode.l10n.t('Open Dashboard: profile'), skipSingle: true });
  const id = `rabbitmq/${profile.name}`;
  await panels.show(id, async () => {
    const management = (await deps.pool.session(profile.name)).management();
    return {
      id,
      kind: 'rabbitmq',
      title: `RabbitMQ ⟫ ${profile.name}`,
      where: vscode.l10n.t('RabbitMQ profile "{0}"', profile.name),
      intervalMs: RABBIT_DASHBOARD_INTERVAL_MS,
      read: (signal) => readRabbitSample(management, { signal }),
      release: () => undefined,
    };
  });
  return { opened: true };
}

async function openQueueDashboard(deps: RabbitDeps, panels: DashboardPanels, call: CommandCall): Promise<{ opened: true }> {
  const t = await target(deps, call);
  const queue = (await queueArg(t, call, 'queue', { title: vscode.l10n.t('Queue dashboard: queue of vhost "{0}"', t.vhost) })).name;
  const id = `rabbitmq/${t.profile.name}/${t.vhost}/${queue}`;
  const management = t.session.management();
  await readQueueSample(management, t.vhost, queue); // a missing queue is one sentence now, not a panel of errors
  await panels.show(id, () =>
    Promise.resolve({
      id,
      kind: 'queue' as const,
      title: vscode.l10n.t('Queue ⟫ {0} ⟫ {1} ⟫ {2}', t.profile.name, t.vhost, queue),
      where: vscode.l10n.t('queue "{0}" in vhost "{1}" of RabbitMQ profile "{2}"', queue, t.vhost, t.profile.name),
      intervalMs: RABBIT_DASHBOARD_INTERVAL_MS,
      read: (signal: AbortSignal) => readQueueSample(management, t.vhost, queue, { signal }),
      release: () => undefined,
    }),
  );
  return { opened: true };
}

export function rabbitDashboardCommands(deps: RabbitDeps, panels: DashboardPanels): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.openDashboard', run: (call) => openDashboard(deps, panels, call) },
    { id: 'brokerExplorer.rabbitmq.openQueueDashboard', run: (call) => openQueueDashboard(deps, panels, call) },
  ];
}
