/**
 * Issue 7, bad input: one table of commands run with bad arguments, each of
 * which must reject with one clear sentence and leave the servers (Redis db
 * 6, a RabbitMQ vhost of our own) and the settings exactly as they were —
 * checked by reading the state back. Then the "not errors" cases: odd but
 * valid input that must simply work (empty topic routing key, a 100 MB
 * string, a 10,000,000-element list, odd key names, a 100,000-line file).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ChannelModel } from 'amqplib';
import * as vscode from 'vscode';
import { RabbitFixture } from './rabbitmq.test';
import {
  assertOneSentence,
  exec,
  freePort,
  plainRedis,
  rabbitMgmt,
  rabbitMgmtJson,
  rabbitSnapshot,
  redisSnapshot,
  uniqueName,
} from './util';

const DB = 6;

interface BadCase {
  /** What is wrong. */
  name: string;
  run(): Promise<unknown>;
  /** The sentence it must reject with. */
  expect: RegExp;
}

type Bytes = string | { hex: string };

interface ValueResult {
  type: string;
  ttl: number;
  length: number;
  value: unknown;
  truncated: boolean;
  cursor?: string;
}

export function registerBadInputTests(): void {
  describe('bad input: one sentence each, and nothing changes on the server (db 6, a vhost of its own)', () => {
    const seed = plainRedis(DB);
    const fx = new RabbitFixture();
    const tag = uniqueName('bad');
    const redisUser = `${tag}-user`;
    const redisPassword = uniqueName('redis-pw');
    const rabbitUser = `${tag}-noperm`;
    const rabbitPassword = uniqueName('rabbit-pw');
    const missingVhost = `${tag}-no-such-vhost`;
    const p = {
      good: `${tag}-good`,
      wrongPassword: `${tag}-wrong-pw`,
      wrongUser: `${tag}-wrong-user`,
      closed: `${tag}-closed`,
      rabbitNoPerm: `${tag}-rabbit-noperm`,
      rabbitWrongPassword: `${tag}-rabbit-wrong-pw`,
      rabbitNoVhost: `${tag}-rabbit-no-vhost`,
    };
    const secrets = [redisPassword, rabbitPassword, 'not-the-password'];
    let raw: ChannelModel;
    const outcomes: string[] = [];

    const redis = <T>(verb: string, args: Record<string, unknown>): Promise<T> =>
      exec<T>(`brokerExplorer.redis.${verb}`, { profile: p.good, ...args });
    const op = (operation: string, args: Record<string, unknown>, profile = p.good): Promise<unknown> =>
      exec('brokerExplorer.redis.operation', { profile, operation, args });
    const rabbit = <T>(verb: string, args: Record<string, unknown>, profile = fx.profile): Promise<T> =>
      exec<T>(`brokerExplorer.rabbitmq.${verb}`, { profile, ...args });
    const addProfile = (kind: string, profile: Record<string, unknown>): Promise<unknown> =>
      exec('brokerExplorer.profiles.add', { kind, profile });

    /** Every key of db 6 with its DUMP, every queue / exchange / binding of the vhost and each queue's depth, the profiles in settings. */
    async function state(): Promise<string> {
      const vhosts = (await rabbitMgmtJson<{ name: string }[]>('/api/vhosts?columns=name'))
        .map((x) => x.name)
        .filter((n) => n.includes(tag));
      const config = vscode.workspace.getConfiguration('brokerExplorer');
      const settings = ['redis.profiles', 'rabbitmq.profiles'].map((k) => {
        const i = config.inspect(k);
        return [i?.globalValue, i?.workspaceValue];
      });
      return JSON.stringify({ redis: await redisSnapshot(seed), rabbit: await rabbitSnapshot(fx.vhost, raw), vhosts, settings });
    }

    before(async function () {
      this.timeout(60_000);
      await seed.flushdb();
      await seed.set('str', 'hello');
      await seed.set('text', 'abc');
      await seed.rpush('mylist', 'a', 'b', 'c');
      await seed.hset('myhash', 'f', 'v');
      await seed.call('ACL', 'SETUSER', redisUser, 'on', `>${redisPassword}`, '~*', '&*', '+@all');
      const closedPort = await freePort();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name: p.good, host: '127.0.0.1', port: 6379, db: DB } });
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: p.wrongPassword, host: '127.0.0.1', port: 6379, db: DB, username: redisUser },
        password: 'not-the-password',
      });
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: p.wrongUser, host: '127.0.0.1', port: 6379, db: DB, username: `${tag}-nobody` },
        password: redisPassword,
      });
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: p.closed, host: '127.0.0.1', port: closedPort, db: DB, connectTimeoutMs: 3000 },
      });

      await fx.setup();
      raw = await connect(`amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(fx.vhost)}`);
      raw.on('error', () => undefined);
      const ch = await raw.createChannel();
      await ch.assertExchange('bx.direct', 'direct', { durable: false });
      await ch.assertExchange('bx.topic', 'topic', { durable: false });
      await ch.assertQueue('bq', { durable: false });
      await ch.bindQueue('bq', 'bx.direct', 'k');
      ch.sendToQueue('bq', Buffer.from('one'));
      ch.sendToQueue('bq', Buffer.from('two'));
      await ch.close();
      await rabbitMgmt('PUT', `/api/users/${encodeURIComponent(rabbitUser)}`, { password: rabbitPassword, tags: '' });
      const amqpUrl = (user: string, vhost: string): string =>
        `amqp://${encodeURIComponent(user)}@127.0.0.1:5672/${encodeURIComponent(vhost)}`;
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: { name: p.rabbitNoPerm, url: amqpUrl(rabbitUser, fx.vhost), connectTimeoutMs: 5000 },
        password: rabbitPassword,
      });
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: { name: p.rabbitWrongPassword, url: amqpUrl('guest', fx.vhost), connectTimeoutMs: 5000 },
        password: 'not-the-password',
      });
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: { name: p.rabbitNoVhost, url: amqpUrl('guest', missingVhost), connectTimeoutMs: 5000 },
        password: 'guest',
      });
    });

    after(async function () {
      this.timeout(60_000);
      for (const name of [p.good, p.wrongPassword, p.wrongUser, p.closed])
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      for (const name of [p.rabbitNoPerm, p.rabbitWrongPassword, p.rabbitNoVhost])
        await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name });
      await rabbitMgmt('DELETE', `/api/users/${encodeURIComponent(rabbitUser)}`);
      await raw.close().catch(() => undefined);
      await fx.teardown();
      await seed.call('ACL', 'DELUSER', redisUser);
      await seed.flushdb();
      seed.disconnect();
      console.log(`      bad-input table:\n${outcomes.map((o) => `        ${o}`).join('\n')}`);
    });

    const cases: BadCase[] = [
      // ---- profiles (settings unchanged)
      {
        name: 'profile port 0',
        run: () => addProfile('redis', { name: `${tag}-p0`, port: 0 }),
        expect: /^Profile ".*": The port 0 is out of range: give a whole number from 1 to 65535\.$/,
      },
      {
        name: 'profile port 70000',
        run: () => addProfile('redis', { name: `${tag}-p1`, port: 70000 }),
        expect: /The port 70000 is out of range/,
      },
      {
        name: 'profile port "text"',
        run: () => addProfile('redis', { name: `${tag}-p2`, port: 'text' }),
        expect: /The port "text" is not a number/,
      },
      {
        name: 'profile host with spaces',
        run: () => addProfile('redis', { name: `${tag}-p3`, host: 'my host' }),
        expect: /The host "my host" contains spaces/,
      },
      {
        name: 'RabbitMQ URL with port 99999',
        run: () => addProfile('rabbitmq', { name: `${tag}-p4`, url: 'amqp://guest@127.0.0.1:99999/' }),
        expect: /is not a URL/,
      },
      {
        name: 'a password field in the profile',
        run: () => addProfile('redis', { name: `${tag}-p5`, password: 'not-the-password' }),
        expect: /not inside it: it goes to the secret storage, never to settings\./,
      },
      {
        name: 'editing a profile to port 70000',
        run: () => exec('brokerExplorer.profiles.edit', { kind: 'redis', name: p.good, changes: { port: 70000 } }),
        expect: /port 70000 is out of range/,
      },
      {
        name: 'TCP session to port 70000',
        run: () => exec('brokerExplorer.tcp.open', { host: '127.0.0.1', port: 70000 }),
        expect: /port 70000 is out of range/,
      },
      // ---- Redis: connecting
      {
        name: 'Redis wrong password',
        run: () => exec('brokerExplorer.redis.runCommand', { profile: p.wrongPassword, line: 'SET str changed' }),
        expect: /refused the login: wrong user name or password/,
      },
      {
        name: 'Redis wrong ACL user',
        run: () => exec('brokerExplorer.redis.runCommand', { profile: p.wrongUser, line: 'SET str changed' }),
        expect: /refused the login: wrong user name or password/,
      },
      {
        name: 'Redis wrong password (typed operation, shared pool)',
        run: () => op('set', { key: 'str', value: 'changed' }, p.wrongPassword),
        expect: /refused the login/,
      },
      {
        name: 'Redis db 99 (runCommand)',
        run: () => redis('runCommand', { db: 99, line: 'SET str changed' }),
        expect: /has no database 99/,
      },
      { name: 'Redis db 99 (getValue, shared pool)', run: () => redis('getValue', { db: 99, key: 'str' }), expect: /has no database 99/ },
      {
        name: 'Redis db -1',
        run: () => redis('runCommand', { db: -1, line: 'SET str changed' }),
        expect: /"db" is -1: it must be at least 0/,
      },
      {
        name: 'Redis closed port',
        run: () => exec('brokerExplorer.redis.runCommand', { profile: p.closed, line: 'SET str changed' }),
        expect: /connection was refused/,
      },
      {
        name: 'Redis profile that does not exist',
        run: () => exec('brokerExplorer.redis.runCommand', { profile: `${tag}-nope`, line: 'SET str changed' }),
        expect: /There is no Redis profile/,
      },
      // ---- Redis: commands
      {
        name: 'unterminated quote',
        run: () => redis('runCommand', { line: 'SET str "never closed' }),
        expect: /^Unterminated quote at column \d+/,
      },
      {
        name: 'closing quote not followed by a space',
        run: () => redis('runCommand', { line: 'SET str "a"b' }),
        expect: /closing quote at column \d+ must be followed by a space/,
      },
      { name: 'empty command line', run: () => redis('runCommand', { line: '   ' }), expect: /The command is empty/ },
      {
        name: 'argv with a number in it',
        run: () => redis('runCommand', { argv: ['SET', 'str', 5] }),
        expect: /Argument 3 of the argv must be text/,
      },
      { name: 'unknown command', run: () => redis('runCommand', { line: 'NOSUCHCOMMAND str' }), expect: /unknown command/i },
      { name: 'SET with a missing argument', run: () => redis('runCommand', { line: 'SET str' }), expect: /wrong number of arguments/ },
      {
        name: 'HSET on a list (runCommand)',
        run: () => redis('runCommand', { line: 'HSET mylist f v' }),
        expect: /Redis refused HSET on profile ".*": WRONGTYPE/,
      },
      {
        name: 'HSET on a list (typed operation)',
        run: () => op('hset', { key: 'mylist', fields: { f: 'v' } }),
        expect: /holds a list, not a hash/,
      },
      { name: 'INCR on a non-integer (runCommand)', run: () => redis('runCommand', { line: 'INCR text' }), expect: /not an integer/ },
      { name: 'INCR on a non-integer (typed operation)', run: () => op('incr', { key: 'text' }), expect: /not an integer/ },
      {
        name: 'SET with a negative TTL',
        run: () => op('set', { key: 'str', value: 'x', expiry: 'EX', ttl: -5 }),
        expect: /-5 is too small|at least/,
      },
      {
        name: 'a transaction with a bad line',
        run: () =>
          redis('runPipeline', {
            transaction: true,
            commands: [
              ['SET', 'str', 'changed'],
              ['SET', 'str'],
            ],
          }),
        expect: /EXECABORT.*nothing was changed/,
      },
      { name: 'getValue of a missing key', run: () => redis('getValue', { key: `${tag}-missing` }), expect: /does not exist/ },
      {
        name: 'getValue with limit 0',
        run: () => redis('getValue', { key: 'mylist', limit: 0 }),
        expect: /"limit" is 0: it must be at least 1/,
      },
      { name: 'FLUSHDB without the db number', run: () => redis('flushDb', {}), expect: /needs the database number/ },
      { name: 'deleteKeys with neither keys nor match', run: () => redis('deleteKeys', {}), expect: /Give either "keys"/ },
      { name: 'subscribe to nothing', run: () => redis('subscribe', { channels: [] }), expect: /at least one channel/ },
      // ---- RabbitMQ: connecting
      {
        name: 'RabbitMQ vhost that does not exist',
        run: () => rabbit('declareQueue', { name: 'created' }, p.rabbitNoVhost),
        expect: /vhost ".*no-such-vhost" does not exist/,
      },
      {
        name: 'RabbitMQ vhost that does not exist (vhost argument)',
        run: () => rabbit('publish', { vhost: missingVhost, exchange: '', routingKey: 'bq', body: 'x' }),
        expect: /vhost ".*no-such-vhost" does not exist/,
      },
      {
        name: 'RabbitMQ user without permission on the vhost',
        run: () => rabbit('declareQueue', { name: 'created' }, p.rabbitNoPerm),
        expect: /no permission|access refused/,
      },
      {
        name: 'RabbitMQ wrong password',
        run: () => rabbit('publish', { exchange: '', routingKey: 'bq', body: 'x' }, p.rabbitWrongPassword),
        expect: /the broker at 127\.0\.0\.1:5672 refused the login of user/,
      },
      // ---- RabbitMQ: 404
      {
        name: 'publish to a missing exchange',
        run: () => rabbit('publish', { exchange: 'nx-missing', routingKey: 'k', body: 'x' }),
        expect: /no exchange 'nx-missing'/,
      },
      {
        name: 'bind a missing queue',
        run: () => rabbit('bind', { source: 'bx.direct', destination: 'q-missing', destinationType: 'queue', routingKey: 'k' }),
        expect: /no queue 'q-missing'/,
      },
      {
        name: 'bind from a missing exchange',
        run: () => rabbit('bind', { source: 'nx-missing', destination: 'bq', destinationType: 'queue', routingKey: 'k' }),
        expect: /no exchange 'nx-missing'/,
      },
      {
        name: 'unbind a missing queue',
        run: () => rabbit('unbind', { source: 'bx.direct', destination: 'q-missing', destinationType: 'queue', routingKey: 'k' }),
        expect: /q-missing/,
      },
      {
        name: 'delete a missing queue',
        run: () => rabbit('deleteQueue', { name: 'q-missing' }),
        expect: /^Deleting queue "q-missing" .*q-missing/,
      },
      { name: 'delete a missing exchange', run: () => rabbit('deleteExchange', { name: 'nx-missing' }), expect: /nx-missing/ },
      { name: 'purge a missing queue', run: () => rabbit('purgeQueue', { name: 'q-missing' }), expect: /no queue 'q-missing'/ },
      {
        name: 'peek at a missing queue',
        run: () => rabbit('peek', { queue: 'q-missing', count: 1 }),
        expect: /queue "q-missing" .*was not found/,
      },
      {
        name: 'consume a missing queue',
        run: () => rabbit('consume', { queue: 'q-missing', take: 1, timeoutMs: 2000 }),
        expect: /no queue 'q-missing'/,
      },
      // ---- RabbitMQ: 406
      {
        name: 'redeclare a queue as durable',
        run: () => rabbit('declareQueue', { name: 'bq', durable: true }),
        expect: /^Declaring queue "bq" .*inequivalent arg 'durable'/,
      },
      {
        name: 'redeclare a queue with a TTL argument',
        run: () => rabbit('declareQueue', { name: 'bq', durable: false, arguments: { 'x-message-ttl': 1000 } }),
        expect: /inequivalent arg 'x-message-ttl'/,
      },
      {
        name: 'redeclare an exchange with another type',
        run: () => rabbit('declareExchange', { name: 'bx.direct', type: 'fanout', durable: false }),
        expect: /inequivalent arg 'type'/,
      },
      // ---- RabbitMQ: message properties and names
      {
        name: 'headers that are not an object',
        run: () => rabbit('publish', { exchange: 'bx.direct', routingKey: 'k', body: 'x', properties: { headers: '{not json' } }),
        expect: /headers/,
      },
      {
        name: 'priority 300',
        run: () => rabbit('publish', { exchange: 'bx.direct', routingKey: 'k', body: 'x', properties: { priority: 300 } }),
        expect: /"priority" must be a whole number from 0 to 255, not 300/,
      },
      {
        name: 'expiration "-1"',
        run: () => rabbit('publish', { exchange: 'bx.direct', routingKey: 'k', body: 'x', properties: { expiration: '-1' } }),
        expect: /"expiration" must be a non-negative whole number/,
      },
      {
        name: 'an unknown message property',
        run: () => rabbit('publish', { exchange: 'bx.direct', routingKey: 'k', body: 'x', properties: { colour: 'red' } }),
        expect: /"colour" is not an AMQP message property/,
      },
      {
        name: 'a routing key longer than 255 bytes',
        run: () => rabbit('publish', { exchange: 'bx.direct', routingKey: 'k'.repeat(256), body: 'x' }),
        expect: /255/,
      },
      {
        name: 'an exchange name starting with amq.',
        run: () => rabbit('declareExchange', { name: 'amq.mine', type: 'direct' }),
        expect: /reserves/,
      },
      {
        name: 'an exchange type that does not exist',
        run: () => rabbit('declareExchange', { name: 'bx.odd', type: 'no-such-type', durable: false }),
        expect: /the broker refused the command \(unknown exchange type 'no-such-type'\)/,
      },
      {
        name: 'rpcCall with timeout 0',
        run: () => rabbit('rpcCall', { routingKey: 'bq', body: 'x', timeoutMs: 0 }),
        expect: /"timeoutMs" is 0: it must be at least 1/,
      },
      {
        name: 'a list filter that is a bad regex',
        run: () => rabbit('list', { kind: 'queues', filter: '(', regex: true }),
        expect: /The filter "\(" is not a/,
      },
      {
        name: 'a move from a queue to itself',
        run: () => rabbit('moveMessages', { queue: 'bq', toQueue: 'bq' }),
        expect: /Queue "bq" is both the source and the target/,
      },
      {
        name: 'a move with a count of 0',
        run: () => rabbit('moveMessages', { queue: 'bq', toQueue: 'q-missing', count: 0 }),
        expect: /"count" is 0: it must be at least 1/,
      },
      {
        name: 'an export with an unknown mode',
        run: () => rabbit('exportMessages', { queue: 'bq', path: '/tmp/be-bad-export.jsonl', mode: 'all' }),
        expect: /The export mode "all" is not known/,
      },
      {
        name: 'an import of a file that is not JSON lines',
        run: () => rabbit('importMessages', { path: '/etc/passwd', routingKey: 'bq' }),
        expect: /Line 1 of the file is not valid JSON/,
      },
      {
        name: 'a policy with an unknown key',
        run: () => rabbit('setPolicy', { name: 'p', pattern: '.*', definition: { 'max-lenght': 5 } }),
        expect: /The policy key "max-lenght" is not one RabbitMQ knows/,
      },
      {
        name: 'a policy with a pattern that is not a regex',
        run: () => rabbit('setPolicy', { name: 'p', pattern: '(', definition: { 'max-length': 5 } }),
        expect: /The policy pattern "\(" is not a valid regular expression/,
      },
      {
        name: 'an unknown list kind',
        run: () => rabbit('list', { kind: 'widgets' }),
        expect: /"kind" must be one of .*consumers/,
      },
      {
        name: 'a move to a missing queue',
        run: () => rabbit('moveMessages', { queue: 'bq', toQueue: 'q-missing' }),
        expect: /q-missing/,
      },
    ];

    for (const c of cases) {
      it(`${c.name}`, async () => {
        const before = await state();
        let message: string | undefined;
        try {
          await c.run();
        } catch (err) {
          message = err instanceof Error ? err.message : String(err);
        }
        assert.ok(message !== undefined, `${c.name}: expected a rejection`);
        outcomes.push(`${c.name} → ${message}`);
        assert.match(message, c.expect);
        assertOneSentence(message, secrets);
        assert.equal(await state(), before, `${c.name}: the server state and the settings are unchanged`);
      });
    }

    it('has at least 30 cases', () => {
      assert.ok(cases.length >= 30, `${cases.length} cases`);
    });

    // ---------------------------------------------------------------- not errors

    it('an empty routing key on a topic exchange is sent with a note, and only the "#" binding receives it', async () => {
      const ch = await raw.createChannel();
      try {
        await ch.assertQueue('t-hash', { durable: false });
        await ch.assertQueue('t-word', { durable: false });
        await ch.bindQueue('t-hash', 'bx.topic', '#');
        await ch.bindQueue('t-word', 'bx.topic', 'a.*');
        const result = await rabbit<{ confirmed: boolean; routed: boolean; note?: string }>('publish', {
          exchange: 'bx.topic',
          routingKey: '',
          body: 'empty key',
        });
        assert.equal(result.confirmed, true);
        assert.equal(result.routed, true);
        assert.match(result.note ?? '', /only bindings with "#" match it/);
        const route = await rabbit<{ queues: string[] }>('testRoute', { exchange: 'bx.topic', routingKey: '' });
        assert.deepEqual(route.queues, ['t-hash']);
        assert.equal((await ch.checkQueue('t-hash')).messageCount, 1);
        assert.equal((await ch.checkQueue('t-word')).messageCount, 0);
        const got = await ch.get('t-hash', { noAck: true });
        assert.ok(got);
        assert.equal(got.content.toString(), 'empty key');
        assert.equal(got.fields.routingKey, '');
      } finally {
        await ch.deleteQueue('t-hash');
        await ch.deleteQueue('t-word');
        await ch.close();
      }
    });

    it('a 100 MB string opens truncated, bounded, read-only, and stays whole on the server', async function () {
      this.timeout(60_000);
      const size = 100 * 1024 * 1024;
      // 1 MiB of text, appended to itself on the server side by APPEND in one pipeline, then a marked tail.
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const pipe = seed.pipeline();
      pipe.set('big:string', chunk);
      for (let i = 1; i < 100; i++) pipe.append('big:string', chunk);
      pipe.setrange('big:string', size - 5, 'tail!');
      await pipe.exec();
      try {
        assert.equal(await seed.strlen('big:string'), size);
        const started = Date.now();
        const read = await redis<ValueResult>('getValue', { key: 'big:string' });
        assert.equal(read.type, 'string');
        assert.equal(read.length, size);
        assert.equal(read.truncated, true);
        assert.equal(typeof read.value, 'string');
        assert.equal(read.value, chunk.toString(), 'the default maxValueBytes (1 MiB) bounds the value');
        assert.ok(Date.now() - started < 5_000, 'read in a range, not whole');
        const opened = await redis<{ uri: string; truncated?: boolean; notice?: string }>('editString', { key: 'big:string' });
        assert.equal(opened.truncated, true);
        assert.match(
          opened.notice ?? '',
          /is 104,857,600 bytes, more than brokerExplorer\.redis\.maxValueBytes \(1,048,576\): it opened truncated/,
        );
        const uri = vscode.Uri.parse(opened.uri);
        const stat = await vscode.workspace.fs.stat(uri);
        assert.equal(stat.permissions, vscode.FilePermission.Readonly, 'opened read-only');
        assert.equal((await vscode.workspace.fs.readFile(uri)).length, 1_048_576);
        let refusal = '';
        try {
          await vscode.workspace.fs.writeFile(uri, Buffer.from('short'));
        } catch (err) {
          refusal = err instanceof Error ? err.message : String(err);
        }
        assert.match(refusal, /truncated and read-only/);
        assert.equal(await seed.strlen('big:string'), size, 'still 100 MB on the server');
        assert.equal(await seed.getrange('big:string', -5, -1), 'tail!');
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      } finally {
        await seed.unlink('big:string');
      }
    });

    it('a list of 10,000,000 elements is paged: getValue and scanValue return the first items and a cursor', async function () {
      this.timeout(120_000);
      const TOTAL = 10_000_000;
      const BATCH = 10_000;
      const started = Date.now();
      for (let base = 0; base < TOTAL; base += BATCH * 50) {
        const pipe = seed.pipeline();
        for (let b = base; b < Math.min(TOTAL, base + BATCH * 50); b += BATCH) {
          const items = new Array<string>(BATCH);
          for (let i = 0; i < BATCH; i++) items[i] = String(b + i);
          pipe.rpush('big:list', ...items);
        }
        await pipe.exec();
      }
      const seeded = Date.now() - started;
      try {
        assert.equal(await seed.llen('big:list'), TOTAL);
        const t0 = Date.now();
        const read = await redis<ValueResult>('getValue', { key: 'big:list', limit: 500 });
        assert.equal(read.type, 'list');
        assert.equal(read.length, TOTAL);
        assert.equal(read.truncated, true);
        assert.deepEqual(
          read.value,
          Array.from({ length: 500 }, (_, i) => String(i)),
        );
        const dflt = await redis<ValueResult>('getValue', { key: 'big:list' });
        assert.equal((dflt.value as unknown[]).length, 1000, 'the default valueItems bounds it');
        const first = await redis<{ items: string[]; cursor: string; complete: boolean }>('scanValue', {
          key: 'big:list',
          count: 1000,
          limit: 2000,
        });
        assert.equal(first.items.length, 2000);
        assert.equal(first.complete, false);
        const second = await redis<{ items: string[]; cursor: string; complete: boolean }>('scanValue', {
          key: 'big:list',
          count: 1000,
          limit: 2000,
          cursor: first.cursor,
        });
        assert.deepEqual([second.items[0], second.items[1999]], ['2000', '3999']);
        assert.ok(Date.now() - t0 < 5_000, 'paging does not walk the list');
        console.log(`      10,000,000-element list seeded in ${seeded} ms (pipelined RPUSH of 10,000 each)`);
      } finally {
        await seed.unlink('big:list');
      }
    });

    it('keys named "", "\\n", "*", "a b", 4 KB long and non-UTF-8 round-trip through runCommand, getValue and deleteKeys', async () => {
      const names: { label: string; key: Bytes; raw: Buffer }[] = [
        { label: 'empty', key: '', raw: Buffer.alloc(0) },
        { label: 'newline', key: '\n', raw: Buffer.from('\n') },
        { label: 'star', key: '*', raw: Buffer.from('*') },
        { label: 'space', key: 'a b', raw: Buffer.from('a b') },
        { label: '4 KB', key: 'k'.repeat(4096), raw: Buffer.from('k'.repeat(4096)) },
        { label: 'non-UTF-8', key: { hex: 'c328ff00fe' }, raw: Buffer.from('c328ff00fe', 'hex') },
      ];
      const others = await seed.dbsize();
      for (const n of names) {
        const value = `value of ${n.label}`;
        assert.equal(await redis('runCommand', { argv: ['SET', n.key, value] }), 'OK', n.label);
        assert.equal(await seed.get(n.raw), value, `${n.label}: the exact key bytes on the server`);
        assert.equal(await redis('runCommand', { argv: ['GET', n.key] }), value, n.label);
        const read = await redis<ValueResult>('getValue', { key: n.key });
        assert.deepEqual([read.type, read.value], ['string', value], n.label);
      }
      const scanned = await redis<{ keys: { key: Bytes }[] }>('scanKeys', { match: { hex: '2a' }, count: 1000 });
      assert.ok(scanned.keys.length >= names.length, 'MATCH "*" lists them all');
      assert.ok(
        scanned.keys.some((k) => typeof k.key !== 'string' && k.key.hex === 'c328ff00fe'),
        'the non-UTF-8 key comes back as hex',
      );
      // Deleting the key named "*" deletes that key only, not every key.
      assert.deepEqual(await redis('deleteKeys', { keys: ['*'] }), { deleted: 1 });
      assert.equal(await seed.dbsize(), others + names.length - 1);
      assert.deepEqual(await redis('deleteKeys', { keys: names.filter((n) => n.label !== 'star').map((n) => n.key) }), {
        deleted: names.length - 1,
      });
      assert.equal(await seed.dbsize(), others);
      for (const n of names) assert.equal(await seed.exists(n.raw), 0, `${n.label} deleted`);
    });

    it('a .redis file of 100,000 lines runs as a pipeline from its path, complete and counted', async function () {
      this.timeout(60_000);
      const dir = await mkdtemp(join(tmpdir(), 'be-bad-'));
      const path = join(dir, 'big.redis');
      try {
        const lines: string[] = [];
        for (let i = 0; i < 100_000; i++) lines.push(i % 2 === 0 ? `RPUSH file:list ${i}` : `INCR file:counter`);
        await writeFile(path, `${lines.join('\n')}\n`);
        const run = await redis<{
          lines: number;
          errors: number;
          complete: boolean;
          results: { line: number; reply: unknown }[];
          uri: string;
        }>('runFileAsPipeline', { path });
        assert.equal(run.lines, 100_000);
        assert.equal(run.errors, 0);
        assert.equal(run.complete, true);
        assert.equal(run.results.length, 10_000, 'the API returns a bounded number of results');
        assert.equal(await seed.llen('file:list'), 50_000);
        assert.equal(await seed.get('file:counter'), '50000');
        assert.equal(await seed.lindex('file:list', -1), '99998');
        const doc =
          vscode.workspace.textDocuments.find((d) => d.uri.toString() === run.uri) ??
          (await vscode.workspace.openTextDocument(vscode.Uri.parse(run.uri)));
        assert.match(doc.getText(), /100,000 lines, 0 errors/);
        assert.ok(doc.lineCount <= 20_010, `the results document is bounded (${doc.lineCount} lines)`);
      } finally {
        await seed.del('file:list', 'file:counter');
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
