/**
 * Server insight through the command API in the extension host (issue 14,
 * part 2): the shapes of serverInfo, analyzeKeyspace, slow log, clients and
 * configuration; writes refused on a read-only profile before anything is
 * sent; MONITOR as a tail on a read-only profile; keyspace notifications on
 * a redis-server the test starts itself (turned on only with enable: true,
 * restored when the tail stops).
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import * as vscode from 'vscode';
import { SERVER_ACTIONS, ServerNode } from '../../src/ui/tree/serverNodes';
import { OwnRedis } from '../core/helpers/ownServers';
import { EXTENSION_ID } from './util';
import { api, assertOneSentence, exec, plainRedis, rejects, scriptPrompts, uniqueName, waitFor, type Answer } from './util';

const DB = 15;

interface PrefixStats {
  prefix: string;
  keys: number;
  bytes: number;
  children?: PrefixStats[];
}
interface Analysis {
  scanned: number;
  complete: boolean;
  byType: Record<string, { keys: number; bytes: number }>;
  topKeys: { key: string; type: string; bytes: number; length: number }[];
  topByLength: Record<string, { key: string; bytes: number; length: number }[]>;
  byPrefix: PrefixStats[];
  ttl: { none: number; buckets: { upToSeconds: number | null; keys: number }[] };
}

/** Runs a palette command with scripted answers; returns what was asked. */
async function palette(command: string, answers: Answer[]): Promise<string[]> {
  const s = await scriptPrompts(answers);
  try {
    await exec(command);
  } finally {
    s.restore();
  }
  return s.asked;
}

export function registerRedisInsightTests(): void {
  describe('Redis server insight (db 15; notifications on an own server)', () => {
    const name = uniqueName('insight');
    const ro = uniqueName('insight-ro');
    const own = uniqueName('insight-own');
    const seed = plainRedis(DB);
    let server: OwnRedis;

    before(async () => {
      server = await OwnRedis.start();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: ro, host: '127.0.0.1', port: 6379, db: DB, readOnly: true },
      });
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name: own, host: '127.0.0.1', port: server.port } });
    });
    after(async () => {
      const a = await api();
      for (const p of [name, ro, own]) for (const t of a.tails.list('redis', p)) await a.tails.stop(t.id);
      for (const p of [name, ro, own]) await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: p });
      const keys = await seed.keys(`${name}:*`);
      if (keys.length > 0) await seed.del(...keys);
      seed.disconnect();
      await server.dispose();
    });

    it('serverInfo returns { sections } of strings; a node on a standalone profile is refused with one sentence', async () => {
      const info = await exec<{ sections: Record<string, Record<string, string>> }>('brokerExplorer.redis.serverInfo', { profile: name });
      assert.match(info.sections.server.redis_version, /^\d+\.\d+/);
      assert.equal(info.sections.server.tcp_port, '6379');
      assert.ok(Object.values(info.sections).every((s) => Object.values(s).every((v) => typeof v === 'string')));
      const memory = await exec<{ sections: Record<string, Record<string, string>> }>('brokerExplorer.redis.serverInfo', {
        profile: name,
        section: 'memory',
      });
      assert.deepEqual(Object.keys(memory.sections), ['memory']);
      assert.deepEqual(
        Object.keys(
          (await exec<{ sections: object }>('brokerExplorer.redis.serverInfo', { profile: name, node: '127.0.0.1:6379' })).sections,
        ).length > 5,
        true,
      );
      const message = await rejects(exec('brokerExplorer.redis.serverInfo', { profile: name, node: '10.1.2.3:7000' }), /is not a cluster/);
      assertOneSentence(message);
    });

    it('analyzeKeyspace returns the documented shape, and its figures match MEMORY USAGE read by a plain client', async () => {
      const p = seed.pipeline();
      for (let i = 0; i < 200; i++) p.set(`${name}:user:${i}`, 'v'.repeat(i + 1));
      for (let i = 0; i < 5; i++) p.hset(`${name}:cart:${i}`, 'a', '1', 'b', '2');
      p.expire(`${name}:user:0`, 100);
      await p.exec();
      const result = await exec<Analysis>('brokerExplorer.redis.analyzeKeyspace', { profile: name, match: `${name}:*`, top: 5 });
      assert.equal(result.complete, true);
      assert.equal(result.scanned, 205);
      assert.deepEqual(Object.keys(result.byType).sort(), ['hash', 'string']);
      let bytes = 0;
      for (const key of await seed.keys(`${name}:*`)) bytes += Number(await seed.call('MEMORY', 'USAGE', key));
      assert.equal(result.byType.string.bytes + result.byType.hash.bytes, bytes);
      assert.equal(result.topKeys.length, 5);
      assert.ok(
        result.topKeys.every((k, i) => i === 0 || result.topKeys[i - 1].bytes >= k.bytes),
        'largest first',
      );
      assert.equal(result.topByLength.string[0].key, `${name}:user:199`);
      assert.equal(result.topByLength.string[0].length, 200);
      assert.equal(result.topByLength.hash[0].length, 2);
      assert.equal(result.byPrefix[0].prefix, `${name}:`);
      assert.equal(result.byPrefix[0].keys, 205);
      assert.deepEqual(
        result.byPrefix[0].children?.map((c) => [c.prefix, c.keys]),
        [
          [`${name}:user:`, 200],
          [`${name}:cart:`, 5],
        ],
      );
      assert.equal(result.ttl.none, 204);
      assert.deepEqual(
        result.ttl.buckets.find((b) => b.keys > 0),
        { upToSeconds: 3600, keys: 1 },
      );
      await rejects(exec('brokerExplorer.redis.analyzeKeyspace', { profile: name, top: 0 }), /"top" is 0/);
    });

    it('slowlog, clientList and serverConfig return plain data; their writes are refused on a read-only profile', async () => {
      const slow = await exec<{ entries: { id: number; command: string; durationUs: number }[] }>('brokerExplorer.redis.slowlog', {
        profile: name,
        count: 5,
      });
      assert.ok(Array.isArray(slow.entries) && slow.entries.length <= 5);
      const { clients } = await exec<{ clients: Record<string, string>[] }>('brokerExplorer.redis.clientList', {
        profile: name,
        sort: 'age',
      });
      assert.ok(clients.some((c) => c.name === 'broker-explorer'));
      assert.ok(clients.every((c, i) => i === 0 || Number(clients[i - 1].age) >= Number(c.age)));
      const { settings } = await exec<{ settings: { name: string; value: string }[] }>('brokerExplorer.redis.serverConfig', {
        profile: ro,
        pattern: 'slowlog-*',
      });
      assert.deepEqual(
        settings.map((s) => s.name),
        ['slowlog-log-slower-than', 'slowlog-max-len'],
      );
      const before = await seed.config('GET', 'slowlog-max-len');
      for (const [id, args] of [
        ['brokerExplorer.redis.configSet', { profile: ro, name: 'slowlog-max-len', value: '1' }],
        ['brokerExplorer.redis.clientKill', { profile: ro, id: clients[0].id }],
        ['brokerExplorer.redis.slowlogReset', { profile: ro }],
      ] as const) {
        assertOneSentence(await rejects(exec(id, args), /is read-only, so .* was refused before anything was sent/));
      }
      assert.deepEqual(await seed.config('GET', 'slowlog-max-len'), before);
    });

    it("MONITOR on a read-only profile is a tail whose lines show other clients' commands", async () => {
      const { id } = await exec<{ id: string }>('brokerExplorer.redis.monitor', { profile: ro });
      const a = await api();
      assert.ok(a.tails.list('redis', ro).some((t) => t.id === id && t.label === 'MONITOR'));
      const key = `${name}:monitored`;
      await seed.set(key, 'seen');
      const seen = await waitFor('the SET in MONITOR', async () => {
        const read = await exec<{ messages: { command: string; db: number }[] }>('brokerExplorer.tails.read', {
          id,
          take: 1,
          timeoutMs: 1000,
        });
        return read.messages.find((m) => m.command === `"set" "${key}" "seen"`);
      });
      assert.equal(seen.db, DB);
      assert.deepEqual(await exec('brokerExplorer.tails.stop', { id }), { stopped: true });
    });

    it('keyspace notifications: refused while off without enable; with enable they flow, and the old value is back after stop', async () => {
      const plain = new Redis({ host: '127.0.0.1', port: server.port });
      try {
        await plain.config('SET', 'notify-keyspace-events', 'Ex');
        const message = await rejects(exec('brokerExplorer.redis.keyspaceEvents', { profile: own, match: 'n:*' }), /pass "enable": true/);
        assertOneSentence(message);
        const started = await exec<{ id: string; enabled: boolean }>('brokerExplorer.redis.keyspaceEvents', {
          profile: own,
          match: 'n:*',
          enable: true,
        });
        assert.equal(started.enabled, true);
        assert.match(((await plain.config('GET', 'notify-keyspace-events')) as string[])[1], /K/);
        await plain.set('n:1', 'x');
        await plain.set('other', 'x');
        const read = await exec<{ messages: { channel: string; message: string }[] }>('brokerExplorer.tails.read', {
          id: started.id,
          take: 1,
          timeoutMs: 10_000,
        });
        assert.deepEqual(
          read.messages.map((m) => [m.channel, m.message]),
          [['__keyspace@0__:n:1', 'set']],
        );
        await exec('brokerExplorer.tails.stop', { id: started.id });
        assert.equal(((await plain.config('GET', 'notify-keyspace-events')) as string[])[1], 'xE');
      } finally {
        plain.disconnect();
      }
    });
    it('the Server node lists one leaf per insight, each running its command, with menus that hide writes on read-only profiles', async () => {
      const a = await api();
      await a.redisTree.children(undefined);
      const profileNode = a.redisTree.profileNode(name);
      assert.ok(profileNode, 'profile node');
      const server = new ServerNode(profileNode, a.profiles.redis(name));
      assert.equal(server.getTreeItem().contextValue, 'be:redis:server');
      const leaves = await server.getChildren();
      const items: vscode.TreeItem[] = [];
      for (const leaf of leaves) items.push(await leaf.getTreeItem());
      assert.deepEqual(
        items.map((i) => i.command?.command),
        SERVER_ACTIONS.map((x) => x.command),
      );
      assert.ok(items.every((i) => i.contextValue === 'be:redis:serverAction' && i.command?.arguments?.[0] === leaves[items.indexOf(i)]));
      const roLeaf = (await new ServerNode(profileNode, a.profiles.redis(ro)).getChildren())[0];
      const roContext = (await roLeaf.getTreeItem()).contextValue ?? '';
      assert.equal(roContext, 'be:redis:serverAction+readonly');
      const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        contributes: { menus: Record<string, { command?: string; submenu?: string; when?: string }[]> };
      };
      const offered = (value: string): string[] =>
        pkg.contributes.menus['view/item/context']
          .filter((m) => {
            const re = /^viewItem =~ \/(.*)\/$/.exec(m.when ?? '');
            return m.command?.startsWith('brokerExplorer.redis.') === true && re !== null && new RegExp(re[1]).test(value);
          })
          .map((m) => m.command ?? '');
      assert.ok(offered('be:redis:serverAction').includes('brokerExplorer.redis.slowlogReset'));
      assert.ok(!offered(roContext).includes('brokerExplorer.redis.slowlogReset'));
      assert.ok(offered(roContext).includes('brokerExplorer.redis.monitor'));
    });

    it('palette: Configuration is a searchable pick; changing a setting asks the value and a confirmation (own server)', async () => {
      const asked = await palette('brokerExplorer.redis.serverConfig', [own, 'slowlog-max-len', '42', 'Set']);
      assert.match(asked[1], /^pick: Configuration of Redis profile ".*" \(\d+ settings\)/);
      assert.match(asked[3], /^confirm: Set "slowlog-max-len" to "42"/);
      assert.match(asked[4], /^info: "slowlog-max-len" is now "42"/);
      const plain = new Redis({ host: '127.0.0.1', port: server.port });
      try {
        assert.deepEqual(await plain.config('GET', 'slowlog-max-len'), ['slowlog-max-len', '42']);
      } finally {
        plain.disconnect();
      }
    });

    it('palette: on a read-only profile, picking a setting is refused before its value is asked', async () => {
      const asked = await palette('brokerExplorer.redis.serverConfig', [ro, 'slowlog-max-len']);
      assert.equal(asked.length, 2, asked.join('\n'));
    });

    it('palette: Clients sorts, lists and kills the picked client after a confirmation (own server)', async () => {
      const victim = new Redis({ host: '127.0.0.1', port: server.port, connectionName: 'palette-victim', retryStrategy: () => null });
      const plain = new Redis({ host: '127.0.0.1', port: server.port });
      try {
        await victim.ping();
        const list = String(await plain.client('LIST'));
        const addr = /addr=(\S+) laddr=\S+ fd=\d+ name=palette-victim /.exec(list)?.[1];
        assert.ok(addr, list);
        const asked = await palette('brokerExplorer.redis.clientList', [own, 'idle', `${addr}  "palette-victim"`, 'Kill']);
        assert.match(asked[1], /^pick: Clients of .*: sort by/);
        assert.match(asked[3], /^confirm: Kill client/);
        await waitFor('the client to be gone', async () =>
          String(await plain.client('LIST')).includes('name=palette-victim ') ? undefined : true,
        );
      } finally {
        victim.disconnect();
        plain.disconnect();
      }
    });

    it('palette: MONITOR warns about its cost first; declining starts nothing', async () => {
      const a = await api();
      const before = a.tails.list('redis', name).length;
      const asked = await palette('brokerExplorer.redis.monitor', [name, undefined]);
      assert.match(asked[1], /^confirm: Start MONITOR on Redis profile/);
      assert.equal(a.tails.list('redis', name).length, before);
    });
  });
}
