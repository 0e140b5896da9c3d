/**
 * Read-only profiles, in the core: every write entry point — each write
 * operation of the OPERATIONS table, every command the live catalog calls a
 * write, pipelines, transactions, .redis files, publish, create key, string
 * save, delete / flush, and every AMQP write — is refused by the session's
 * guard with the one sentence, before anything is sent, and the server is
 * unchanged afterwards (read back, and no write in its command statistics).
 * Complements redisOps*.test.ts and amqpTopology.test.ts with what they do
 * not cover: the interactive MULTI block, FUNCTION RESTORE / KILL, SCRIPT
 * KILL, CLIENT KILL in all its forms and CLIENT UNBLOCK, SHUTDOWN variants,
 * the _RO forms running, a check that no typed operation the server calls
 * a write is marked as a read, the server's own command statistics as proof
 * that nothing was sent, and for RabbitMQ a proxy that counts the
 * connections a read-only profile opens while refusing (none).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { startConsumer } from '../../src/core/amqp/consumer';
import { peekMessages } from '../../src/core/amqp/peek';
import { publish as amqpPublish } from '../../src/core/amqp/publisher';
import { rpcCall } from '../../src/core/amqp/rpcClient';
import {
  bind,
  checkExchange,
  checkQueue,
  declareExchange,
  declareQueue,
  deleteExchange,
  deleteQueue,
  purgeQueue,
  unbind,
} from '../../src/core/amqp/topology';
import { NotFoundError, ReadOnlyError } from '../../src/core/errors';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import { loadCommandCatalog } from '../../src/core/redis/commandInfo';
import { refusal, runCommand, runPipeline, runScript, type RespTarget } from '../../src/core/redis/commandRunner';
import { createKey, deleteByPattern, deleteKeys, flushDb, NEW_KEY_TYPES } from '../../src/core/redis/keyOps';
import { OPERATIONS, runOperationUnchecked } from '../../src/core/redis/operations';
import type { OperationSpec } from '../../src/core/redis/opsSpec';
import { publish as redisPublish } from '../../src/core/redis/pubsub';
import { runRedisFile } from '../../src/core/redis/redisFile';
import { openRespClient, type RespClient } from '../../src/core/redis/respClient';
import { RedisSession } from '../../src/core/redis/session';
import { saveStringCas } from '../../src/core/redis/stringOps';
import { splitArgs } from '../../src/core/redis/tokenizer';
import { MANAGEMENT_URL, PASSWORD, TestVhost } from './helpers/amqpBroker';
import { sampleArgs } from './helpers/opSamples';
import { OwnRedis } from './helpers/ownServers';
import { TcpProxy } from './helpers/tcpProxy';

/** The one refusal sentence, the same for both brokers (src/core/readOnly.ts). */
const READ_ONLY =
  /^Profile "ro" is read-only, so .+ was refused before anything was sent; turn off "readOnly" in the profile to allow it\.$/;

function isReadOnlyRefusal(err: unknown): boolean {
  return err instanceof ReadOnlyError && READ_ONLY.test(err.message) && !/\n/.test(err.message);
}

describe('read-only profiles refuse every write before sending it (core)', function () {
  this.timeout(60_000);

  describe('Redis (own redis-server, so even SHUTDOWN and CLIENT KILL are safe to try)', () => {
    let server: OwnRedis;
    let admin: Redis;
    let victim: Redis;
    let subscriber: Redis;
    let ro: ResolvedRedisProfile;
    let console1: RespClient;
    let consoleSession: RedisSession;
    const roTarget = (): RespTarget => ({ session: consoleSession, client: console1 });
    let sha = '';
    let victimId = 0;
    let victimAddr = '';
    const heard: string[] = [];

    before(async () => {
      server = await OwnRedis.start();
      admin = new Redis({ host: '127.0.0.1', port: server.port });
      await admin.mset('str', 'v', 'n', '1');
      await admin.hset('h', 'f', '1');
      await admin.rpush('l', 'a', 'b');
      await admin.sadd('s', 'a');
      await admin.zadd('z', 1, 'a');
      await admin.xadd('x', '1-1', 'f', 'v');
      await admin.expire('n', 10_000);
      await admin.select(1);
      await admin.set('db1', 'kept');
      await admin.select(0);
      sha = String(await admin.script('LOAD', "return redis.call('get', KEYS[1])"));
      await admin.call(
        'FUNCTION',
        'LOAD',
        "#!lua name=rolib\nredis.register_function{function_name='roget', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}\nredis.register_function('rwset', function(keys, args) return redis.call('set', keys[1], args[1]) end)",
      );
      victim = new Redis({ host: '127.0.0.1', port: server.port, connectionName: 'victim' });
      await victim.ping();
      victimId = Number(await victim.client('ID'));
      victimAddr = /addr=(\S+)/.exec(String(await victim.client('INFO')))?.[1] ?? '';
      subscriber = new Redis({ host: '127.0.0.1', port: server.port, connectionName: 'subscriber' });
      subscriber.on('message', (ch: string, m: string) => heard.push(`${ch} ${m}`));
      subscriber.on('smessage', (ch: string, m: string) => heard.push(`${ch} ${m}`));
      await subscriber.subscribe('ro:ch');
      await subscriber.call('SSUBSCRIBE', 'ro:sch');
      ro = resolveRedisProfile({ name: 'ro', host: '127.0.0.1', port: server.port, readOnly: true });
      console1 = await openRespClient(ro, { connectionName: 'ro-console' });
      consoleSession = new RedisSession(ro);
      // Its catalog (and the connection that loads it) before the snapshots compare client lists.
      await consoleSession.catalog();
    });
    after(async () => {
      console1.close();
      consoleSession.close();
      admin.disconnect();
      victim.disconnect();
      subscriber.disconnect();
      await server.dispose();
    });

    /** Everything a refused command could have changed. */
    async function snapshot(): Promise<unknown> {
      const keys = (await admin.keys('*')).sort();
      const values: string[] = [];
      for (const k of keys)
        values.push(
          `${k}=${(await admin.dumpBuffer(k))?.toString('hex') ?? 'gone'} ttl:${(await admin.ttl(k)) > 0 ? 'yes' : String(await admin.ttl(k))}`,
        );
      const clients = String(await admin.client('LIST'))
        .split('\n')
        .map((l) => /name=(\S*)/.exec(l)?.[1])
        .filter((n): n is string => n !== undefined && n !== '')
        .sort();
      return {
        values,
        db1: await admin.call('INFO', 'keyspace').then((i) => /db1:keys=\d+/.exec(String(i))?.[0]),
        scripts: await admin.script('EXISTS', sha),
        functions: JSON.stringify(await admin.call('FUNCTION', 'LIST')),
        config: await admin.config('GET', 'maxmemory-samples'),
        save: await admin.config('GET', 'save'),
        clients,
        role: ((await admin.call('ROLE')) as unknown[])[0],
        heard: [...heard],
      };
    }

    /** Commands the server ran since `CONFIG RESETSTAT`, by `cmdstat_` name. */
    async function commandsRun(): Promise<Set<string>> {
      const info = String(await admin.info('commandstats'));
      return new Set([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => m[1]));
    }

    it('no typed operation that the live server calls a write is marked as a read', async () => {
      const catalog = await loadCommandCatalog(console1);
      assert.equal(catalog.live, true);
      const missed = OPERATIONS.filter((op) => !op.write && catalog.classify([Buffer.from(op.command)]).write).map((op) => op.name);
      assert.deepEqual(missed, []);
      const writes = OPERATIONS.filter((op) => op.write);
      assert.ok(writes.length >= 40, `${writes.length} write operations`);
      assert.deepEqual([...new Set(writes.map((op) => op.family))].sort(), ['hash', 'key', 'list', 'set', 'string', 'zset']);
    });

    it('every write entry point is refused by the session before anything is sent; the server unchanged, no write in its statistics', async () => {
      const before = await snapshot();
      await admin.config('RESETSTAT');
      const session = new RedisSession(ro);
      const target = { session, client: console1 };
      const refusals: string[] = [];
      const refuse = async (label: string, attempt: () => Promise<unknown>): Promise<void> => {
        await assert.rejects(attempt(), isReadOnlyRefusal, label);
        refusals.push(label);
      };
      try {
        // Every write of the OPERATIONS table, with arguments made from its own schema.
        const writes = (OPERATIONS as readonly OperationSpec[]).filter((op) => op.write);
        for (const op of writes) await refuse(`operation ${op.name}`, () => runOperationUnchecked(session, op.name, sampleArgs(op)));
        // Every command the live catalog calls a write, typed in.
        const catalog = await session.catalog();
        const typedWrites = catalog
          .list()
          .map((d) => [Buffer.from(d.name)])
          .filter((argv) => catalog.classify(argv).write && refusal(argv) === undefined);
        assert.ok(typedWrites.length >= 100, `${typedWrites.length} write commands in the catalog`);
        for (const argv of typedWrites) {
          const line = [...argv, Buffer.from('str'), Buffer.from('x')];
          await refuse(`typed ${argv[0].toString()}`, () => runCommand(target, line));
        }
        await refuse('pipeline', () => runPipeline(target, [splitArgs('GET str'), splitArgs('SET str w')]));
        await refuse('transaction', () => runPipeline(target, [splitArgs('GET str'), splitArgs('INCR n')], { transaction: true }));
        await refuse('script', () => runScript(target, [{ line: 1, argv: splitArgs('DEL str') }]));
        await refuse('.redis file', () => runRedisFile(target, Readable.from(['GET str\nHSET h f 2\n'])));
        // The helpers that write.
        await refuse('delete by pattern', () => deleteByPattern(session, '*'));
        await refuse('delete keys', () => deleteKeys(session, ['str']));
        await refuse('flush the database', () => flushDb(session, 0));
        await refuse('publish', () => redisPublish(session, 'ro:ch', 'hi'));
        for (const type of NEW_KEY_TYPES) {
          const items = type === 'zset' ? ['1', 'm'] : type === 'list' || type === 'set' ? ['a'] : ['f', 'v'];
          await refuse(`create a ${type}`, () =>
            createKey(
              session,
              type,
              Buffer.from('fresh'),
              items.map((i) => Buffer.from(i)),
              Buffer.from('v'),
            ),
          );
        }
        await refuse('save a string', () => saveStringCas(session, Buffer.from('str'), Buffer.from('v'), Buffer.from('w')));
        await refuse('overwrite a string', () => saveStringCas(session, Buffer.from('str'), undefined, Buffer.from('w'), { force: true }));
        // Reads still work on the same session.
        assert.equal(await runOperationUnchecked(session, 'get', { key: 'str' }), 'v');
        assert.ok(refusals.length >= writes.length + typedWrites.length + 14);
        const ran = await commandsRun();
        const writesRan = [...ran].filter(
          (name) => name !== 'config|resetstat' && catalog.classify(name.split('|').map((w) => Buffer.from(w))).write,
        );
        assert.deepEqual(writesRan, [], 'write commands that reached the server');
      } finally {
        session.close();
      }
      assert.deepEqual(await snapshot(), before);
    });

    // Each command the write/admin flags miss, plus the destructive admin ones, in the console.
    const refused = [
      `EVAL "return redis.call('set', KEYS[1], 'x')" 1 str`,
      'eval "return 1" 0',
      'EVALSHA {sha} 1 str',
      'evalsha {sha} 1 str',
      'FCALL rwset 1 str x',
      'fcall roget 1 str',
      'PUBLISH ro:ch hi',
      'SPUBLISH ro:sch hi',
      'SCRIPT LOAD "return 2"',
      'SCRIPT FLUSH',
      'SCRIPT KILL',
      'FUNCTION LOAD "#!lua name=other\\nredis.register_function(\'f\', function() return 1 end)"',
      'FUNCTION DELETE rolib',
      'FUNCTION FLUSH',
      'FUNCTION KILL',
      'CLIENT KILL ID {victimId}',
      'CLIENT KILL ADDR {victimAddr}',
      'CLIENT KILL {victimAddr}',
      'client kill type normal',
      'CLIENT KILL USER default SKIPME yes',
      'CLIENT UNBLOCK {victimId} ERROR',
      'CLIENT PAUSE 100 WRITE',
      'SHUTDOWN',
      'shutdown nosave now force',
      'SHUTDOWN ABORT',
      'CONFIG SET maxmemory-samples 7',
      'config set save ""',
      'CONFIG REWRITE',
      'FLUSHALL',
      'SWAPDB 0 1',
      'REPLICAOF 127.0.0.1 1',
      'ACL SETUSER mallory on >pw +@all',
      'DEBUG SLEEP 0',
    ];
    const allowed = [
      'GET str',
      `EVAL_RO "return redis.call('get', KEYS[1])" 1 str`,
      'EVALSHA_RO {sha} 1 str',
      'FCALL_RO roget 1 str',
      'CONFIG GET maxmemory-samples',
      'CLIENT LIST',
      'CLIENT INFO',
      'SCRIPT EXISTS {sha}',
      'FUNCTION LIST',
      'PUBSUB CHANNELS',
      'XRANGE x - +',
    ];
    const fill = (text: string): string =>
      text.replace('{sha}', sha).replace('{victimId}', String(victimId)).replace('{victimAddr}', victimAddr);

    it(`refuses in the console each command the flags miss and the destructive admin ones (${refused.length}); sends none of them; the server unchanged`, async () => {
      const before = await snapshot();
      await admin.config('RESETSTAT');
      for (const text of refused) {
        await assert.rejects(runCommand(roTarget(), splitArgs(fill(text))), isReadOnlyRefusal, text);
      }
      // FUNCTION RESTORE takes a binary payload.
      const dump = (await admin.callBuffer('FUNCTION', 'DUMP')) as Buffer;
      await assert.rejects(
        runCommand(roTarget(), [Buffer.from('FUNCTION'), Buffer.from('RESTORE'), dump, Buffer.from('REPLACE')]),
        isReadOnlyRefusal,
      );
      assert.equal(await victim.ping(), 'PONG', 'the victim was not disconnected');
      assert.deepEqual(await snapshot(), before);
      const ran = await commandsRun();
      const reached = [...ran].filter((c) =>
        /^(eval|evalsha|fcall|publish|spublish|script\|(load|flush|kill)|function\|(load|delete|flush|kill|restore)|client\|(kill|unblock|pause)|shutdown|config\|(set|rewrite)|flushall|swapdb|replicaof|acl\|setuser|debug)$/.test(
          c,
        ),
      );
      assert.deepEqual(reached, [], 'refused commands that reached the server');
      assert.ok(ran.has('client|setname') || ran.has('command') || ran.size > 0);
    });

    it('lets the read-only forms through: EVAL_RO, EVALSHA_RO, FCALL_RO, CONFIG GET, CLIENT LIST, SCRIPT EXISTS, …', async () => {
      for (const text of allowed) {
        const reply = await runCommand(roTarget(), splitArgs(fill(text)));
        assert.notEqual(reply.type, 'error', `${text}: ${reply.type === 'error' ? reply.message : ''}`);
      }
      for (const text of [
        'GET str',
        `EVAL_RO "return redis.call('get', KEYS[1])" 1 str`,
        'EVALSHA_RO {sha} 1 str',
        'FCALL_RO roget 1 str',
      ]) {
        assert.deepEqual(await runCommand(roTarget(), splitArgs(fill(text))), { type: 'bulk', value: Buffer.from('v') }, text);
      }
    });

    it('an interactive MULTI block: its writes are refused, EXEC commits only the reads; pipelines and transactions with a write send nothing', async () => {
      const before = await snapshot();
      assert.deepEqual(await runCommand(roTarget(), splitArgs('MULTI')), { type: 'status', value: 'OK' });
      assert.deepEqual(await runCommand(roTarget(), splitArgs('GET str')), { type: 'status', value: 'QUEUED' });
      for (const text of ['SET str w', 'INCR n', 'DEL h', `EVAL "return redis.call('set', KEYS[1], 'x')" 1 str`, 'PUBLISH ro:ch hi']) {
        await assert.rejects(runCommand(roTarget(), splitArgs(text)), isReadOnlyRefusal, text);
      }
      const exec = await runCommand(roTarget(), splitArgs('EXEC'));
      assert.deepEqual(exec, { type: 'array', items: [{ type: 'bulk', value: Buffer.from('v') }] });
      await assert.rejects(
        runPipeline(roTarget(), [splitArgs('GET str'), splitArgs('SET str w')], { transaction: true }),
        isReadOnlyRefusal,
      );
      await assert.rejects(runPipeline(roTarget(), [splitArgs('GET str'), splitArgs('FCALL rwset 1 str w')]), isReadOnlyRefusal);
      assert.deepEqual(await runCommand(roTarget(), splitArgs('PING')), { type: 'status', value: 'PONG' }, 'no transaction left open');
      assert.deepEqual(await snapshot(), before);
    });
  });

  describe('RabbitMQ (the read-only profile goes through proxies that count its connections)', () => {
    let vh: TestVhost;
    let rw: AmqpSession;
    let amqpProxy: TcpProxy;
    let httpProxy: TcpProxy;
    let ro: AmqpSession;

    before(async () => {
      vh = await TestVhost.create('read-only');
      rw = vh.session();
      await declareQueue(rw, { name: 'ro.q', durable: false });
      await declareExchange(rw, { name: 'ro.x', type: 'fanout', durable: false });
      await bind(rw, { source: 'ro.x', destination: 'ro.q', destinationType: 'queue' });
      for (const body of ['1', '2', '3']) await amqpPublish(rw, { exchange: 'ro.x', routingKey: '', body });
      amqpProxy = await TcpProxy.start(5672);
      httpProxy = await TcpProxy.start(Number(new URL(MANAGEMENT_URL).port));
      ro = new AmqpSession(
        vh.profile({
          name: 'ro',
          readOnly: true,
          url: `amqp://guest@127.0.0.1:${amqpProxy.port}/${encodeURIComponent(vh.name)}`,
          managementUrl: `http://127.0.0.1:${httpProxy.port}`,
        }),
        { password: PASSWORD },
      );
    });
    after(async () => {
      await ro.close();
      await amqpProxy.down();
      await httpProxy.down();
      await vh.close();
    });

    it('refuses publish, declare, bind, unbind, delete, purge, consume with ack or reject, RPC and closing a connection, opening no connection at all; the broker unchanged', async () => {
      const refusals: [string, () => Promise<unknown>][] = [
        ['publish to an exchange', () => amqpPublish(ro, { exchange: 'ro.x', routingKey: '', body: 'x' })],
        [
          'publish to a queue',
          () => amqpPublish(ro, { exchange: '', routingKey: 'ro.q', body: 'x', properties: { persistent: true }, mandatory: false }),
        ],
        ['declare a queue', () => declareQueue(ro, { name: 'ro.new' })],
        ['redeclare a queue as it is', () => declareQueue(ro, { name: 'ro.q', durable: false })],
        ['declare an exchange', () => declareExchange(ro, { name: 'ro.newx', type: 'topic' })],
        ['bind', () => bind(ro, { source: 'ro.x', destination: 'ro.q', destinationType: 'queue', routingKey: 'k' })],
        ['unbind', () => unbind(ro, { source: 'ro.x', destination: 'ro.q', destinationType: 'queue' })],
        ['delete a queue', () => deleteQueue(ro, { name: 'ro.q' })],
        ['delete an exchange', () => deleteExchange(ro, { name: 'ro.x' })],
        ['purge', () => purgeQueue(ro, { name: 'ro.q' })],
        ['consume with ack', () => startConsumer(ro, { queue: 'ro.q' })],
        ['consume with reject', () => startConsumer(ro, { queue: 'ro.q', ack: 'reject' })],
        ['RPC call', () => rpcCall(ro, { routingKey: 'ro.q', body: 'x' })],
        ['close a connection (management API)', () => ro.management().closeConnection('127.0.0.1:1 -> 127.0.0.1:5672')],
      ];
      for (const [label, attempt] of refusals) await assert.rejects(attempt(), isReadOnlyRefusal, label);
      assert.equal(amqpProxy.accepted, 0, 'no AMQP connection was opened');
      assert.equal(httpProxy.accepted, 0, 'no management API request was made');

      assert.equal((await checkQueue(rw, 'ro.q')).messageCount, 3);
      await checkExchange(rw, 'ro.x');
      await assert.rejects(checkQueue(rw, 'ro.new'), NotFoundError);
      await assert.rejects(checkExchange(rw, 'ro.newx'), NotFoundError);
      const bindings = await rw.management().bindingsOf(vh.name, { exchange: 'ro.x' });
      assert.deepEqual(
        bindings.map((b) => `${b.destination}:${b.routingKey}`),
        ['ro.q:'],
      );
    });

    it('still reads: a passive check and a peek that leaves the messages where they were', async () => {
      assert.equal((await checkQueue(ro, 'ro.q')).messageCount, 3);
      const peeked = await peekMessages(ro, { queue: 'ro.q', count: 3, queueType: 'classic' });
      assert.deepEqual(peeked.messages.map((m) => m.body).sort(), ['1', '2', '3']);
      assert.equal((await checkQueue(rw, 'ro.q')).messageCount, 3);
      assert.ok(amqpProxy.accepted >= 1, 'reading does connect');
    });
  });
});
