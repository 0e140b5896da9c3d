/**
 * The Redis session (issue 10): a pool hands out sessions bound to their
 * profile; the command catalog is cached per session and cleared when the
 * connection is replaced or reconnects; a non-string key is created
 * atomically (no EXISTS-then-write race); a string save is a
 * compare-and-set with a typed outcome; whether an operation destroys data
 * comes from its spec; exact integers come from a stringNumbers connection.
 */
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { ReadOnlyError } from '../../src/core/errors';
import { createKey } from '../../src/core/redis/keyOps';
import { destructiveCheck, OPERATIONS, runOperation } from '../../src/core/redis/operations';
import { RedisPool } from '../../src/core/redis/pool';
import { RedisSession } from '../../src/core/redis/session';
import { saveStringCas } from '../../src/core/redis/stringOps';
import { localProfile, plainClient } from './helpers/redis';

const DB = 13;
const P = `session-test:${process.pid}:`;

describe('Redis sessions (real Redis, db 13)', function () {
  this.timeout(30_000);
  let seed: Redis;
  let session: RedisSession;
  before(() => {
    seed = plainClient(DB);
    session = new RedisSession(localProfile(DB));
  });
  afterEach(async () => {
    const keys = await seed.keys(`${P}*`);
    if (keys.length > 0) await seed.del(...keys);
  });
  after(() => {
    seed.disconnect();
    session.close();
  });

  it('the pool hands out one session per (profile, db), bound to its profile, and a new one after invalidate', async () => {
    const profile = localProfile(DB);
    const pool = new RedisPool({ profile: () => profile, password: () => Promise.resolve(undefined) });
    try {
      const a = await pool.session(profile.name);
      assert.equal(await pool.session(profile.name, DB), a);
      assert.equal(a.profile, profile);
      assert.equal(a.db, DB);
      assert.notEqual(await pool.session(profile.name, DB + 1), a);
      pool.invalidate(profile.name);
      assert.notEqual(await pool.session(profile.name), a);
    } finally {
      await pool.dispose();
    }
  });

  it('caches the command catalog per session and loads it again after the connection reconnects', async () => {
    const own = new RedisSession(localProfile(DB));
    try {
      const first = await own.catalog();
      assert.equal(await own.catalog(), first, 'cached');
      const another = new RedisSession(localProfile(DB));
      assert.notEqual(await another.catalog(), first, 'per session, not per module');
      another.close();
      const client = await own.client();
      const id = String(await client.client('ID'));
      const reconnected = new Promise((resolve) => client.once('ready', resolve));
      await seed.client('KILL', 'ID', id);
      await reconnected;
      const again = await own.catalog();
      assert.notEqual(again, first, 'cleared on reconnect');
      assert.equal(again.live, true);
    } finally {
      own.close();
    }
  });

  it('returns integers past 2^53 exactly from its stringNumbers connection', async () => {
    await seed.set(`${P}n`, '9007199254740993');
    assert.equal(await runOperation(session, 'incr', { key: `${P}n` }), '9007199254740994');
    await seed.hset(`${P}h`, 'f', '9007199254740993');
    assert.equal(await runOperation(session, 'hincrby', { key: `${P}h`, field: 'f', increment: 2 }), '9007199254740995');
    assert.equal(await runOperation(session, 'decrby', { key: `${P}n`, decrement: 1 }), '9007199254740993');
  });

  it('creates a key of a type with no NX form atomically: of 20 concurrent creations exactly one writes', async () => {
    const key = Buffer.from(`${P}race`);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => createKey(session, 'list', key, [Buffer.from(`writer-${i}`)])));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await seed.llen(key), 1, 'only the winner wrote');
    assert.equal(await createKey(session, 'hash', key, [Buffer.from('f'), Buffer.from('v')]), false, 'exists already');
    assert.equal(await createKey(session, 'string', Buffer.from(`${P}s`), [], Buffer.from('v')), true);
    assert.equal(await createKey(session, 'string', Buffer.from(`${P}s`), [], Buffer.from('w')), false);
    assert.equal(await seed.get(`${P}s`), 'v');
  });

  it('saves a string with a compare-and-set and says how it ended: saved, conflict (with the bytes), wrong type, gone', async () => {
    const key = Buffer.from(`${P}doc`);
    await seed.set(key, 'one', 'EX', 1000);
    assert.deepEqual(await saveStringCas(session, key, Buffer.from('one'), Buffer.from('two')), { outcome: 'saved' });
    assert.equal(await seed.get(key), 'two');
    assert.ok((await seed.ttl(key)) > 900, 'the TTL is kept');
    assert.deepEqual(await saveStringCas(session, key, Buffer.from('one'), Buffer.from('three')), {
      outcome: 'conflict',
      current: Buffer.from('two'),
    });
    assert.deepEqual(await saveStringCas(session, key, undefined, Buffer.from('x')), { outcome: 'conflict', current: Buffer.from('two') });
    assert.deepEqual(await saveStringCas(session, key, Buffer.from('one'), Buffer.from('forced'), { force: true }), { outcome: 'saved' });
    assert.equal(await seed.get(key), 'forced');
    await seed.del(key);
    assert.deepEqual(await saveStringCas(session, key, Buffer.from('forced'), Buffer.from('x')), { outcome: 'gone' });
    await seed.rpush(key, 'a');
    assert.deepEqual(await saveStringCas(session, key, Buffer.from('forced'), Buffer.from('x')), { outcome: 'wrongType', type: 'list' });
    assert.deepEqual(await seed.lrange(key, 0, -1), ['a']);
    const ro = new RedisSession(localProfile(DB, { readOnly: true }));
    await assert.rejects(saveStringCas(ro, key, undefined, Buffer.from('x')), ReadOnlyError);
    ro.close();
  });

  it('tells destructive operations from the spec field, not the name, and asks only when a key would be lost', async () => {
    const marked = OPERATIONS.filter((op) => 'destructive' in op).map((op) => op.name);
    assert.deepEqual(marked.sort(), ['copy', 'getset', 'mset', 'psetex', 'rename', 'set', 'setex', 'unlink']);
    const other = (db: number): Promise<RedisSession> => Promise.resolve(new RedisSession(localProfile(db)));
    assert.equal(await destructiveCheck(session, 'set', { key: `${P}a`, value: 'v' }, other), undefined, 'nothing to overwrite');
    await seed.set(`${P}a`, '1');
    assert.equal((await destructiveCheck(session, 'set', { key: `${P}a`, value: 'v' }, other))?.effect, 'overwrite');
    assert.equal(await destructiveCheck(session, 'set', { key: `${P}a`, value: 'v', condition: 'NX' }, other), undefined);
    assert.equal((await destructiveCheck(session, 'unlink', { keys: [`${P}zz`] }, other))?.effect, 'delete');
    assert.equal((await destructiveCheck(session, 'rename', { key: `${P}zz`, newKey: `${P}a` }, other))?.verb, 'renaming');
    assert.equal(await destructiveCheck(session, 'get', { key: `${P}a` }, other), undefined);
  });
});
