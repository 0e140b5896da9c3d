import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { InputError, ReadOnlyError } from '../../src/core/errors';
import { fallbackCatalog, findDoc, loadCommandCatalog } from '../../src/core/redis/commandInfo';
import { runCommand, runPipeline, runScript, type RespTarget } from '../../src/core/redis/commandRunner';
import { runRedisFile } from '../../src/core/redis/redisFile';
import { array, bulk, errorReply, integer, ioredisReplySource, NIL, status } from '../../src/core/redis/reply';
import { formatReply } from '../../src/core/redis/replyFormat';
import { replyToJson } from '../../src/core/redis/replyJson';
import { openRespClient, type RespClient } from '../../src/core/redis/respClient';
import { RedisSession } from '../../src/core/redis/session';
import { splitArgs } from '../../src/core/redis/tokenizer';
import { localProfile, useRedisDb } from './helpers/redis';

const DB = 8;
const line = (text: string): Buffer[] => splitArgs(text);

describe('command runner (real Redis, db 8)', function () {
  this.timeout(60_000);
  let seed: Redis;
  let client: RespClient;
  const db = useRedisDb(DB, openRespClient, (s, c) => ([seed, client] = [s, c]));
  const session = new RedisSession(localProfile(DB));
  const t = (): RespTarget => ({ session, client });
  after(() => session.close());
  afterEach(async () => {
    if (!client.connected) await db.reopen();
    if (client.db !== DB) await client.send(line(`SELECT ${DB}`));
  });

  it('keeps status and bulk apart, integers exact past 2^53, and an error reply as a value', async () => {
    assert.deepEqual(await runCommand(t(), line('SET k OK')), status('OK'));
    assert.deepEqual(await runCommand(t(), line('GET k')), bulk('OK'));
    assert.deepEqual(await runCommand(t(), ['SET', 'n', '9007199254740993']), status('OK'));
    assert.deepEqual(await runCommand(t(), line('INCR n')), integer(9007199254740994n));
    assert.deepEqual(replyToJson(await runCommand(t(), line('INCRBY n 1'))), '9007199254740995');
    assert.deepEqual(await runCommand(t(), line('GET none')), NIL);
    assert.deepEqual(
      await runCommand(t(), line('LPUSH k x')),
      errorReply('WRONGTYPE Operation against a key holding the wrong kind of value'),
    );
    assert.deepEqual(await runCommand(t(), [{ hex: '534554' }, { hex: '00ff' }, { hex: 'fe' }]), status('OK'));
    assert.deepEqual(await seed.getBuffer(Buffer.from([0, 255])), Buffer.from([0xfe]));
  });

  it('follows SELECT so the console can show profile[db]>', async () => {
    await runCommand(t(), line('SELECT 9'));
    assert.equal(client.db, 9);
    await runCommand(t(), line('SELECT 99999'));
    assert.equal(client.db, 9);
  });

  it('refuses commands that would break request / reply, before sending', async () => {
    await assert.rejects(runCommand(t(), line('SUBSCRIBE ch')), (e: Error) => e instanceof InputError && /Subscribe/.test(e.message));
    await assert.rejects(runCommand(t(), line('MONITOR')), InputError);
    await assert.rejects(runCommand(t(), line('HELLO 3')), /RESP2/);
    await assert.rejects(runCommand(t(), line('CLIENT REPLY OFF')), InputError);
    await assert.rejects(runCommand(t(), []), /empty/);
    assert.deepEqual(await runCommand(t(), line('PING')), status('PONG'));
  });

  it('an error on one line of a pipeline does not hide the others', async () => {
    const result = await runPipeline(t(), [line('SET a 1'), line('NOSUCH x'), line('INCR a'), line('LPUSH a x'), line('GET a')]);
    assert.equal(result.errors, 2);
    assert.deepEqual(result.replies.map(formatReply), [
      'OK',
      "(error) ERR unknown command 'NOSUCH', with args beginning with: 'x' ",
      '(integer) 2',
      '(error) WRONGTYPE Operation against a key holding the wrong kind of value',
      '"2"',
    ]);
  });

  it('a transaction aborted by a bad command says EXECABORT in one sentence, keeps each line’s error and changes nothing', async () => {
    const result = await runPipeline(t(), [line('SET a 1'), line('NOSUCH x'), line('SET b 2')], { transaction: true });
    assert.equal(
      result.aborted,
      "The transaction was not run (EXECABORT) because line 2 (NOSUCH) was refused: ERR unknown command 'NOSUCH', with args beginning with: 'x'; nothing was changed.",
    );
    assert.deepEqual(result.replies, [
      errorReply('EXECABORT Transaction discarded because of previous errors.'),
      errorReply("ERR unknown command 'NOSUCH', with args beginning with: 'x' "),
      errorReply('EXECABORT Transaction discarded because of previous errors.'),
    ]);
    assert.equal(await seed.dbsize(), 0);
    assert.deepEqual(await runCommand(t(), line('PING')), status('PONG'), 'the connection left MULTI');
  });

  it('a transaction with a wrong arity and an unreadable line is discarded too', async () => {
    const result = await runScript(
      t(),
      [
        { line: 1, argv: line('SET a 1') },
        { line: 2, argv: line('GET') },
        { line: 3, error: 'Line 3: Unterminated quote at column 5: close it or escape it.' },
      ],
      { transaction: true },
    );
    assert.match(
      result.aborted ?? '',
      /^The transaction was not run \(EXECABORT\) because 2 lines were refused, the first is line 2 \(GET\)/,
    );
    assert.deepEqual(
      result.results.map((r) => r.line),
      [1, 2, 3],
    );
    assert.equal(await seed.dbsize(), 0);
  });

  it('a transaction runs every line atomically and reports a runtime error on its own line', async () => {
    await seed.set('s', 'text');
    const result = await runPipeline(t(), [line('SET a 1'), line('INCR s'), line('INCR a')], { transaction: true });
    assert.equal(result.aborted, undefined);
    assert.deepEqual(result.replies, [status('OK'), errorReply('ERR value is not an integer or out of range'), integer(2)]);
    const nested = await runPipeline(t(), [line('SET a 5'), line('MULTI')], { transaction: true });
    assert.match(nested.aborted ?? '', /line 2 \(MULTI\) was refused: MULTI cannot be used inside a transaction/);
    assert.equal(await seed.get('a'), '2');
  });

  it('a transaction whose watched key changed reports that nothing ran', async () => {
    await runCommand(t(), line('WATCH w'));
    await seed.set('w', 'changed');
    const result = await runPipeline(t(), [line('SET w mine')], { transaction: true });
    assert.match(result.aborted ?? '', /watched key changed/);
    assert.deepEqual(result.replies, [NIL]);
    assert.equal(await seed.get('w'), 'changed');
  });

  it('runs a 100,000-line .redis file from a stream in batches, with progress', async () => {
    const N = 100_000;
    const text = (function* (): Generator<string> {
      yield '# load\n';
      for (let i = 0; i < N; i++) yield `RPUSH big "v ${i}"\n`;
      yield 'LLEN big\n';
    })();
    let batches = 0;
    let lastProgress = 0;
    let lastReply: unknown;
    const result = await runRedisFile(t(), Readable.from(text), {
      collect: false,
      batchSize: 5000,
      onResults: (r) => {
        batches++;
        lastReply = r[r.length - 1];
      },
      onProgress: (p) => (lastProgress = p.lines),
    });
    assert.equal(result.lines, N + 1);
    assert.equal(result.results.length, 0);
    assert.equal(lastProgress, N + 1);
    assert.ok(batches >= 20);
    assert.deepEqual(lastReply, { line: N + 2, command: 'LLEN', reply: integer(N) });
  });

  it('stops a .redis file when cancelled, between batches', async () => {
    const ac = new AbortController();
    const text = Array.from({ length: 20_000 }, (_, i) => `SET k${i} v\n`).join('');
    const result = await runRedisFile(t(), Readable.from([text]), {
      batchSize: 1000,
      signal: ac.signal,
      onProgress: (p) => p.lines >= 3000 && ac.abort(),
    });
    assert.equal(result.complete, false);
    assert.equal(result.lines, 3000);
    assert.equal(await seed.dbsize(), 3000);
  });

  it('reports a line that cannot be read and runs the others (pipeline mode)', async () => {
    const result = await runRedisFile(t(), Readable.from(['SET a 1\nSET b "x\nGET a\n']));
    assert.deepEqual(
      result.results.map((r) => [r.line, formatReply(r.reply)]),
      [
        [1, 'OK'],
        [2, '(error) Line 2: Unterminated quote at column 7: close it or escape it.'],
        [3, '"1"'],
      ],
    );
  });
});

describe('read-only profiles in the console and pipelines (real Redis, db 8)', function () {
  this.timeout(60_000);
  const ro = new RedisSession(localProfile(DB, { name: 'prod', readOnly: true }));
  const rw = new RedisSession(localProfile(DB));
  let seed: Redis;
  let client: RespClient;
  useRedisDb(DB, openRespClient, (s, c) => ([seed, client] = [s, c]), 'end');
  const t = (): RespTarget => ({ session: ro, client });
  after(() => {
    ro.close();
    rw.close();
  });

  const refused = [
    'SET k v',
    'HSET h f v',
    'LPUSH l a',
    'SADD s a',
    'ZADD z 1 a',
    'XADD x * f v',
    'DEL sentinel',
    'UNLINK sentinel',
    'EXPIRE sentinel 5',
    'RENAME sentinel other',
    'MOVE sentinel 9',
    'COPY sentinel other',
    'FLUSHDB',
    'SWAPDB 8 9',
    'SORT l STORE dst',
    'BLPOP l 1',
    "EVAL \"return redis.call('set','k','v')\" 0",
    'EVALSHA 0000000000000000000000000000000000000000 0',
    'FCALL f 0',
    'PUBLISH ch hi',
    'SPUBLISH ch hi',
    'SCRIPT LOAD "return 1"',
    'SCRIPT FLUSH',
    'FUNCTION LOAD "#!lua name=ro\\nredis.register_function(\'f\', function() return 1 end)"',
    'FUNCTION DELETE ro',
    'FUNCTION FLUSH',
    'CONFIG SET maxmemory-samples 7',
    'CLIENT KILL 10.255.255.1:1',
    'CLIENT PAUSE 10',
    'DEBUG SLEEP 0',
    'ACL SETUSER nobody',
    'ACL LOG RESET',
    'SLOWLOG RESET',
    // FLUSHALL, SHUTDOWN, CONFIG REWRITE and SAVE are checked on a server of the test's own (redisOpsServer.test.ts).
  ];
  for (const text of refused) {
    it(`refuses ${text.split(' ').slice(0, 2).join(' ')} before sending it`, async () => {
      await assert.rejects(
        runCommand(t(), line(text)),
        (e: Error) =>
          e instanceof ReadOnlyError &&
          e.message.startsWith('Profile "prod" is read-only, so ') &&
          e.message.endsWith('was refused before anything was sent; turn off "readOnly" in the profile to allow it.'),
      );
    });
  }

  const allowed = [
    'GET sentinel',
    'CONFIG GET maxmemory-samples',
    'EVAL_RO "return 1" 0',
    'SORT_RO l',
    'SORT l',
    'CLIENT LIST',
    'SLOWLOG GET 1',
    'ACL WHOAMI',
    'SCRIPT EXISTS 0000000000000000000000000000000000000000',
    'OBJECT ENCODING sentinel',
    'MULTI',
    'EXEC',
  ];
  for (const text of allowed) {
    it(`lets ${text.split(' ').slice(0, 2).join(' ')} through`, async () => {
      const reply = await runCommand(t(), line(text));
      assert.notEqual(reply.type === 'error' && /read-only/.test(reply.message), true);
    });
  }

  it('leaves the server unchanged after all the refusals', async () => {
    await seed.set('sentinel', 'kept');
    for (const text of refused) await assert.rejects(runCommand(t(), line(text)), ReadOnlyError);
    assert.equal(await seed.get('sentinel'), 'kept');
    assert.equal(await seed.dbsize(), 1);
    assert.deepEqual(await seed.config('GET', 'maxmemory-samples'), ['maxmemory-samples', '5']);
    assert.deepEqual(await seed.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'ro'), []);
  });

  it('refuses a whole pipeline or transaction that holds one write, sending nothing', async () => {
    await seed.set('sentinel', 'kept');
    await assert.rejects(runPipeline(t(), [line('GET sentinel'), line('SET sentinel x')]), {
      message:
        'Profile "prod" is read-only, so SET on line 2 (it writes data) was refused before anything was sent; turn off "readOnly" in the profile to allow it.',
    });
    await assert.rejects(runPipeline(t(), [line('GET sentinel'), line('DEL sentinel')], { transaction: true }), ReadOnlyError);
    const stream = await runRedisFile(t(), Readable.from(['GET sentinel\nPUBLISH ch x\n']), { transaction: true }).catch((e: Error) => e);
    assert.ok(stream instanceof ReadOnlyError && /PUBLISH on line 2 \(it publishes a message\)/.test(stream.message));
    assert.deepEqual(await runCommand(t(), line('PING')), status('PONG'), 'the transaction was discarded');
    assert.equal(await seed.get('sentinel'), 'kept');
    const ok = await runPipeline(t(), [line('GET sentinel'), line('EXISTS sentinel')]);
    assert.deepEqual(ok.replies, [bulk('kept'), integer(1)]);
  });

  it('classifies subcommands with the live COMMAND table, and falls back carefully without it', async () => {
    const live = await loadCommandCatalog(client);
    assert.equal(live.live, true);
    assert.equal(live.classify(line('config set a b')).write, true);
    assert.equal(live.classify(line('CONFIG GET a')).write, false);
    assert.equal(live.classify(line('CONFIG GET a')).display, 'CONFIG GET');
    assert.equal(live.classify(line('FCALL_RO f 0')).write, false);
    assert.equal(live.classify(line('GEORADIUS g 0 0 1 km')).write, false);
    assert.equal(live.classify(line('GEORADIUS g 0 0 1 km STORE d')).write, true);
    assert.equal(live.classify(line('NOSUCHCOMMAND')).write, false, 'the server refuses unknown commands itself');
    const viaIoredis = await loadCommandCatalog(ioredisReplySource(seed));
    assert.equal(viaIoredis.live, true);
    assert.equal(viaIoredis.classify(line('CLIENT KILL 1.2.3.4:5')).write, true);
    const fallback = fallbackCatalog();
    assert.equal(fallback.classify(line('SET a b')).write, true);
    assert.equal(fallback.classify(line('GET a')).write, false);
    assert.equal(fallback.classify(line('CONFIG SET a b')).write, true);
    assert.equal(fallback.classify(line('EVAL x 0')).write, true);
    assert.equal(fallback.classify(line('SOMEMODULE.CMD x')).write, true, 'unknown commands count as writes without the live table');
  });

  it('lists commands with summary, syntax and arity for completion and HELP', async () => {
    const docs = await rw.docs();
    assert.ok(docs.length > 200);
    const set = findDoc(docs, ['set']);
    assert.equal(set?.summary.length !== undefined && set.summary.length > 0, true);
    assert.equal(set?.arity, -3);
    assert.match(set?.syntax ?? '', /^key value \[NX \| XX\] \[GET\]/);
    assert.equal(findDoc(docs, ['config', 'set'])?.name, 'CONFIG SET');
    assert.equal(findDoc(docs, ['config', 'set'])?.arity, -4);
    assert.equal(await rw.docs(), await rw.docs(), 'cached by the session');
  });

  it('formats a nested reply of a pipeline the same as redis-cli would', () => {
    assert.equal(formatReply(array([status('OK'), array([integer(1), NIL])])), '1) OK\n2) 1) (integer) 1\n   2) (nil)');
  });
});
