/**
 * Palette and context-menu flows of the Redis commands, with the prompts
 * answered by a script injected into the extension's prompts service.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { api, contextOf, plainRedis, scriptPrompts as script, uniqueName, type Answer } from './util';

const DB = 3;

export function registerRedisInteractiveTests(): void {
  describe('Redis palette and context-menu flows (scripted prompts, db 3)', () => {
    const name = uniqueName('flows');
    const seed = plainRedis(DB);

    before(async () => {
      await seed.flushdb();
      await vscode.commands.executeCommand('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name, host: '127.0.0.1', port: 6379, db: DB },
      });
    });
    afterEach(() => seed.flushdb());
    after(async () => {
      await vscode.commands.executeCommand('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await seed.flushdb();
      seed.disconnect();
    });

    async function dbNode(): Promise<TreeNode> {
      const a = await api();
      await a.redisTree.children(undefined);
      const profile = a.redisTree.profileNode(name);
      assert.ok(profile);
      const node = profile.database(DB);
      node.reset();
      return node;
    }

    async function keyNode(type: string, key: string): Promise<TreeNode> {
      const a = await api();
      const groups = await a.redisTree.children(await dbNode());
      const group = groups.find((g) => (g as { type?: string }).type === type);
      assert.ok(group, `a ${type} group`);
      for (const k of await a.redisTree.children(group)) {
        if ((await contextOf(k)).startsWith(`be:redis:key:${type}`) && (k as { key?: Buffer }).key?.toString() === key) return k;
      }
      throw new Error(`no key node ${key}`);
    }

    async function withScript(answers: Answer[], run: () => Thenable<unknown>): Promise<string[]> {
      const s = await script(answers);
      try {
        await run();
      } finally {
        s.restore();
      }
      return s.asked;
    }

    it('FLUSHDB asks for the db number and flushes only then', async () => {
      await seed.set('keep', '1');
      const node = await dbNode();
      await withScript([undefined], () => vscode.commands.executeCommand('brokerExplorer.redis.flushDb', node));
      assert.equal(await seed.exists('keep'), 1, 'dismissed: nothing flushed');
      const asked = await withScript([String(DB)], () => vscode.commands.executeCommand('brokerExplorer.redis.flushDb', node));
      assert.match(asked[0], /FLUSHDB/);
      assert.equal(await seed.dbsize(), 0);
    });

    it('delete by pattern shows the count first and deletes after confirming', async () => {
      const p = seed.pipeline();
      for (let i = 0; i < 30; i++) p.set(`tmp:${i}`, 'x');
      p.set('other', 'y');
      await p.exec();
      const node = await dbNode();
      const asked = await withScript(['Keys matching a pattern', 'tmp:*', undefined], () =>
        vscode.commands.executeCommand('brokerExplorer.redis.deleteKeys', node),
      );
      assert.match(asked[2], /Delete 30 keys matching tmp:\*/);
      assert.equal(await seed.dbsize(), 31, 'not confirmed: nothing deleted');
      await withScript(['Keys matching a pattern', 'tmp:*', 'Delete'], () =>
        vscode.commands.executeCommand('brokerExplorer.redis.deleteKeys', node),
      );
      assert.match(asked[2], /Delete 30 keys matching tmp:\*/);
      assert.equal(await seed.dbsize(), 1);
      assert.equal(await seed.exists('other'), 1);
    });

    it('a hash key offers hash operations with the key filled in', async () => {
      await seed.hset('user', 'name', 'Ada');
      const node = await keyNode('hash', 'user');
      const asked = await withScript(['HSET', 'lang en motto "hello world"'], () =>
        vscode.commands.executeCommand('brokerExplorer.redis.hashOperation', node),
      );
      assert.deepEqual(await seed.hgetall('user'), { name: 'Ada', lang: 'en', motto: 'hello world' });
      // The operation is picked, then only its field/value pairs are asked: the key comes from the node.
      assert.deepEqual(
        asked.map((a) => a.split(':')[0]),
        ['pick', 'input'],
      );
      assert.match(asked[1], /^input: HSET/);
    });

    it('ZADD from a sorted-set key takes score member pairs and optional flags', async () => {
      await seed.zadd('board', 5, 'a');
      const node = await keyNode('zset', 'board');
      await withScript(['1 a 2 b', ['Condition'], 'NX'], () => vscode.commands.executeCommand('brokerExplorer.redis.zadd', node));
      assert.deepEqual(await seed.zrange('board', 0, -1, 'WITHSCORES'), ['b', '2', 'a', '5']);
    });

    it("a .redis document's target is its own and shows in the status bar while it is active", async () => {
      const a = await api();
      const first = await vscode.workspace.openTextDocument({ language: 'redis', content: 'PING\n' });
      await vscode.window.showTextDocument(first);
      assert.deepEqual(a.fileTargets.shown?.text, '$(database) Redis: no target');
      assert.deepEqual(await vscode.commands.executeCommand('brokerExplorer.redis.chooseFileTarget', { profile: name, db: DB }), {
        profile: name,
        db: DB,
      });
      assert.equal(a.fileTargets.shown?.text, `$(database) ${name} · db${DB}`);
      const second = await vscode.workspace.openTextDocument({ language: 'redis', content: 'PING\n' });
      await vscode.window.showTextDocument(second);
      assert.equal(a.fileTargets.shown?.text, '$(database) Redis: no target', 'another document has no target of its own yet');
      await vscode.window.showTextDocument(first);
      assert.equal(a.fileTargets.get(first)?.db, DB);
      assert.equal(a.fileTargets.shown?.text, `$(database) ${name} · db${DB}`);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('renaming onto an existing key asks before overwriting', async () => {
      await seed.set('from', '1');
      await seed.set('to', '2');
      const node = await keyNode('string', 'from');
      const asked = await withScript(['to', undefined], () => vscode.commands.executeCommand('brokerExplorer.redis.rename', node));
      assert.match(asked[1], /"to" exists: renaming replaces it/);
      assert.equal(await seed.get('to'), '2');
      await withScript(['to', 'Overwrite'], () => vscode.commands.executeCommand('brokerExplorer.redis.rename', node));
      assert.equal(await seed.get('to'), '1');
      assert.equal(await seed.exists('from'), 0);
    });
  });
}
