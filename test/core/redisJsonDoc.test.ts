/**
 * RedisJSON keys as documents (issue 13 part 1). Redis Stack cannot be
 * installed here: the real server (no module) shows the sentence a user
 * gets, and a server answering with replies recorded from Redis Stack 7.2
 * shows the exact commands sent for opening and saving.
 */
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { PreconditionError } from '../../src/core/errors';
import { resolveRedisProfile } from '../../src/core/profiles';
import { JsonSourceError } from '../../src/core/redis/jsonSource';
import { readJsonKey, saveJsonKey } from '../../src/core/redis/redisJsonDoc';
import { RedisSession } from '../../src/core/redis/session';
import { bulk, RecordedRedis } from './helpers/recordedRedis';
import { plainClient } from './helpers/redis';

const DB = 13;
const KEY = `jsonedit-rejson:${process.pid}`;
/** JSON.GET with INDENT / NEWLINE / SPACE as Redis Stack 7.2 (RedisJSON 2.6) answers it. */
const STORED = '{\n  "name": "Ada",\n  "tags": [\n    "math"\n  ]\n}';
const GET_ARGV = ['JSON.GET', KEY, 'INDENT', '  ', 'NEWLINE', '\n', 'SPACE', ' '];

describe('RedisJSON documents', function () {
  this.timeout(20_000);

  describe('on a server without the module (real Redis, db 13)', () => {
    let seed: Redis;
    before(() => (seed = plainClient(DB)));
    after(() => seed.disconnect());

    it('opening a JSON document says in one sentence that RedisJSON is not loaded', async () => {
      const modules = JSON.stringify(await seed.call('MODULE', 'LIST'));
      assert.doesNotMatch(modules, /ReJSON/i, 'this test needs a server without RedisJSON');
      await assert.rejects(
        readJsonKey(seed, Buffer.from(KEY), 'local'),
        (err: unknown) =>
          err instanceof PreconditionError &&
          err.message ===
            `The RedisJSON module is not loaded on Redis profile "local", so "${KEY}" cannot be read or saved as a JSON document: load RedisJSON (part of Redis Stack) on that server, or open the key as a value.`,
      );
    });
  });

  describe('against replies recorded from Redis Stack', () => {
    let server: RecordedRedis;
    let session: RedisSession;
    let stored = STORED;
    beforeEach(async () => {
      stored = STORED;
      server = await RecordedRedis.start({
        TYPE: '+ReJSON-RL\r\n',
        WATCH: '+OK\r\n',
        UNWATCH: '+OK\r\n',
        'JSON.GET': () => bulk(stored),
        'JSON.SET': '+OK\r\n',
      });
      session = new RedisSession(resolveRedisProfile({ name: 'stack', host: '127.0.0.1', port: server.port, db: 0 }));
    });
    afterEach(async () => {
      session.close();
      await server.close();
    });

    it('opens with JSON.GET indented by the server', async () => {
      const text = await readJsonKey(await session.client(), Buffer.from(KEY), 'stack');
      assert.equal(text, `${STORED}\n`);
      assert.deepEqual(server.sent(), [GET_ARGV]);
    });

    it('saves with JSON.SET at the root inside WATCH / MULTI / EXEC after comparing', async () => {
      const base = await readJsonKey(await session.client(), Buffer.from(KEY), 'stack');
      server.commands.length = 0;
      const next = '{\n  "name": "Ada Lovelace",\n  "tags": ["math"]\n}\n';
      assert.deepEqual(await saveJsonKey(session, Buffer.from(KEY), base, next), { outcome: 'saved' });
      assert.deepEqual(server.sent(), [['WATCH', KEY], ['TYPE', KEY], GET_ARGV, ['MULTI'], ['JSON.SET', KEY, '$', next.trim()], ['EXEC']]);
    });

    it('a document changed on the server is a conflict and JSON.SET is never sent; bad JSON sends nothing', async () => {
      const base = await readJsonKey(await session.client(), Buffer.from(KEY), 'stack');
      stored = '{\n  "name": "Grace"\n}';
      server.commands.length = 0;
      assert.deepEqual(await saveJsonKey(session, Buffer.from(KEY), base, '{"name": "Ada"}'), {
        outcome: 'conflict',
        current: `${stored}\n`,
      });
      assert.deepEqual(server.sent(), [['WATCH', KEY], ['TYPE', KEY], GET_ARGV, ['UNWATCH']]);
      server.commands.length = 0;
      await assert.rejects(saveJsonKey(session, Buffer.from(KEY), base, '{"name": }'), JsonSourceError);
      assert.deepEqual(server.commands, [], 'nothing sent, not even a connection');
    });
  });
});
