import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { exec, plainRedis, uniqueName } from './util';

const DB = 5;

export function registerRedisScanTests(): void {
  describe('Redis scans to files and .redis files (db 5)', () => {
    const name = uniqueName('scan');
    const seed = plainRedis(DB);
    const files: string[] = [];

    before(async () => {
      await seed.flushdb();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
    });
    after(async () => {
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await seed.flushdb();
      seed.disconnect();
      for (const f of files) await rm(f, { force: true });
    });

    it('streams every matching key to a JSON lines file and the first 1,000 to a results document', async () => {
      const p = seed.pipeline();
      for (let i = 0; i < 3000; i++) p.set(`exp:${i}`, 'x');
      p.hset('other', 'f', 'v');
      await p.exec();
      const result = await exec<{ path: string; rows: number; complete: boolean; uri: string }>('brokerExplorer.redis.exportScan', {
        profile: name,
        match: 'exp:*',
        count: 500,
      });
      files.push(result.path);
      assert.equal(result.rows, 3000);
      assert.equal(result.complete, true);
      const lines = (await readFile(result.path, 'utf8')).trim().split('\n');
      assert.equal(lines.length, 3000);
      const keys = new Set(lines.map((l) => (JSON.parse(l) as { key: string; type: string }).key));
      assert.equal(keys.size, 3000);
      assert.deepEqual((JSON.parse(lines[0]) as { type: string }).type, 'string');
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(result.uri));
      const shown = doc
        .getText()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      assert.equal(shown.length, 1000);
      assert.match(doc.getText(), /3,000 keys written to/);
    });

    it('streams a list by chunked LRANGE to CSV with its indexes', async () => {
      await seed.rpush('biglist', ...Array.from({ length: 2500 }, (_, i) => `e,${i}`));
      const result = await exec<{ path: string; rows: number }>('brokerExplorer.redis.exportScan', {
        profile: name,
        key: 'biglist',
        count: 300,
        format: 'csv',
      });
      files.push(result.path);
      assert.equal(result.rows, 2500);
      const lines = (await readFile(result.path, 'utf8')).trim().split('\n');
      assert.equal(lines[0], 'index,value');
      assert.equal(lines[1], '0,"e,0"');
      assert.equal(lines[2500], '2499,"e,2499"');
    });

    it('runs a 100,000-line .redis file as a pipeline from disk in batches', async () => {
      const path = join(tmpdir(), `${uniqueName('big')}.redis`);
      files.push(path);
      const body = ['# 100,000 commands'];
      for (let i = 0; i < 100_000; i++) body.push(i === 500 ? 'LPUSH n:1 oops' : `SET n:${i} ${i}`);
      await writeFile(path, `${body.join('\n')}\n`);
      const run = await exec<{ lines: number; errors: number; complete: boolean; results: { line: number; reply: unknown }[] }>(
        'brokerExplorer.redis.runFileAsPipeline',
        { profile: name, path },
      );
      assert.equal(run.lines, 100_000);
      assert.equal(run.errors, 1);
      assert.equal(run.complete, true);
      assert.equal(run.results.length, 10_000);
      assert.equal(run.results[500].line, 502);
      assert.match((run.results[500].reply as { error: string }).error, /^WRONGTYPE/);
      assert.equal(await seed.get('n:99999'), '99999');
    });

    it('completes command names in a .redis document', async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'redis', content: 'ZRAN' });
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        doc.uri,
        new vscode.Position(0, 4),
      );
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      assert.ok(labels.includes('ZRANGE'), `ZRANGE among ${labels.length} completions`);
      const zrange = list.items.find((i) => i.label === 'ZRANGE');
      assert.match(String(zrange?.detail ?? ''), /ZRANGE key/);
    });
  });
}
