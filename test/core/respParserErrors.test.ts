import assert from 'node:assert/strict';
import type { RedisReply } from '../../src/core/redis/reply';
import { ProtocolError, RespReader } from '../../src/core/redis/respParser';

/** Feeds `wire` and returns the ProtocolError it raised (fails when there is none). */
function protocolErrorOf(wire: string): ProtocolError {
  const got: RedisReply[] = [];
  try {
    new RespReader((r) => got.push(r)).feed(Buffer.from(wire, 'latin1'));
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `expected a ProtocolError, got ${String(err)}`);
    return err;
  }
  assert.fail(`no ProtocolError; replies: ${JSON.stringify(got)}`);
}

describe('RESP2 reader refuses what is not RESP2', () => {
  it('names the first bytes another protocol sent (an HTTP answer)', () => {
    const err = protocolErrorOf('HTTP/1.1 400 Bad Request\r\n\r\n');
    assert.match(err.received.toString('latin1'), /^HTTP\/1\.1 400 Bad Request/);
  });

  it('refuses a stray byte at once, without waiting for a line end', () => {
    assert.equal(protocolErrorOf('hello').received.toString('latin1'), 'hello');
  });

  it('refuses bulk and array lengths and integers that are not numbers', () => {
    assert.match(protocolErrorOf('$abc\r\nxyz\r\n').message, /not a bulk length/);
    assert.match(protocolErrorOf('*-7\r\n').message, /not an array length/);
    assert.match(protocolErrorOf(':12x\r\n').message, /not an integer/);
  });

  it('still reads a reply that follows a good one in the same chunk before failing', () => {
    const got: RedisReply[] = [];
    assert.throws(() => new RespReader((r) => got.push(r)).feed(Buffer.from('+OK\r\n<html>')), ProtocolError);
    assert.deepEqual(got, [{ type: 'status', value: 'OK' }]);
  });
});
