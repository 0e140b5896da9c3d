/**
 * The RabbitMQ tree in the extension host: profile → vhost → Exchanges /
 * Queues → items → bindings, paged by brokerExplorer.rabbitmq.pageSize,
 * filtered, refreshed after commands. Node kinds are told apart by their
 * contextValue (the test bundle has its own copies of the classes).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { RabbitFixture } from './rabbitmq.test';
import { api, exec, sleep, waitFor } from './util';

async function item(node: TreeNode): Promise<vscode.TreeItem> {
  return (await api()).rabbitTree.treeItem(node);
}

async function label(node: TreeNode): Promise<string> {
  const l = (await item(node)).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

async function context(node: TreeNode): Promise<string> {
  return (await item(node)).contextValue ?? '';
}

async function children(node?: TreeNode): Promise<TreeNode[]> {
  return (await api()).rabbitTree.children(node);
}

async function only(nodes: TreeNode[], pattern: RegExp): Promise<TreeNode[]> {
  const out: TreeNode[] = [];
  for (const n of nodes) if (pattern.test(await context(n))) out.push(n);
  return out;
}

/** Clicks "Load more…" until the list is whole; returns the final children. */
async function loadAll(node: TreeNode): Promise<TreeNode[]> {
  let kids = await children(node);
  for (let guard = 0; guard < 50; guard++) {
    const [more] = await only(kids, /^be:loadMore$/);
    if (!more) return kids;
    await exec('brokerExplorer.loadMore', more);
    kids = await children(node);
  }
  throw new Error('paging does not end');
}

async function byLabel(nodes: TreeNode[], text: string): Promise<TreeNode> {
  for (const n of nodes) if ((await label(n)) === text) return n;
  throw new Error(`no node "${text}" among ${(await Promise.all(nodes.map(label))).join(', ')}`);
}

export function registerRabbitmqTreeTests(): void {
  describe('RabbitMQ tree (a vhost of its own)', () => {
    const fx = new RabbitFixture();
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('brokerExplorer');
    let vhostNode: TreeNode;

    before(async () => {
      await fx.setup();
      await config().update('rabbitmq.pageSize', 5, vscode.ConfigurationTarget.Global);
      for (let i = 0; i < 12; i++) await fx.run('declareQueue', { name: `t-${String(i).padStart(2, '0')}`, durable: false });
      await fx.run('declareExchange', { name: 'tree_x', type: 'topic' });
      await fx.run('bind', { source: 'tree_x', destination: 't-00', destinationType: 'queue', routingKey: 'a.*' });
      await fx.run('bind', { source: 'tree_x', destination: 't-01', destinationType: 'queue', routingKey: 'b.#' });
    });

    after(async () => {
      await config().update('rabbitmq.pageSize', undefined, vscode.ConfigurationTarget.Global);
      await fx.teardown();
    });

    async function folder(kind: 'Exchanges' | 'Queues'): Promise<TreeNode> {
      return byLabel(await children(vhostNode), kind);
    }

    it('shows the profile with its vhosts, paged, and a vhost filter that finds the test vhost', async () => {
      const a = await api();
      await children(undefined);
      const profile = a.rabbitTree.profileNode(fx.profile);
      assert.ok(profile, 'profile node');
      assert.equal(await context(profile), 'be:rabbitmq:profile');
      assert.equal((await item(profile)).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
      const page = await children(profile);
      const vhosts = await only(page, /^be:rabbitmq:vhost(\+|$)/);
      assert.ok(vhosts.length >= 1 && vhosts.length <= 5, `${vhosts.length} vhosts on the first page`);
      assert.deepEqual(await fx.run('filter', { kind: 'vhosts', filter: fx.vhost }), { filter: fx.vhost, regex: false });
      // The profile's "Users" folder comes first, then the vhosts the filter lets through.
      const filtered = await children(profile);
      assert.deepEqual(await Promise.all(filtered.map(label)), ['Users', fx.vhost]);
      vhostNode = filtered[1];
      assert.equal(await context(vhostNode), 'be:rabbitmq:vhost');
      assert.match(String((await item(vhostNode)).description), /^default/);
      assert.match(String((await item(profile)).description), /filter: "be-ext\//);
    });

    it('splits a vhost into Exchanges and Queues, pages them by name and marks the built-in exchanges', async () => {
      const kids = await children(vhostNode);
      assert.deepEqual(await Promise.all(kids.map(label)), ['Exchanges', 'Queues', 'Activity']);
      assert.deepEqual(await Promise.all(kids.map(context)), ['be:rabbitmq:exchanges', 'be:rabbitmq:queues', 'be:rabbitmq:activity']);
      const exchanges = await folder('Exchanges');
      const first = await children(exchanges);
      assert.deepEqual(await Promise.all(first.map(context)), [...Array<string>(5).fill('be:rabbitmq:exchange+builtin'), 'be:loadMore']);
      const all = await loadAll(exchanges);
      assert.deepEqual(await Promise.all(all.map(label)), [
        '(AMQP default)',
        'amq.direct',
        'amq.fanout',
        'amq.headers',
        'amq.match',
        'amq.rabbitmq.trace',
        'amq.topic',
        'tree_x',
      ]);
      const mine = await byLabel(all, 'tree_x');
      assert.equal(await context(mine), 'be:rabbitmq:exchange');
      assert.equal((await item(mine)).description, 'topic · D');
      assert.match(String((await item(await byLabel(all, 'amq.topic'))).description), /^topic · D · built-in$/);
      assert.equal((await item(exchanges)).description, '8');

      const queues = await loadAll(await folder('Queues'));
      assert.deepEqual(
        await Promise.all(queues.map(label)),
        Array.from({ length: 12 }, (_, i) => `t-${String(i).padStart(2, '0')}`),
      );
      assert.match(await context(queues[0]), /^be:rabbitmq:queue\+classic$/);
      assert.match(String((await item(queues[0])).description), /^classic · (\d+|\?) ready · (\d+|\?) unacked · (\d+|\?) consumers$/);
    });

    it('filters a folder by substring and by regex, shows a bad regex as an error node, and clears the filter', async () => {
      const queues = await folder('Queues');
      await fx.run('filter', { vhost: fx.vhost, kind: 'queues', filter: 't-1' });
      assert.deepEqual(await Promise.all((await children(queues)).map(label)), ['t-10', 't-11']);
      assert.equal(await context(queues), 'be:rabbitmq:queues+filtered');
      await fx.run('filter', { vhost: fx.vhost, kind: 'queues', filter: '^t-0[2-4]$', regex: true });
      assert.deepEqual(await Promise.all((await children(queues)).map(label)), ['t-02', 't-03', 't-04']);
      await fx.run('filter', { vhost: fx.vhost, kind: 'queues', filter: 'nothing-like-this' });
      const empty = await children(queues);
      assert.deepEqual(await Promise.all(empty.map(context)), ['be:message']);
      assert.equal(await label(empty[0]), 'No queues match the filter.');
      await fx.run('filter', { vhost: fx.vhost, kind: 'queues', filter: '(', regex: true });
      const [error] = await children(queues);
      assert.equal(await context(error), 'be:error');
      assert.match(await label(error), /not a regular expression/);
      await fx.run('clearFilter', { vhost: fx.vhost, kind: 'queues' });
      assert.equal(await context(queues), 'be:rabbitmq:queues');
      const back = await children(queues);
      assert.equal((await only(back, /^be:rabbitmq:queue\+/)).length, 5);
    });

    it("Activity lists the vhost's connections, channels, consumers and policies, and the whole broker's", async () => {
      const ch = await (await fx.raw()).createChannel();
      await ch.assertQueue('act.q');
      await ch.prefetch(4);
      await ch.consume('act.q', () => undefined, { consumerTag: 'act-tag' });
      await fx.run('setPolicy', { name: 'act-cap', pattern: '^act\\.', applyTo: 'queues', definition: { 'max-length': 10 } });
      const activity = await byLabel(await children(vhostNode), 'Activity');
      const lists = await children(activity);
      assert.deepEqual(await Promise.all(lists.map(label)), ['Connections', 'Channels', 'Consumers', 'Policies', 'Whole Broker']);
      const consumers = await waitFor(
        'the consumer in the tree',
        async () => {
          (await api()).rabbitTree.refresh(lists[2]);
          const kids = await children(lists[2]);
          return kids.length > 0 && (await label(kids[0])) === 'act-tag' ? kids : undefined;
        },
        20_000,
      );
      assert.match(String((await item(consumers[0])).description), /^queue act\.q · prefetch 4/);
      const connections = await children(lists[0]);
      assert.equal(await context(connections[0]), 'be:rabbitmq:connection');
      const policies = await children(lists[3]);
      assert.deepEqual(await Promise.all(policies.map(label)), ['act-cap']);
      assert.equal(await context(policies[0]), 'be:rabbitmq:policy');
      const broker = await children(lists[4]);
      assert.deepEqual(await Promise.all(broker.map(label)), ['Connections', 'Channels', 'Consumers']);
      await fx.run('deletePolicy', { name: 'act-cap' });
      await ch.close();
      await fx.run('deleteQueue', { name: 'act.q' });
    });

    it('lists the bindings of an exchange and of a queue on expand', async () => {
      const x = await byLabel(await loadAll(await folder('Exchanges')), 'tree_x');
      const xb = await children(x);
      assert.deepEqual(await Promise.all(xb.map(label)), ['→ t-00', '→ t-01']);
      assert.deepEqual(await Promise.all(xb.map(async (n) => (await item(n)).description)), ['a.*', 'b.#']);
      assert.deepEqual(await Promise.all(xb.map(context)), ['be:rabbitmq:binding', 'be:rabbitmq:binding']);
      const q = await byLabel(await loadAll(await folder('Queues')), 't-00');
      const qb = await children(q);
      assert.deepEqual(await Promise.all(qb.map(label)), ['← (AMQP default)', '← tree_x']);
      assert.deepEqual(await Promise.all(qb.map(context)), ['be:rabbitmq:binding+builtin', 'be:rabbitmq:binding']);
    });

    it('reloads the affected folder after a command changes the broker', async () => {
      const queues = await folder('Queues');
      assert.equal((await only(await loadAll(queues), /^be:rabbitmq:queue\+/)).length, 12);
      await fx.run('declareQueue', { name: 't-12', durable: false });
      const after = await loadAll(queues);
      assert.ok((await Promise.all(after.map(label))).includes('t-12'));
      await fx.run('deleteQueue', { name: 't-12' });
      assert.ok(!(await Promise.all((await loadAll(queues)).map(label))).includes('t-12'));
      const x = await byLabel(await loadAll(await folder('Exchanges')), 'tree_x');
      await fx.run('unbind', { source: 'tree_x', destination: 't-01', destinationType: 'queue', routingKey: 'b.#' });
      const again = await byLabel(await loadAll(await folder('Exchanges')), 'tree_x');
      assert.equal(again, x, 'item nodes are kept across refreshes');
      assert.deepEqual(await Promise.all((await children(again)).map(label)), ['→ t-00']);
    });

    it('refreshes itself every refreshIntervalSeconds while the view is visible, and not when it is 0', async () => {
      const a = await api();
      await vscode.commands.executeCommand('brokerExplorer.rabbitmq.focus');
      let fired = 0;
      const sub = a.rabbitTree.onDidChangeTreeData((node) => {
        if (node === undefined) fired++;
      });
      try {
        await config().update('rabbitmq.refreshIntervalSeconds', 2, vscode.ConfigurationTarget.Global);
        const started = Date.now();
        while (fired === 0 && Date.now() - started < 6_000) await sleep(100);
        assert.ok(fired > 0, 'a whole-tree refresh within 6 s');
        await config().update('rabbitmq.refreshIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
        fired = 0;
        await sleep(2_500);
        assert.equal(fired, 0);
      } finally {
        sub.dispose();
        await config().update('rabbitmq.refreshIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    it('lists a running tail under the profile with a count, and drops it when stopped', async () => {
      const a = await api();
      const profile = a.rabbitTree.profileNode(fx.profile) as TreeNode;
      const tail = await fx.run<{ id: string }>('tail', { exchange: 'tree_x', bindingKeys: ['#'], keep: true });
      await fx.run('publish', { exchange: 'tree_x', routingKey: 'a.b', body: 'hi' });
      const [running] = await children(profile);
      assert.equal(await context(running), 'be:tails');
      const [tailNode] = await children(running);
      assert.equal(await context(tailNode), 'be:tail:rabbitmq');
      assert.equal(await label(tailNode), 'tree_x #');
      await exec('brokerExplorer.tails.stop', { id: tail.id });
      assert.deepEqual(await Promise.all((await children(profile)).map(context)), ['be:rabbitmq:users', 'be:rabbitmq:vhost']);
    });
  });
}
