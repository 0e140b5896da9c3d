/**
 * Issue 7, secrets: a full session with password-protected profiles (a Redis
 * ACL user, a RabbitMQ user on a vhost of our own) — add, test, connect, fail
 * the login on purpose, publish, subscribe and tail (across a forced
 * reconnect), RPC, console, failing commands — then every file and text the
 * session produced is searched for the passwords: the code-server user data
 * folder (settings.json, the logs folder with the extension's log and every
 * output channel's file, global storage), the workspace settings, every open
 * text document (results, values, messages), the console transcript, tree
 * items and every command result and error message. 0 occurrences.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { connect, type ChannelModel } from 'amqplib';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { api, exec, plainRedis, rabbitMgmt, rabbitMgmtJson, RABBIT_MANAGEMENT, uniqueName, waitFor } from './util';

const DB = 6;

interface Needle {
  what: string;
  bytes: Buffer;
}

interface Found {
  where: string;
  what: string;
}

/** Every file under `dir` (symlinks not followed). */
async function walk(dir: string, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export function registerSecretsTests(): void {
  describe('secrets: a full session leaves no password anywhere (db 6, a vhost of its own)', () => {
    const tag = uniqueName('sec');
    const redisUser = `${tag}-redis`;
    const rabbitUser = `${tag}-rabbit`;
    // Distinctive, so any occurrence is a leak and not a coincidence.
    const redisPassword = `Rp-${randomUUID()}`;
    const rabbitPassword = `Qp-${randomUUID()}`;
    const wrongPassword = `Wp-${randomUUID()}`;
    const urlPassword = `Up-${randomUUID()}`;
    const vhost = `be-ext/${tag}`;
    const v = encodeURIComponent(vhost);
    const p = {
      redis: `${tag}-redis`,
      redisBad: `${tag}-redis-bad`,
      redisUrl: `${tag}-redis-url`,
      rabbit: `${tag}-rabbit`,
      rabbitBad: `${tag}-rabbit-bad`,
    };
    const seed = plainRedis(DB);
    const texts: { where: string; text: string }[] = [];
    let rpcServer: ChannelModel | undefined;

    /** Runs a command and keeps its result or its error message for the search. */
    async function run<T>(id: string, args: Record<string, unknown>): Promise<T> {
      try {
        const result = await exec<T>(id, args);
        texts.push({ where: `result of ${id}`, text: JSON.stringify(result) ?? '' });
        return result;
      } catch (err) {
        texts.push({ where: `error of ${id}`, text: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
        throw err;
      }
    }

    async function fails(id: string, args: Record<string, unknown>, pattern: RegExp): Promise<void> {
      let message = '';
      try {
        await run(id, args);
      } catch (err) {
        message = err instanceof Error ? err.message : String(err);
      }
      assert.match(message, pattern, `${id} fails`);
    }

    /** Walks a tree below `root`, keeping every item's label, description and tooltip. */
    async function collectTree(
      which: 'redis' | 'rabbit',
      root: TreeNode | undefined,
      depth: number,
      budget = { left: 300 },
    ): Promise<void> {
      if (!root || depth < 0 || budget.left <= 0) return;
      const a = await api();
      const tree = which === 'redis' ? a.redisTree : a.rabbitTree;
      const item = await tree.treeItem(root);
      budget.left--;
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : (item.tooltip ?? '');
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      texts.push({
        where: `${which} tree item ${root.id}`,
        text: `${label} ${String(item.description ?? '')} ${tooltip} ${item.contextValue ?? ''}`,
      });
      if (item.collapsibleState === vscode.TreeItemCollapsibleState.None) return;
      for (const child of await tree.children(root)) await collectTree(which, child, depth - 1, budget);
    }

    before(async function () {
      this.timeout(30_000);
      await seed.flushdb();
      await seed.call('ACL', 'SETUSER', redisUser, 'on', `>${redisPassword}`, `>${urlPassword}`, '~*', '&*', '+@all');
      await rabbitMgmt('PUT', `/api/vhosts/${v}`, { description: 'Broker Explorer secrets test' });
      await rabbitMgmt('PUT', `/api/users/${encodeURIComponent(rabbitUser)}`, { password: rabbitPassword, tags: 'management' });
      await rabbitMgmt('PUT', `/api/permissions/${v}/${encodeURIComponent(rabbitUser)}`, { configure: '.*', write: '.*', read: '.*' });
      await rabbitMgmt('PUT', `/api/permissions/${v}/guest`, { configure: '.*', write: '.*', read: '.*' });
    });

    after(async function () {
      this.timeout(30_000);
      const a = await api();
      for (const t of [...a.tails.list('redis'), ...a.tails.list('rabbitmq')]) if (t.profile?.startsWith(tag)) await a.tails.stop(t.id);
      for (const c of a.redisConsoles.list()) if (c.pty.transcript.includes(tag)) c.pty.close();
      await rpcServer?.close().catch(() => undefined);
      for (const name of [p.redis, p.redisBad, p.redisUrl]) await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      for (const name of [p.rabbit, p.rabbitBad]) await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name });
      await rabbitMgmt('DELETE', `/api/vhosts/${v}`);
      await rabbitMgmt('DELETE', `/api/users/${encodeURIComponent(rabbitUser)}`);
      await seed.call('ACL', 'DELUSER', redisUser);
      await seed.flushdb();
      seed.disconnect();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('runs the session', async function () {
      this.timeout(60_000);
      const a = await api();
      // ---- profiles with passwords
      await run('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: p.redis, host: '127.0.0.1', port: 6379, db: DB, username: redisUser },
        password: redisPassword,
      });
      await run('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: p.redisBad, host: '127.0.0.1', port: 6379, db: DB, username: redisUser },
        password: wrongPassword,
      });
      await run('brokerExplorer.profiles.addFromUrl', {
        kind: 'redis',
        name: p.redisUrl,
        url: `redis://${redisUser}:${urlPassword}@127.0.0.1:6379/${DB}`,
      });
      const amqpUrl = `amqp://${encodeURIComponent(rabbitUser)}@127.0.0.1:5672/${v}`;
      await run('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: { name: p.rabbit, url: amqpUrl, managementUrl: RABBIT_MANAGEMENT, connectTimeoutMs: 5000 },
        password: rabbitPassword,
      });
      await run('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: { name: p.rabbitBad, url: amqpUrl, managementUrl: RABBIT_MANAGEMENT, connectTimeoutMs: 5000 },
        password: wrongPassword,
      });
      const tested = await run<{ ok: boolean }>('brokerExplorer.profiles.test', { kind: 'redis', name: p.redis });
      assert.equal(tested.ok, true);
      assert.equal((await run<{ ok: boolean }>('brokerExplorer.profiles.test', { kind: 'redis', name: p.redisBad })).ok, false);
      assert.equal((await run<{ ok: boolean }>('brokerExplorer.profiles.test', { kind: 'redis', name: p.redisUrl })).ok, true);
      assert.equal((await run<{ ok: boolean }>('brokerExplorer.profiles.test', { kind: 'rabbitmq', name: p.rabbit })).ok, true);
      assert.equal((await run<{ ok: boolean }>('brokerExplorer.profiles.test', { kind: 'rabbitmq', name: p.rabbitBad })).ok, false);

      // ---- Redis: commands, a failed login, failing commands, pub/sub across a reconnect
      assert.equal(await run('brokerExplorer.redis.runCommand', { profile: p.redis, line: 'SET greeting "hello"' }), 'OK');
      assert.equal(await run('brokerExplorer.redis.runCommand', { profile: p.redisUrl, argv: ['GET', 'greeting'] }), 'hello');
      await run('brokerExplorer.redis.operation', { profile: p.redis, operation: 'hset', args: { key: 'h', fields: { f: 'v' } } });
      await fails('brokerExplorer.redis.runCommand', { profile: p.redisBad, line: 'GET greeting' }, /refused the login/);
      await fails('brokerExplorer.redis.getValue', { profile: p.redisBad, key: 'greeting' }, /refused the login/);
      await fails('brokerExplorer.redis.runCommand', { profile: p.redis, line: 'LPUSH greeting x' }, /WRONGTYPE/);
      await fails('brokerExplorer.redis.runCommand', { profile: p.redis, line: 'GET "open' }, /Unterminated quote/);
      await run('brokerExplorer.redis.runFileAsPipeline', { profile: p.redis, text: 'SET a 1\nINCR a\nLPUSH a x\nGET a\n' });
      await run('brokerExplorer.redis.openKey', { profile: p.redis, key: 'h' });
      await run('brokerExplorer.redis.editString', { profile: p.redis, key: 'greeting' });
      const channel = `${tag}:news`;
      const sub = await run<{ id: string }>('brokerExplorer.redis.subscribe', { profile: p.redis, channels: [channel], keep: true });
      await run('brokerExplorer.redis.publish', { profile: p.redis, channel, message: 'before' });
      assert.equal(
        (await run<{ messages: unknown[] }>('brokerExplorer.tails.read', { id: sub.id, take: 1, timeoutMs: 5000 })).messages.length,
        1,
      );
      // Every connection of the ACL user is killed: they log in again (AUTH with the password) and say so in the logs.
      await seed.call('CLIENT', 'KILL', 'USER', redisUser);
      const after = await waitFor('a message after the reconnect', async () => {
        await seed.publish(channel, 'after');
        const r = await exec<{ messages: { message: unknown }[] }>('brokerExplorer.tails.read', { id: sub.id, take: 1, timeoutMs: 300 });
        return r.messages.length > 0 ? r : undefined;
      });
      assert.equal(after.messages[0]?.message, 'after');

      // ---- the console
      const opened = await run<{ id: string }>('brokerExplorer.redis.openConsole', { profile: p.redis, db: DB });
      const pty = a.redisConsoles.get(opened.id)?.pty;
      assert.ok(pty);
      const prompt = `${p.redis}[${DB}]> `;
      await waitFor('the console prompt', () => (pty.transcript.includes(prompt) ? true : undefined));
      for (const line of ['PING', 'GET greeting', 'LPUSH greeting x', 'ACL WHOAMI', 'CLIENT INFO', 'AUTH nobody nothing', 'PING']) {
        const start = pty.transcript.length;
        pty.handleInput(`${line}\r`);
        await waitFor(`the reply to ${line}`, () => (pty.transcript.slice(start).endsWith(prompt) ? true : undefined), 10_000);
      }
      assert.match(pty.transcript, /PONG/);
      assert.match(pty.transcript, /WRONGTYPE/);
      texts.push({ where: 'console transcript', text: pty.transcript });

      // ---- RabbitMQ: topology, publish, tail across a closed connection, consume, peek, RPC, a failed login
      await run('brokerExplorer.rabbitmq.declareExchange', { profile: p.rabbit, name: 'events', type: 'topic', durable: false });
      await run('brokerExplorer.rabbitmq.declareQueue', { profile: p.rabbit, name: 'work', durable: false });
      await run('brokerExplorer.rabbitmq.bind', {
        profile: p.rabbit,
        source: 'events',
        destination: 'work',
        destinationType: 'queue',
        routingKey: 'job.#',
      });
      const tail = await run<{ id: string }>('brokerExplorer.rabbitmq.tail', {
        profile: p.rabbit,
        exchange: 'events',
        bindingKeys: ['#'],
        keep: true,
      });
      await run('brokerExplorer.rabbitmq.publish', {
        profile: p.rabbit,
        exchange: 'events',
        routingKey: 'job.1',
        body: '{"n":1}',
        properties: { contentType: 'application/json', headers: { 'x-note': 'hi' } },
      });
      assert.equal(
        (await run<{ messages: unknown[] }>('brokerExplorer.tails.read', { id: tail.id, take: 1, timeoutMs: 5000 })).messages.length,
        1,
      );
      const connectionName = await waitFor('the tail connection', async () => {
        const list = await rabbitMgmtJson<{ name: string; client_properties?: { connection_name?: string } }[]>(
          `/api/vhosts/${v}/connections`,
        );
        return list.find((c) => c.client_properties?.connection_name?.startsWith('broker-explorer tail'))?.name;
      });
      await rabbitMgmt('DELETE', `/api/connections/${encodeURIComponent(connectionName)}`);
      await waitFor('a tail message after the recovery', async () => {
        await exec('brokerExplorer.rabbitmq.publish', { profile: p.rabbit, exchange: 'events', routingKey: 'job.2', body: 'again' });
        const r = await exec<{ messages: unknown[] }>('brokerExplorer.tails.read', { id: tail.id, take: 1, timeoutMs: 300 });
        return r.messages.length > 0 ? true : undefined;
      });
      await run('brokerExplorer.rabbitmq.peek', { profile: p.rabbit, queue: 'work', count: 5 });
      await run('brokerExplorer.rabbitmq.consume', { profile: p.rabbit, queue: 'work', take: 1, timeoutMs: 5000 });
      await run('brokerExplorer.rabbitmq.list', { profile: p.rabbit, kind: 'queues' });
      await fails(
        'brokerExplorer.rabbitmq.publish',
        { profile: p.rabbitBad, exchange: 'events', routingKey: 'x', body: 'x' },
        /refused the login/,
      );
      await fails('brokerExplorer.rabbitmq.list', { profile: p.rabbitBad, kind: 'queues' }, /401|refused|login|credentials|password/i);
      await fails('brokerExplorer.rabbitmq.deleteQueue', { profile: p.rabbit, name: 'no-such-queue' }, /no-such-queue/);
      rpcServer = await connect(`amqp://${encodeURIComponent(rabbitUser)}:${encodeURIComponent(rabbitPassword)}@127.0.0.1:5672/${v}`);
      rpcServer.on('error', () => undefined);
      const ch = await rpcServer.createChannel();
      await ch.assertQueue('rpc_upper', { durable: false });
      await ch.consume('rpc_upper', (msg) => {
        if (!msg) return;
        ch.sendToQueue(String(msg.properties.replyTo), Buffer.from(msg.content.toString().toUpperCase()), {
          correlationId: String(msg.properties.correlationId),
        });
        ch.ack(msg);
      });
      const reply = await run<{ body: unknown }>('brokerExplorer.rabbitmq.rpcCall', {
        profile: p.rabbit,
        routingKey: 'rpc_upper',
        body: 'shout',
      });
      assert.equal(reply.body, 'SHOUT');
      await fails(
        'brokerExplorer.rabbitmq.rpcCall',
        { profile: p.rabbit, routingKey: 'rpc_nobody', body: 'x', timeoutMs: 300 },
        /rpc_nobody|no reply/,
      );

      // ---- the trees
      await a.redisTree.children(undefined);
      await a.rabbitTree.children(undefined);
      for (const name of [p.redis, p.redisBad, p.redisUrl]) await collectTree('redis', a.redisTree.profileNode(name), 4);
      for (const name of [p.rabbit, p.rabbitBad]) await collectTree('rabbit', a.rabbitTree.profileNode(name), 4);
    });

    it('finds 0 occurrences of any password in what the session produced', async function () {
      this.timeout(60_000);
      const a = await api();
      const secrets = [redisPassword, rabbitPassword, wrongPassword, urlPassword];
      const needles: Needle[] = [];
      for (const s of secrets) {
        needles.push({ what: 'a password', bytes: Buffer.from(s) });
        needles.push({ what: 'a password, percent-encoded', bytes: Buffer.from(encodeURIComponent(s)) });
        needles.push({ what: 'a password in UTF-16', bytes: Buffer.from(s, 'utf16le') });
      }
      for (const [user, pw] of [
        [redisUser, redisPassword],
        [rabbitUser, rabbitPassword],
        [rabbitUser, wrongPassword],
      ] as const) {
        needles.push({ what: 'HTTP Basic credentials', bytes: Buffer.from(Buffer.from(`${user}:${pw}`).toString('base64')) });
      }
      const found: Found[] = [];

      // Files: the user data folder (settings.json, logs, global storage, …), the logs folder, the workspace settings.
      const userData = dirname(dirname(dirname(a.globalStorageUri.fsPath)));
      const settingsJson = join(userData, 'User', 'settings.json');
      const logsRoot = dirname(dirname(a.logUri.fsPath));
      const roots = [userData, logsRoot, ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)];
      // Output channels reach their files in batches: wait until the tailed messages are on disk.
      await waitFor(
        "the output channels' files",
        async () => {
          for (const f of await walk(logsRoot)) if (/output_logging/.test(f) && (await readFile(f)).includes(`${tag}:news`)) return true;
          return undefined;
        },
        15_000,
      );
      const files = new Set<string>();
      for (const root of roots) for (const f of await walk(root)) files.add(f);
      assert.ok(files.has(settingsJson), `the user settings file ${settingsJson} is among the files searched`);
      const settingsText = await readFile(settingsJson, 'utf8');
      assert.ok(settingsText.includes(p.redis) && settingsText.includes(p.rabbit), "the session's profiles are in settings.json");
      let bytes = 0;
      let outputFiles = 0;
      let sawOutputContent = false;
      for (const f of files) {
        const info = await stat(f);
        if (info.size > 200 * 1024 * 1024) continue;
        const content = await readFile(f);
        bytes += content.length;
        if (/output_logging|exthost/.test(f) && f.endsWith('.log')) {
          outputFiles++;
          if (content.includes(`${tag}:news`) || content.includes('job.1')) sawOutputContent = true;
        }
        for (const n of needles) if (content.includes(n.bytes)) found.push({ where: relative(userData, f) || f, what: n.what });
      }
      if (process.env.BE_SECRETS_VERBOSE) console.log([...files].map((f) => relative(userData, f)).join('\n'));
      assert.ok(sawOutputContent, "the output channels' files (with the tailed messages) were among the files searched");

      // Texts: every open document (results, values, message documents), the console transcript, tree items, results and errors.
      // Results documents the commands created without showing them (called with arguments): open them by their uri.
      for (const t of [...texts]) {
        for (const m of t.text.matchAll(/"uri":"([^"]+)"/g)) {
          const uri = vscode.Uri.parse(m[1] ?? '');
          if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()))
            await vscode.workspace.openTextDocument(uri);
        }
      }
      const docs = vscode.workspace.textDocuments;
      for (const d of docs) texts.push({ where: `document ${d.uri.toString()}`, text: d.getText() });
      let textChars = 0;
      for (const t of texts) {
        textChars += t.text.length;
        for (const s of secrets)
          if (t.text.includes(s) || t.text.includes(encodeURIComponent(s))) found.push({ where: t.where, what: 'a password' });
      }
      console.log(
        `      secrets grep: ${found.length} occurrences in ${files.size} files (${(bytes / 1024).toFixed(0)} KiB; ${outputFiles} log/output files) and ${texts.length} texts (${docs.length} documents, ${(textChars / 1024).toFixed(0)} KiB)`,
      );
      assert.deepEqual(found, []);
    });
  });
}
