/**
 * Failures that carry their next step, in the real host: a tree error node
 * leads with its remedy (short label, the sentence beside it and in the
 * tooltip, the remedy as its click and inline action), and a command that
 * fails on a connection offers Test Connection, Edit Connection and Show Log.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { api, contextOf, exec, freePort, outputChannelText, scriptPrompts, uniqueName, waitFor } from './util';

async function errorChild(
  nodes: TreeNode[],
  treeItem: (n: TreeNode) => Thenable<vscode.TreeItem> | vscode.TreeItem,
): Promise<vscode.TreeItem> {
  for (const n of nodes) {
    const item = await treeItem(n);
    if ((item.contextValue ?? '').startsWith('be:error')) return item;
  }
  throw new Error('no error node among the children');
}

function tooltipText(item: vscode.TreeItem): string {
  return typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
}

export function registerConnectErrorTests(): void {
  describe('failures carry the next step', function () {
    this.timeout(60_000);
    const redisNames: string[] = [];
    const rabbitNames: string[] = [];
    after(async () => {
      for (const name of redisNames) await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      for (const name of rabbitNames) await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name });
    });

    it('a RabbitMQ profile without its password shows "Login refused — Set Password…"; the click sets it and the vhosts load', async () => {
      const name = uniqueName('nopw');
      rabbitNames.push(name);
      await exec('brokerExplorer.profiles.add', { kind: 'rabbitmq', profile: { name, url: 'amqp://guest@127.0.0.1:5672/' } });
      const a = await api();
      await a.rabbitTree.children();
      const profile = await waitFor('the profile node', () => a.rabbitTree.profileNode(name));
      const item = await errorChild(await a.rabbitTree.children(profile), (n) => a.rabbitTree.treeItem(n));
      assert.equal(item.label, 'Login refused — Set Password…');
      assert.equal(item.contextValue, 'be:error+login');
      assert.match(String(item.description), /login of user "guest" was refused/);
      assert.match(tooltipText(item), /login of user "guest" was refused.*\n\nClick: Set Password\.$/s);
      assert.equal(item.command?.command, 'brokerExplorer.profiles.setPassword');

      const prompts = await scriptPrompts(['guest']);
      try {
        await vscode.commands.executeCommand(item.command.command, ...((item.command.arguments ?? []) as unknown[]));
      } finally {
        prompts.restore();
      }
      assert.deepEqual(prompts.asked, [`input: Password for ${name} (empty to remove it)`], 'the node gave the profile: no profile pick');
      const again = await waitFor('the reloaded profile', () => a.rabbitTree.profileNode(name));
      const kinds = await Promise.all((await a.rabbitTree.children(again)).map((n) => contextOf(n)));
      assert.ok(!kinds.some((k) => k.startsWith('be:error')), kinds.join(', '));
      assert.ok(
        kinds.some((k) => k.startsWith('be:rabbitmq:vhost')),
        kinds.join(', '),
      );
    });

    it('a closed port shows "Unreachable — Test Connection…" with Test Connection as its click', async () => {
      const name = uniqueName('closed');
      redisNames.push(name);
      const port = await freePort();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port, connectTimeoutMs: 2000 } });
      const a = await api();
      await a.redisTree.children();
      const profile = await waitFor('the profile node', () => a.redisTree.profileNode(name));
      const item = await errorChild(await a.redisTree.children(profile), (n) => a.redisTree.treeItem(n));
      assert.equal(item.label, 'Unreachable — Test Connection…');
      assert.equal(item.contextValue, 'be:error+unreachable');
      assert.match(tooltipText(item), new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.equal(item.command?.command, 'brokerExplorer.profiles.test');
    });

    it('a command failing on a connection offers Test Connection, Edit Connection and Show Log; Test Connection runs on that profile', async () => {
      const name = uniqueName('next');
      redisNames.push(name);
      const port = await freePort();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port, connectTimeoutMs: 2000 } });
      const a = await api();
      await a.redisTree.children();
      const prompts = await scriptPrompts([name, '0', 'PING', 'button: Test Connection']);
      try {
        await vscode.commands.executeCommand('brokerExplorer.redis.runCommand');
        const shown = await waitFor('the error notification', () => prompts.asked.find((q) => q.startsWith('error: ')));
        assert.match(shown, new RegExp(`^error: .*"${name}".*\\[Test Connection \\| Edit Connection \\| Show Log\\]$`));
        await waitFor('Test Connection in the log', async () =>
          (await outputChannelText('Broker Explorer')).includes(`Test Connection: Redis profile "${name}"`) ? true : undefined,
        );
      } finally {
        prompts.restore();
      }
      const after = prompts.asked.slice(prompts.asked.findIndex((q) => q.startsWith('error: ')) + 1);
      assert.deepEqual(after, [], 'Test Connection ran on the profile of the failure without asking which');
    });

    it('a failure that is not about the connection (a read-only refusal) shows no next steps', async () => {
      const name = uniqueName('plain');
      redisNames.push(name);
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name, host: '127.0.0.1', port: 6379, db: 15, readOnly: true },
      });
      const prompts = await scriptPrompts([name, '15', `SET ${name} v`]);
      try {
        await vscode.commands.executeCommand('brokerExplorer.redis.runCommand');
      } finally {
        prompts.restore();
      }
      assert.equal(prompts.asked.length, 3, prompts.asked.join('\n'));
      assert.ok(!prompts.asked.some((q) => q.startsWith('error: ')), prompts.asked.join('\n'));
      const log = await outputChannelText('Broker Explorer');
      assert.match(log, new RegExp(`brokerExplorer\\.redis\\.runCommand: .*read-only`), 'the refusal was reported');
    });
  });
}
