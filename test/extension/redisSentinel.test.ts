/**
 * A Sentinel profile through the extension (one primary, one replica and
 * 3 sentinels of the test's own): commands go to the current primary, the
 * tree's Nodes folder and the nodes API show primary, replica and
 * sentinels, and after SENTINEL FAILOVER an open console says its
 * connection was lost and reconnects to the new primary by itself.
 */
import assert from 'node:assert/strict';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { RedisSentinelTopology, redisCli } from '../topology/redisTopology';
import { api, contextOf, exec, plainText, uniqueName, waitFor } from './util';

interface NodesResult {
  mode: string;
  nodes: { address: string; role: string; primary?: string; connected: boolean }[];
}

export function registerRedisSentinelTests(): void {
  describe("Redis Sentinel profile (sentinels of the test's own)", function () {
    this.timeout(120_000);
    const name = uniqueName('sentinel');
    let topology: RedisSentinelTopology;
    const addr = (e: { host: string; port: number }): string => `${e.host}:${e.port}`;

    before(async () => {
      topology = await RedisSentinelTopology.start();
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name, mode: 'sentinel', sentinels: topology.sentinels, sentinelName: topology.name },
      });
    });
    after(async () => {
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name }).catch(() => undefined);
      await topology?.stop();
    });

    it('runs commands on the primary; the nodes API and the Nodes folder show primary, replica and sentinels', async () => {
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['SET', 's:k', 'v1'] }), 'OK');
      assert.equal((await redisCli(['-p', String(topology.primary.port), 'GET', 's:k'])).trim(), 'v1');
      const result = await exec<NodesResult>('brokerExplorer.redis.nodes', { profile: name });
      assert.equal(result.mode, 'sentinel');
      assert.deepEqual(
        result.nodes.map((n) => n.role),
        ['primary', 'replica', 'sentinel', 'sentinel', 'sentinel'],
      );
      assert.equal(result.nodes[0].address, addr(topology.primary));
      assert.equal(result.nodes[1].primary, addr(topology.primary));
      const a = await api();
      await a.redisTree.children();
      const profileNode = a.redisTree.profileNode(name);
      assert.ok(profileNode);
      const children = await a.redisTree.children(profileNode);
      const kinds = await Promise.all(children.map((c) => contextOf(c)));
      const folder = children[kinds.indexOf('be:redis:nodes')] as TreeNode | undefined;
      assert.ok(folder, `a Nodes folder among ${kinds.join(', ')}`);
      assert.ok(kinds.includes('be:redis:db'), 'a Sentinel profile keeps its databases');
      const items = await Promise.all((await a.redisTree.children(folder)).map(async (s) => a.redisTree.treeItem(s)));
      assert.equal(items[0].label, addr(topology.primary));
      assert.match(String(items[0].description), /^primary · connected · /);
      assert.match(String(items[1].description), /^replica · of 127\.0\.0\.1:\d+ · connected · /);
    });

    it('after SENTINEL FAILOVER an open console says so, reconnects to the new primary and writes there', async () => {
      const { id } = await exec<{ id: string }>('brokerExplorer.redis.openConsole', { profile: name });
      const pty = (await api()).redisConsoles.get(id)?.pty;
      assert.ok(pty);
      const prompt = `${name}[0]> `;
      const run = async (line: string): Promise<string> => {
        const start = pty.transcript.length;
        pty.handleInput(`${line}\r`);
        return waitFor(`the reply to ${line}`, () => {
          const out = pty.transcript.slice(start);
          return out.endsWith(prompt) && out.lastIndexOf(prompt) > 0 ? plainText(out) : undefined;
        });
      };
      try {
        await waitFor('the first prompt', () => (pty.transcript.includes(prompt) ? true : undefined));
        assert.match(await run('GET s:k'), /"v1"/);
        const old = addr(topology.primary);
        const started = Date.now();
        await redisCli(['-p', String(topology.sentinels[0].port), 'SENTINEL', 'FAILOVER', topology.name]);
        const now = await waitFor(
          'the console to reconnect',
          () => /-- connected to (\S+) --/.exec(plainText(pty.transcript))?.[1],
          60_000,
        );
        const ms = Date.now() - started;
        assert.notEqual(now, old, 'the new connection is to the new primary');
        assert.equal(now, addr(await topology.currentPrimary()));
        assert.match(
          plainText(pty.transcript),
          new RegExp(`-- the connection to ${old.replace(/\./g, '\\.')} was lost .*; reconnecting --`),
        );
        assert.match(await run('SET s:k v2'), /OK/);
        assert.equal((await redisCli(['-p', now.split(':')[1], 'GET', 's:k'])).trim(), 'v2');
        console.log(`      (failover to a console connected to the new primary: ${ms} ms)`);
      } finally {
        pty.close();
      }
    });
  });
}
