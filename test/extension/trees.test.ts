/**
 * Daily-use tree behaviour (issue 16): multi-selection delete, folder menus,
 * copy names, the keyboard commands, "Reveal in Tree", dragging a key onto
 * another database, and the menus' `when` clauses read from package.json
 * against the contextValues the real nodes carry.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { api, contextOf, EXTENSION_ID, exec, plainRedis, scriptPrompts, uniqueName, type Answer } from './util';

const DB = 14;
const OTHER_DB = 10;

interface MenuItem {
  command?: string;
  submenu?: string;
  when?: string;
  group?: string;
}

interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, MenuItem[]>;
    submenus: { id: string; label: string }[];
    keybindings: { command: string; key: string; when: string }[];
  };
}

function manifest(): Manifest {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  // Its strings are `%key%` references into package.nls.json (the English the tests read).
  const nls = JSON.parse(readFileSync(join(ext.extensionPath, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const text = readFileSync(join(ext.extensionPath, 'package.json'), 'utf8');
  return JSON.parse(text.replace(/"%([^%"]+)%"/g, (m, key: string) => JSON.stringify(nls[key] ?? m))) as Manifest;
}

/** Evaluates the `viewItem =~ /…/` and `!listMultiSelection` parts of a when clause for one node. */
function shows(item: MenuItem, contextValue: string, multi = false): boolean {
  const when = item.when ?? '';
  const m = /viewItem =~ \/(.+?)\/(?: |$)/.exec(when);
  if (m && !new RegExp(m[1]).test(contextValue)) return false;
  if (/viewItem == (\S+)/.test(when) && /viewItem == (\S+)/.exec(when)?.[1] !== contextValue) return false;
  if (/!listMultiSelection/.test(when) && multi) return false;
  if (/(^|[^!])listMultiSelection/.test(when) && !multi) return false;
  return true;
}

export function registerTreesTests(): void {
  describe('Trees: selection, folders, keyboard, reveal, drag and drop (db 14)', () => {
    const name = uniqueName('trees');
    const seed = plainRedis(DB);
    const other = plainRedis(OTHER_DB);

    before(async () => {
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
    });
    /** Only this suite's keys: db 14 is shared with the streams suite, db 10 is not ours alone. */
    async function clean(): Promise<void> {
      for (const pattern of ['trees:*', 'trees-app*']) {
        const found: string[] = [];
        for await (const batch of seed.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>) found.push(...batch);
        if (found.length > 0) await seed.unlink(...found);
      }
      await other.unlink('trees:moved', 'trees:clash');
    }

    afterEach(async () => {
      await clean();
      await exec('brokerExplorer.redis.clearFilter', { profile: name, db: DB });
    });
    after(async () => {
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      seed.disconnect();
      other.disconnect();
    });

    async function dbNode(db = DB): Promise<TreeNode> {
      const a = await api();
      await a.redisTree.children(undefined);
      const profile = a.redisTree.profileNode(name);
      assert.ok(profile);
      const node = profile.database(db);
      node.reset();
      return node;
    }

    async function group(type: string): Promise<TreeNode> {
      const groups = await (await api()).redisTree.children(await dbNode());
      const g = groups.find((n) => (n as { type?: string }).type === type);
      assert.ok(g, `a ${type} group`);
      return g;
    }

    async function keys(type: string): Promise<TreeNode[]> {
      return (await api()).redisTree.children(await group(type));
    }

    function keyName(node: TreeNode): string {
      return String((node as { key?: Buffer }).key);
    }

    async function withScript(answers: Answer[], run: () => Thenable<unknown>): Promise<{ asked: string[]; result: unknown }> {
      const s = await scriptPrompts(answers);
      try {
        const result = await run();
        return { asked: s.asked, result };
      } finally {
        s.restore();
      }
    }

    it('deleting a multi-selection of keys asks once, with the count, and deletes only those keys', async () => {
      await seed.mset('trees:a', '1', 'trees:b', '2', 'trees:c', '3', 'trees:d', '4');
      const nodes = (await keys('string')).filter((n) => ['trees:a', 'trees:b', 'trees:c'].includes(keyName(n)));
      assert.equal(nodes.length, 3);
      const dismissed = await withScript([undefined], () =>
        vscode.commands.executeCommand('brokerExplorer.redis.deleteKeys', nodes[1], nodes),
      );
      assert.equal(dismissed.asked.length, 1);
      assert.equal((await seed.keys('trees:*')).length, 4, 'dismissed: nothing deleted');
      const { asked, result } = await withScript(['Delete'], () =>
        vscode.commands.executeCommand('brokerExplorer.redis.deleteKeys', nodes[1], nodes),
      );
      assert.deepEqual(asked, [`confirm: Delete 3 keys from db${DB} of "${name}"?`]);
      assert.deepEqual(result, { deleted: 3 });
      assert.deepEqual(await seed.keys('trees:*'), ['trees:d']);
    });

    it('a single key from its menu ("Delete Key…") names the key', async () => {
      await seed.set('trees:one', 'x');
      const [node] = await keys('string');
      const { asked } = await withScript(['Delete'], () => vscode.commands.executeCommand('brokerExplorer.redis.deleteKey', node, [node]));
      assert.deepEqual(asked, [`confirm: Delete the key "trees:one" from db${DB} of "${name}"?`]);
      assert.equal(await seed.exists('trees:one'), 0);
    });

    it("a type group's Delete counts its keys first, confirms with the count and deletes only that type", async () => {
      const p = seed.pipeline();
      for (let i = 0; i < 25; i++) p.hset(`trees:h:${i}`, 'f', 'v');
      p.set('trees:s', 'keep');
      await p.exec();
      await exec('brokerExplorer.redis.filter', { profile: name, db: DB, match: 'trees:*' });
      const hashes = await group('hash');
      const { asked, result } = await withScript(['Delete'], () =>
        vscode.commands.executeCommand('brokerExplorer.redis.deleteFolder', hashes),
      );
      assert.deepEqual(asked, [`confirm: Delete 25 keys of type hash matching trees:* from db${DB} of "${name}"?`]);
      assert.deepEqual(result, { deleted: 25, counted: 25 });
      assert.deepEqual(await seed.keys('trees:*'), ['trees:s']);
    });

    it("a namespace folder's menu deletes every key under the prefix (glob characters taken literally), filters to it and copies it", async () => {
      const p = seed.pipeline();
      for (let i = 0; i < 12; i++) p.set(`trees-app*:x:${i}`, 'v');
      p.set('trees-app*:y', 'v');
      p.set('trees-appZ:x:1', 'not under trees-app*:'); // would match an unescaped trees-app*:…
      p.set('trees-app*', 'the folder name itself, not under it');
      await p.exec();
      await exec('brokerExplorer.redis.toggleGrouping', { grouping: 'namespace' });
      try {
        const a = await api();
        const root = await a.redisTree.children(await dbNode());
        let folder: TreeNode | undefined;
        for (const n of root)
          if ((await contextOf(n)) === 'be:redis:namespace' && (n as { prefix?: Buffer }).prefix?.toString() === 'trees-app*:') folder = n;
        assert.ok(folder, 'the trees-app*: folder');
        const copied = await exec<{ text: string }>('brokerExplorer.redis.copyPrefix', { prefix: 'trees-app*:' });
        assert.equal(copied.text, 'trees-app*:');
        await vscode.commands.executeCommand('brokerExplorer.redis.copyPrefix', folder);
        assert.equal(await vscode.env.clipboard.readText(), 'trees-app*:');
        const filtered = await vscode.commands.executeCommand<{ filter: string }>('brokerExplorer.redis.filterToPrefix', folder);
        assert.deepEqual(filtered, { filter: 'trees-app\\*:*' });
        const { asked, result } = await withScript(['Delete'], () =>
          vscode.commands.executeCommand('brokerExplorer.redis.deleteFolder', folder),
        );
        assert.deepEqual(asked, [`confirm: Delete 13 keys starting with trees-app*: from db${DB} of "${name}"?`]);
        assert.deepEqual(result, { deleted: 13, counted: 13 });
        assert.deepEqual((await seed.keys('trees-app*')).sort(), ['trees-app*', 'trees-appZ:x:1']);
      } finally {
        await exec('brokerExplorer.redis.toggleGrouping', { grouping: 'type' });
      }
    });

    it('the folder delete through the API asks nothing and a read-only profile refuses it before sending', async () => {
      await seed.mset('trees:ns:1', 'a', 'trees:ns:2', 'b', 'trees:other', 'c');
      const done = await exec<{ deleted: number }>('brokerExplorer.redis.deleteFolder', { profile: name, db: DB, prefix: 'trees:ns:' });
      assert.deepEqual(done, { deleted: 2 });
      const ro = uniqueName('trees-ro');
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: ro, host: '127.0.0.1', port: 6379, db: DB, readOnly: true },
      });
      try {
        await assert.rejects(exec('brokerExplorer.redis.deleteFolder', { profile: ro, db: DB, prefix: 'trees:' }), /read-only/i);
        assert.equal(await seed.exists('trees:other'), 1);
      } finally {
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: ro });
      }
    });

    it('Copy Key Name on a multi-selection copies one name a line', async () => {
      await seed.mset('trees:k1', '1', 'trees:k2', '2');
      const nodes = await keys('string');
      const result = await vscode.commands.executeCommand<{ text: string }>('brokerExplorer.redis.copyKeyName', nodes[0], nodes);
      assert.deepEqual(result.text.split('\n').sort(), ['trees:k1', 'trees:k2']);
      assert.equal(await vscode.env.clipboard.readText(), result.text);
    });

    it('"Reveal in Tree" selects the open value\'s key, and the keyboard copy then reads that selection', async () => {
      await seed.hset('trees:revealed', 'f', 'v');
      await seed.set('trees:zzz', 'x');
      await dbNode();
      await exec('brokerExplorer.redis.openKey', { profile: name, db: DB, key: 'trees:revealed' });
      const shown = await exec<{ revealed: string; filtered: boolean }>('brokerExplorer.redis.revealInTree', {});
      assert.ok(shown.revealed.includes(`/db${DB}/key/${Buffer.from('trees:revealed').toString('hex')}/`), shown.revealed);
      assert.equal(shown.filtered, false);
      await vscode.env.clipboard.writeText('');
      await exec('brokerExplorer.redis.copySelection');
      assert.equal(await vscode.env.clipboard.readText(), 'trees:revealed');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('dragging keys onto another database MOVEs them after asking, and leaves a key whose name is taken there', async () => {
      await seed.mset('trees:moved', 'm', 'trees:clash', 'here');
      await other.set('trees:clash', 'there');
      const nodes = (await keys('string')).filter((n) => keyName(n).startsWith('trees:'));
      const a = await api();
      const data = new vscode.DataTransfer();
      a.drops.redis.handleDrag(nodes, data);
      const target = await dbNode(OTHER_DB);
      const { asked, result } = await withScript(['Move'], () => a.drops.redis.dropData(target, data));
      assert.equal(asked[0], `confirm: Move 2 keys to db${OTHER_DB} of "${name}"?`);
      assert.match(asked[1], /^info: 1 of 2 keys stayed where they were: db10 already has "trees:clash"\.$/);
      assert.deepEqual(result, { done: 1, skipped: ['trees:clash'] });
      assert.equal(await other.get('trees:moved'), 'm');
      assert.equal(await other.get('trees:clash'), 'there');
      assert.equal(await seed.get('trees:clash'), 'here');
    });

    it('the menus: submenus for type operations and TTL, "Duplicate Key (COPY)…", inline copy/delete, folder menus, all by anchored contextValue regexes', async () => {
      const m = manifest().contributes;
      const title = (id: string): string | undefined => m.commands.find((c) => c.command === id)?.title;
      assert.equal(title('brokerExplorer.redis.copy'), 'Duplicate Key (COPY)…');
      assert.equal(title('brokerExplorer.redis.deleteKey'), 'Delete Key…');
      const ctx = m.menus['view/item/context'];
      for (const item of ctx) {
        const re = /viewItem =~ \/(.+?)\/(?: |$)/.exec(item.when ?? '');
        if (re) assert.ok(re[1].startsWith('^'), `unanchored: ${item.when ?? ''}`);
      }
      await seed.hset('trees:hash', 'f', 'v');
      const [hashKey] = await keys('hash');
      const hashCtx = await contextOf(hashKey);
      assert.equal(hashCtx, 'be:redis:key:hash');
      const onKey = ctx.filter((i) => shows(i, hashCtx));
      const flat = onKey.filter((i) => i.command && !/^inline/.test(i.group ?? ''));
      // Open, Open in Value Editor, Edit Value as JSON, Duplicate, Rename, Move, Copy Name, Copy Value, Delete, …: 11 at most; type operations and TTL are submenus.
      assert.ok(flat.length <= 11, `a hash key's menu has ${flat.length} flat entries`);
      assert.ok(onKey.some((i) => i.submenu === 'brokerExplorer.redis.typeOperations'));
      assert.ok(onKey.some((i) => i.submenu === 'brokerExplorer.redis.ttl'));
      assert.ok(m.menus['brokerExplorer.redis.typeOperations'].some((i) => i.command === 'brokerExplorer.redis.hset' && shows(i, hashCtx)));
      assert.deepEqual(
        m.menus['brokerExplorer.redis.ttl'].filter((i) => shows(i, hashCtx)).map((i) => i.command),
        ['brokerExplorer.redis.expire', 'brokerExplorer.redis.persist'],
      );
      const inline = onKey.filter((i) => i.group?.startsWith('inline')).map((i) => i.command);
      assert.deepEqual(inline, ['brokerExplorer.redis.copyKeyName', 'brokerExplorer.redis.deleteKey']);
      assert.deepEqual(
        onKey.filter((i) => i.group?.startsWith('9_delete')).map((i) => i.command),
        ['brokerExplorer.redis.deleteKey'],
      );
      assert.deepEqual(
        ctx.filter((i) => shows(i, hashCtx, true) && i.group?.startsWith('9_delete')).map((i) => i.command),
        ['brokerExplorer.redis.deleteKeys'],
      );
      const readOnly = ctx.filter((i) => shows(i, 'be:redis:key:hash+readonly')).map((i) => i.command ?? i.submenu);
      assert.ok(!readOnly.includes('brokerExplorer.redis.deleteKey') && !readOnly.includes('brokerExplorer.redis.ttl'));
      assert.ok(readOnly.includes('brokerExplorer.redis.copyKeyName'));
      const groupCtx = await contextOf(await group('hash'));
      assert.equal(groupCtx, 'be:redis:typeGroup');
      const onGroup = ctx.filter((i) => shows(i, groupCtx)).map((i) => i.command);
      assert.ok(onGroup.includes('brokerExplorer.redis.deleteFolder') && onGroup.includes('brokerExplorer.redis.refresh'));
      const onNs = ctx.filter((i) => shows(i, 'be:redis:namespace')).map((i) => i.command);
      for (const id of ['deleteFolder', 'filterToPrefix', 'copyPrefix', 'refresh'])
        assert.ok(onNs.includes(`brokerExplorer.redis.${id}`), id);
      assert.ok(!ctx.filter((i) => shows(i, 'be:redis:namespace+readonly')).some((i) => i.command === 'brokerExplorer.redis.deleteFolder'));
      for (const kind of [
        'profile',
        'vhost',
        'exchange',
        'queue+classic',
        'binding',
        'connection',
        'channel',
        'consumer',
        'policy',
        'node',
      ])
        assert.ok(
          ctx.some((i) => i.command === 'brokerExplorer.rabbitmq.copyName' && shows(i, `be:rabbitmq:${kind}`)),
          `Copy Name on be:rabbitmq:${kind}`,
        );
      const keys16 = m.keybindings.filter((k) => /focusedView == brokerExplorer\.redis/.test(k.when)).map((k) => `${k.key} ${k.command}`);
      assert.deepEqual(keys16, [
        'delete brokerExplorer.redis.deleteSelection',
        'f2 brokerExplorer.redis.renameSelection',
        'ctrl+c brokerExplorer.redis.copySelection',
        'enter brokerExplorer.redis.openSelection',
      ]);
    });
  });
}
