/**
 * Issue 7, faults in the extension host: a redis-server of the test's own
 * is killed (-9) while the tree is expanded, a subscription and a console
 * are open; "Load more" then shows an error node with one sentence at
 * once (nothing hangs), Retry works once the server is back on the same
 * port, the subscription resubscribes by itself (and says so in its output
 * channel) and the console's next command reconnects. A closed port and a
 * listener that never answers fail fast, in the tree and in profiles.test.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import * as vscode from 'vscode';
import type { ErrorNode, LoadMoreNode, TreeNode } from '../../src/ui/tree/treeNode';
import { OwnRedis } from '../core/helpers/ownServers';
import { api, assertOneSentence, contextOf, exec, freePort, outputChannelText, uniqueName, waitFor } from './util';

const KEYS = 1_000;

interface TestResult {
  ok: boolean;
  steps: { step: string; ok: boolean; ms: number; error?: string }[];
  error?: string;
}

async function first(nodes: TreeNode[], prefix: string): Promise<TreeNode | undefined> {
  for (const n of nodes) if ((await contextOf(n)).startsWith(prefix)) return n;
  return undefined;
}

export function registerFaultTests(): void {
  describe('faults: a redis-server of its own killed and restarted, closed and silent ports', () => {
    const name = uniqueName('faults');
    const channel = uniqueName('fault-ch');
    let own: OwnRedis;
    let seed: Redis;
    let subId = '';
    let consoleId = '';
    let group: TreeNode;
    let shownError: ErrorNode;
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('brokerExplorer');

    before(async function () {
      this.timeout(30_000);
      own = await OwnRedis.start();
      seed = new Redis({ host: '127.0.0.1', port: own.port, maxRetriesPerRequest: 1 });
      seed.on('error', () => undefined);
      const p = seed.pipeline();
      for (let i = 0; i < KEYS; i++) p.set(`k:${i}`, String(i));
      await p.exec();
      await config().update('redis.pageSize', 100, vscode.ConfigurationTarget.Global);
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name, host: '127.0.0.1', port: own.port, connectTimeoutMs: 3000 },
      });
    });

    after(async function () {
      this.timeout(30_000);
      const a = await api();
      for (const t of a.tails.list('redis', name)) await a.tails.stop(t.id);
      a.redisConsoles.get(consoleId)?.pty.close();
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await config().update('redis.pageSize', undefined, vscode.ConfigurationTarget.Global);
      seed.disconnect();
      await own.dispose();
    });

    it('expands the tree, subscribes and opens a console on the server', async () => {
      const a = await api();
      await a.redisTree.children(undefined);
      const profile = a.redisTree.profileNode(name);
      assert.ok(profile);
      const db = await first(await a.redisTree.children(profile), 'be:redis:db');
      assert.ok(db);
      const groups = await a.redisTree.children(db);
      const strings = groups.find((g) => (g as { type?: string }).type === 'string');
      assert.ok(strings);
      group = strings;
      const keys = await a.redisTree.children(group);
      assert.equal(keys.length, 101, '100 keys and "Load more…"');
      assert.equal(await contextOf(keys[100]), 'be:loadMore');
      subId = (await exec<{ id: string }>('brokerExplorer.redis.subscribe', { profile: name, channels: [channel], keep: true })).id;
      assert.equal(await seed.publish(channel, 'before'), 1);
      const got = await exec<{ messages: { message: unknown }[] }>('brokerExplorer.tails.read', { id: subId, take: 1, timeoutMs: 5000 });
      assert.deepEqual(
        got.messages.map((m) => m.message),
        ['before'],
      );
      consoleId = (await exec<{ id: string }>('brokerExplorer.redis.openConsole', { profile: name, db: 0 })).id;
      const pty = a.redisConsoles.get(consoleId)?.pty;
      assert.ok(pty);
      await waitFor('the console prompt', () => (pty.transcript.endsWith(`${name}[0]> `) ? true : undefined));
    });

    it('after kill -9, "Load more" gives an error node with one sentence within seconds, and expanding the profile too', async function () {
      this.timeout(30_000);
      const a = await api();
      await own.kill();
      const keys = await a.redisTree.children(group);
      const more = keys[keys.length - 1] as LoadMoreNode;
      const started = Date.now();
      await exec('brokerExplorer.loadMore', more);
      const after = await a.redisTree.children(group);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 5_000, `answered in ${elapsed} ms`);
      assert.equal(after.length, 101, 'the keys loaded before stay');
      const error = after[100] as ErrorNode;
      assert.equal(await contextOf(error), 'be:error+unreachable', 'a lost server leads with Test Connection');
      assert.match(error.message, new RegExp(`Redis profile "${name}" \\(127\\.0\\.0\\.1:${own.port}\\)`));
      assert.match(error.message, /refused|lost/);
      assertOneSentence(error.message);
      console.log(`      error node after kill -9 (${elapsed} ms): ${error.message}`);
      // The click is the remedy (Test Connection); Retry stays as the node's inline action.
      assert.equal((await a.redisTree.treeItem(error)).command?.command, 'brokerExplorer.profiles.test');
      // Retry while the server is still down: the same clear error, again at once.
      const t0 = Date.now();
      await exec('brokerExplorer.retry', error);
      const again = await a.redisTree.children(group);
      shownError = again[again.length - 1] as ErrorNode;
      assert.equal(await contextOf(shownError), 'be:error+unreachable');
      assert.ok(Date.now() - t0 < 5_000);
      const profile = a.redisTree.profileNode(name);
      assert.ok(profile);
      const t1 = Date.now();
      const profileChildren = await a.redisTree.children(profile);
      const profileError = await first(profileChildren, 'be:error');
      assert.ok(profileError, 'expanding the profile shows an error node');
      assert.match((profileError as ErrorNode).message, /connection was refused/);
      assert.ok(Date.now() - t1 < 3_000);
      await assert.rejects(exec('brokerExplorer.redis.getValue', { profile: name, key: 'k:1' }), (err: Error) => {
        assertOneSentence(err.message);
        return /refused|lost/.test(err.message);
      });
    });

    it('after a restart on the same port, Retry loads the next page, the subscription resubscribes and the console reconnects', async function () {
      this.timeout(60_000);
      const a = await api();
      await own.start();
      seed.disconnect();
      seed = new Redis({ host: '127.0.0.1', port: own.port, maxRetriesPerRequest: 1 });
      seed.on('error', () => undefined);
      const p = seed.pipeline();
      for (let i = 0; i < KEYS; i++) p.set(`k:${i}`, String(i));
      await p.exec();
      // The error node the view shows since the kill: Retry.
      await exec('brokerExplorer.retry', shownError);
      const reloaded = await a.redisTree.children(group);
      const kinds = await Promise.all(reloaded.map((n) => contextOf(n)));
      assert.ok(!kinds.some((k) => k.startsWith('be:error')), 'the error is gone');
      assert.ok(kinds.filter((k) => k.startsWith('be:redis:key:')).length > 100, `the next page loaded (${kinds.length} nodes)`);
      const profile = a.redisTree.profileNode(name);
      assert.ok(profile);
      const profileError = await first(await a.redisTree.children(profile), 'be:error');
      assert.equal(profileError, undefined, 'the profile expands again');

      const started = Date.now();
      const got = await waitFor(
        'a message published after the restart',
        async () => {
          await seed.publish(channel, 'after');
          const r = await exec<{ messages: { message: unknown }[]; running: boolean }>('brokerExplorer.tails.read', {
            id: subId,
            take: 1,
            timeoutMs: 250,
          });
          return r.messages.length > 0 ? r : undefined;
        },
        20_000,
      );
      assert.equal(got.running, true);
      assert.equal(got.messages[0]?.message, 'after');
      console.log(`      the subscription got a message ${Date.now() - started} ms after the restart`);
      const text = await waitFor(
        'the lost / resubscribed lines in the output channel',
        async () => {
          const t = await outputChannelText(channel);
          return /lost connection/.test(t) && /resubscribed/.test(t) ? t : undefined;
        },
        5_000,
      );
      assert.match(text, /lost connection: .*messages published meanwhile are not received/);

      const pty = a.redisConsoles.get(consoleId)?.pty;
      assert.ok(pty);
      const reply = await waitFor(
        'PONG from the console',
        async () => {
          const start = pty.transcript.length;
          pty.handleInput('PING\r');
          const out = await waitFor(
            'the console reply',
            () => (pty.transcript.slice(start).endsWith(`${name}[0]> `) ? pty.transcript.slice(start) : undefined),
            10_000,
          );
          return /PONG/.test(out) ? out : undefined;
        },
        20_000,
      );
      assert.match(reply, /PONG/);
    });

    it('a closed port shows the error node at once, and profiles.test fails at the tcp step at once', async () => {
      const a = await api();
      const port = await freePort();
      const closed = uniqueName('closed');
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: closed, host: '127.0.0.1', port, connectTimeoutMs: 10_000 },
      });
      try {
        await a.redisTree.children(undefined);
        const profile = a.redisTree.profileNode(closed);
        assert.ok(profile);
        const started = Date.now();
        const children = await a.redisTree.children(profile);
        assert.ok(Date.now() - started < 2_000, `${Date.now() - started} ms`);
        assert.equal(children.length, 1);
        assert.equal(await contextOf(children[0]), 'be:error+unreachable');
        const message = (children[0] as ErrorNode).message;
        assert.match(message, new RegExp(`127\\.0\\.0\\.1:${port}.*the connection was refused`));
        assertOneSentence(message);
        const t0 = Date.now();
        const result = await exec<TestResult>('brokerExplorer.profiles.test', { kind: 'redis', name: closed });
        assert.ok(Date.now() - t0 < 2_000);
        assert.equal(result.ok, false);
        const tcp = result.steps.find((s) => s.step === 'tcp');
        assert.equal(tcp?.ok, false, JSON.stringify(result.steps));
        assert.match(tcp?.error ?? result.error ?? '', /refused/);
      } finally {
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: closed });
      }
    });

    it('a listener that accepts and never answers fails within connectTimeoutMs, naming host and port', async function () {
      this.timeout(20_000);
      const a = await api();
      const sockets: Socket[] = [];
      const server: Server = createServer((s) => {
        sockets.push(s);
        s.on('error', () => undefined);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      const silent = uniqueName('silent');
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: silent, host: '127.0.0.1', port, connectTimeoutMs: 1500 },
      });
      try {
        await a.redisTree.children(undefined);
        const profile = a.redisTree.profileNode(silent);
        assert.ok(profile);
        const started = Date.now();
        const children = await a.redisTree.children(profile);
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 1_000 && elapsed < 4_000, `failed after ${elapsed} ms`);
        assert.equal(await contextOf(children[0]), 'be:error+unreachable');
        const message = (children[0] as ErrorNode).message;
        assert.match(message, new RegExp(`127\\.0\\.0\\.1:${port}.*1500 ms`));
        assertOneSentence(message);
        assert.ok(sockets.length >= 1, 'the listener was reached');
      } finally {
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: silent });
        for (const s of sockets) s.destroy();
        server.close();
      }
    });
  });
}
