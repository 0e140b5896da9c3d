/**
 * The RabbitMQ tree's daily-use polish (issue 16): Copy Name on every item,
 * message rates in the descriptions, and dragging a queue onto an exchange
 * to bind it.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { RabbitFixture } from './rabbitmq.test';
import { api, rabbitMgmtJson, scriptPrompts, waitFor } from './util';

async function item(node: TreeNode): Promise<vscode.TreeItem> {
  return (await api()).rabbitTree.treeItem(node);
}

async function label(node: TreeNode): Promise<string> {
  const l = (await item(node)).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

async function children(node?: TreeNode): Promise<TreeNode[]> {
  return (await api()).rabbitTree.children(node);
}

async function byLabel(nodes: TreeNode[], text: string): Promise<TreeNode> {
  for (const n of nodes) if ((await label(n)) === text) return n;
  throw new Error(`no node "${text}" among ${(await Promise.all(nodes.map(label))).join(', ')}`);
}

export function registerTreesRabbitTests(): void {
  describe('Trees: RabbitMQ copy name, rates, drag a queue onto an exchange', () => {
    const fx = new RabbitFixture();
    let vhost: TreeNode;

    before(async () => {
      await fx.setup();
      await fx.run('declareExchange', { name: 'trees_x', type: 'direct' });
      await fx.run('declareQueue', { name: 'trees-q1', durable: false });
      await fx.run('declareQueue', { name: 'trees-q2', durable: false });
      const a = await api();
      await a.rabbitTree.children(undefined);
      const profile = a.rabbitTree.profileNode(fx.profile);
      assert.ok(profile);
      vhost = await byLabel(await children(profile), fx.vhost);
    });

    after(() => fx.teardown());

    async function folder(kind: 'Exchanges' | 'Queues'): Promise<TreeNode> {
      const f = await byLabel(await children(vhost), kind);
      (await api()).rabbitTree.refresh(f);
      return f;
    }

    it('dropping two queues on a direct exchange asks one routing key and binds both', async () => {
      const queues = await children(await folder('Queues'));
      const q1 = await byLabel(queues, 'trees-q1');
      const q2 = await byLabel(queues, 'trees-q2');
      const exchange = await byLabel(await children(await folder('Exchanges')), 'trees_x');
      const a = await api();
      const data = new vscode.DataTransfer();
      a.drops.rabbit.handleDrag([q1, q2], data);
      const s = await scriptPrompts(['orders']);
      try {
        const result = await a.drops.rabbit.dropData(exchange, data);
        assert.deepEqual(result, { done: 2, skipped: [] });
      } finally {
        s.restore();
      }
      assert.deepEqual(s.asked, ['input: Bind 2 queues to direct exchange "trees_x": routing key']);
      const bindings = await rabbitMgmtJson<{ destination: string; routing_key: string }[]>(
        `/api/exchanges/${encodeURIComponent(fx.vhost)}/trees_x/bindings/source`,
      );
      assert.deepEqual(bindings.map((b) => `${b.destination} ${b.routing_key}`).sort(), ['trees-q1 orders', 'trees-q2 orders']);
    });

    it('dropping a queue on the default exchange is refused in one sentence and binds nothing', async () => {
      const q1 = await byLabel(await children(await folder('Queues')), 'trees-q1');
      const def = await byLabel(await children(await folder('Exchanges')), '(AMQP default)');
      const a = await api();
      const data = new vscode.DataTransfer();
      a.drops.rabbit.handleDrag([q1], data);
      await assert.rejects(a.drops.rabbit.dropData(def, data), /bound to the default exchange already/);
    });

    it('Copy Name works on a vhost, a binding and a queue multi-selection', async () => {
      const copied = await vscode.commands.executeCommand<{ name: string }>('brokerExplorer.rabbitmq.copyName', vhost);
      assert.equal(copied.name, fx.vhost);
      const queues = await children(await folder('Queues'));
      const q1 = await byLabel(queues, 'trees-q1');
      const q2 = await byLabel(queues, 'trees-q2');
      const both = await vscode.commands.executeCommand<{ name: string }>('brokerExplorer.rabbitmq.copyName', q2, [q1, q2]);
      assert.deepEqual(both.name.split('\n'), ['trees-q2', 'trees-q1']);
      assert.equal(await vscode.env.clipboard.readText(), 'trees-q2\ntrees-q1');
      const [binding] = await children(await byLabel(await children(await folder('Exchanges')), 'trees_x'));
      const key = await vscode.commands.executeCommand<{ name: string }>('brokerExplorer.rabbitmq.copyName', binding);
      assert.equal(key.name, 'orders');
    });

    it('a queue with traffic shows its message rates in the description once the broker has sampled them', async () => {
      const conn = await fx.raw();
      const ch = await conn.createChannel();
      await ch.consume('trees-q1', (m) => m && ch.ack(m));
      const timer = setInterval(() => ch.publish('trees_x', 'orders', Buffer.from('x')), 20);
      try {
        const description = await waitFor(
          'rates in the queue description',
          async () => {
            const q1 = await byLabel(await children(await folder('Queues')), 'trees-q1');
            const d = String((await item(q1)).description ?? '');
            return /in \d+(\.\d)?\/s/.test(d) && /out \d+(\.\d)?\/s/.test(d) ? d : undefined;
          },
          30_000,
        );
        assert.match(description, /ack \d+(\.\d)?\/s/);
        const x = await byLabel(await children(await folder('Exchanges')), 'trees_x');
        const tip = (await item(x)).tooltip;
        assert.match(typeof tip === 'string' ? tip : (tip?.value ?? ''), /rates: in \d/);
      } finally {
        clearInterval(timer);
        await ch.close();
      }
    });
  });
}
