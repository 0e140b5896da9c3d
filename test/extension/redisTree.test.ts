import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LoadMoreNode, TreeNode } from '../../src/ui/tree/treeNode';
import { contextValue, keyTypeTag } from '../../src/ui/tree/contextValue';
import { KeyNode, type DatabaseNode, type TypeGroupNode } from '../../src/ui/tree/redisNodes';
import { api, contextOf, exec, EXTENSION_ID, plainRedis, uniqueName, waitFor } from './util';

const DB = 2;
const STRINGS = 1_200;

async function label(node: TreeNode): Promise<string> {
  const a = await api();
  const item = await a.redisTree.treeItem(node);
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

async function only<T extends TreeNode>(nodes: TreeNode[], prefix: string): Promise<T[]> {
  const out: T[] = [];
  for (const n of nodes) if ((await contextOf(n)).startsWith(prefix)) out.push(n as T);
  return out;
}

export function registerRedisTreeTests(): void {
  describe('Redis tree and key commands (db 2)', () => {
    const name = uniqueName('tree');
    const seed = plainRedis(DB);
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('brokerExplorer');

    before(async () => {
      await seed.flushdb();
      const p = seed.pipeline();
      for (let i = 0; i < STRINGS; i++) p.set(`app:item:${i}`, `v${i}`);
      p.hset('app:user:1', 'name', 'Ada', 'lang', 'en');
      p.rpush('app:queue', 'a', 'b', 'c');
      p.sadd('tags', 'x', 'y');
      p.zadd('board', 1, 'one', 2, 'two');
      p.xadd('events', '*', 'kind', 'click');
      p.set(Buffer.from([0xde, 0xad, 0xbe, 0xef]), Buffer.from([0x00, 0xff]));
      p.set('app:ttl', 'soon', 'EX', 500);
      await p.exec();
      await config().update('redis.pageSize', 200, vscode.ConfigurationTarget.Global);
      await config().update('redis.grouping', 'type', vscode.ConfigurationTarget.Global);
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
    });

    after(async () => {
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await config().update('redis.pageSize', undefined, vscode.ConfigurationTarget.Global);
      await config().update('redis.grouping', undefined, vscode.ConfigurationTarget.Global);
      await seed.flushdb();
      seed.disconnect();
    });

    async function dbNode(): Promise<DatabaseNode> {
      const a = await api();
      await a.redisTree.children(undefined);
      const profile = a.redisTree.profileNode(name);
      assert.ok(profile, 'profile node');
      const dbs = await a.redisTree.children(profile);
      for (const d of dbs) {
        if ((await contextOf(d)).startsWith('be:redis:db') && (d as DatabaseNode).db === DB) return d as DatabaseNode;
      }
      throw new Error(`db${DB} is not listed among ${dbs.length}`);
    }

    it('lists the database with its key count from INFO keyspace', async () => {
      const node = await dbNode();
      assert.equal(node.keyCount, STRINGS + 7);
      assert.equal(await label(node), `db${DB}`);
    });

    it('groups keys by type, pages with "Load more…" and never repeats a key', async () => {
      const a = await api();
      const node = await dbNode();
      node.reset();
      const groups = await a.redisTree.children(node);
      assert.deepEqual(
        groups.map((g) => (g as TypeGroupNode).type),
        ['string', 'hash', 'list', 'set', 'zset', 'stream'],
      );
      const strings = groups[0] as TypeGroupNode;
      let children = await a.redisTree.children(strings);
      const firstKeys = await only<KeyNode>(children, 'be:redis:key:');
      assert.equal(firstKeys.length, 200, 'the first page holds brokerExplorer.redis.pageSize keys');
      let guard = 0;
      for (;;) {
        const [more] = await only<LoadMoreNode>(children, 'be:loadMore');
        if (!more) break;
        await exec('brokerExplorer.loadMore', more);
        children = await a.redisTree.children(strings);
        if (++guard > 50) throw new Error('paging does not end');
      }
      const keyNodes = await only<KeyNode>(children, 'be:redis:key:');
      const keys = keyNodes.map((k) => k.key.toString('hex'));
      assert.equal(keys.length, STRINGS + 2, 'every string key once (app:item:*, app:ttl and the binary one)');
      assert.equal(new Set(keys).size, keys.length, 'no duplicates');
      const hashes = await a.redisTree.children(groups[1]);
      assert.deepEqual(await Promise.all(hashes.map(label)), ['app:user:1']);
      const ttlKey = keyNodes.find((k) => k.key.toString() === 'app:ttl');
      assert.ok(ttlKey);
      assert.match(String((await a.redisTree.treeItem(ttlKey)).description), /^TTL \d+m$/);
      const binary = keyNodes.find((k) => k.key.equals(Buffer.from([0xde, 0xad, 0xbe, 0xef])));
      assert.ok(binary);
      assert.equal(await label(binary), '\\xde\\xad\\xbe\\xef');
    });

    it('groups keys by namespace folders split on ":"', async () => {
      const a = await api();
      await exec('brokerExplorer.redis.toggleGrouping', { grouping: 'namespace' });
      try {
        const node = await dbNode();
        let root = await a.redisTree.children(node);
        for (let [more] = await only<LoadMoreNode>(root, 'be:loadMore'); more; [more] = await only<LoadMoreNode>(root, 'be:loadMore')) {
          await more.load();
          root = await a.redisTree.children(node);
        }
        const labels = await Promise.all(root.map(label));
        assert.ok(labels.includes('app'), labels.join(','));
        assert.ok(labels.includes('tags') && labels.includes('board') && labels.includes('events'));
        const [app] = await only(root, 'be:redis:namespace');
        let inside = await a.redisTree.children(app);
        for (let [more] = await only<LoadMoreNode>(inside, 'be:loadMore'); more; [more] = await only<LoadMoreNode>(inside, 'be:loadMore')) {
          await more.load();
          inside = await a.redisTree.children(app);
        }
        const insideLabels = await Promise.all(inside.map(label));
        assert.deepEqual(
          insideLabels.filter((l) => l === 'item' || l === 'user'),
          ['item', 'user'],
        );
        assert.ok(insideLabels.includes('app:queue') && insideLabels.includes('app:ttl'));
      } finally {
        await exec('brokerExplorer.redis.toggleGrouping', { grouping: 'type' });
      }
    });

    it('narrows the tree with a MATCH filter and says when nothing matches', async () => {
      const a = await api();
      await exec('brokerExplorer.redis.filter', { profile: name, db: DB, match: 'app:user:*' });
      const node = await dbNode();
      const groups = await a.redisTree.children(node);
      const hashes = await a.redisTree.children(groups[1]);
      assert.deepEqual(await Promise.all(hashes.map(label)), ['app:user:1']);
      const lists = await a.redisTree.children(groups[2]);
      assert.equal(await contextOf(lists[0]), 'be:message');
      assert.match(await label(lists[0]), /No list keys match the filter/);
      await exec('brokerExplorer.redis.clearFilter', { profile: name, db: DB });
    });

    it('scanKeys returns keys with type and TTL and a cursor to continue', async () => {
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const page = await exec<{
          keys: { key: string | { hex: string }; type: string; ttl: number }[];
          cursor: string;
          complete: boolean;
        }>('brokerExplorer.redis.scanKeys', {
          profile: name,
          match: 'app:*',
          count: 500,
          limit: 300,
          cursor,
        });
        for (const k of page.keys) seen.add(typeof k.key === 'string' ? k.key : k.key.hex);
        cursor = page.cursor;
        assert.equal(page.complete, cursor === '0');
      } while (cursor !== '0');
      assert.equal(seen.size, STRINGS + 3);
      const typed = await exec<{ keys: { key: string; type: string; ttl: number }[] }>('brokerExplorer.redis.scanKeys', {
        profile: name,
        type: 'hash',
      });
      assert.deepEqual(typed.keys, [{ key: 'app:user:1', type: 'hash', ttl: -1 }]);
      const binary = await exec<{ keys: { key: unknown }[] }>('brokerExplorer.redis.scanKeys', { profile: name, match: { hex: 'dead2a' } });
      assert.deepEqual(
        binary.keys.map((k) => k.key),
        [{ hex: 'deadbeef' }],
      );
    });

    it('getValue reads each type, bounded by limit', async () => {
      const hash = await exec<{ type: string; length: number; value: unknown; truncated: boolean; ttl: number }>(
        'brokerExplorer.redis.getValue',
        { profile: name, key: 'app:user:1' },
      );
      assert.equal(hash.type, 'hash');
      assert.equal(hash.length, 2);
      assert.equal(hash.ttl, -1);
      assert.deepEqual(
        (hash.value as { field: string; value: string }[]).sort((x, y) => x.field.localeCompare(y.field)),
        [
          { field: 'lang', value: 'en' },
          { field: 'name', value: 'Ada' },
        ],
      );
      const list = await exec<{ value: unknown; truncated: boolean }>('brokerExplorer.redis.getValue', {
        profile: name,
        key: 'app:queue',
        limit: 2,
      });
      assert.deepEqual(list.value, ['a', 'b']);
      assert.equal(list.truncated, true);
      const bin = await exec<{ type: string; value: unknown }>('brokerExplorer.redis.getValue', {
        profile: name,
        key: { hex: 'deadbeef' },
      });
      assert.deepEqual(bin, { ...bin, type: 'string', value: { hex: '00ff' } });
      const zset = await exec<{ value: unknown }>('brokerExplorer.redis.getValue', { profile: name, key: 'board' });
      assert.deepEqual(zset.value, [
        { member: 'one', score: 1 },
        { member: 'two', score: 2 },
      ]);
      await assert.rejects(exec('brokerExplorer.redis.getValue', { profile: name, key: 'missing' }), /does not exist/);
    });

    it('opens a value as a read-only document (view "table"; a hash opens as editable JSON otherwise)', async () => {
      const opened = await exec<{ uri: string }>('brokerExplorer.redis.openKey', {
        profile: name,
        db: DB,
        key: 'app:user:1',
        view: 'table',
      });
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === opened.uri);
      assert.ok(doc);
      assert.match(doc.getText(), /type {2}hash · 2 items/);
      assert.match(doc.getText(), /name\s+│ Ada/);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('a key of a module type (ReJSON-RL) still gets Delete, Expire and Rename, unless the profile is read-only', async () => {
      const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        contributes: { menus: Record<string, { command: string; when?: string }[]> };
      };
      // The key's own menu and its TTL submenu (a single key: the multi-selection entries are not shown).
      const menus = [...pkg.contributes.menus['view/item/context'], ...pkg.contributes.menus['brokerExplorer.redis.ttl']];
      /** Whether a menu entry's `when` clause (`viewItem =~ /re/` or `viewItem == value`) shows it for this context value. */
      const shows = (when: string | undefined, value: string): boolean => {
        if (/(^|[^!])listMultiSelection/.test(when ?? '')) return false;
        const regex = /^viewItem =~ \/(.*)\/(?: && !listMultiSelection)?$/.exec(when ?? '');
        if (regex) return new RegExp(regex[1]).test(value);
        return when === `viewItem == ${value}` || when === `viewItem == '${value}'`;
      };
      const offered = (value: string): string[] =>
        ['deleteKey', 'expire', 'rename'].filter((c) =>
          menus.some((m) => m.command === `brokerExplorer.redis.${c}` && shows(m.when, value)),
        );
      const db = await dbNode();
      const moduleKey = new KeyNode(db, db, { key: Buffer.from('app:json'), type: 'ReJSON-RL', ttl: -1 });
      const value = moduleKey.getTreeItem().contextValue ?? '';
      assert.deepEqual(offered(value), ['deleteKey', 'expire', 'rename'], `menus for ${value}`);
      const readOnly = contextValue(`redis:key:${keyTypeTag('ReJSON-RL')}`, { readonly: true });
      assert.deepEqual(offered(readOnly), [], `menus for ${readOnly}`);
      const hash = new KeyNode(db, db, { key: Buffer.from('app:user:1'), type: 'hash', ttl: -1 }).getTreeItem().contextValue ?? '';
      assert.deepEqual(offered(hash), ['deleteKey', 'expire', 'rename'], `menus for ${hash}`);
    });

    it("a key's tooltip shows its encoding and memory (core describeKey)", async () => {
      const a = await api();
      const db = await dbNode();
      const node = new KeyNode(db, db, { key: Buffer.from('app:user:1'), type: 'hash', ttl: -1 });
      const item = await a.redisTree.resolveTreeItem(node.getTreeItem(), node);
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip);
      assert.match(tooltip, /\*\*type\*\* hash · \*\*encoding\*\* (listpack|ziplist) · \*\*memory\*\* \d+ bytes/);
      assert.match(tooltip, /\*\*TTL\*\* none · db 2 of /);
    });

    async function openView(key: string): Promise<vscode.TextDocument> {
      const opened = await exec<{ uri: string }>('brokerExplorer.redis.openKey', { profile: name, db: DB, key, view: 'table' });
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === opened.uri);
      assert.ok(doc, 'the value view is open');
      return doc;
    }

    it("a write through the extension reloads the key's open value view", async () => {
      await seed.hset('app:view:1', 'name', 'Ada');
      const doc = await openView('app:view:1');
      assert.doesNotMatch(doc.getText(), /motto/);
      await exec('brokerExplorer.redis.runCommand', { profile: name, db: DB, argv: ['HSET', 'app:view:1', 'motto', 'hello'] });
      await waitFor('the view to show the new field', () => (/motto\s+│ hello/.test(doc.getText()) ? true : undefined), 10_000);
      assert.match(doc.getText(), /type {2}hash · 2 items/);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('Refresh in the editor title reloads a value view changed outside the extension', async () => {
      await seed.rpush('app:view:list', 'a');
      const doc = await openView('app:view:list');
      await seed.rpush('app:view:list', 'outside');
      assert.doesNotMatch(doc.getText(), /outside/);
      assert.deepEqual(await exec('brokerExplorer.redis.valueRefresh'), {});
      await waitFor('the refreshed view', () => (/1\s+│ outside/.test(doc.getText()) ? true : undefined), 10_000);
      const menus = (
        vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
          contributes: { menus: Record<string, { command: string; when?: string }[]> };
        }
      ).contributes.menus['editor/title'];
      assert.ok(
        // VS Code hands back the when clause normalized (quoted value).
        menus.some(
          (m) => m.command === 'brokerExplorer.redis.valueRefresh' && /^resourceScheme == '?broker-redis-value'?$/.test(m.when ?? ''),
        ),
        `Refresh sits in the title of value views: ${JSON.stringify(menus)}`,
      );
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
  });
}
