/**
 * Collections edited as JSON documents (issue 13 part 1): rendering and
 * parsing with located errors, the minimal change, and the compare-and-set
 * save against real Redis — per type, with the TTL kept, a conflict leaving
 * the key untouched and a list's length change needing consent.
 */
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { ReadOnlyError } from '../../src/core/errors';
import { parseCollectionText, renderCollection, type CollectionValue } from '../../src/core/redis/collectionJson';
import { planEdit, readCollection, saveCollectionCas, TooLargeError } from '../../src/core/redis/collectionEdit';
import { JsonSourceError } from '../../src/core/redis/jsonSource';
import { RedisSession } from '../../src/core/redis/session';
import { localProfile, plainClient } from './helpers/redis';

const DB = 13;
const P = `jsonedit-test:${process.pid}:`;
const MAX = 10_000;

function located(fn: () => unknown, message: RegExp): { offset: number; length: number } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof JsonSourceError, `expected a JsonSourceError, got ${String(err)}`);
    assert.match(err.message, message);
    return err.span;
  }
  assert.fail('expected the text to be refused');
}

describe('Collections as JSON documents: render and parse', () => {
  it('a hash with text fields is an object, sorted by field; binary values are { hex }', () => {
    const text = renderCollection({
      type: 'hash',
      entries: [
        { field: Buffer.from('b'), value: Buffer.from([0xff, 0x00]) },
        { field: Buffer.from('a'), value: Buffer.from('1') },
      ],
    });
    assert.equal(text, '{\n  "a": "1",\n  "b": { "hex": "ff00" }\n}\n');
    const back = parseCollectionText('hash', text);
    assert.deepEqual(back, {
      type: 'hash',
      entries: [
        { field: Buffer.from('a'), value: Buffer.from('1') },
        { field: Buffer.from('b'), value: Buffer.from([0xff, 0x00]) },
      ],
    });
  });

  it('a hash with a binary field is an array of { field, value } and parses back', () => {
    const value: CollectionValue = { type: 'hash', entries: [{ field: Buffer.from([0xc3]), value: Buffer.from('x') }] };
    const text = renderCollection(value);
    assert.equal(text, '[\n  { "field": { "hex": "c3" }, "value": "x" }\n]\n');
    assert.deepEqual(parseCollectionText('hash', text), value);
  });

  it('a set is a sorted array, a sorted set [{ member, score }] with "inf", a number is taken as typed', () => {
    assert.equal(renderCollection({ type: 'set', members: [Buffer.from('b'), Buffer.from('a')] }), '[\n  "a",\n  "b"\n]\n');
    const z = renderCollection({
      type: 'zset',
      entries: [
        { member: Buffer.from('m'), score: -Infinity },
        { member: Buffer.from('n'), score: 1.5 },
      ],
    });
    assert.equal(z, '[\n  { "member": "m", "score": "-inf" },\n  { "member": "n", "score": 1.5 }\n]\n');
    assert.deepEqual(parseCollectionText('zset', z), {
      type: 'zset',
      entries: [
        { member: Buffer.from('m'), score: -Infinity },
        { member: Buffer.from('n'), score: 1.5 },
      ],
    });
    assert.deepEqual(parseCollectionText('list', '[1.50, "x"]'), { type: 'list', items: [Buffer.from('1.50'), Buffer.from('x')] });
  });

  it('invalid JSON is refused at the place of the problem', () => {
    const text = '{\n  "a": "1",\n  "b" "2"\n}';
    const span = located(() => parseCollectionText('hash', text), /Expected ":"/);
    assert.equal(text.slice(span.offset, span.offset + 3), '"2"');
    const trailing = located(() => parseCollectionText('list', '["a",]'), /trailing comma/);
    assert.equal(trailing.offset, 5);
    located(() => parseCollectionText('list', '["a"'), /Expected "," or "]"/);
    located(() => parseCollectionText('list', '"unterminated'), /not closed/);
  });

  it('the wrong shape, duplicates and an empty collection are refused at their place', () => {
    const text = '[\n  "a",\n  true\n]';
    const span = located(() => parseCollectionText('list', text), /must be a string or \{ "hex"/);
    assert.equal(text.slice(span.offset, span.offset + span.length), 'true');
    const dup = '["x", "y", "x"]';
    const d = located(() => parseCollectionText('set', dup), /appears twice/);
    assert.equal(d.offset, 11);
    located(() => parseCollectionText('hash', '{"f": "1", "f": "2"}'), /appears twice/);
    located(() => parseCollectionText('zset', '[{ "member": "a", "score": "x" }]'), /A score must be a number/);
    located(() => parseCollectionText('zset', '[{ "member": "a" }]'), /has no "score"/);
    located(() => parseCollectionText('zset', '{"a": 1}'), /must be an array of/);
    located(() => parseCollectionText('set', '[{ "hex": "abc" }]'), /even number/);
    located(() => parseCollectionText('hash', '{}'), /An empty hash cannot exist in Redis/);
  });

  it('the plan is minimal: three changed fields of 10,000 are one HSET of three fields', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => ({ field: Buffer.from(`f${i}`), value: Buffer.from(`v${i}`) }));
    const next = entries.map((e, i) => (i % 4000 === 7 ? { field: e.field, value: Buffer.from('changed') } : e));
    const plan = planEdit(Buffer.from('k'), { type: 'hash', entries }, { type: 'hash', entries: next });
    assert.equal(plan.changes, 3);
    assert.deepEqual(
      plan.commands.map((c) => c.map(String)),
      [['HSET', 'k', 'f7', 'changed', 'f4007', 'changed', 'f8007', 'changed']],
    );
  });
});

describe('Collections as JSON documents: saving with compare-and-set (real Redis, db 13)', function () {
  this.timeout(30_000);
  let seed: Redis;
  let session: RedisSession;
  const k = (name: string): Buffer => Buffer.from(`${P}${name}`);
  const read = async (key: Buffer, type: 'hash' | 'list' | 'set' | 'zset'): Promise<CollectionValue> =>
    readCollection(await session.client(), key, type, MAX);
  before(() => {
    seed = plainClient(DB);
    session = new RedisSession(localProfile(DB));
  });
  afterEach(async () => {
    const keys: string[] = [];
    for await (const batch of seed.scanStream({ match: `${P}*`, count: 1000 })) keys.push(...(batch as string[]));
    if (keys.length > 0) await seed.del(...keys);
  });
  after(() => {
    seed.disconnect();
    session.close();
  });

  it('a hash: changed, added and removed fields are written with HSET / HDEL; the TTL is kept', async () => {
    const key = k('hash');
    await seed.hset(key, { a: '1', b: '2', c: '3' });
    await seed.expire(key, 500);
    const base = await read(key, 'hash');
    const next = parseCollectionText('hash', '{ "a": "1", "b": "two", "d": { "hex": "00ff" } }');
    const saved = await saveCollectionCas(session, key, base, next, { maxItems: MAX });
    assert.deepEqual(saved, { outcome: 'saved', commands: 2, changes: 3 });
    assert.deepEqual(await seed.hgetallBuffer(key), { a: Buffer.from('1'), b: Buffer.from('two'), d: Buffer.from([0, 255]) });
    assert.ok((await seed.ttl(key)) > 490, 'the TTL is kept');
  });

  it('a set: SADD / SREM; a sorted set: ZADD / ZREM with inf; the TTL is kept', async () => {
    const s = k('set');
    await seed.sadd(s, 'a', 'b');
    await seed.expire(s, 500);
    const sBase = await read(s, 'set');
    assert.equal(renderCollection(sBase), '[\n  "a",\n  "b"\n]\n');
    const sSaved = await saveCollectionCas(session, s, sBase, parseCollectionText('set', '["b", "c", {"hex": "ff"}]'), { maxItems: MAX });
    assert.deepEqual(sSaved, { outcome: 'saved', commands: 2, changes: 3 });
    assert.deepEqual((await seed.smembersBuffer(s)).map((b) => b.toString('hex')).sort(), ['62', '63', 'ff']);
    assert.ok((await seed.ttl(s)) > 490);

    const z = k('zset');
    await seed.zadd(z, 1, 'a', 2, 'b', 3, 'c');
    await seed.expire(z, 500);
    const zBase = await read(z, 'zset');
    const zNext = parseCollectionText('zset', '[{"member":"a","score":1},{"member":"b","score":"inf"},{"member":"d","score":-2.5}]');
    assert.deepEqual(await saveCollectionCas(session, z, zBase, zNext, { maxItems: MAX }), { outcome: 'saved', commands: 2, changes: 3 });
    assert.deepEqual(await seed.zrange(z, 0, -1, 'WITHSCORES'), ['d', '-2.5', 'a', '1', 'b', 'inf']);
    assert.ok((await seed.ttl(z)) > 490);
  });

  it('a list: LSET for changed indices; a length change needs consent, then LTRIM / RPUSH keep the TTL', async () => {
    const key = k('list');
    await seed.rpush(key, 'a', 'b', 'c');
    await seed.expire(key, 500);
    const base = await read(key, 'list');
    assert.deepEqual(await saveCollectionCas(session, key, base, parseCollectionText('list', '["a", "B", "c"]'), { maxItems: MAX }), {
      outcome: 'saved',
      commands: 1,
      changes: 1,
    });
    assert.deepEqual(await seed.lrange(key, 0, -1), ['a', 'B', 'c']);

    const now = await read(key, 'list');
    const longer = parseCollectionText('list', '["a", "B", "c", "d", "e"]');
    assert.deepEqual(await saveCollectionCas(session, key, now, longer, { maxItems: MAX }), { outcome: 'lengthChange', from: 3, to: 5 });
    assert.deepEqual(await seed.lrange(key, 0, -1), ['a', 'B', 'c'], 'nothing written without consent');
    assert.equal((await saveCollectionCas(session, key, now, longer, { maxItems: MAX, allowLengthChange: true })).outcome, 'saved');
    assert.deepEqual(await seed.lrange(key, 0, -1), ['a', 'B', 'c', 'd', 'e']);
    const shorter = parseCollectionText('list', '["x"]');
    const r = await saveCollectionCas(session, key, longer, shorter, { maxItems: MAX, allowLengthChange: true });
    assert.equal(r.outcome, 'saved');
    assert.deepEqual(await seed.lrange(key, 0, -1), ['x']);
    assert.ok((await seed.ttl(key)) > 490, 'the TTL is kept');
  });

  it('a collection changed underneath is a conflict and nothing is written; Overwrite writes the document', async () => {
    const key = k('conflict');
    await seed.hset(key, { a: '1', b: '2' });
    const base = await read(key, 'hash');
    await seed.hset(key, 'b', 'theirs');
    const next = parseCollectionText('hash', '{ "a": "mine", "b": "2" }');
    const outcome = await saveCollectionCas(session, key, base, next, { maxItems: MAX });
    assert.equal(outcome.outcome, 'conflict');
    assert.equal(
      outcome.outcome === 'conflict' && outcome.current ? renderCollection(outcome.current) : '',
      '{\n  "a": "1",\n  "b": "theirs"\n}\n',
    );
    assert.deepEqual(await seed.hgetall(key), { a: '1', b: 'theirs' }, 'nothing written');
    const forced = await saveCollectionCas(session, key, base, next, { maxItems: MAX, force: true });
    assert.deepEqual(forced, { outcome: 'saved', commands: 1, changes: 2 });
    assert.deepEqual(await seed.hgetall(key), { a: 'mine', b: '2' });
  });

  it('a deleted key or a key of another type is not written', async () => {
    const key = k('gone');
    await seed.sadd(key, 'a');
    const base = await read(key, 'set');
    await seed.del(key);
    const next = parseCollectionText('set', '["b"]');
    assert.deepEqual(await saveCollectionCas(session, key, base, next, { maxItems: MAX }), { outcome: 'gone' });
    assert.equal(await seed.exists(key), 0);
    await seed.set(key, 'now a string');
    assert.deepEqual(await saveCollectionCas(session, key, base, next, { maxItems: MAX }), { outcome: 'wrongType', type: 'string' });
    assert.equal(await seed.get(key), 'now a string');
  });

  it('reading stops past maxItems, and a read-only profile refuses before anything is sent', async () => {
    const key = k('big');
    await seed.sadd(key, ...Array.from({ length: 50 }, (_, i) => `m${i}`));
    await assert.rejects(readCollection(await session.client(), key, 'set', 20), (err: unknown) => err instanceof TooLargeError);
    const readOnly = new RedisSession(localProfile(DB, { readOnly: true }));
    try {
      const base = await read(key, 'set');
      await assert.rejects(
        saveCollectionCas(readOnly, key, base, parseCollectionText('set', '["x"]'), { maxItems: MAX }),
        (err: unknown) => err instanceof ReadOnlyError && /read-only/.test(err.message),
      );
      assert.equal(await seed.scard(key), 50);
    } finally {
      readOnly.close();
    }
  });
});
