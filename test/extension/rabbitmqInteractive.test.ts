/**
 * The palette flows of a few RabbitMQ commands, with the prompts answered by
 * a script injected into the extension's prompts service for each test.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { RabbitFixture } from './rabbitmq.test';
import { api, scriptPrompts as script } from './util';

export function registerRabbitmqInteractiveTests(): void {
  let fixture: RabbitFixture | undefined;

  /** The tree node of a queue in the fixture's vhost (a context-menu call passes it). */
  async function queueNode(name: string): Promise<TreeNode> {
    const fx = fixture as RabbitFixture;
    const tree = (await api()).rabbitTree;
    await tree.children(undefined);
    const profile = tree.profileNode(fx.profile) as TreeNode;
    await fx.run('filter', { kind: 'vhosts', filter: fx.vhost });
    // The filter leaves the profile's "Users" folder and the fixture's vhost.
    const vhost = (await tree.children(profile)).at(-1) as TreeNode;
    const [, queues] = await tree.children(vhost);
    tree.refresh(queues);
    for (const n of await tree.children(queues)) {
      const label = (await tree.treeItem(n)).label;
      if (label === name) return n;
    }
    throw new Error(`no queue node "${name}"`);
  }

  describe('RabbitMQ palette flows (scripted prompts)', () => {
    const fx = new RabbitFixture();
    fixture = fx;
    before(() => fx.setup());
    after(() => fx.teardown());

    it('declares a quorum queue with typed arguments, asking each in turn', async () => {
      const s = await script([fx.profile, fx.vhost, 'orders', 'quorum', '60000', 'dlx', '', '100', '']);
      try {
        const result = await vscode.commands.executeCommand('brokerExplorer.rabbitmq.declareQueue');
        assert.deepEqual(result, { queue: 'orders', messageCount: 0, consumerCount: 0 });
      } finally {
        s.restore();
      }
      const page = await fx.run<{ items: { name: string; type: string; arguments: Record<string, unknown> }[] }>('list', {
        kind: 'queues',
      });
      assert.deepEqual(
        page.items.map((q) => [q.name, q.type, q.arguments]),
        [['orders', 'quorum', { 'x-dead-letter-exchange': 'dlx', 'x-max-length': 100, 'x-message-ttl': 60000, 'x-queue-type': 'quorum' }]],
      );
    });

    it('Move Messages… from a queue node asks for the target queue and a count, then moves that many', async () => {
      await fx.run('declareQueue', { name: 'mv.src', durable: false });
      await fx.run('declareQueue', { name: 'mv.dst', durable: false });
      for (let i = 0; i < 4; i++) await fx.run('publish', { exchange: '', routingKey: 'mv.src', body: `m${i}` });
      const node = await queueNode('mv.src');
      const s = await script(['To another queue', 'mv.dst', '3']);
      let result: unknown;
      try {
        result = await vscode.commands.executeCommand('brokerExplorer.rabbitmq.moveMessages', node);
      } finally {
        s.restore();
      }
      assert.deepEqual(s.asked.slice(0, 2), [
        `pick: Move messages of queue "mv.src" in vhost "${fx.vhost}" of "${fx.profile}"`,
        'pick: Move to which queue?',
      ]);
      assert.match(s.asked[2] ?? '', /^input: How many messages\? Leave empty for all/);
      const r = result as { moved: number; kept: number };
      assert.deepEqual([r.moved, r.kept], [3, 1]);
      assert.equal(await fx.depth('mv.dst', { durable: false }), 3);
    });

    it('Set Policy… asks for each part and refuses a definition with an unknown key while it is typed', async () => {
      const bad = await script([fx.profile, fx.vhost, '$(add) New policy…', 'Policy', 'cap', '^mv\\.', 'queues', '{ "max-lenght": 5 }']);
      try {
        // The input box refuses the text (the scripted box throws the validator's sentence): the command ends, nothing is set.
        assert.equal(await vscode.commands.executeCommand('brokerExplorer.rabbitmq.setPolicy'), undefined);
        assert.equal(bad.asked.at(-1), 'input: Definition (JSON)');
        assert.equal((await fx.run<{ total: number }>('list', { kind: 'policies' })).total, 0);
      } finally {
        bad.restore();
      }
      const good = await script([
        fx.profile,
        fx.vhost,
        '$(add) New policy…',
        'Policy',
        'cap',
        '^mv\\.',
        'queues',
        '{ "max-length": 5 }',
        '1',
      ]);
      try {
        await vscode.commands.executeCommand('brokerExplorer.rabbitmq.setPolicy');
      } finally {
        good.restore();
      }
      const policies = await fx.run<{ items: { name: string; pattern: string; definition: unknown; priority: number }[] }>('list', {
        kind: 'policies',
      });
      assert.deepEqual(
        policies.items.map((p) => [p.name, p.pattern, p.definition, p.priority]),
        [['cap', '^mv\\.', { 'max-length': 5 }, 1]],
      );
      await fx.run('deletePolicy', { name: 'cap' });
    });

    it('a dismissed prompt cancels silently and changes nothing', async () => {
      const s = await script([fx.profile, fx.vhost, undefined]);
      try {
        assert.equal(await vscode.commands.executeCommand('brokerExplorer.rabbitmq.declareQueue'), undefined);
      } finally {
        s.restore();
      }
    });

    it('purge and delete from a queue node ask first, naming the queue and its message count; "no" keeps everything', async () => {
      await fx.run('declareQueue', { name: 'work', durable: false });
      for (let i = 0; i < 3; i++) await fx.run('publish', { exchange: '', routingKey: 'work', body: `m${i}` });
      const node = await queueNode('work');
      const refuse = await script([undefined]);
      try {
        assert.equal(await vscode.commands.executeCommand('brokerExplorer.rabbitmq.purgeQueue', node), undefined);
      } finally {
        refuse.restore();
      }
      assert.match(refuse.asked[0] ?? '', /^confirm: Purge queue "work" in vhost ".*" of ".*": delete its 3 ready messages\?$/);
      assert.equal(await fx.depth('work', { durable: false }), 3);
      const accept = await script(['Delete']);
      try {
        assert.deepEqual(await vscode.commands.executeCommand('brokerExplorer.rabbitmq.deleteQueue', node), { messageCount: 3 });
      } finally {
        accept.restore();
      }
      assert.match(accept.asked[0] ?? '', /^confirm: Delete queue "work" .* and its 3 ready messages\?$/);
    });

    it('publishes from a queue node with the body typed and properties picked', async () => {
      await fx.run('declareQueue', { name: 'inbox', durable: false });
      const node = await queueNode('inbox');
      const s = await script([
        'Quick (one line)',
        'Type it',
        '{"hello":"world"}',
        ['Persistent', 'Mandatory'],
        'application/json',
        '{ "headers": { "x-try": 2 }, "correlationId": "c-1" }',
      ]);
      try {
        assert.deepEqual(await vscode.commands.executeCommand('brokerExplorer.rabbitmq.publish', node), { confirmed: true, routed: true });
      } finally {
        s.restore();
      }
      const peeked = await fx.run<{ messages: { body: unknown; properties: Record<string, unknown> }[] }>('peek', {
        queue: 'inbox',
        count: 1,
      });
      assert.deepEqual(
        peeked.messages.map((m) => [m.body, m.properties]),
        [['{"hello":"world"}', { contentType: 'application/json', correlationId: 'c-1', deliveryMode: 2, headers: { 'x-try': 2 } }]],
      );
    });
  });
}
