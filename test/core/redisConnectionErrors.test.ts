/**
 * The wording of connection failures on the extension's ioredis
 * connections: a command on a closed connection, and commands queued when
 * the connection is given up, reject with the profile's sentence; a server
 * error reply passes through unchanged.
 */
import assert from 'node:assert/strict';
import { ConnectionError } from '../../src/core/errors';
import { connectRedis } from '../../src/core/redis/connection';
import { localProfile } from './helpers/redis';

describe('Redis connection errors are the profile sentence', function () {
  this.timeout(20_000);

  it('a command on a closed connection rejects with a ConnectionError naming the profile', async () => {
    const client = await connectRedis(localProfile(0));
    client.disconnect();
    await assert.rejects(client.get('anything'), (err: Error) => {
      assert.ok(err instanceof ConnectionError, `${err.name}: ${err.message}`);
      assert.match(err.message, /Redis profile "test-db0" \(127\.0\.0\.1:6379\)/);
      return true;
    });
  });

  it('commands in flight when the connection is closed reject with the sentence, not ioredis wording', async () => {
    const client = await connectRedis(localProfile(0), { reconnect: false });
    const pending = [client.blpop(`conn-errors:${process.pid}`, 5), client.blpop(`conn-errors:${process.pid}:b`, 5)];
    await new Promise((r) => setTimeout(r, 50));
    client.disconnect();
    for (const p of pending) {
      await assert.rejects(p, (err: Error) => {
        assert.ok(err instanceof ConnectionError, `${err.name}: ${err.message}`);
        assert.doesNotMatch(err.message, /^Connection is closed/);
        return true;
      });
    }
  });

  it('a server error reply passes through as the server wrote it', async () => {
    const client = await connectRedis(localProfile(0));
    try {
      await assert.rejects(client.call('NOSUCHCOMMAND'), (err: Error) => err.name === 'ReplyError' && /unknown command/i.test(err.message));
    } finally {
      client.disconnect();
    }
  });
});
