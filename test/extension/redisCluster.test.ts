/**
 * Redis Cluster through the extension: a cluster profile of the test's own
 * (3 primaries + 3 replicas from test/topology), runCommand routed by slot
 * with `node` for keyless commands, runPipeline grouped per node and
 * refused across slots, the nodes API, the tree's Nodes folder, FLUSHDB on
 * every primary, and the console printing the MOVED it followed.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { keySlot } from '../../src/core/redis/hashSlot';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { RedisClusterTopology, redisCli } from '../topology/redisTopology';
import { api, contextOf, exec, plainText, rejects, scriptPrompts, uniqueName, waitFor, type Answer } from './util';

interface NodesResult {
  mode: string;
  nodes: { id?: string; address: string; role: string; primary?: string; slots?: [number, number][]; connected: boolean; keys?: number }[];
}

const portOf = (address: string): string => address.split(':').pop() ?? '';

/** Moves an empty slot to another primary the official way (IMPORTING / MIGRATING, then NODE everywhere). */
async function moveEmptySlot(topology: RedisClusterTopology, slot: number, from: string, to: string): Promise<void> {
  const id = async (address: string): Promise<string> => (await redisCli(['-p', portOf(address), 'CLUSTER', 'MYID'])).trim();
  const [fromId, toId] = [await id(from), await id(to)];
  await redisCli(['-p', portOf(to), 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', fromId]);
  await redisCli(['-p', portOf(from), 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', toId]);
  await redisCli(['-p', portOf(to), 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId]);
  await redisCli(['-p', portOf(from), 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId]);
  for (const n of topology.nodes) await redisCli(['-p', String(n.port), 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId]).catch(() => '');
}

export function registerRedisClusterTests(): void {
  describe("Redis Cluster profile (a cluster of the test's own)", function () {
    this.timeout(120_000);
    const name = uniqueName('cluster');
    let topology: RedisClusterTopology;
    let primaries: string[] = [];

    before(async () => {
      topology = await RedisClusterTopology.start();
      primaries = (await topology.roles()).primaries.map((p) => `${p.host}:${p.port}`).sort();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, mode: 'cluster', nodes: topology.nodes } });
    });
    after(async () => {
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name }).catch(() => undefined);
      await topology?.stop();
    });

    it('runCommand routes by key slot; a keyless command needs "node", and "all" answers per primary', async () => {
      for (const key of ['c:a', 'c:b', 'c:c', 'c:d'])
        assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['SET', key, key] }), 'OK');
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, line: 'GET c:c' }), 'c:c');
      await rejects(
        exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['DBSIZE'] }),
        /DBSIZE has no key to route by on Redis Cluster profile ".*": give "node"/,
      );
      const all = await exec<Record<string, number>>('brokerExplorer.redis.runCommand', { profile: name, argv: ['DBSIZE'], node: 'all' });
      assert.deepEqual(Object.keys(all).sort(), primaries);
      assert.equal(
        Object.values(all).reduce((s, n) => s + n, 0),
        4,
      );
      const one = await exec<number>('brokerExplorer.redis.runCommand', { profile: name, argv: ['DBSIZE'], node: primaries[0] });
      assert.equal(one, all[primaries[0]]);
      await rejects(
        exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['GET', 'c:a'], db: 3 }),
        /Redis Cluster: database 0 only/,
      );
    });

    it('runPipeline spans slots per node, and refuses CROSSSLOT before anything runs', async () => {
      const replies = await exec<unknown[]>('brokerExplorer.redis.runPipeline', {
        profile: name,
        commands: [
          ['SET', 'p:1', 'one'],
          ['SET', 'p:2', 'two'],
          ['MGET', '{p}a', '{p}b'],
          ['GET', 'p:1'],
          ['GET', 'p:2'],
        ],
      });
      assert.deepEqual(replies, ['OK', 'OK', [null, null], 'one', 'two']);
      await rejects(
        exec('brokerExplorer.redis.runPipeline', {
          profile: name,
          commands: [
            ['SET', 'p:x', '1'],
            ['MSET', 'p:y', '1', 'p:z', '2'],
          ],
        }),
        /^Line 2: CROSSSLOT: MSET uses keys in different hash slots .*hash tag/,
      );
      await rejects(
        exec('brokerExplorer.redis.runPipeline', {
          profile: name,
          commands: [
            ['SET', 'p:x', '1'],
            ['SET', 'p:y', '1'],
          ],
          transaction: true,
        }),
        /CROSSSLOT: this transaction/,
      );
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['EXISTS', 'p:x', '{p:x}'] }), 0, 'nothing ran');
      const tx = await exec<unknown[]>('brokerExplorer.redis.runPipeline', {
        profile: name,
        commands: [
          ['SET', '{t}a', '1'],
          ['INCR', '{t}a'],
        ],
        transaction: true,
      });
      assert.deepEqual(tx, ['OK', 2]);
    });

    it('the nodes API lists 3 primaries with all 16,384 slots and 3 replicas, with figures', async () => {
      const result = await exec<NodesResult>('brokerExplorer.redis.nodes', { profile: name });
      assert.equal(result.mode, 'cluster');
      const p = result.nodes.filter((n) => n.role === 'primary');
      const r = result.nodes.filter((n) => n.role === 'replica');
      assert.deepEqual(
        p.map((n) => n.address),
        primaries,
      );
      assert.equal(r.length, 3);
      assert.equal(
        p.flatMap((n) => n.slots ?? []).reduce((s, [a, b]) => s + b - a + 1, 0),
        16_384,
      );
      assert.ok(r.every((n) => primaries.includes(n.primary ?? '') && n.connected));
      assert.ok(p.reduce((s, n) => s + (n.keys ?? 0), 0) >= 6);
    });

    it('the tree shows a Nodes folder with primaries and replicas, their slots, link and keys', async () => {
      const a = await api();
      await a.redisTree.children();
      const profileNode = a.redisTree.profileNode(name);
      assert.ok(profileNode);
      const profileItem = await a.redisTree.treeItem(profileNode);
      assert.match(String(profileItem.contextValue), /^be:redis:profile\+cluster$/);
      const children = await a.redisTree.children(profileNode);
      const kinds = await Promise.all(children.map((c) => contextOf(c)));
      const folder = children[kinds.indexOf('be:redis:nodes')] as TreeNode | undefined;
      assert.ok(folder, `a Nodes folder among ${kinds.join(', ')}`);
      assert.ok(!kinds.includes('be:redis:db'), 'no database level on a cluster');
      const servers = await a.redisTree.children(folder);
      const items = await Promise.all(servers.map(async (s) => a.redisTree.treeItem(s)));
      assert.deepEqual(
        items.slice(0, 3).map((i) => i.label),
        primaries,
      );
      for (const i of items.slice(0, 3))
        assert.match(String(i.description), /^primary · slots \d+-\d+ · connected · [\d.]+ (B|KiB|MiB|GiB) · [\d,]+ keys?$/);
      for (const i of items.slice(3)) assert.match(String(i.description), /^replica · of 127\.0\.0\.1:\d+ · connected · /);
      const folderItem = await a.redisTree.treeItem(folder);
      assert.match(String(folderItem.description), /^3 primary · 3 replica · [\d,]+ keys$/);
    });

    it("a key's tooltip shows its hash slot and the node serving it", async () => {
      const a = await api();
      const profileNode = a.redisTree.profileNode(name);
      assert.ok(profileNode);
      profileNode.database(0).reset();
      const children = await a.redisTree.children(profileNode);
      const strings = children.find((c) => (c as { type?: string }).type === 'string');
      assert.ok(strings, 'a string group');
      const keys = await a.redisTree.children(strings);
      const keyNode = keys.find((k) => (k as { key?: Buffer }).key !== undefined) as (TreeNode & { key: Buffer }) | undefined;
      assert.ok(keyNode, 'a key node');
      const resolved = await keyNode.resolveTooltip?.();
      const tooltip = typeof resolved === 'string' ? resolved : (resolved?.value ?? '');
      const slot = keySlot(keyNode.key);
      const owner = (await exec<NodesResult>('brokerExplorer.redis.nodes', { profile: name })).nodes.find(
        (n) => n.role === 'primary' && (n.slots ?? []).some(([x, y]) => slot >= x && slot <= y),
      );
      assert.ok(tooltip.includes(`**hash slot** ${slot} · **node** ${owner?.address ?? '?'}`), tooltip);
    });

    it('the console follows a MOVED and shows it like redis-cli -c', async () => {
      const { id } = await exec<{ id: string }>('brokerExplorer.redis.openConsole', { profile: name });
      const pty = (await api()).redisConsoles.get(id)?.pty;
      assert.ok(pty);
      const prompt = `${name}[0]> `;
      try {
        await waitFor('the first prompt', () => (pty.transcript.includes(prompt) ? true : undefined));
        const run = async (line: string): Promise<string> => {
          const start = pty.transcript.length;
          pty.handleInput(`${line}\r`);
          return waitFor(`the reply to ${line}`, () => {
            const out = pty.transcript.slice(start);
            return out.endsWith(prompt) && out.lastIndexOf(prompt) > 0 ? plainText(out) : undefined;
          });
        };
        assert.match(await run('SET m:warm 1'), /OK/);
        const key = 'moving:{m7}';
        const slot = keySlot(key);
        const nodes = await exec<NodesResult>('brokerExplorer.redis.nodes', { profile: name });
        const from =
          nodes.nodes.find((n) => n.role === 'primary' && (n.slots ?? []).some(([a, b]) => slot >= a && slot <= b))?.address ?? '';
        const to = primaries.find((p) => p !== from) ?? '';
        await moveEmptySlot(topology, slot, from, to);
        const out = await run(`SET ${key} here`);
        assert.match(out, new RegExp(`-> Redirected to slot \\[${slot}\\] located at ${to.replace(/\./g, '\\.')}\\n`));
        assert.match(out, /OK/);
        assert.equal((await redisCli(['-p', portOf(to), 'GET', key])).trim(), 'here');
      } finally {
        pty.close();
      }
    });

    it('the console subscribes to a shard channel on the node of its slot and prints what SPUBLISH sends', async () => {
      const nodes = await exec<NodesResult>('brokerExplorer.redis.nodes', { profile: name });
      const seedAddress = `127.0.0.1:${topology.nodes[0].port}`;
      const ownerOf = (slot: number): string | undefined =>
        nodes.nodes.find((n) => n.role === 'primary' && (n.slots ?? []).some(([a, b]) => slot >= a && slot <= b))?.address;
      const channel = ['news:{s1}', 'news:{s2}', 'news:{s3}', 'news:{s4}', 'news:{s5}'].find((c) => ownerOf(keySlot(c)) !== seedAddress);
      assert.ok(channel);
      const { id } = await exec<{ id: string }>('brokerExplorer.redis.openConsole', { profile: name });
      const pty = (await api()).redisConsoles.get(id)?.pty;
      assert.ok(pty);
      try {
        await waitFor('the first prompt', () => (pty.transcript.includes(`${name}[0]> `) ? true : undefined));
        pty.handleInput(`SSUBSCRIBE ${channel}\r`);
        await waitFor('the subscription', () => (/1\) "ssubscribe"/.test(plainText(pty.transcript)) ? true : undefined));
        assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['SPUBLISH', channel, 'hello shard'] }), 1);
        await waitFor('the message', () =>
          /1\) "smessage"\n2\) ".*"\n3\) "hello shard"/.test(plainText(pty.transcript)) ? true : undefined,
        );
      } finally {
        pty.close();
      }
    });

    it('the palette asks which node for a keyless command, and FLUSHDB asks for the profile name', async () => {
      const a = await api();
      const profileNode = a.redisTree.profileNode(name);
      assert.ok(profileNode);
      const run = async (answers: Answer[], id: string): Promise<string[]> => {
        const s = await scriptPrompts(answers);
        try {
          await vscode.commands.executeCommand(id, profileNode);
        } finally {
          s.restore();
        }
        return s.asked;
      };
      const asked = await run(['DBSIZE', 'All primaries'], 'brokerExplorer.redis.runCommand');
      assert.match(asked[1], /^pick: DBSIZE has no key: which node of the cluster\?$/);
      await run([undefined], 'brokerExplorer.redis.flushDb');
      assert.notDeepEqual(
        Object.values(
          await exec<Record<string, number>>('brokerExplorer.redis.runCommand', { profile: name, argv: ['DBSIZE'], node: 'all' }),
        ),
        [0, 0, 0],
        'dismissed: nothing flushed',
      );
      const flushAsked = await run([name], 'brokerExplorer.redis.flushDb');
      assert.match(flushAsked[0], /^input: FLUSHDB on every primary of the cluster/);
      const all = await exec<Record<string, number>>('brokerExplorer.redis.runCommand', { profile: name, argv: ['DBSIZE'], node: 'all' });
      assert.deepEqual(Object.values(all), [0, 0, 0]);
    });

    it('FLUSHDB on a cluster empties every primary', async () => {
      await exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['SET', 'again', '1'] });
      assert.deepEqual(await exec('brokerExplorer.redis.flushDb', { profile: name }), { flushed: primaries });
      const all = await exec<Record<string, number>>('brokerExplorer.redis.runCommand', { profile: name, argv: ['DBSIZE'], node: 'all' });
      assert.deepEqual(Object.values(all), [0, 0, 0]);
    });
  });
}
