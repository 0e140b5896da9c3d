import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { InputError, NotFoundError, PreconditionError, ReadOnlyError } from '../../src/core/errors';
import { RedisSession } from '../../src/core/redis/session';
import { previousId } from '../../src/core/redis/streamEntries';
import {
  describeStream,
  streamAdd,
  streamDelete,
  streamFields,
  streamInfo,
  streamLength,
  streamRange,
  streamSummary,
  streamTrim,
} from '../../src/core/redis/streams';
import type { StreamItem } from '../../src/core/redis/valueScanner';
import { localProfile, useRedisSessionDb } from './helpers/redis';

const DB = 12;
const f = (o: Record<string, string>): Buffer[] => streamFields(o);

/** Adds `n` entries `{ i }` with ids 1-1 … n-1 (ms = i). */
async function seedStream(seed: Redis, key: string, n: number): Promise<void> {
  const p = seed.pipeline();
  for (let i = 1; i <= n; i++) p.xadd(key, `${i}-1`, 'i', String(i));
  await p.exec();
}

describe('Redis streams: entries (db 12)', function () {
  let seed: Redis;
  let session: RedisSession;
  useRedisSessionDb(DB, (sd, s) => {
    seed = sd;
    session = s;
  });

  it('XADD with "*" returns the new ID; an explicit ID and "<ms>-*" are kept; fields as an object or a list (binary too)', async () => {
    const auto = await streamAdd(session, 's', f({ a: '1', b: 'two' }));
    assert.match(auto ?? '', /^\d+-\d+$/);
    const big = '99999999999999';
    assert.equal(await streamAdd(session, 's', f({ c: '3' }), { id: `${big}-5` }), `${big}-5`);
    assert.equal(await streamAdd(session, 's', f({ d: '4' }), { id: `${big}-*` }), `${big}-6`);
    const binary = streamFields([{ field: { hex: '00ff' }, value: { hex: 'fe' } }]);
    const id = await streamAdd(session, 's', binary);
    const entries = await seed.xrangeBuffer('s', '-', '+');
    assert.equal(entries.length, 4);
    assert.deepEqual(entries[0][1].map(String), ['a', '1', 'b', 'two']);
    const page = await streamRange(session, 's', { reverse: true, limit: 1 });
    assert.deepEqual(page.entries, [{ id, fields: [{ field: { hex: '00ff' }, value: { hex: 'fe' } }] }]);
  });

  it('XADD trims with MAXLEN (exact and ~) and MINID, and NOMKSTREAM adds nothing to a missing stream', async () => {
    await seedStream(seed, 's', 10);
    await streamAdd(session, 's', f({ x: '1' }), { id: '11-1', maxLen: 3 });
    assert.deepEqual(
      (await seed.xrange('s', '-', '+')).map(([id]) => id),
      ['9-1', '10-1', '11-1'],
    );
    await streamAdd(session, 's', f({ x: '2' }), { id: '12-1', minId: '11-0' });
    assert.deepEqual(
      (await seed.xrange('s', '-', '+')).map(([id]) => id),
      ['11-1', '12-1'],
    );
    await streamAdd(session, 's', f({ x: '3' }), { maxLen: 1, approximate: true });
    assert.ok((await seed.xlen('s')) >= 1, '~ keeps at least MAXLEN');
    assert.equal(await streamAdd(session, 'missing', f({ x: '1' }), { noMkStream: true }), null);
    assert.equal(await seed.exists('missing'), 0);
  });

  it('refuses bad input with one sentence before anything is sent', async () => {
    const refused: [string, () => Promise<unknown>, RegExp][] = [
      ['bad id', () => streamAdd(session, 'k', f({ a: '1' }), { id: '12-x' }), /The entry ID "12-x" is not a stream entry ID: use /],
      ['id past 2^64', () => streamAdd(session, 'k', f({ a: '1' }), { id: '18446744073709551616-0' }), /is not a stream entry ID/],
      ['MAXLEN text', () => streamAdd(session, 'k', f({ a: '1' }), { maxLen: Number('ten') }), /^MAXLEN must be a whole number/],
      ['MAXLEN < 0', () => streamAdd(session, 'k', f({ a: '1' }), { maxLen: -1 }), /^MAXLEN must be a whole number of at least 0/],
      ['both', () => streamAdd(session, 'k', f({ a: '1' }), { maxLen: 1, minId: '1' }), /either "maxLen" or "minId"/],
      ['~ alone', () => streamAdd(session, 'k', f({ a: '1' }), { approximate: true }), /"approximate" applies to/],
      ['bad MINID', () => streamTrim(session, 'k', { minId: 'yesterday' }), /The MINID "yesterday" is not a stream entry ID/],
      ['trim nothing', () => streamTrim(session, 'k', {}), /Trimming needs "maxLen"/],
      ['no ids', () => streamDelete(session, 'k', []), /at least one entry ID/],
      ['bad XDEL id', () => streamDelete(session, 'k', ['1-1', 'x']), /The ID #2 "x"/],
      ['bad cursor', () => streamRange(session, 'k', { cursor: 'abc' }), /The cursor "abc" is not a stream entry ID/],
      ['bad limit', () => streamRange(session, 'k', { limit: 0 }), /The limit 0 is not valid/],
    ];
    for (const [what, run, message] of refused) {
      await assert.rejects(run, (err: Error) => err instanceof InputError && message.test(err.message), what);
    }
    assert.throws(() => streamFields({}), /needs at least one field and value/);
    assert.throws(() => streamFields([]), /needs at least one field and value/);
    assert.throws(() => streamFields({ a: 1 }), /The value of field "a" must be text/);
    assert.throws(() => streamFields('a=1'), /must be an object/);
    assert.equal(await seed.exists('k'), 0, 'nothing was created');
  });

  it('an ID not above the last one, and a key of another type, give one sentence', async () => {
    await seedStream(seed, 's', 2);
    await assert.rejects(
      () => streamAdd(session, 's', f({ a: '1' }), { id: '1-1' }),
      (err: Error) => err instanceof PreconditionError && /^The ID is not greater than the last ID of stream "s"/.test(err.message),
    );
    await seed.set('str', 'x');
    await assert.rejects(
      () => streamAdd(session, 'str', f({ a: '1' })),
      (err: Error) => err instanceof PreconditionError && err.message === 'The key "str" is not a stream: XADD works on streams only.',
    );
    await assert.rejects(() => streamRange(session, 'str'), /The key "str" holds a string, not a stream\./);
    await assert.rejects(() => streamRange(session, 'nothing'), NotFoundError);
  });

  it('XDEL, XTRIM (MAXLEN, MINID) and XLEN', async () => {
    await seedStream(seed, 's', 20);
    assert.equal(await streamDelete(session, 's', ['1-1', '2-1', '999-1']), 2);
    assert.equal(await streamLength(session, 's'), 18);
    assert.equal(await streamTrim(session, 's', { maxLen: 10 }), 8);
    assert.equal(await streamTrim(session, 's', { minId: '15' }), 4);
    assert.equal(await streamLength(session, 's'), 6);
    assert.equal(await streamLength(session, 'none'), 0);
  });

  it('pages forward (XRANGE, through scanValue) and backward (XREVRANGE) with a cursor, from an inclusive start', async () => {
    await seedStream(seed, 's', 25);
    const walk = async (reverse: boolean, from?: string): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await streamRange(session, 's', { reverse, limit: 10, ...(from ? { from } : {}), ...(cursor ? { cursor } : {}) });
        ids.push(...page.entries.map((e: StreamItem) => e.id));
        if (page.complete) return ids;
        cursor = page.cursor;
      }
      throw new Error('never complete');
    };
    const all = Array.from({ length: 25 }, (_, i) => `${i + 1}-1`);
    assert.deepEqual(await walk(false), all);
    assert.deepEqual(await walk(true), [...all].reverse());
    assert.deepEqual(await walk(false, '20-1'), all.slice(19));
    assert.deepEqual(await walk(false, '20'), all.slice(19));
    assert.deepEqual(await walk(true, '5-1'), all.slice(0, 5).reverse());
    assert.equal(previousId('20-0'), `19-18446744073709551615`);
    assert.equal(previousId('0-0'), '0');
  });

  it('XINFO STREAM and the summary a tree node shows', async () => {
    await seedStream(seed, 's', 3);
    await seed.xgroup('CREATE', 's', 'g1', '0');
    const info = await streamInfo(session, 's');
    assert.equal(info.length, 3);
    assert.equal(info.groups, 1);
    assert.equal(info.lastGeneratedId, '3-1');
    assert.deepEqual(info.firstEntry, { id: '1-1', fields: [{ field: 'i', value: '1' }] });
    assert.deepEqual(info.lastEntry, { id: '3-1', fields: [{ field: 'i', value: '3' }] });
    const client = await session.client();
    const summary = await streamSummary(client, Buffer.from('s'));
    assert.deepEqual(summary, { length: 3, groups: 1, lastId: '3-1' });
    assert.equal(summary && describeStream(summary), '3 entries · 1 group · last 3-1');
    assert.equal(await streamSummary(client, Buffer.from('none')), undefined, 'gone: no summary');
    await assert.rejects(
      () => streamInfo(session, 'none'),
      (err: Error) => err instanceof NotFoundError && /"none" does not exist/.test(err.message),
    );
  });

  it('a read-only profile refuses every write before anything is sent, and still reads', async () => {
    const ro = new RedisSession(localProfile(DB, { readOnly: true }));
    try {
      await seedStream(seed, 's', 3);
      const writes: [string, () => Promise<unknown>][] = [
        ['XADD', () => streamAdd(ro, 's', f({ a: '1' }))],
        ['XDEL', () => streamDelete(ro, 's', ['1-1'])],
        ['XTRIM', () => streamTrim(ro, 's', { maxLen: 0 })],
      ];
      for (const [command, run] of writes)
        await assert.rejects(
          run,
          (err: Error) =>
            err instanceof ReadOnlyError && err.message.startsWith(`Profile "test-db${DB}" is read-only, so ${command} was refused`),
        );
      assert.equal(await seed.xlen('s'), 3);
      assert.equal(await streamLength(ro, 's'), 3);
      assert.equal((await streamRange(ro, 's')).entries.length, 3);
    } finally {
      ro.close();
    }
  });
});
