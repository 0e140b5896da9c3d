import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { CancelledError, InputError, NotFoundError } from '../../src/core/errors';
import { connectRedis } from '../../src/core/redis/connection';
import { exportKeys, exportValue, iterateKeys } from '../../src/core/redis/scanExport';
import { iterateValue, scanValue, type HashItem, type StreamItem, type ZsetItem } from '../../src/core/redis/valueScanner';
import { seedKeys, useRedisDb } from './helpers/redis';

const DB = 9;

describe('value scanning and export (real Redis, db 9)', function () {
  this.timeout(60_000);
  let seed: Redis;
  let client: Redis;
  let dir: string;
  useRedisDb(DB, connectRedis, (s, c) => ([seed, client] = [s, c]));
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'redis-ops-scan-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pages a hash with HSCAN until complete, each field once', async () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) fields[`f${i}`] = `v${i}`;
    await seed.hset('h', fields);
    const seen = new Map<string, string>();
    let cursor = '0';
    let pages = 0;
    for (;;) {
      const page = await scanValue(client, 'h', { cursor, limit: 500, count: 200 });
      assert.equal(page.type, 'hash');
      for (const item of page.items as HashItem[]) seen.set(item.field as string, item.value as string);
      pages++;
      if (page.complete) break;
      cursor = page.cursor;
    }
    assert.equal(seen.size, 3000);
    assert.equal(seen.get('f42'), 'v42');
    assert.ok(pages >= 3);
  });

  it('a set and a sorted set (scores as numbers or inf) with MATCH', async () => {
    await seed.sadd('s', 'apple', 'avocado', 'banana');
    const set = await scanValue(client, 's', { match: 'a*' });
    assert.deepEqual([...(set.items as string[])].sort(), ['apple', 'avocado']);
    await seed.zadd('z', '-inf', 'lo', 1.5, 'mid', 'inf', 'hi');
    const z = await scanValue(client, 'z', {});
    assert.equal(z.type, 'zset');
    assert.deepEqual(Object.fromEntries((z.items as ZsetItem[]).map((i) => [i.member, i.score])), { lo: '-inf', mid: 1.5, hi: 'inf' });
  });

  it('a list in LRANGE chunks with the index as cursor, and MATCH filtering on our side', async () => {
    await seed.rpush('l', ...Array.from({ length: 250 }, (_, i) => `item${i}`));
    const first = await scanValue(client, 'l', { limit: 100, count: 40 });
    assert.equal(first.type, 'list');
    assert.equal(first.items.length, 100);
    assert.equal(first.cursor, '100');
    assert.equal(first.complete, false);
    const rest = await scanValue(client, 'l', { cursor: first.cursor, limit: 1000 });
    assert.equal(rest.items.length, 150);
    assert.equal((rest.items as string[])[0], 'item100');
    assert.equal(rest.complete, true);
    const matched = await scanValue(client, 'l', { match: 'item1?', limit: 1000 });
    assert.deepEqual(
      matched.items,
      Array.from({ length: 10 }, (_, i) => `item1${i}`),
    );
  });

  it('a stream with XRANGE and the last id as an exclusive cursor', async () => {
    for (let i = 1; i <= 5; i++) await seed.xadd('x', `${i}-0`, 'n', String(i), 'b', Buffer.from([0xff]));
    const page = await scanValue(client, 'x', { limit: 2 });
    assert.equal(page.type, 'stream');
    assert.deepEqual(page.items[0], {
      id: '1-0',
      fields: [
        { field: 'n', value: '1' },
        { field: 'b', value: { hex: 'ff' } },
      ],
    });
    assert.equal(page.cursor, '2-0');
    assert.equal(page.complete, false);
    const rest = await scanValue(client, 'x', { cursor: page.cursor, limit: 10 });
    assert.deepEqual(
      (rest.items as StreamItem[]).map((e) => e.id),
      ['3-0', '4-0', '5-0'],
    );
    assert.equal(rest.complete, true);
    await assert.rejects(scanValue(client, 'x', { match: 'a*' }), InputError);
  });

  it('a missing key and a string are one-sentence errors', async () => {
    await assert.rejects(scanValue(client, 'none'), NotFoundError);
    await seed.set('str', 'x');
    await assert.rejects(scanValue(client, 'str'), {
      message: 'The key "str" holds a string, not a collection: read it as a whole value instead.',
    });
  });

  it('iterateValue walks every page and stops when cancelled', async () => {
    await seed.rpush('l', ...Array.from({ length: 1000 }, (_, i) => String(i)));
    let total = 0;
    for await (const page of iterateValue(client, 'l', { pageSize: 300 })) total += page.items.length;
    assert.equal(total, 1000);
    const ac = new AbortController();
    const pages: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of iterateValue(client, 'l', { pageSize: 100, signal: ac.signal })) {
          pages.push(page.items.length);
          if (pages.length === 2) ac.abort();
        }
      })(),
      CancelledError,
    );
    assert.equal(pages.length, 2);
  });

  it('exports keys to JSON lines and CSV, binary keys as { hex }', async () => {
    await seedKeys(seed, 2500, (i) => `exp:${i}`);
    await seed.set(Buffer.from([0xff, 0x2c]), 'x');
    await seed.expire('exp:1', 500);
    const jsonl = join(dir, 'keys.jsonl');
    const progress: number[] = [];
    const result = await exportKeys(client, jsonl, { count: 500, onProgress: (p) => progress.push(p.rows) });
    assert.equal(result.rows, 2501);
    assert.equal(result.complete, true);
    const rows = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: unknown; type: string; ttl: number });
    assert.equal(rows.length, 2501);
    assert.ok(rows.some((r) => JSON.stringify(r.key) === '{"hex":"ff2c"}'));
    assert.ok(rows.find((r) => r.key === 'exp:1')!.ttl > 400);
    assert.ok(progress.length > 1);
    const csv = join(dir, 'keys.csv');
    await exportKeys(client, csv, { format: 'csv', match: 'exp:1*' });
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'key,type,ttl');
    assert.equal(lines.length, 1 + 1 + 10 + 100 + 1000);
    assert.ok(lines.includes('exp:10,string,-1'));
  });

  it('exports a collection page by page, CSV quoting what needs it', async () => {
    await seed.hset('h', { plain: 'v', 'with,comma': 'say "hi"' });
    const path = join(dir, 'hash.csv');
    const result = await exportValue(client, 'h', path, { format: 'csv' });
    assert.equal(result.rows, 2);
    const lines = readFileSync(path, 'utf8').trim().split('\n').sort();
    assert.deepEqual(lines, ['"with,comma","say ""hi"""', 'field,value', 'plain,v'].sort());
    await seed.rpush('l', 'a', 'b');
    const listPath = join(dir, 'list.jsonl');
    await exportValue(client, 'l', listPath);
    assert.deepEqual(readFileSync(listPath, 'utf8'), '{"index":0,"value":"a"}\n{"index":1,"value":"b"}\n');
  });

  it('an export hands each batch of rows to onRows as written, so the ui can show the first ones', async () => {
    await seedKeys(seed, 1200, (i) => `rows:${i}`);
    const path = join(dir, 'rows.jsonl');
    const seen: unknown[] = [];
    const result = await exportKeys(client, path, { count: 500, onRows: (rows) => seen.push(...rows) });
    assert.equal(seen.length, 1200);
    assert.deepEqual(
      seen.map((r) => JSON.stringify(r)),
      readFileSync(path, 'utf8').trim().split('\n'),
    );
    assert.equal(result.rows, 1200);
    await seed.rpush('l', 'apple', 'banana', 'avocado');
    const listRows: unknown[] = [];
    const listPath = join(dir, 'matched.csv');
    await exportValue(client, 'l', listPath, { match: 'a*', format: 'csv', onRows: (rows) => listRows.push(...rows) });
    assert.deepEqual(listRows, [{ value: 'apple' }, { value: 'avocado' }]);
    assert.equal(readFileSync(listPath, 'utf8'), 'value\napple\navocado\n');
    await assert.rejects(exportValue(client, 'no-such-key', join(dir, 'none.jsonl')), NotFoundError);
  });

  it('an export cancelled half way keeps what it wrote and says it is incomplete', async () => {
    await seedKeys(seed, 5000, (i) => `c:${i}`);
    const ac = new AbortController();
    const path = join(dir, 'cancel.jsonl');
    const result = await exportKeys(client, path, {
      count: 500,
      withInfo: false,
      signal: ac.signal,
      onProgress: (p) => p.rows >= 1000 && ac.abort(),
    });
    assert.equal(result.complete, false);
    assert.ok(result.rows >= 1000 && result.rows < 5000);
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, result.rows);
  });

  it('iterateKeys gives each key once across batches', async () => {
    await seedKeys(seed, 3000, (i) => `it:${i}`);
    const seen = new Set<string>();
    for await (const batch of iterateKeys(client, { count: 250, match: 'it:*' })) for (const k of batch.keys) seen.add(k.key.toString());
    assert.equal(seen.size, 3000);
  });
});
