/**
 * A RabbitMQ profile with several URLs in the extension host: the first URL
 * (and management URL) is a closed port, so every call has to go on to the
 * second, the shared broker; the profile shows a "Nodes" folder and
 * `brokerExplorer.rabbitmq.list` answers kind "nodes".
 */
import assert from 'node:assert/strict';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { api, exec, freePort, outputChannelText, rabbitMgmt as mgmt, RABBIT_MANAGEMENT, uniqueName, waitFor } from './util';

interface NodeItem {
  name: string;
  running: boolean;
  memoryAlarm: boolean;
  diskFreeAlarm: boolean;
  partitions: string[];
}

export function registerRabbitmqClusterTests(): void {
  describe('RabbitMQ profile with several URLs (first one down)', () => {
    const vhost = `be-ext/${uniqueName('cluster')}`;
    const profile = uniqueName('rabbit-cluster');
    const run = <T>(verb: string, args: Record<string, unknown> = {}): Promise<T> =>
      exec<T>(`brokerExplorer.rabbitmq.${verb}`, { profile, ...args });

    before(async () => {
      const v = encodeURIComponent(vhost);
      await mgmt('PUT', `/api/vhosts/${v}`, { description: 'Broker Explorer extension-host test' });
      await mgmt('PUT', `/api/permissions/${v}/guest`, { configure: '.*', write: '.*', read: '.*' });
      const closed = await freePort();
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: {
          name: profile,
          urls: [`amqp://guest@127.0.0.1:${closed}/${v}`, `amqp://guest@127.0.0.1:5672/${v}`],
          managementUrls: [`http://127.0.0.1:${closed}`, RABBIT_MANAGEMENT],
          connectTimeoutMs: 5000,
        },
        password: 'guest',
      });
    });

    after(async () => {
      await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name: profile });
      await mgmt('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
    });

    it('lists kind "nodes" through the second management URL: the broker node, running, no alarms', async () => {
      const page = await run<{ items: NodeItem[]; total: number }>('list', { kind: 'nodes' });
      assert.equal(page.total, 1);
      const [node] = page.items;
      assert.match(node.name, /@/);
      assert.equal(node.running, true);
      assert.equal(node.memoryAlarm, false);
      assert.equal(node.diskFreeAlarm, false);
      assert.deepEqual(node.partitions, []);
    });

    it('declares and publishes over AMQP through the second URL', async () => {
      await run('declareQueue', { name: 'cluster_q' });
      const result = await run<{ confirmed: boolean; routed: boolean }>('publish', { exchange: '', routingKey: 'cluster_q', body: 'hi' });
      assert.deepEqual(result, { confirmed: true, routed: true });
    });

    it("a tail's output channel names the node it is bound on", async () => {
      await run('declareExchange', { name: 'cluster_x', type: 'topic' });
      const tail = await run<{ id: string }>('tail', { exchange: 'cluster_x', bindingKeys: ['#'], keep: true });
      try {
        await waitFor(
          'the bound line',
          async () => /bound queue \S+ on node 127\.0\.0\.1:5672;/.test(await outputChannelText('cluster_x')) || undefined,
        );
      } finally {
        await exec('brokerExplorer.tails.stop', { id: tail.id });
      }
    });

    it('a quorum queue in the tree shows its leader', async () => {
      await run('declareQueue', { name: 'cluster_quorum', arguments: { 'x-queue-type': 'quorum' } });
      const a = await api();
      await a.rabbitTree.children(undefined);
      await run('filter', { kind: 'vhosts', filter: vhost });
      await a.rabbitTree.children(a.rabbitTree.profileNode(profile));
      const vhostNode = a.rabbitTree.vhostNode(profile, vhost);
      assert.ok(vhostNode, 'the vhost is listed under the filtered profile');
      const queues = vhostNode.folder('queues');
      const description = await waitFor('the leader in the description', async () => {
        a.rabbitTree.refresh(queues);
        for (const q of await a.rabbitTree.children(queues)) {
          const item = await a.rabbitTree.treeItem(q);
          if (item.label === 'cluster_quorum' && / · leader \S+@\S+$/.test(String(item.description))) return String(item.description);
        }
        return undefined;
      });
      assert.match(description, /^quorum · /);
    });

    it('shows a "Nodes" folder under the profile, each node running with its uptime', async () => {
      const a = await api();
      await a.rabbitTree.children(undefined);
      const profileNode = a.rabbitTree.profileNode(profile) as TreeNode;
      const kids = await a.rabbitTree.children(profileNode);
      const contexts = await Promise.all(kids.map(async (k) => (await a.rabbitTree.treeItem(k)).contextValue ?? ''));
      const folder = kids[contexts.indexOf('be:rabbitmq:nodes')];
      assert.ok(folder, `a Nodes folder among ${contexts.join(', ')}`);
      const nodes = await a.rabbitTree.children(folder);
      assert.equal(nodes.length, 1);
      const item = await a.rabbitTree.treeItem(nodes[0]);
      assert.equal(item.contextValue, 'be:rabbitmq:node');
      assert.match(String(item.description), /^running( · up .+)?$/);
    });
  });
}
