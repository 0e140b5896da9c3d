/**
 * Issue 7, read-only profiles in the extension host: every write family,
 * through every command that can write (typed-in commands, pipelines,
 * files, typed operations, key admin, pub/sub, the console, saving a string
 * document, every RabbitMQ write), is refused with "profile X is read-only"
 * and the servers are unchanged afterwards; reads still work; the trees mark
 * the profile. Admin commands (CONFIG SET, FLUSHALL, CLIENT KILL, SHUTDOWN)
 * go to a redis-server of the test's own, so a regression could not harm the
 * shared one.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { Redis } from 'ioredis';
import * as vscode from 'vscode';
import { OwnRedis } from '../core/helpers/ownServers';
import { NEW_KEY_TYPES } from '../../src/core/redis/keyOps';
import { OPERATIONS } from '../../src/core/redis/operations';
import type { OperationSpec } from '../../src/core/redis/opsSpec';
import { sampleArgs } from '../core/helpers/opSamples';
import { RabbitFixture } from './rabbitmq.test';
import { api, assertOneSentence, contextOf, exec, plainRedis, rabbitSnapshot, redisSnapshot, uniqueName, waitFor } from './util';

const DB = 6;

interface Write {
  what: string;
  run(): Promise<unknown>;
}

export function registerReadOnlyTests(): void {
  describe('read-only profiles refuse every write and still read (db 6, a vhost and a redis-server of their own)', () => {
    const seed = plainRedis(DB);
    const fx = new RabbitFixture();
    const tag = uniqueName('ro');
    const ro = `${tag}-redis`;
    const roOwn = `${tag}-own`;
    const roRabbit = `${tag}-rabbit`;
    let own: OwnRedis;
    let ownClient: Redis;
    let raw: ChannelModel;
    const refusals: string[] = [];

    const rcmd = (line: string, profile = ro): Promise<unknown> => exec('brokerExplorer.redis.runCommand', { profile, line });
    const op = (operation: string, args: Record<string, unknown>): Promise<unknown> =>
      exec('brokerExplorer.redis.operation', { profile: ro, operation, args });
    const menu = (id: string, args: Record<string, unknown>): Promise<unknown> => exec(`brokerExplorer.redis.${id}`, { profile: ro, args });
    const rabbit = (verb: string, args: Record<string, unknown>): Promise<unknown> =>
      exec(`brokerExplorer.rabbitmq.${verb}`, { profile: roRabbit, ...args });

    async function state(): Promise<string> {
      const config = (await ownClient.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
      return JSON.stringify({
        shared: await redisSnapshot(seed),
        own: await redisSnapshot(ownClient),
        config,
        functions: await seed.call('FUNCTION', 'LIST'),
        rabbit: await rabbitSnapshot(fx.vhost, raw),
      });
    }

    before(async function () {
      this.timeout(30_000);
      await seed.flushdb();
      await seed.set('str', 'kept');
      await seed.set('n', '41');
      await seed.rpush('mylist', 'a', 'b');
      await seed.hset('myhash', 'f', 'v');
      await seed.sadd('myset', 'm');
      await seed.zadd('myz', 1, 'one');
      own = await OwnRedis.start();
      ownClient = new Redis({ host: '127.0.0.1', port: own.port, maxRetriesPerRequest: 1 });
      await ownClient.set('x', 'own');
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: ro, host: '127.0.0.1', port: 6379, db: DB, readOnly: true },
      });
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: roOwn, host: '127.0.0.1', port: own.port, readOnly: true },
      });
      await fx.setup();
      await fx.run('declareExchange', { name: 'ro.x', type: 'direct', durable: false });
      await fx.run('declareQueue', { name: 'ro.q', durable: false });
      await fx.run('bind', { source: 'ro.x', destination: 'ro.q', destinationType: 'queue', routingKey: 'k' });
      for (const body of ['one', 'two']) await fx.run('publish', { exchange: 'ro.x', routingKey: 'k', body });
      const v = encodeURIComponent(fx.vhost);
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: {
          name: roRabbit,
          url: `amqp://guest@127.0.0.1:5672/${v}`,
          managementUrl: 'http://127.0.0.1:15672',
          readOnly: true,
          connectTimeoutMs: 5000,
        },
        password: 'guest',
      });
      raw = await connect(`amqp://guest:guest@127.0.0.1:5672/${v}`);
      raw.on('error', () => undefined);
    });

    after(async function () {
      this.timeout(30_000);
      const a = await api();
      for (const t of a.tails.list(undefined, roRabbit)) await a.tails.stop(t.id);
      for (const t of a.tails.list(undefined, ro)) await a.tails.stop(t.id);
      for (const name of [ro, roOwn]) await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name: roRabbit });
      await raw.close().catch(() => undefined);
      await fx.teardown();
      ownClient.disconnect();
      await own.dispose();
      await seed.flushdb();
      seed.disconnect();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    const sha = createHash('sha1').update("return redis.call('set','str','x')").digest('hex');
    const writes: Write[] = [
      // typed-in commands, including the ones the command flags miss
      { what: 'SET', run: () => rcmd('SET str changed') },
      { what: 'DEL', run: () => rcmd('DEL str') },
      { what: 'INCR', run: () => rcmd('INCR n') },
      { what: 'HSET', run: () => rcmd('HSET myhash f changed') },
      { what: 'LPUSH', run: () => rcmd('LPUSH mylist z') },
      { what: 'SADD', run: () => rcmd('SADD myset z') },
      { what: 'ZADD', run: () => rcmd('ZADD myz 2 two') },
      { what: 'EXPIRE', run: () => rcmd('EXPIRE str 100') },
      { what: 'RENAME', run: () => rcmd('RENAME str str2') },
      { what: 'EVAL', run: () => rcmd(`EVAL "return redis.call('set','str','x')" 0`) },
      { what: 'EVALSHA', run: () => rcmd(`EVALSHA ${sha} 0`) },
      { what: 'FCALL', run: () => rcmd('FCALL nosuchfunction 0') },
      { what: 'PUBLISH', run: () => rcmd('PUBLISH ro-channel hi') },
      { what: 'SPUBLISH', run: () => rcmd('SPUBLISH ro-channel hi') },
      { what: 'SCRIPT LOAD', run: () => rcmd('SCRIPT LOAD "return 1"') },
      { what: 'SCRIPT FLUSH', run: () => rcmd('SCRIPT FLUSH', roOwn) },
      {
        what: 'FUNCTION LOAD',
        run: () => rcmd(`FUNCTION LOAD "#!lua name=${tag.replace(/-/g, '_')}\\nredis.register_function('f', function() return 1 end)"`),
      },
      { what: 'FUNCTION FLUSH', run: () => rcmd('FUNCTION FLUSH', roOwn) },
      { what: 'FLUSHDB', run: () => rcmd('FLUSHDB') },
      { what: 'CONFIG SET', run: () => rcmd('CONFIG SET maxmemory-policy allkeys-lru', roOwn) },
      { what: 'FLUSHALL', run: () => rcmd('FLUSHALL', roOwn) },
      { what: 'CLIENT KILL', run: () => rcmd('CLIENT KILL TYPE normal', roOwn) },
      { what: 'SHUTDOWN', run: () => rcmd('SHUTDOWN NOSAVE', roOwn) },
      {
        what: 'a MULTI block with a write',
        run: () =>
          exec('brokerExplorer.redis.runPipeline', {
            profile: ro,
            transaction: true,
            commands: [
              ['GET', 'str'],
              ['SET', 'str', 'x'],
            ],
          }),
      },
      {
        what: 'a pipeline with a write',
        run: () =>
          exec('brokerExplorer.redis.runPipeline', {
            profile: ro,
            commands: [
              ['GET', 'str'],
              ['DEL', 'str'],
            ],
          }),
      },
      {
        what: 'a .redis transaction with a write',
        run: () => exec('brokerExplorer.redis.runFileAsTransaction', { profile: ro, text: 'GET str\nSET str x\n' }),
      },
      // typed operations and their menu commands
      { what: 'operation set', run: () => op('set', { key: 'str', value: 'x' }) },
      { what: 'operation incr', run: () => op('incr', { key: 'n' }) },
      { what: 'operation hset', run: () => op('hset', { key: 'myhash', fields: { f: 'x' } }) },
      { what: 'operation lpush', run: () => op('lpush', { key: 'mylist', values: ['x'] }) },
      { what: 'operation blpop', run: () => op('blpop', { keys: ['mylist'], timeout: 0.1 }) },
      { what: 'operation sadd', run: () => op('sadd', { key: 'myset', members: ['x'] }) },
      { what: 'operation zadd', run: () => op('zadd', { key: 'myz', members: [{ member: 'x', score: 1 }] }) },
      { what: 'operation unlink', run: () => op('unlink', { keys: ['str'] }) },
      { what: 'menu expire', run: () => menu('expire', { key: 'str', seconds: 100 }) },
      { what: 'menu rename', run: () => menu('rename', { key: 'str', newKey: 'str2' }) },
      { what: 'menu move', run: () => menu('move', { key: 'str', db: 7 }) },
      { what: 'menu copy', run: () => menu('copy', { source: 'str', destination: 'str2' }) },
      { what: 'menu hdel', run: () => menu('hdel', { key: 'myhash', fields: ['f'] }) },
      { what: 'menu zrem', run: () => menu('zrem', { key: 'myz', members: ['one'] }) },
      // key admin, pub/sub
      // every write of the OPERATIONS table, with arguments from its own schema
      ...(OPERATIONS as readonly OperationSpec[])
        .filter((spec) => spec.write)
        .map((spec) => ({ what: `operation ${spec.name} (every write)`, run: () => op(spec.name, sampleArgs(spec)) })),
      ...NEW_KEY_TYPES.map((type) => ({
        what: `newKey ${type}`,
        run: () =>
          exec('brokerExplorer.redis.newKey', {
            profile: ro,
            type,
            key: 'fresh',
            value: 'v',
            items: type === 'zset' ? ['1', 'm'] : type === 'list' || type === 'set' ? ['a'] : ['f', 'v'],
          }),
      })),
      { what: 'deleteKeys by name', run: () => exec('brokerExplorer.redis.deleteKeys', { profile: ro, keys: ['str'] }) },
      { what: 'deleteKeys by pattern', run: () => exec('brokerExplorer.redis.deleteKeys', { profile: ro, match: '*' }) },
      { what: 'flushDb', run: () => exec('brokerExplorer.redis.flushDb', { profile: ro, db: DB }) },
      { what: 'redis.publish', run: () => exec('brokerExplorer.redis.publish', { profile: ro, channel: 'ro-channel', message: 'hi' }) },
      // RabbitMQ
      { what: 'rabbitmq publish', run: () => rabbit('publish', { exchange: 'ro.x', routingKey: 'k', body: 'x' }) },
      { what: 'rabbitmq declareExchange', run: () => rabbit('declareExchange', { name: 'ro.new', type: 'fanout' }) },
      { what: 'rabbitmq declareQueue', run: () => rabbit('declareQueue', { name: 'ro.new' }) },
      {
        what: 'rabbitmq bind',
        run: () => rabbit('bind', { source: 'ro.x', destination: 'ro.q', destinationType: 'queue', routingKey: 'other' }),
      },
      {
        what: 'rabbitmq unbind',
        run: () => rabbit('unbind', { source: 'ro.x', destination: 'ro.q', destinationType: 'queue', routingKey: 'k' }),
      },
      { what: 'rabbitmq deleteQueue', run: () => rabbit('deleteQueue', { name: 'ro.q' }) },
      { what: 'rabbitmq deleteExchange', run: () => rabbit('deleteExchange', { name: 'ro.x' }) },
      { what: 'rabbitmq purgeQueue', run: () => rabbit('purgeQueue', { name: 'ro.q' }) },
      { what: 'rabbitmq consume with ack', run: () => rabbit('consume', { queue: 'ro.q', ack: 'ack', take: 1, timeoutMs: 2000 }) },
      { what: 'rabbitmq consume with reject', run: () => rabbit('consume', { queue: 'ro.q', ack: 'reject', take: 1, timeoutMs: 2000 }) },
      { what: 'rabbitmq rpcCall', run: () => rabbit('rpcCall', { routingKey: 'ro.q', body: 'x', timeoutMs: 1000 }) },
      { what: 'rabbitmq moveMessages', run: () => rabbit('moveMessages', { queue: 'ro.q', toExchange: 'ro.x', routingKey: 'k' }) },
      { what: 'rabbitmq replayDeadLetters', run: () => rabbit('replayDeadLetters', { queue: 'ro.q' }) },
      {
        what: 'rabbitmq exportMessages drain',
        run: () => rabbit('exportMessages', { queue: 'ro.q', path: '/tmp/be-ro-drain.jsonl', mode: 'drain' }),
      },
      { what: 'rabbitmq importMessages', run: () => rabbit('importMessages', { path: '/tmp/be-ro-import.jsonl', routingKey: 'ro.q' }) },
      { what: 'rabbitmq setPolicy', run: () => rabbit('setPolicy', { name: 'ro.p', pattern: '.*', definition: { 'max-length': 1 } }) },
      { what: 'rabbitmq deletePolicy', run: () => rabbit('deletePolicy', { name: 'ro.p' }) },
      { what: 'rabbitmq closeConnection', run: () => rabbit('closeConnection', { name: '127.0.0.1:1 -> 127.0.0.1:5672' }) },
      { what: 'rabbitmq setUser', run: () => rabbit('setUser', { name: 'ro-user', password: 'x', tags: [] }) },
      { what: 'rabbitmq deleteUser', run: () => rabbit('deleteUser', { name: 'ro-user' }) },
      { what: 'rabbitmq setPermissions', run: () => rabbit('setPermissions', { user: 'guest', configure: '', write: '', read: '' }) },
    ];

    it(`refuses ${writes.length} writes with "profile … is read-only" and leaves both Redis servers and the vhost unchanged`, async function () {
      this.timeout(60_000);
      const before = await state();
      const accepted: string[] = [];
      for (const w of writes) {
        let message: string | undefined;
        try {
          const result = await w.run();
          // A .redis file reports refused lines per line instead of rejecting.
          const r = result as { errors?: number; aborted?: string; results?: { reply: unknown }[] } | undefined;
          if (r && (r.aborted !== undefined || (r.errors ?? 0) > 0)) message = r.aborted ?? JSON.stringify(r.results?.map((x) => x.reply));
        } catch (err) {
          message = err instanceof Error ? err.message : String(err);
        }
        if (message === undefined || !/read-only/.test(message)) accepted.push(`${w.what}: ${message ?? 'accepted'}`);
        else {
          refusals.push(`${w.what} → ${message}`);
          if (!message.startsWith('[')) {
            assertOneSentence(message);
            // The one refusal sentence of both brokers (src/core/readOnly.ts).
            if (
              !/^Profile ".+" is read-only, so .+ was refused before anything was sent; turn off "readOnly" in the profile to allow it\.$/.test(
                message,
              )
            )
              accepted.push(`${w.what}: worded differently: ${message}`);
          }
        }
      }
      assert.deepEqual(accepted, [], 'every write is refused as read-only');
      assert.ok(own.running, 'the own redis-server still runs (SHUTDOWN was not sent)');
      assert.equal(await state(), before, 'nothing changed on the servers');
      assert.ok(refusals.some((r) => /Profile ".*" is read-only/.test(r)));
    });

    it('refuses typed-in writes in the console too, and the console still reads', async () => {
      const a = await api();
      const before = await state();
      const { id } = await exec<{ id: string }>('brokerExplorer.redis.openConsole', { profile: ro, db: DB });
      const pty = a.redisConsoles.get(id)?.pty;
      assert.ok(pty);
      const prompt = `${ro}[${DB}]> `;
      await waitFor('the prompt', () => (pty.transcript.includes(prompt) ? true : undefined));
      const runLine = async (line: string): Promise<string> => {
        const start = pty.transcript.length;
        pty.handleInput(`${line}\r`);
        return waitFor(
          `the reply to ${line}`,
          () => (pty.transcript.slice(start).endsWith(prompt) ? pty.transcript.slice(start) : undefined),
          10_000,
        );
      };
      try {
        assert.match(await runLine('SET str changed'), /read-only/);
        assert.match(await runLine(`EVAL "return redis.call('del','str')" 0`), /read-only/);
        assert.match(await runLine('GET str'), /"kept"/);
      } finally {
        pty.close();
      }
      assert.equal(await state(), before);
    });

    it('refuses saving a string document of a read-only profile, which opens read-only', async () => {
      const uri = vscode.Uri.parse((await exec<{ uri: string }>('brokerExplorer.redis.editString', { profile: ro, key: 'str' })).uri);
      assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString(), 'kept');
      assert.equal((await vscode.workspace.fs.stat(uri)).permissions, vscode.FilePermission.Readonly);
      let message = '';
      try {
        await vscode.workspace.fs.writeFile(uri, Buffer.from('changed'));
      } catch (err) {
        message = err instanceof Error ? err.message : String(err);
      }
      assert.match(message, /read-only/);
      assert.equal(await seed.get('str'), 'kept');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('still reads: GET, CONFIG GET, EVAL_RO, scanKeys, getValue, scanValue, list, peek, testRoute, a tail and a requeueing consume', async function () {
      this.timeout(30_000);
      const before = await state();
      assert.equal(await rcmd('GET str'), 'kept');
      assert.deepEqual(await rcmd('CONFIG GET maxmemory-policy', roOwn), ['maxmemory-policy', 'noeviction']);
      assert.equal(await rcmd(`EVAL_RO "return redis.call('get', KEYS[1])" 1 str`), 'kept');
      assert.equal(await rcmd('DBSIZE'), 6);
      assert.deepEqual(
        await exec('brokerExplorer.redis.runPipeline', {
          profile: ro,
          commands: [
            ['GET', 'str'],
            ['LLEN', 'mylist'],
          ],
        }),
        ['kept', 2],
      );
      const keys = await exec<{ keys: { key: string }[] }>('brokerExplorer.redis.scanKeys', { profile: ro });
      assert.deepEqual(keys.keys.map((k) => k.key).sort(), ['myhash', 'mylist', 'myset', 'myz', 'n', 'str']);
      assert.deepEqual((await exec<{ value: unknown }>('brokerExplorer.redis.getValue', { profile: ro, key: 'mylist' })).value, ['a', 'b']);
      assert.deepEqual((await exec<{ items: unknown }>('brokerExplorer.redis.scanValue', { profile: ro, key: 'myhash' })).items, [
        { field: 'f', value: 'v' },
      ]);
      assert.equal(await op('get', { key: 'str' }), 'kept');
      const queues = (await rabbit('list', { kind: 'queues' })) as { items: { name: string }[] };
      assert.deepEqual(
        queues.items.map((q) => q.name),
        ['ro.q'],
      );
      const peeked = (await rabbit('peek', { queue: 'ro.q', count: 5 })) as { messages: { body: unknown }[] };
      assert.deepEqual(
        peeked.messages.map((m) => m.body),
        ['one', 'two'],
      );
      assert.deepEqual(await rabbit('testRoute', { exchange: 'ro.x', routingKey: 'k' }), { queues: ['ro.q'], exchanges: [] });
      const tail = (await rabbit('tail', { exchange: 'ro.x', bindingKeys: ['k'], keep: true })) as { id: string };
      await fx.run('publish', { exchange: 'ro.x', routingKey: 'k', body: 'three' });
      const read = await exec<{ messages: { body: unknown }[] }>('brokerExplorer.tails.read', { id: tail.id, take: 1, timeoutMs: 5000 });
      assert.deepEqual(
        read.messages.map((m) => m.body),
        ['three'],
      );
      await exec('brokerExplorer.tails.stop', { id: tail.id });
      const requeued = (await rabbit('consume', { queue: 'ro.q', ack: 'requeue', take: 1, timeoutMs: 5000 })) as {
        messages: { body: unknown }[];
      };
      assert.deepEqual(
        requeued.messages.map((m) => m.body),
        ['one'],
      );
      await waitFor('the requeued message back', async () => ((await fx.depth('ro.q', { durable: false })) === 3 ? true : undefined), 5000);
      // Remove the message this test published (through the writable fixture profile) so the state compares.
      const ch = await raw.createChannel();
      try {
        const all: string[] = [];
        for (let m = await ch.get('ro.q'); m; m = await ch.get('ro.q')) all.push(m.content.toString());
        await ch.recover();
        assert.deepEqual(all.sort(), ['one', 'three', 'two']);
        await ch.purgeQueue('ro.q');
        ch.sendToQueue('ro.q', Buffer.from('one'));
        ch.sendToQueue('ro.q', Buffer.from('two'));
      } finally {
        await ch.close();
      }
      assert.equal(await state(), before);
    });

    it('marks the read-only profiles in both trees (+readonly in contextValue, "read-only" in the description)', async () => {
      const a = await api();
      await a.redisTree.children(undefined);
      const redisNode = a.redisTree.profileNode(ro);
      assert.ok(redisNode);
      assert.equal(await contextOf(redisNode), 'be:redis:profile+readonly');
      assert.match(String((await a.redisTree.treeItem(redisNode)).description), /read-only/);
      const dbs = await a.redisTree.children(redisNode);
      const db = dbs.find((d) => (d as { db?: number }).db === DB);
      assert.ok(db);
      assert.equal(await contextOf(db), 'be:redis:db+readonly');
      const groups = await a.redisTree.children(db);
      const strings = groups.find((g) => (g as { type?: string }).type === 'string');
      assert.ok(strings);
      const keys = await a.redisTree.children(strings);
      const kinds = await Promise.all(keys.map(contextOf));
      assert.ok(kinds.length > 0 && kinds.every((k) => k === 'be:redis:key:string+readonly'), kinds.join(','));
      await a.rabbitTree.children(undefined);
      const rabbitNode = a.rabbitTree.profileNode(roRabbit);
      assert.ok(rabbitNode);
      const rabbitItem = await a.rabbitTree.treeItem(rabbitNode);
      assert.equal(rabbitItem.contextValue, 'be:rabbitmq:profile+readonly');
      assert.match(String(rabbitItem.description), /read-only/);
      const vhosts = await a.rabbitTree.children(rabbitNode);
      const contexts: string[] = [];
      for (const n of vhosts) contexts.push((await a.rabbitTree.treeItem(n)).contextValue ?? '');
      assert.ok(contexts.includes('be:rabbitmq:vhost+readonly'), contexts.join(','));
    });

    it('lists the refusals', () => {
      console.log(`      read-only refusals:\n${refusals.map((r) => `        ${r}`).join('\n')}`);
    });
  });
}
