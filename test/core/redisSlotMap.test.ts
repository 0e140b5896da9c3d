/**
 * The pure parts of cluster routing: hash slots (with hash tags), node
 * addresses, MOVED / ASK replies, CLUSTER SLOTS and CLUSTER NODES replies.
 * Expected slots are what `CLUSTER KEYSLOT` answers.
 */
import assert from 'node:assert/strict';
import { crossSlotSentence } from '../../src/core/redis/clusterRouter';
import { array, bulk, errorReply, integer } from '../../src/core/redis/reply';
import { parseAddress, redirectOf, slotMapFromReply } from '../../src/core/redis/slotMap';
import { keySlot } from '../../src/core/redis/hashSlot';
import { parseClusterNodes } from '../../src/core/redis/topologyNodes';

describe('cluster slots, redirects and node lists', () => {
  it('computes hash slots as CLUSTER KEYSLOT does, hashing only a non-empty {tag}', () => {
    assert.equal(keySlot('foo'), 12182);
    assert.equal(keySlot('{user1}:a'), keySlot('user1'));
    assert.equal(keySlot(Buffer.from('{user1}:b')), keySlot('user1'));
    assert.equal(keySlot('{}x'), keySlot(Buffer.from('{}x')), 'an empty tag hashes the whole key');
    assert.notEqual(keySlot('{}x'), keySlot(''));
  });

  it('reads host:port addresses, IPv6 in brackets too', () => {
    assert.deepEqual(parseAddress('127.0.0.1:7000'), { host: '127.0.0.1', port: 7000 });
    assert.deepEqual(parseAddress('[::1]:7001'), { host: '::1', port: 7001 });
    assert.equal(parseAddress('nohost'), undefined);
    assert.equal(parseAddress('h:99999'), undefined);
  });

  it('recognises MOVED and ASK error replies and nothing else', () => {
    assert.deepEqual(redirectOf(errorReply('MOVED 3999 127.0.0.1:6381')), { kind: 'moved', slot: 3999, address: '127.0.0.1:6381' });
    assert.deepEqual(redirectOf(errorReply('ASK 12 10.0.0.2:7002')), { kind: 'ask', slot: 12, address: '10.0.0.2:7002' });
    assert.equal(redirectOf(errorReply('ERR MOVED elsewhere')), undefined);
    assert.equal(redirectOf(bulk('MOVED 1 a:1')), undefined);
  });

  it('builds the slot map from CLUSTER SLOTS, an empty announced ip meaning the seed', () => {
    const node = (host: string, port: number): ReturnType<typeof array> => array([bulk(host), integer(port), bulk('id')]);
    const map = slotMapFromReply(
      array([
        array([integer(0), integer(5460), node('', 7000), node('10.0.0.4', 7003)]),
        array([integer(5461), integer(16383), node('10.0.0.2', 7001)]),
      ]),
      { host: '10.0.0.1', port: 7000 },
    );
    assert.equal(map.nodeOf(0), '10.0.0.1:7000');
    assert.equal(map.nodeOf(5461), '10.0.0.2:7001');
    assert.deepEqual(map.primaries(), ['10.0.0.1:7000', '10.0.0.2:7001']);
    assert.deepEqual(map.replicas(), ['10.0.0.4:7003']);
    map.assign(0, '10.0.0.2:7001');
    assert.equal(map.nodeOf(0), '10.0.0.2:7001');
  });

  it('parses CLUSTER NODES: roles, primaries of replicas, slot ranges without migration markers, failing links', () => {
    const text = [
      'a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460 [5461->-b2]',
      'b2 127.0.0.1:7001@17001,host-b master - 0 0 2 connected 5461-10922',
      'c3 127.0.0.1:7002@17002 master,fail - 0 0 3 disconnected 10923-16383',
      'd4 127.0.0.1:7003@17003 slave a1 0 0 1 connected',
      'e5 :0@0 handshake - 0 0 0 connected',
    ].join('\n');
    const nodes = parseClusterNodes(text, '127.0.0.1');
    assert.deepEqual(
      nodes.map((n) => [n.address, n.role, n.primary ?? '', JSON.stringify(n.slots ?? []), n.connected]),
      [
        ['127.0.0.1:7000', 'primary', '', '[[0,5460]]', true],
        ['127.0.0.1:7001', 'primary', '', '[[5461,10922]]', true],
        ['127.0.0.1:7002', 'primary', '', '[[10923,16383]]', false],
        ['127.0.0.1:7003', 'replica', '127.0.0.1:7000', '[]', true],
      ],
    );
  });

  it('explains CROSSSLOT with the slots and the hash-tag remedy in one sentence', () => {
    const s = crossSlotSentence(
      'MSET',
      [
        { key: Buffer.from('a'), slot: 15495 },
        { key: Buffer.from('b'), slot: 3300 },
      ],
      'command',
    );
    assert.match(
      s,
      /^CROSSSLOT: MSET uses keys in different hash slots \(a → slot 15495, b → slot 3300\); .*\{user:1\}:cart .*Nothing was run\.$/,
    );
    assert.ok(!s.includes('\n'));
  });
});
