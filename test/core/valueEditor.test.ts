import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { fromBuffer } from '../../src/core/bytes';
import { InputError, NotFoundError, ReadOnlyError } from '../../src/core/errors';
import { addRow, deleteRows, setCellCas, setTtl } from '../../src/core/redis/fieldCas';
import { readValueHeader, readValuePage, type PagerRow } from '../../src/core/redis/valuePager';
import { RedisSession } from '../../src/core/redis/session';
import { localProfile, useRedisSessionDb } from './helpers/redis';

const DB = 12;
const b = (s: string): Buffer => Buffer.from(s);
const text = (cell: string | { hex: string }): string => (typeof cell === 'string' ? cell : `hex:${cell.hex}`);

async function commandCalls(seed: Redis, command: string): Promise<number> {
  const info = await seed.info('commandstats');
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
  return m ? Number(m[1]) : 0;
}

describe('value editor core: paging (db 12)', function () {
  let seed: Redis;
  let session: RedisSession;
  useRedisSessionDb(DB, (sd, s) => {
    seed = sd;
    session = s;
  });

  it('reads the header of a hash: type, length, TTL, encoding and memory', async () => {
    await seed.hset('h', { a: '1', b: '2' });
    await seed.expire('h', 100);
    const h = await readValueHeader(await session.client(), b('h'));
    assert.equal(h.type, 'hash');
    assert.equal(h.length, 2);
    assert.ok(h.ttl > 90 && h.ttl <= 100);
    assert.equal(h.encoding, 'listpack');
    assert.ok((h.memoryBytes ?? 0) > 0);
  });

  it('refuses a missing key and a string with a sentence', async () => {
    await seed.set('s', 'x');
    await assert.rejects(readValueHeader(await session.client(), b('nope')), NotFoundError);
    await assert.rejects(readValueHeader(await session.client(), b('s')), /holds a string: the value editor opens hashes/);
  });

  it('pages a 5,000-field hash with HSCAN, every field once, without HGETALL', async () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) fields[`f${i}`] = `v${i}`;
    await seed.hset('big', fields);
    const hgetall = await commandCalls(seed, 'hgetall');
    const seen = new Map<string, string>();
    let cursor = '0';
    let pages = 0;
    for (;;) {
      const page = await readValuePage(await session.client(), b('big'), 'hash', { cursor, limit: 1000 });
      pages++;
      assert.ok(page.rows.length <= 2000, `a page of ${page.rows.length} rows`);
      for (const r of page.rows) seen.set(text(r.cells[0]), text(r.cells[1]));
      if (page.complete) break;
      cursor = page.cursor;
    }
    assert.equal(seen.size, 5000);
    assert.equal(seen.get('f4321'), 'v4321');
    assert.ok(pages >= 3, `${pages} pages`);
    assert.equal(await commandCalls(seed, 'hgetall'), hgetall);
  });

  it('filters a hash with MATCH and says how much was examined', async () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) fields[`user:${i}`] = String(i);
    await seed.hset('users', fields);
    const found: string[] = [];
    let cursor = '0';
    for (;;) {
      const page = await readValuePage(await session.client(), b('users'), 'hash', { cursor, limit: 50, match: b('user:12?') });
      assert.ok(page.examined >= 100 && page.examined <= 1000 + 1000, `examined ${page.examined}`);
      found.push(...page.rows.map((r) => text(r.cells[0])));
      if (page.complete) break;
      cursor = page.cursor;
    }
    assert.deepEqual(found.sort(), [
      'user:120',
      'user:121',
      'user:122',
      'user:123',
      'user:124',
      'user:125',
      'user:126',
      'user:127',
      'user:128',
      'user:129',
    ]);
    await assert.rejects(
      readValuePage(await session.client(), b('users'), 'list', { cursor: '0', limit: 10, match: b('x*') }),
      /A list has no server-side MATCH/,
    );
  });

  it('jumps to any rank of a sorted set and any index of a list', async () => {
    const z: (string | number)[] = [];
    for (let i = 0; i < 2000; i++) z.push(i, `m${i}`);
    await seed.zadd('z', ...z);
    const zp = await readValuePage(await session.client(), b('z'), 'zset', { cursor: '1500', limit: 3 });
    assert.deepEqual(
      zp.rows.map((r) => r.cells),
      [
        ['m1500', '1500'],
        ['m1501', '1501'],
        ['m1502', '1502'],
      ],
    );
    assert.equal(zp.cursor, '1503');
    await seed.rpush('l', 'a', 'b', 'c', 'd');
    const lp = await readValuePage(await session.client(), b('l'), 'list', { cursor: '2', limit: 10 });
    assert.deepEqual(
      lp.rows.map((r) => r.cells),
      [
        ['2', 'c'],
        ['3', 'd'],
      ],
    );
    assert.equal(lp.complete, true);
  });

  it('pages a stream newest first by id, exclusive of the last id shown', async () => {
    for (let i = 1; i <= 5; i++) await seed.xadd('st', `${i}-0`, 'n', String(i));
    const first = await readValuePage(await session.client(), b('st'), 'stream', { cursor: '0', limit: 2 });
    assert.deepEqual(
      first.rows.map((r) => r.id),
      ['5-0', '4-0'],
    );
    assert.equal(first.rows[0].cells[1], '{"n":"5"}');
    const next = await readValuePage(await session.client(), b('st'), 'stream', { cursor: first.cursor, limit: 10 });
    assert.deepEqual(
      next.rows.map((r) => r.id),
      ['3-0', '2-0', '1-0'],
    );
    assert.equal(next.complete, true);
  });

  it('shows a binary member as hex', async () => {
    await seed.sadd('bin', Buffer.from([0xff, 0x00, 0x01]));
    const page = await readValuePage(await session.client(), b('bin'), 'set', { cursor: '0', limit: 10 });
    assert.deepEqual<PagerRow[]>(page.rows, [{ id: { hex: 'ff0001' }, cells: [{ hex: 'ff0001' }] }]);
  });

  it('converts a page element by element as fromBuffer does, whether all ASCII, UTF-8 text or binary', async () => {
    const ascii = Array.from({ length: 300 }, (_, i): [string, string] => [`f${i}`, `value ${i}`]);
    await seed.hset('ascii', Object.fromEntries(ascii));
    await seed.hset('mixed', 'plain', 'x', 'café', '咖啡', Buffer.from([0xc3]), Buffer.from([0xff, 0x00]), '', 'empty');
    await seed.zadd('zmixed', 1, 'a', 2.5, 'é', 3, Buffer.from([0xfe]));
    for (const [key, type] of [
      ['ascii', 'hash'],
      ['mixed', 'hash'],
      ['zmixed', 'zset'],
    ] as const) {
      const client = await session.client();
      const page = await readValuePage(client, b(key), type, { cursor: '0', limit: 1000 });
      const raw = (
        type === 'hash'
          ? ((await client.callBuffer('HGETALL', key)) as Buffer[])
          : ((await client.callBuffer('ZRANGE', key, 0, -1, 'WITHSCORES')) as Buffer[])
      ).map((x) => {
        const v = fromBuffer(x);
        return typeof v === 'string' ? v : { hex: v.hex };
      });
      const expected = new Map<string, unknown>();
      for (let i = 0; i < raw.length; i += 2) expected.set(JSON.stringify(raw[i]), raw[i + 1]);
      assert.equal(page.rows.length, expected.size, key);
      for (const r of page.rows) assert.deepEqual(r.cells[1], expected.get(JSON.stringify(r.id)), `${key} ${JSON.stringify(r.id)}`);
    }
  });
});

describe('value editor core: compare-and-set writes (db 12)', function () {
  let seed: Redis;
  let session: RedisSession;
  useRedisSessionDb(DB, (sd, s) => {
    seed = sd;
    session = s;
  });

  it('edits a hash field, keeping the TTL', async () => {
    await seed.hset('h', { a: '1', b: '2' });
    await seed.expire('h', 500);
    const out = await setCellCas(session, b('h'), { type: 'hash', field: b('a'), expected: b('1'), value: b('one') });
    assert.deepEqual(out, { outcome: 'saved' });
    assert.equal(await seed.hget('h', 'a'), 'one');
    assert.ok((await seed.ttl('h')) > 400);
  });

  it('retries when only another field changed, and saves', async () => {
    await seed.hset('h', { a: '1', b: '2' });
    const out = await setCellCas(
      session,
      b('h'),
      { type: 'hash', field: b('a'), expected: b('1'), value: b('mine') },
      {
        beforeWrite: async (attempt) => {
          if (attempt === 0) await seed.hset('h', 'b', 'theirs');
        },
      },
    );
    assert.deepEqual(out, { outcome: 'saved' });
    assert.deepEqual(await seed.hgetall('h'), { a: 'mine', b: 'theirs' });
  });

  it('writes nothing and returns the current value when the edited field itself changed', async () => {
    await seed.hset('h', { a: '1' });
    const before = await setCellCas(session, b('h'), { type: 'hash', field: b('a'), expected: b('0'), value: b('mine') });
    assert.deepEqual(before, { outcome: 'conflict', current: b('1') });
    // changed between the compare and EXEC: EXEC aborts, the retry sees the new value
    const during = await setCellCas(
      session,
      b('h'),
      { type: 'hash', field: b('a'), expected: b('1'), value: b('mine') },
      {
        beforeWrite: async (attempt) => {
          if (attempt === 0) await seed.hset('h', 'a', 'theirs');
        },
      },
    );
    assert.deepEqual(during, { outcome: 'conflict', current: b('theirs') });
    assert.equal(await seed.hget('h', 'a'), 'theirs');
    const forced = await setCellCas(session, b('h'), { type: 'hash', field: b('a'), expected: b('1'), value: b('mine') }, { force: true });
    assert.deepEqual(forced, { outcome: 'saved' });
    assert.equal(await seed.hget('h', 'a'), 'mine');
  });

  it('gives up after the bounded retries when the key keeps changing', async () => {
    await seed.hset('h', { a: '1' });
    let n = 0;
    const out = await setCellCas(
      session,
      b('h'),
      { type: 'hash', field: b('a'), expected: b('1'), value: b('x') },
      { retries: 2, beforeWrite: async () => void (await seed.hset('h', 'other', String(n++))) },
    );
    assert.deepEqual(out, { outcome: 'busy' });
    assert.equal(n, 3);
    assert.equal(await seed.hget('h', 'a'), '1');
  });

  it('edits a list element, renames set and sorted-set members, sets a score', async () => {
    await seed.rpush('l', 'a', 'b');
    assert.deepEqual(await setCellCas(session, b('l'), { type: 'list', index: 1, expected: b('b'), value: b('B') }), { outcome: 'saved' });
    assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'B']);
    await seed.sadd('s', 'x');
    assert.deepEqual(await setCellCas(session, b('s'), { type: 'set', member: b('x'), value: b('y') }), { outcome: 'saved' });
    assert.deepEqual(await seed.smembers('s'), ['y']);
    await seed.zadd('z', 7, 'm');
    assert.deepEqual(await setCellCas(session, b('z'), { type: 'zset', member: b('m'), value: b('n') }), { outcome: 'saved' });
    assert.deepEqual(await seed.zrange('z', 0, -1, 'WITHSCORES'), ['n', '7']);
    assert.deepEqual(await setCellCas(session, b('z'), { type: 'zset-score', member: b('n'), expected: '7', score: '9.5' }), {
      outcome: 'saved',
    });
    assert.equal(await seed.zscore('z', 'n'), '9.5');
    await assert.rejects(
      setCellCas(session, b('z'), { type: 'zset-score', member: b('n'), expected: '9.5', score: 'abc' }),
      /not a number/,
    );
  });

  it('adds rows to each type and refuses an existing field or member', async () => {
    await seed.hset('h', 'a', '1');
    await seed.sadd('s', 'x');
    await seed.zadd('z', 1, 'm');
    await seed.rpush('l', 'a');
    await seed.xadd('st', '1-0', 'f', 'v');
    assert.deepEqual(await addRow(session, b('h'), { type: 'hash', field: b('b'), value: b('2') }), { outcome: 'added' });
    assert.deepEqual(await addRow(session, b('h'), { type: 'hash', field: b('a'), value: b('9') }), { outcome: 'exists' });
    assert.equal(await seed.hget('h', 'a'), '1');
    assert.deepEqual(await addRow(session, b('s'), { type: 'set', member: b('x') }), { outcome: 'exists' });
    assert.deepEqual(await addRow(session, b('z'), { type: 'zset', member: b('n'), score: '2' }), { outcome: 'added' });
    assert.deepEqual(await addRow(session, b('l'), { type: 'list', value: b('z'), end: 'tail' }), { outcome: 'added' });
    assert.deepEqual(await addRow(session, b('st'), { type: 'stream', id: '2-0', fields: [[b('g'), b('w')]] }), {
      outcome: 'added',
      id: '2-0',
    });
    assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'z']);
    assert.equal(await seed.xlen('st'), 2);
  });

  it('deletes rows of each type; a list element is deleted by index only while it holds the value shown', async () => {
    await seed.hset('h', { a: '1', b: '2' });
    await seed.sadd('s', 'x', 'y');
    await seed.zadd('z', 1, 'm', 2, 'n');
    await seed.xadd('st', '1-0', 'f', 'v');
    await seed.rpush('l', 'a', 'b', 'a', 'c');
    assert.deepEqual(await deleteRows(session, b('h'), { type: 'hash', ids: [b('a')] }), { outcome: 'deleted', count: 1 });
    assert.deepEqual(await deleteRows(session, b('s'), { type: 'set', ids: [b('x')] }), { outcome: 'deleted', count: 1 });
    assert.deepEqual(await deleteRows(session, b('z'), { type: 'zset', ids: [b('n')] }), { outcome: 'deleted', count: 1 });
    assert.deepEqual(await deleteRows(session, b('st'), { type: 'stream', ids: ['1-0'] }), { outcome: 'deleted', count: 1 });
    assert.deepEqual(await deleteRows(session, b('l'), { type: 'list', items: [{ index: 2, expected: b('a') }] }), {
      outcome: 'deleted',
      count: 1,
    });
    assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'b', 'c']);
    assert.deepEqual(await deleteRows(session, b('l'), { type: 'list', items: [{ index: 1, expected: b('x') }] }), { outcome: 'conflict' });
    assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'b', 'c']);
    assert.deepEqual(await seed.hkeys('h'), ['b']);
  });

  it('sets and removes the TTL', async () => {
    await seed.hset('h', 'a', '1');
    await setTtl(session, b('h'), 60);
    assert.ok((await seed.ttl('h')) > 50);
    await setTtl(session, b('h'), -1);
    assert.equal(await seed.ttl('h'), -1);
    await assert.rejects(setTtl(session, b('h'), 0), InputError);
  });
});

describe('value editor core: a read-only profile (db 12)', function () {
  let seed: Redis;
  let session: RedisSession;
  useRedisSessionDb(DB, (sd) => {
    seed = sd;
    session = new RedisSession(localProfile(DB, { readOnly: true }));
  });
  after(() => session.close());

  it('refuses every write before sending it', async () => {
    await seed.hset('h', 'a', '1');
    await assert.rejects(setCellCas(session, b('h'), { type: 'hash', field: b('a'), expected: b('1'), value: b('2') }), ReadOnlyError);
    await assert.rejects(addRow(session, b('h'), { type: 'hash', field: b('b'), value: b('2') }), ReadOnlyError);
    await assert.rejects(deleteRows(session, b('h'), { type: 'hash', ids: [b('a')] }), ReadOnlyError);
    await assert.rejects(setTtl(session, b('h'), 10), ReadOnlyError);
    assert.deepEqual(await seed.hgetall('h'), { a: '1' });
  });
});
