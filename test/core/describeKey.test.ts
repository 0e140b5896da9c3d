import assert from 'node:assert/strict';
import { describeKey } from '../../src/core/redis/describeKey';
import { plainClient } from './helpers/redis';

const DB = 9;
const PREFIX = `describe-key-${process.pid}:`;

describe('describeKey: type, TTL, encoding and memory of one key in one round trip', () => {
  const client = plainClient(DB);
  const key = (name: string): Buffer => Buffer.from(`${PREFIX}${name}`);

  after(async () => {
    const keys = await client.keys(`${PREFIX}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  it('describes a small hash: listpack or ziplist encoding, its memory and its TTL', async () => {
    await client.hset(key('h'), 'a', '1');
    await client.expire(key('h'), 300);
    const d = await describeKey(client, key('h'));
    assert.equal(d.type, 'hash');
    assert.ok(d.ttl > 290 && d.ttl <= 300, `ttl ${d.ttl}`);
    assert.match(d.encoding ?? '', /^(listpack|ziplist)$/);
    assert.ok((d.memoryBytes ?? 0) > 0, `memory ${d.memoryBytes}`);
  });

  it('describes a string by its encoding, with no TTL', async () => {
    await client.set(key('s'), '12345');
    const d = await describeKey(client, key('s'));
    assert.deepEqual({ type: d.type, ttl: d.ttl, encoding: d.encoding }, { type: 'string', ttl: -1, encoding: 'int' });
  });

  it('a missing key is "none" with TTL -2 and no encoding, without throwing', async () => {
    const d = await describeKey(client, key('missing'));
    assert.equal(d.type, 'none');
    assert.equal(d.ttl, -2);
    assert.equal(d.encoding, undefined);
  });
});
