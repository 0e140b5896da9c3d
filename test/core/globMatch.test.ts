import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/core/redis/connection';
import { globMatch } from '../../src/core/redis/globMatch';
import { parseScanReply } from '../../src/core/redis/keyScanner';
import { scanValue } from '../../src/core/redis/valueScanner';
import { localProfile, plainClient } from './helpers/redis';

const ELEMENT = 64 * 1024;
/** Patterns that made the old backtracking matcher exponential, each with a 64 KB subject and the answer Redis gives. */
const PATHOLOGICAL: [pattern: string, subject: string, matches: boolean][] = [
  ['*a*a*a*a*a*a*b', 'a'.repeat(ELEMENT), false],
  ['*e*e*e*zzz*', 'e'.repeat(ELEMENT), false],
  ['*e*e*e*zzz*', `${'e'.repeat(ELEMENT)}zzz`, true],
  ['a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(ELEMENT), false],
  ['*?*?*?*?*?*?*?*?x', 'y'.repeat(ELEMENT), false],
  ['*[a-z]*[a-z]*[^q]*[a]*zz', 'a'.repeat(ELEMENT), false],
  ['*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'a'.repeat(ELEMENT), false],
  ['*a*a*a*a*a*a*b', `${'a'.repeat(ELEMENT)}b`, true],
];

/**
 * Runs the matcher in a worker, so a backtracking matcher fails the test at
 * the deadline instead of hanging the test process.
 */
function timeInWorker(cases: typeof PATHOLOGICAL, hardStopMs: number): Promise<{ ms: number; results: boolean[] } | 'hung'> {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     require('tsx/cjs');
     const { globMatch } = require(workerData.module);
     const started = performance.now();
     const results = workerData.cases.map(([p, s]) => globMatch(Buffer.from(p), Buffer.from(s)));
     parentPort.postMessage({ ms: performance.now() - started, results });`,
    { eval: true, workerData: { module: join(__dirname, '..', '..', 'src', 'core', 'redis', 'globMatch.ts'), cases } },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve('hung');
    }, hardStopMs);
    worker.once('message', (m: { ms: number; results: boolean[] }) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('glob matching: Redis semantics in linear time', function () {
  this.timeout(60_000);

  it('pathological *-heavy patterns against 64 KB elements finish within 2 s in all', async () => {
    const outcome = await timeInWorker(PATHOLOGICAL, 15_000);
    assert.notEqual(outcome, 'hung', 'the matcher was still running after 15 s (exponential backtracking)');
    if (outcome === 'hung') return;
    assert.ok(outcome.ms < 2000, `took ${outcome.ms.toFixed(0)} ms`);
    assert.deepEqual(
      outcome.results,
      PATHOLOGICAL.map((c) => c[2]),
    );
  });

  describe('agrees with the real server (SSCAN MATCH on a set of this test)', () => {
    const DB = 0;
    const setKey = `globmatch-test:${process.pid}`;
    let redis: Redis;
    before(() => {
      redis = plainClient(DB);
    });
    after(async () => {
      await redis.del(setKey, `${setKey}:list`);
      redis.disconnect();
    });

    async function serverMatches(pattern: Buffer): Promise<Set<string>> {
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, members] = parseScanReply(await redis.callBuffer('SSCAN', setKey, cursor, 'MATCH', pattern, 'COUNT', 10_000));
        cursor = next;
        for (const m of members) found.add(m.toString('hex'));
      } while (cursor !== '0');
      return found;
    }

    async function compare(subjects: Buffer[], patterns: Buffer[]): Promise<string[]> {
      await redis.del(setKey);
      await redis.sadd(setKey, ...subjects);
      const unique = [...new Map(subjects.map((s) => [s.toString('hex'), s])).values()];
      const disagreements: string[] = [];
      for (const pattern of patterns) {
        const server = await serverMatches(pattern);
        for (const s of unique) {
          const ours = globMatch(pattern, s);
          if (ours !== server.has(s.toString('hex')))
            disagreements.push(
              `${JSON.stringify(pattern.toString('latin1'))} vs ${JSON.stringify(s.toString('latin1'))}: Redis ${!ours}, ours ${ours}`,
            );
        }
      }
      return disagreements;
    }

    it('on a table of edge cases: classes, ranges, negation, escapes, unterminated classes, empty strings', async () => {
      const subjects = [
        '',
        'a',
        'b',
        'z',
        '-',
        ']',
        '[',
        '^',
        '\\',
        '*',
        '?',
        'ab',
        'a*b',
        'axb',
        'a]',
        'a-',
        'hello',
        'hallo',
        'hbllo',
        'hllo',
        'heello',
        'user:1',
        'user:admin:1',
        'order:1',
        'aaa',
        'aab',
        'abab',
        'e',
        '\u00e9',
        'é',
        'x\\',
        'x\\y',
      ].map((s) => Buffer.from(s, 'latin1'));
      subjects.push(Buffer.from([0x00]), Buffer.from([0xff, 0x00, 0xfe]), Buffer.from([0x80]));
      const patterns = [
        '*',
        '**',
        '',
        '?',
        '??',
        'a',
        'a*',
        '*b',
        'a*b',
        'a?b',
        'a\\*b',
        'a\\?b',
        'x\\',
        'x\\\\',
        '\\',
        '\\\\',
        'user:*',
        'h?llo',
        'h*llo',
        'h[ae]llo',
        'h[^e]llo',
        'h[a-b]llo',
        'h[b-a]llo',
        '[a-]',
        '[-a]',
        '[a-]]',
        '[]',
        '[]]',
        '[]a]',
        '[^]',
        '[^]]',
        '[^',
        '[',
        '[a',
        '[ab',
        'a[',
        '[\\]]',
        '[\\',
        '[a-\\]',
        '[a-\\]]',
        '[\\-a]',
        '[^a-z]',
        '[a-z]*',
        '*[a-z]',
        '*a*b',
        '*a*a*b',
        'a*a',
        '*?',
        '?*',
        '*\\*',
        '[*]',
        '[?]',
        '[[]',
        '[\\x00-\\x7f]',
        '[^\\x00-\\x7f]',
      ].map((p) => Buffer.from(p, 'latin1'));
      patterns.push(Buffer.from([0x5b, 0x00, 0x2d, 0x7f, 0x5d]), Buffer.from([0x5b, 0x5e, 0x00, 0x2d, 0x7f, 0x5d]), Buffer.from([0x00]));
      assert.deepEqual(await compare(subjects, patterns), []);
    });

    it('on 400 random patterns over a small alphabet of specials', async () => {
      let seed = 20_261_126;
      const random = (n: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed % n;
      };
      const pick = (alphabet: string, max: number): Buffer => {
        let out = '';
        const len = random(max + 1);
        for (let i = 0; i < len; i++) out += alphabet[random(alphabet.length)];
        return Buffer.from(out, 'latin1');
      };
      const subjects = Array.from({ length: 150 }, () => pick('ab-]\\^*[', 6));
      const patterns = Array.from({ length: 400 }, () => pick('ab*?[]^-\\', 7));
      assert.deepEqual(await compare(subjects, patterns), []);
    });

    it('a list element MATCH (LRANGE filtered on our side) on a 64 KB element does not hang the caller', async () => {
      const client = await connectRedis(localProfile(DB));
      try {
        const key = `${setKey}:list`;
        await redis.del(key);
        await redis.rpush(key, 'e'.repeat(ELEMENT), 'hello', `${'e'.repeat(ELEMENT)}zzz`);
        const started = Date.now();
        const page = await scanValue(client, key, { match: '*e*e*e*zzz*' });
        assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
        assert.equal(page.items.length, 1);
      } finally {
        client.disconnect();
      }
    });
  });
});
