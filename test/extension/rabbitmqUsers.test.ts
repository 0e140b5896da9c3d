/**
 * The RabbitMQ tree's "Users" folder: users with their tags, permissions
 * and topic permissions, vhost limits on the vhost node, the context-menu
 * flows on a user node, and the one sentence a non-administrator sees.
 * Users are created for the test and removed after; permissions and limits
 * live in the fixture's own vhost.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { RabbitFixture } from './rabbitmq.test';
import { api, assertOneSentence, contextOf, exec, rabbitMgmt as mgmt, RABBIT_MANAGEMENT, scriptPrompts, uniqueName } from './util';
import { mgmt as mgmtRaw } from '../core/helpers/mgmt';

async function label(node: TreeNode): Promise<string> {
  const l = (await (await api()).rabbitTree.treeItem(node)).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

async function kids(node?: TreeNode): Promise<TreeNode[]> {
  return (await api()).rabbitTree.children(node);
}

async function find(nodes: TreeNode[], test: (label: string, context: string) => boolean): Promise<TreeNode> {
  for (const n of nodes) if (test(await label(n), await contextOf(n))) return n;
  throw new Error(`not found among ${(await Promise.all(nodes.map(label))).join(', ')}`);
}

export function registerRabbitmqUsersTests(): void {
  describe('RabbitMQ Users folder (users of its own)', () => {
    const fx = new RabbitFixture();
    const user = uniqueName('be-user');
    const v = (): string => encodeURIComponent(fx.vhost);

    before(async () => {
      await fx.setup();
      await mgmt('PUT', `/api/users/${encodeURIComponent(user)}`, { password: 'pw-not-shown', tags: 'management' });
      await mgmt('PUT', `/api/permissions/${v()}/${encodeURIComponent(user)}`, { configure: '', write: '^out\\.', read: '.*' });
      await mgmt('PUT', `/api/topic-permissions/${v()}/${encodeURIComponent(user)}`, { exchange: 'amq.topic', write: '^a\\.', read: '.*' });
      await mgmt('PUT', `/api/vhost-limits/${v()}/max-queues`, { value: 50 });
    });
    after(async () => {
      await mgmt('DELETE', `/api/users/${encodeURIComponent(user)}`);
      await fx.teardown();
    });

    async function profileNode(name = fx.profile): Promise<TreeNode> {
      const tree = (await api()).rabbitTree;
      await tree.children(undefined);
      const node = tree.profileNode(name);
      assert.ok(node, `profile node ${name}`);
      tree.refresh(node);
      return node;
    }

    async function userNode(): Promise<TreeNode> {
      const users = await find(await kids(await profileNode()), (l, c) => l === 'Users' && c === 'be:rabbitmq:users');
      (await api()).rabbitTree.refresh(users);
      return find(await kids(users), (l, c) => l === user && c === 'be:rabbitmq:user');
    }

    it('lists a user with its tags, its permissions per vhost and its topic permissions; the vhost shows its limits', async () => {
      const node = await userNode();
      assert.equal((await (await api()).rabbitTree.treeItem(node)).description, 'management');
      const access = await Promise.all((await kids(node)).map(label));
      assert.deepEqual(access, [
        `vhost ${fx.vhost}: configure (none) · write ^out\\. · read .*`,
        `topic · vhost ${fx.vhost} · exchange amq.topic: write ^a\\. · read .*`,
      ]);
      await fx.run('filter', { kind: 'vhosts', filter: fx.vhost });
      const vhostNode = await find(await kids(await profileNode()), (l) => l === fx.vhost);
      assert.match(String((await (await api()).rabbitTree.treeItem(vhostNode)).description), /limits: max-queues 50/);
      await fx.run('filter', { kind: 'vhosts', filter: '' });
    });

    it('Set Permissions… on a user node asks only for the vhost and the three patterns; Delete User… asks first', async () => {
      let s = await scriptPrompts([fx.vhost, '', '.*', '^in\\.']);
      try {
        await vscode.commands.executeCommand('brokerExplorer.rabbitmq.setPermissions', await userNode());
      } finally {
        s.restore();
      }
      const perms = (await mgmtRaw('GET', `/api/permissions/${v()}/${encodeURIComponent(user)}`)).body as Record<string, string>;
      assert.deepEqual([perms.configure, perms.write, perms.read], ['', '.*', '^in\\.']);

      s = await scriptPrompts([undefined]); // dismissed: nothing is deleted
      try {
        await vscode.commands.executeCommand('brokerExplorer.rabbitmq.deleteUser', await userNode());
      } finally {
        s.restore();
      }
      assert.equal((await mgmtRaw('GET', `/api/users/${encodeURIComponent(user)}`)).status, 200);
      s = await scriptPrompts(['Delete User']);
      try {
        await vscode.commands.executeCommand('brokerExplorer.rabbitmq.deleteUser', await userNode());
        assert.match(s.asked[0], new RegExp(`^confirm: Delete user "${user}"`));
      } finally {
        s.restore();
      }
      assert.equal((await mgmtRaw('GET', `/api/users/${encodeURIComponent(user)}`)).status, 404);
    });

    it('a management user without the administrator tag sees one sentence in the Users folder, not a stack', async () => {
      const plain = uniqueName('be-plain');
      const profile = uniqueName('rabbit-plain');
      await mgmt('PUT', `/api/users/${encodeURIComponent(plain)}`, { password: 'plain-pw', tags: 'management' });
      await mgmt('PUT', `/api/permissions/${v()}/${encodeURIComponent(plain)}`, { configure: '.*', write: '.*', read: '.*' });
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: { name: profile, url: `amqp://${plain}@127.0.0.1:5672/${v()}`, managementUrl: RABBIT_MANAGEMENT, connectTimeoutMs: 5000 },
        password: 'plain-pw',
      });
      try {
        const users = await find(await kids(await profileNode(profile)), (l) => l === 'Users');
        const shown = await kids(users);
        assert.equal(shown.length, 1);
        // The node leads with the remedy (edit the profile to use an administrator); the sentence is its description.
        assert.equal(await contextOf(shown[0]), 'be:error+denied');
        assert.equal(await label(shown[0]), 'Not allowed — Edit Connection…');
        const sentence = String((await (await api()).rabbitTree.treeItem(shown[0])).description);
        assertOneSentence(sentence, ['plain-pw']);
        assert.match(sentence, /needs a user with the "administrator" tag/);
      } finally {
        await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name: profile });
        await mgmt('DELETE', `/api/users/${encodeURIComponent(plain)}`);
      }
    });
  });
}
