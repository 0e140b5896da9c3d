import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { exec, plainRedis, rejects, scriptPrompts, sleep, uniqueName, waitFor } from './util';

const DB = 13;

/** Collections edited as JSON documents (issue 13 part 1): opened through the API, edited with a WorkspaceEdit, saved. */
export function registerRedisJsonEditTests(): void {
  describe('Redis collections edited as JSON documents (db 13)', () => {
    const name = uniqueName('jsonedit');
    const P = `${name}:`;
    const seed = plainRedis(DB);
    const open = async (key: string): Promise<vscode.TextDocument> => {
      const opened = await exec<{ uri: string }>('brokerExplorer.redis.editJson', { profile: name, db: DB, key: P + key });
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === opened.uri);
      assert.ok(doc, 'the document is open');
      return doc;
    };
    /** Replaces the whole text of a document, as a user's edit would, and saves it. */
    const editAndSave = async (doc: vscode.TextDocument, text: string): Promise<boolean> => {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
      assert.ok(await vscode.workspace.applyEdit(edit));
      return doc.save();
    };

    before(async () => {
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
    });
    afterEach(async () => {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
    after(async () => {
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      const keys: string[] = [];
      for await (const batch of seed.scanStream({ match: `${P}*`, count: 1000 })) keys.push(...(batch as string[]));
      if (keys.length > 0) await seed.del(...keys);
      seed.disconnect();
    });

    it('a hash opens from openKey as a JSON object; an edited field is saved, the others and the TTL kept', async () => {
      await seed.hset(`${P}user`, { name: 'Ada', born: '1815', bin: Buffer.from([0xff]) });
      await seed.expire(`${P}user`, 500);
      const opened = await exec<{ uri: string }>('brokerExplorer.redis.openKey', { profile: name, db: DB, key: `${P}user` });
      assert.match(opened.uri, /^broker-redis-string:.*\.json$/);
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === opened.uri);
      assert.ok(doc);
      assert.equal(doc.languageId, 'json');
      assert.equal(doc.getText(), '{\n  "bin": { "hex": "ff" },\n  "born": "1815",\n  "name": "Ada"\n}\n');
      assert.ok(
        await editAndSave(doc, '{\n  "bin": { "hex": "fe00" },\n  "born": "1815",\n  "name": "Ada Lovelace",\n  "died": 1852\n}\n'),
      );
      assert.deepEqual(await seed.hgetall(`${P}user`), { bin: '\ufffd\u0000', born: '1815', name: 'Ada Lovelace', died: '1852' });
      assert.deepEqual(await seed.hgetBuffer(`${P}user`, 'bin'), Buffer.from([0xfe, 0x00]));
      assert.ok((await seed.ttl(`${P}user`)) > 490, 'the TTL is kept');
    });

    it('a set, a sorted set and a list are edited and saved, checked against Redis', async () => {
      await seed.sadd(`${P}tags`, 'b', 'a');
      await seed.zadd(`${P}board`, 1, 'one', 2, 'two');
      await seed.rpush(`${P}queue`, 'x', 'y');
      const set = await open('tags');
      assert.equal(set.getText(), '[\n  "a",\n  "b"\n]\n');
      assert.ok(await editAndSave(set, '["a", "c"]'));
      assert.deepEqual((await seed.smembers(`${P}tags`)).sort(), ['a', 'c']);
      const zset = await open('board');
      assert.equal(zset.getText(), '[\n  { "member": "one", "score": 1 },\n  { "member": "two", "score": 2 }\n]\n');
      assert.ok(await editAndSave(zset, '[{ "member": "one", "score": 10 }, { "member": "three", "score": "-inf" }]'));
      assert.deepEqual(await seed.zrange(`${P}board`, 0, -1, 'WITHSCORES'), ['three', '-inf', 'one', '10']);
      const list = await open('queue');
      assert.ok(await editAndSave(list, '["x", "Y"]'));
      assert.deepEqual(await seed.lrange(`${P}queue`, 0, -1), ['x', 'Y']);
    });

    it("a list's length change is saved only after a confirmation naming it", async () => {
      await seed.rpush(`${P}jobs`, 'a', 'b');
      await seed.expire(`${P}jobs`, 500);
      const doc = await open('jobs');
      const declined = await scriptPrompts([undefined]);
      try {
        await rejects(Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from('["a", "b", "c"]'))), /was not confirmed/);
        assert.match(declined.asked[0] ?? '', /^confirm: Saving changes the length of the list ".*jobs" from 2 to 3/);
      } finally {
        declined.restore();
      }
      assert.deepEqual(await seed.lrange(`${P}jobs`, 0, -1), ['a', 'b'], 'nothing written');
      const accepted = await scriptPrompts(['Save']);
      try {
        assert.ok(await editAndSave(doc, '["a", "b", "c"]'));
      } finally {
        accepted.restore();
      }
      assert.deepEqual(await seed.lrange(`${P}jobs`, 0, -1), ['a', 'b', 'c']);
      assert.ok((await seed.ttl(`${P}jobs`)) > 490, 'the TTL is kept');
    });

    it('the wrong shape gets a diagnostic at its place; invalid JSON or the wrong shape is refused and nothing reaches Redis', async () => {
      await seed.hset(`${P}conf`, { a: '1' });
      const doc = await open('conf');
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), '{\n  "a": "2",\n  "b": [3]\n}\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      const [problem] = await waitFor('a diagnostic on the document', () => {
        // Ours, not the JSON language service's.
        const found = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'Broker Explorer');
        return found.length > 0 ? found : undefined;
      });
      assert.match(problem?.message ?? '', /A hash value must be a string or \{ "hex": "…" \}/);
      assert.deepEqual([problem?.range.start.line, problem?.range.start.character, problem?.range.end.character], [2, 7, 10]);
      assert.equal(await doc.save(), false, 'the save is refused');
      await rejects(
        Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from('{\n  "a": "2"\n  "b": "3"\n}\n'))),
        /The hash ".*conf" was not saved \(line 3, column 3\): Expected "," or "\}" after a property value\.$/,
      );
      const shown = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'Broker Explorer');
      assert.deepEqual(
        shown.map((d) => [d.range.start.line, d.range.start.character]),
        [[2, 2]],
        'a refused save shows its problem at once',
      );
      assert.deepEqual(await seed.hgetall(`${P}conf`), { a: '1' }, 'nothing written');
    });

    it('a collection changed underneath is not overwritten: the save fails with the conflict sentence', async () => {
      await seed.hset(`${P}shared`, { a: '1', b: '2' });
      const doc = await open('shared');
      await seed.hset(`${P}shared`, 'b', 'theirs');
      await sleep(1000);
      assert.match(doc.getText(), /"b": "2"/, 'the open document is not reloaded behind the user');
      await rejects(
        Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from('{ "a": "mine", "b": "2" }'))),
        /The hash ".*shared" changed on the server since it was opened: it was not overwritten/,
      );
      assert.deepEqual(await seed.hgetall(`${P}shared`), { a: '1', b: 'theirs' });
      await seed.del(`${P}shared`);
      await rejects(Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from('{ "a": "mine" }'))), /was deleted on the server/);
      assert.equal(await seed.exists(`${P}shared`), 0);
    });

    it('a collection over maxEditableItems, a stream and a read-only profile keep the read-only table', async () => {
      const config = vscode.workspace.getConfiguration('brokerExplorer');
      await config.update('redis.maxEditableItems', 5, vscode.ConfigurationTarget.Global);
      const readOnly = `${name}-ro`;
      try {
        await seed.sadd(`${P}big`, 'a', 'b', 'c', 'd', 'e', 'f');
        await rejects(
          exec('brokerExplorer.redis.editJson', { profile: name, db: DB, key: `${P}big` }),
          /holds 6 items, more than brokerExplorer\.redis\.maxEditableItems \(5\)/,
        );
        const big = await exec<{ uri: string; notice?: string }>('brokerExplorer.redis.openKey', { profile: name, db: DB, key: `${P}big` });
        assert.match(big.uri, /^broker-redis-value:/);
        assert.match(big.notice ?? '', /It opened read-only\.$/);
        await seed.xadd(`${P}events`, '*', 'f', 'v');
        await rejects(exec('brokerExplorer.redis.editJson', { profile: name, db: DB, key: `${P}events` }), /holds a stream/);
        assert.match(
          (await exec<{ uri: string }>('brokerExplorer.redis.openKey', { profile: name, db: DB, key: `${P}events` })).uri,
          /^broker-redis-value:/,
        );
        await exec('brokerExplorer.profiles.add', {
          kind: 'redis',
          profile: { name: readOnly, host: '127.0.0.1', port: 6379, db: DB, readOnly: true },
        });
        await seed.hset(`${P}ro`, 'f', 'v');
        const ro = await exec<{ uri: string }>('brokerExplorer.redis.openKey', { profile: readOnly, db: DB, key: `${P}ro` });
        assert.match(ro.uri, /^broker-redis-value:/);
        const direct = await exec<{ uri: string }>('brokerExplorer.redis.editJson', { profile: readOnly, db: DB, key: `${P}ro` });
        const stat = await vscode.workspace.fs.stat(vscode.Uri.parse(direct.uri));
        assert.equal(stat.permissions, vscode.FilePermission.Readonly);
        await rejects(
          Promise.resolve(vscode.workspace.fs.writeFile(vscode.Uri.parse(direct.uri), Buffer.from('{ "f": "w" }'))),
          /read-only/,
        );
        assert.equal(await seed.hget(`${P}ro`, 'f'), 'v');
      } finally {
        await config.update('redis.maxEditableItems', undefined, vscode.ConfigurationTarget.Global);
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: readOnly });
      }
    });
  });
}
