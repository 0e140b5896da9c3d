import assert from 'node:assert/strict';
import type { ChainableCommander, Redis } from 'ioredis';
import { CancelledError } from '../../src/core/errors';
import { connectRedis } from '../../src/core/redis/connection';
import { scanKeysPage } from '../../src/core/redis/keyScanner';
import { openRespClient } from '../../src/core/redis/respClient';
import { iterateKeys } from '../../src/core/redis/scanExport';
import { localProfile, plainClient, seedKeys } from './helpers/redis';

/** What a client saw: SCAN calls and TYPE/TTL pipelines, with what was in flight when each went out. */
interface Wire {
  scans: number;
  /** SCAN replies that held no key (no TYPE/TTL pipeline follows those). */
  emptyScans: number;
  /** TYPE/TTL commands of each pipeline that held any. */
  pipelines: number[];
  /** SCANs sent with a TYPE/TTL pipeline (in it, or while it was unanswered): the overlap. */
  scansBesidePipeline: number;
  /** Most TYPE/TTL pipelines unanswered at once. */
  maxPipelinesInFlight: number;
  inFlight: number;
}

/** The client, with its SCAN calls and pipelines watched. */
function watched(client: Redis): { client: Redis; wire: Wire } {
  const wire: Wire = { scans: 0, emptyScans: 0, pipelines: [], scansBesidePipeline: 0, maxPipelinesInFlight: 0, inFlight: 0 };
  const proxy = new Proxy(client, {
    get(target, prop): unknown {
      if (prop === 'callBuffer') {
        return (...args: Parameters<Redis['callBuffer']>): unknown => {
          if (String(args[0]).toUpperCase() === 'SCAN') {
            wire.scans++;
            if (wire.inFlight > 0) wire.scansBesidePipeline++;
            const reply = target.callBuffer(...args);
            void reply.then((r) => {
              if (Array.isArray(r) && Array.isArray(r[1]) && r[1].length === 0) wire.emptyScans++;
            });
            return reply;
          }
          return target.callBuffer(...args);
        };
      }
      if (prop === 'pipeline') {
        return (): ChainableCommander => {
          const p = target.pipeline();
          let infoCommands = 0;
          let scanInside = false;
          const type = p.type.bind(p);
          p.type = (...a: Parameters<typeof type>) => {
            infoCommands++;
            return type(...a);
          };
          const ttl = p.ttl.bind(p);
          p.ttl = (...a: Parameters<typeof ttl>) => {
            infoCommands++;
            return ttl(...a);
          };
          const callBuffer = p.callBuffer.bind(p);
          p.callBuffer = ((...a: Parameters<typeof callBuffer>) => {
            if (String(a[0]).toUpperCase() === 'SCAN') scanInside = true;
            return callBuffer(...a);
          }) as typeof callBuffer;
          const exec = p.exec.bind(p);
          p.exec = async () => {
            if (scanInside) {
              wire.scans++;
              if (infoCommands > 0) wire.scansBesidePipeline++;
            }
            if (infoCommands > 0) {
              wire.pipelines.push(infoCommands);
              wire.inFlight++;
              wire.maxPipelinesInFlight = Math.max(wire.maxPipelinesInFlight, wire.inFlight);
            }
            try {
              const replies = await exec();
              const last = replies?.[replies.length - 1]?.[1];
              if (scanInside && Array.isArray(last) && Array.isArray(last[1]) && last[1].length === 0) wire.emptyScans++;
              return replies;
            } finally {
              if (infoCommands > 0) wire.inFlight--;
            }
          };
          return p;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { client: proxy, wire };
}

describe('walking the keyspace with TYPE and TTL (real Redis, db 0, keys of this test only)', function () {
  this.timeout(120_000);
  const DB = 0;
  const prefix = `keywalk-test:${process.pid}:`;
  const N = 20_000;
  let seed: Redis;
  let client: Redis;

  before(async () => {
    seed = plainClient(DB);
    client = await connectRedis(localProfile(DB));
    await seedKeys(seed, N, (i) => `${prefix}${i}`);
    await seed.hset(`${prefix}hash`, 'f', 'v');
    await seed.expire(`${prefix}7`, 500);
  });
  after(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await seed.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 10_000);
      cursor = next;
      if (keys.length > 0) await seed.unlink(...keys);
    } while (cursor !== '0');
    seed.disconnect();
    client.disconnect();
  });

  it('a large limit sends TYPE/TTL one batch at a time, each with the next SCAN, never two batches at once', async () => {
    const { client: c, wire } = watched(client);
    const page = await scanKeysPage(c, { match: `${prefix}*`, limit: N + 10, count: 1000, maxExamine: Number.MAX_SAFE_INTEGER });
    assert.equal(page.complete, true);
    assert.equal(page.keys.length, N + 1, 'every key once');
    assert.equal(new Set(page.keys.map((k) => k.key.toString())).size, N + 1);
    assert.equal(page.keys.find((k) => k.key.toString() === `${prefix}hash`)?.type, 'hash');
    const ttl = page.keys.find((k) => k.key.toString() === `${prefix}7`)?.ttl ?? 0;
    assert.ok(ttl > 400 && ttl <= 500, `ttl ${ttl}`);
    assert.ok(
      page.keys.every((k) => k.type === 'string' || k.type === 'hash'),
      'types',
    );
    assert.ok(wire.pipelines.length > 1, `${wire.pipelines.length} pipeline(s)`);
    // A batch is what one SCAN COUNT 1000 returned (a little more than COUNT at most): TYPE + TTL per key.
    assert.ok(Math.max(...wire.pipelines) <= 2 * 1500, `largest pipeline ${Math.max(...wire.pipelines)} commands`);
    assert.equal(wire.maxPipelinesInFlight, 1);
    assert.ok(wire.scansBesidePipeline >= wire.pipelines.length - 1, `${wire.scansBesidePipeline} of ${wire.scans} SCANs overlapped`);
  });

  it('keeps the page contract: at least limit keys, whole batches, an exact cursor to continue', async () => {
    const { client: c, wire } = watched(client);
    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    do {
      const page = await scanKeysPage(c, { match: `${prefix}*`, limit: 2500, count: 1000, maxExamine: Number.MAX_SAFE_INTEGER, cursor });
      if (!page.complete) assert.ok(page.keys.length >= 2500, `page of ${page.keys.length}`);
      for (const k of page.keys) seen.add(k.key.toString());
      cursor = page.cursor;
      pages++;
    } while (cursor !== '0');
    assert.equal(seen.size, N + 1);
    // No SCAN is sent past a page's end: every SCAN's keys got their TYPE/TTL pipeline.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(wire.scans, wire.pipelines.length + wire.emptyScans);
    assert.ok(pages >= 5, `${pages} pages`);
  });

  it('on our own RESP connection (the scanKeys walker) a page holds the same keys, types and TTLs, and continues exactly', async () => {
    const resp = await openRespClient(localProfile(DB), { connectionName: 'broker-explorer:walk-test' });
    try {
      const full = await scanKeysPage(resp, { match: `${prefix}*`, limit: N + 10, count: 1000, maxExamine: Number.MAX_SAFE_INTEGER });
      assert.equal(full.complete, true);
      assert.equal(new Set(full.keys.map((k) => k.key.toString())).size, N + 1);
      assert.equal(full.keys.find((k) => k.key.toString() === `${prefix}hash`)?.type, 'hash');
      const ttl = full.keys.find((k) => k.key.toString() === `${prefix}7`)?.ttl ?? 0;
      assert.ok(ttl > 400 && ttl <= 500, `ttl ${ttl}`);
      assert.ok(full.keys.every((k) => k.type === 'string' || k.type === 'hash'));
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const page = await scanKeysPage(resp, {
          match: `${prefix}*`,
          limit: 3000,
          count: 1000,
          maxExamine: Number.MAX_SAFE_INTEGER,
          cursor,
        });
        for (const k of page.keys) seen.add(k.key.toString());
        cursor = page.cursor;
      } while (cursor !== '0');
      assert.equal(seen.size, N + 1);
      const hashes = await scanKeysPage(resp, {
        match: `${prefix}*`,
        type: 'hash',
        limit: 10,
        count: 1000,
        maxExamine: Number.MAX_SAFE_INTEGER,
      });
      assert.deepEqual(
        hashes.keys.map((k) => [k.key.toString(), k.type]),
        [[`${prefix}hash`, 'hash']],
      );
    } finally {
      resp.close();
    }
  });

  it('a walk with info cancelled half way sends no SCAN after the cancel', async () => {
    const { client: c, wire } = watched(client);
    const ac = new AbortController();
    let batches = 0;
    await assert.rejects(
      (async () => {
        for await (const batch of iterateKeys(c, { match: `${prefix}*`, count: 1000, withInfo: true, signal: ac.signal })) {
          assert.ok(batch.keys.every((k) => k.type !== 'unknown'));
          if (++batches === 5) ac.abort();
        }
      })(),
      CancelledError,
    );
    const sent = wire.scans;
    // The SCAN sent beside the fifth batch's TYPE/TTL went out before the cancel; nothing after it.
    assert.ok(sent <= batches + 1, `${sent} SCANs for ${batches} batches`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(wire.scans, sent);
  });

  it('a cancel while the last batch is being read ends the walk as complete, not cancelled', async () => {
    const ac = new AbortController();
    let last = '';
    for await (const batch of iterateKeys(client, { match: `${prefix}*`, count: 1000, withInfo: true, signal: ac.signal })) {
      last = batch.cursor;
      if (batch.cursor === '0') ac.abort();
    }
    assert.equal(last, '0');
  });
});
