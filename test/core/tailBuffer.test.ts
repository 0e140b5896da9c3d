/** The one tail buffer: a ring that counts its drops, and claims that never drop. */
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import { TailBuffer } from '../../src/core/tailBuffer';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('TailBuffer', () => {
  it('keeps the newest messages up to its capacity, counts the drops and says once that it started dropping', async () => {
    const said: number[] = [];
    const b = new TailBuffer<number>(5, (capacity) => said.push(capacity));
    for (const i of range(0, 12)) b.push(i);
    assert.equal(b.size, 5);
    const first = await b.readBatch();
    assert.deepEqual(first, { messages: range(7, 12), dropped: 7 });
    b.pushAll(range(12, 20));
    assert.deepEqual(await b.readBatch(), { messages: range(15, 20), dropped: 3 });
    assert.deepEqual(await b.readBatch(), { messages: [], dropped: 0 });
    assert.equal(b.dropped, 10);
    assert.deepEqual(said, [5]);
  });

  it("a batch larger than the ring keeps its newest and counts the rest, the ring's old ones included", async () => {
    const b = new TailBuffer<number>(4);
    b.pushAll([0, 1]);
    b.pushAll(range(2, 8));
    assert.deepEqual(await b.readBatch(), { messages: range(4, 8), dropped: 4 });
    b.pushAll(range(8, 11));
    b.pushAll(range(11, 13));
    assert.deepEqual(await b.readBatch(), { messages: range(9, 13), dropped: 1 });
  });

  it('a claim takes what the ring holds and then the next messages, past the capacity, without dropping any', async () => {
    const b = new TailBuffer<number>(4);
    b.pushAll([0, 1, 2]);
    const claim = b.claim(10);
    for (const i of range(3, 8)) b.push(i);
    b.pushAll(range(8, 15));
    assert.deepEqual(await claim.wait(1000), range(0, 10));
    assert.deepEqual(b.shift(), range(11, 15), 'after the claim the ring takes over (and drops)');
    assert.equal(b.dropped, 1);
  });

  it('a claim ends with what it has at the timeout, at an abort or when the buffer closes', async () => {
    const b = new TailBuffer<number>(4);
    const timed = b.claim(3);
    b.push(1);
    assert.deepEqual(await timed.wait(20), [1]);
    b.push(2);
    assert.deepEqual(b.shift(), [2], 'a finished claim takes nothing more');
    const controller = new AbortController();
    const aborted = b.claim(3).wait(undefined, controller.signal);
    controller.abort();
    assert.deepEqual(await aborted, []);
    const closing = b.read({ take: 3 });
    b.push(7);
    b.close();
    assert.deepEqual(await closing, [7]);
    b.push(8);
    assert.equal(b.size, 0, 'nothing enters a closed buffer');
  });

  it('claims are served in the order they were made', async () => {
    const b = new TailBuffer<number>(2);
    const a = b.claim(2);
    const c = b.claim(3);
    b.pushAll(range(0, 6));
    assert.deepEqual(await a.wait(), [0, 1]);
    assert.deepEqual(await c.wait(), [2, 3, 4]);
    assert.deepEqual(b.shift(), [5]);
  });

  it('iterates buffered and future messages until closed', async () => {
    const b = new TailBuffer<number>(100);
    b.pushAll([1, 2]);
    setTimeout(() => {
      b.push(3);
      b.close();
    }, 10);
    const seen: number[] = [];
    for await (const x of b) seen.push(x);
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it('refuses a capacity or a take below 1', () => {
    assert.throws(() => new TailBuffer<number>(0), InputError);
    assert.throws(() => new TailBuffer<number>(3).claim(0), InputError);
  });
});
