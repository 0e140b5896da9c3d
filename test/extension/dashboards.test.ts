/**
 * The dashboards' lifecycle through the command API in the extension host
 * (issue 14 §3): each opens and returns { opened: true }; the Redis one polls
 * INFO on a connection of its own (seen in CLIENT LIST), stops polling while
 * its panel is hidden, and closes that connection when the panel closes; bad
 * input is one sentence. What the pages draw is checked in Chromium by the
 * UI tests (test/ui/dashboards.test.mjs).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RabbitFixture } from './rabbitmq.test';
import { assertOneSentence, exec, plainRedis, rabbitMgmt, rejects, sleep, uniqueName, waitFor } from './util';

const DB = 11;

interface ClientRow {
  name: string;
  cmd: string;
  idle: number;
}

function dashboardClients(list: string): ClientRow[] {
  return list
    .split('\n')
    .filter((l) => l.includes('name=broker-explorer:dashboard'))
    .map((l) => {
      const f = Object.fromEntries(l.split(' ').map((kv) => kv.split('=', 2) as [string, string]));
      return { name: f.name, cmd: f.cmd, idle: Number(f.idle) };
    });
}

async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export function registerDashboardTests(): void {
  describe('Dashboards (Redis db 11, RabbitMQ overview and a queue)', () => {
    const name = uniqueName('dash');
    const rabbit = new RabbitFixture();
    const seed = plainRedis(DB);
    const queue = uniqueName('dash-q');

    before(async () => {
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
      await rabbit.setup();
      await rabbitMgmt('PUT', `/api/queues/${encodeURIComponent(rabbit.vhost)}/${encodeURIComponent(queue)}`, { durable: false });
    });
    after(async () => {
      await closeAllEditors();
      await rabbit.teardown();
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name }).catch(() => undefined);
      seed.disconnect();
    });

    it('the Redis dashboard polls INFO on its own connection, pauses while hidden and lets go of it when closed', async () => {
      await closeAllEditors();
      assert.deepEqual(await exec('brokerExplorer.redis.openDashboard', { profile: name }), { opened: true });
      const polling = await waitFor('the dashboard connection running INFO', async () => {
        const rows = dashboardClients(String(await seed.client('LIST')));
        return rows.length === 1 && rows[0].cmd === 'info' && rows[0].idle <= 1 ? rows : undefined;
      });
      assert.equal(polling.length, 1);
      // Opening it again shows the same panel: no second connection.
      assert.deepEqual(await exec('brokerExplorer.redis.openDashboard', { profile: name }), { opened: true });
      await sleep(1500);
      assert.equal(dashboardClients(String(await seed.client('LIST'))).length, 1);

      // Hidden behind another editor in the same group: no INFO for a while.
      const doc = await vscode.workspace.openTextDocument({ content: 'hides the dashboard' });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: false });
      await sleep(3500);
      const hidden = dashboardClients(String(await seed.client('LIST')));
      assert.equal(hidden.length, 1);
      assert.ok(hidden[0].idle >= 2, `idle ${hidden[0].idle} s while hidden: polling stopped`);

      // Shown again: polling resumes.
      await exec('brokerExplorer.redis.openDashboard', { profile: name });
      await waitFor('polling again', async () => {
        const rows = dashboardClients(String(await seed.client('LIST')));
        return rows.length === 1 && rows[0].idle === 0 ? true : undefined;
      });

      await closeAllEditors();
      await waitFor('the dashboard connection closed', async () =>
        dashboardClients(String(await seed.client('LIST'))).length === 0 ? true : undefined,
      );
    });

    it('the RabbitMQ and queue dashboards open through the API; a missing queue or profile is one sentence', async () => {
      assert.deepEqual(await exec('brokerExplorer.rabbitmq.openDashboard', { profile: rabbit.profile }), { opened: true });
      assert.deepEqual(await exec('brokerExplorer.rabbitmq.openQueueDashboard', { profile: rabbit.profile, queue }), { opened: true });
      const missing = await rejects(
        exec('brokerExplorer.rabbitmq.openQueueDashboard', { profile: rabbit.profile, queue: `${queue}-none` }),
        new RegExp(`${queue}-none`),
      );
      assertOneSentence(missing);
      const noProfile = await rejects(exec('brokerExplorer.redis.openDashboard', { profile: `${name}-none` }), /profile/i);
      assertOneSentence(noProfile);
      await closeAllEditors();
    });
  });
}
