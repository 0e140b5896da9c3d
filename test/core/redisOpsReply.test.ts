import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Redis } from 'ioredis';
import { array, bulk, errorReply, integer, NIL, status, type RedisReply } from '../../src/core/redis/reply';
import { formatReply, formatReplyRaw } from '../../src/core/redis/replyFormat';
import { replyToJson, replyToResult } from '../../src/core/redis/replyJson';
import { openRespClient, type RespClient } from '../../src/core/redis/respClient';
import { encodeCommand, RespReader } from '../../src/core/redis/respParser';
import { splitArgs } from '../../src/core/redis/tokenizer';
import { useRedisDb } from './helpers/redis';

const DB = 9;

function redisCli(line: string, mode: '--no-raw' | '--raw'): Buffer {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', '-n', String(DB), mode], { input: `${line}\n` });
}

describe('RESP2 reader', () => {
  const wire = Buffer.from(
    '+OK\r\n-ERR bad\r\n:-9223372036854775808\r\n$5\r\nhe\r\nl\r\n$-1\r\n*-1\r\n*0\r\n*3\r\n:1\r\n*2\r\n$0\r\n\r\n+x\r\n$3\r\nend\r\n',
  );
  const expected: RedisReply[] = [
    status('OK'),
    errorReply('ERR bad'),
    integer(-9223372036854775808n),
    bulk('he\r\nl'),
    NIL,
    NIL,
    array([]),
    array([integer(1), array([bulk(''), status('x')]), bulk('end')]),
  ];

  it('reads every reply type exactly, with 64-bit integers and CRLF inside bulk strings', () => {
    const got: RedisReply[] = [];
    new RespReader((r) => got.push(r)).feed(wire);
    assert.deepEqual(got, expected);
  });

  it('gives the same replies however the bytes are split', () => {
    for (const size of [1, 2, 3, 7, 13]) {
      const got: RedisReply[] = [];
      const reader = new RespReader((r) => got.push(r));
      for (let i = 0; i < wire.length; i += size) reader.feed(wire.subarray(i, i + size));
      assert.deepEqual(got, expected, `chunks of ${size}`);
    }
  });

  it('reads a 5 MB bulk string arriving in 64 KB chunks', () => {
    const big = Buffer.alloc(5_000_000, 0x61);
    const bytes = Buffer.concat([Buffer.from(`$${big.length}\r\n`), big, Buffer.from('\r\n:7\r\n')]);
    const got: RedisReply[] = [];
    const reader = new RespReader((r) => got.push(r));
    for (let i = 0; i < bytes.length; i += 65536) reader.feed(bytes.subarray(i, i + 65536));
    assert.equal(got.length, 2);
    assert.ok(got[0].type === 'bulk' && got[0].value.equals(big));
    assert.deepEqual(got[1], integer(7));
  });

  it('encodes binary arguments as bulk strings', () => {
    assert.equal(encodeCommand([Buffer.from('SET'), Buffer.from([0, 255])]).toString('latin1'), '*2\r\n$3\r\nSET\r\n$2\r\n\x00\xff\r\n');
  });
});

describe('reply formatting, checked against redis-cli itself (real Redis, db 9)', function () {
  this.timeout(60_000);
  let seed: Redis;
  let client: RespClient;
  useRedisDb(DB, openRespClient, (s, c) => ([seed, client] = [s, c]), 'end');

  const cases: { setup?: string[]; line: string }[] = [
    { line: 'PING' },
    { line: 'SET fmt:k "a b"' },
    { setup: ['SET fmt:k OK'], line: 'GET fmt:k' },
    { line: 'GET fmt:none' },
    { line: 'INCR fmt:n' },
    { line: 'ECHO "\\x00\\xff\\"\\\\\\n\\r\\t\\a\\b~ "' },
    { line: 'ECHO "中文"' },
    { setup: ['RPUSH fmt:l a b c'], line: 'LRANGE fmt:l 0 -1' },
    { line: 'LRANGE fmt:none 0 -1' },
    { setup: ['RPUSH fmt:l a'], line: 'TYPE fmt:l' },
    { line: 'NOSUCH x' },
    { setup: ['RPUSH fmt:l a'], line: 'GET fmt:l' },
    { setup: ['SET fmt:big 9223372036854775806'], line: 'INCR fmt:big' },
    { setup: ['SET fmt:big 9223372036854775807'], line: 'INCR fmt:big' },
    { line: 'EVAL "return {1,{2,{3,\\"x\\"}},{},redis.status_reply(\\"FINE\\"),redis.error_reply(\\"BAD thing\\"),false}" 0' },
    { line: 'EVAL "local t={} for i=1,12 do t[i]=i end return {t,{t,{}}}" 0' },
    { setup: ['ZADD fmt:z 1.5 a -inf b'], line: 'ZRANGE fmt:z 0 -1 WITHSCORES' },
    { setup: ['HSET fmt:h f v'], line: 'HGETALL fmt:h' },
  ];

  for (const c of cases) {
    it(`prints ${c.line} exactly as redis-cli does, in both --no-raw and --raw`, async () => {
      const expected: Record<string, Buffer> = {};
      const actual: Record<string, Buffer> = {};
      for (const mode of ['--no-raw', '--raw'] as const) {
        await seed.flushdb();
        for (const s of c.setup ?? []) await client.send(splitArgs(s));
        expected[mode] = redisCli(c.line, mode);
        await seed.flushdb();
        for (const s of c.setup ?? []) await client.send(splitArgs(s));
        const reply = await client.send(splitArgs(c.line));
        actual[mode] = mode === '--raw' ? formatReplyRaw(reply) : Buffer.from(`${formatReply(reply)}\n`, 'latin1');
      }
      assert.equal(actual['--no-raw'].toString('latin1'), expected['--no-raw'].toString('latin1'));
      assert.equal(actual['--raw'].toString('latin1'), expected['--raw'].toString('latin1'));
    });
  }
});

describe('replies as JSON', () => {
  it('follows the COMMANDS.md conventions', () => {
    const reply = array([
      status('OK'),
      integer(42),
      integer(9007199254740993n),
      integer(-9007199254740991n),
      bulk('text'),
      bulk(Buffer.from([0xff, 0x00])),
      NIL,
      errorReply('WRONGTYPE Operation against a key holding the wrong kind of value'),
      array([]),
    ]);
    assert.deepEqual(replyToJson(reply), [
      'OK',
      42,
      '9007199254740993',
      -9007199254740991,
      'text',
      { hex: 'ff00' },
      null,
      { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
      [],
    ]);
  });

  it('rejects a top-level error reply with one sentence naming the command', () => {
    assert.throws(() => replyToResult(errorReply('ERR syntax error'), 'set', 'local'), {
      message: 'Redis refused SET on profile "local": ERR syntax error.',
    });
  });

  it('formats the tricky nesting cases of redis-cli', () => {
    const nested = array([array([]), array([NIL, array([integer(1)])])]);
    assert.equal(formatReply(nested), ['1) (empty array)', '2) 1) (nil)', '   2) 1) (integer) 1'].join('\n'));
    assert.equal(formatReply(array([])), '(empty array)');
    assert.equal(formatReply(errorReply('ERR x')), '(error) ERR x');
  });
});
