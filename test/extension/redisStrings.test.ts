import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { exec, plainRedis, rejects, uniqueName } from './util';

const DB = 4;

export function registerRedisStringTests(): void {
  describe('Redis string values as editable documents (db 4)', () => {
    const name = uniqueName('strings');
    const seed = plainRedis(DB);
    const open = async (key: string | { hex: string }): Promise<vscode.Uri> =>
      vscode.Uri.parse((await exec<{ uri: string }>('brokerExplorer.redis.editString', { profile: name, key })).uri);
    const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

    before(async () => {
      await seed.flushdb();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
    });
    after(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await seed.flushdb();
      seed.disconnect();
    });

    it('encodes profile and key as base64url segments with a readable label', async () => {
      await seed.set('a/b\nc', 'v');
      const uri = await open('a/b\nc');
      const segments = uri.path.split('/');
      assert.equal(segments.length, 5);
      assert.match(segments[1], /^p[A-Za-z0-9_-]+$/);
      assert.match(segments[3], /^k[A-Za-z0-9_-]+$/);
      assert.equal(segments[4], 'a∕b\\nc');
      assert.equal(text(await vscode.workspace.fs.readFile(uri)), 'v');
    });

    it('saves the exact bytes and keeps the TTL', async () => {
      await seed.set('doc', '{"a":1}', 'EX', 500);
      const uri = await open('doc');
      assert.equal(text(await vscode.workspace.fs.readFile(uri)), '{"a":1}');
      await vscode.workspace.fs.writeFile(uri, Buffer.from('{"a":2}\r\n日本'));
      assert.deepEqual(await seed.getBuffer('doc'), Buffer.from('{"a":2}\r\n日本'));
      assert.ok((await seed.ttl('doc')) > 490, 'KEEPTTL');
      // A second save after the first one is not a conflict.
      await vscode.workspace.fs.writeFile(uri, Buffer.from('3'));
      assert.equal(await seed.get('doc'), '3');
    });

    it('never overwrites a value changed on the server since it was read', async () => {
      await seed.set('shared', 'mine');
      const uri = await open('shared');
      await vscode.workspace.fs.readFile(uri);
      await seed.set('shared', 'theirs');
      await rejects(
        Promise.resolve(vscode.workspace.fs.writeFile(uri, Buffer.from('edited'))),
        /changed on the server since it was opened/,
      );
      assert.equal(await seed.get('shared'), 'theirs');
      await seed.del('shared');
      await rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, Buffer.from('edited'))), /was deleted on the server/);
      assert.equal(await seed.exists('shared'), 0);
    });

    it('opens binary values as hex and writes the hex back as bytes', async () => {
      await seed.set(Buffer.from([0xde, 0xad]), Buffer.from([0x00, 0xff, 0x10]));
      const uri = await open({ hex: 'dead' });
      assert.equal(text(await vscode.workspace.fs.readFile(uri)), '00 ff 10\n');
      await vscode.workspace.fs.writeFile(uri, Buffer.from('01 02\nff'));
      assert.deepEqual(await seed.getBuffer(Buffer.from([0xde, 0xad])), Buffer.from([0x01, 0x02, 0xff]));
      await rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, Buffer.from('zz'))), /not valid hex/);
    });

    it('opens a value larger than maxValueBytes truncated and read-only', async () => {
      const config = vscode.workspace.getConfiguration('brokerExplorer');
      await config.update('redis.maxValueBytes', 1024, vscode.ConfigurationTarget.Global);
      try {
        await seed.set('huge', 'x'.repeat(5000));
        const uri = await open('huge');
        const stat = await vscode.workspace.fs.stat(uri);
        assert.equal(stat.permissions, vscode.FilePermission.Readonly);
        assert.equal((await vscode.workspace.fs.readFile(uri)).length, 1024);
        await rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, Buffer.from('short'))), /truncated and read-only/);
        assert.equal((await seed.get('huge'))?.length, 5000);
      } finally {
        await config.update('redis.maxValueBytes', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    it('opening a string key from openKey opens the editable document', async () => {
      await seed.set('plain', 'text');
      const opened = await exec<{ uri: string }>('brokerExplorer.redis.openKey', { profile: name, key: 'plain' });
      assert.match(opened.uri, /^broker-redis-string:/);
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === opened.uri);
      assert.equal(doc?.getText(), 'text');
    });
  });
}
