import assert from 'node:assert/strict';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import {
  api,
  assertOneSentence,
  contextOf,
  exec,
  outputChannelText,
  plainRedis,
  rejects,
  scriptPrompts,
  uniqueName,
  waitFor,
  type Answer,
} from './util';

const DB = 14;

interface Field {
  field: string | { hex: string };
  value: string | { hex: string };
}
interface Entry {
  id: string;
  fields: Field[];
}
interface Message extends Entry {
  key: string;
}

export function registerRedisStreamsTests(): void {
  describe('Redis streams (db 14)', () => {
    const name = uniqueName('streams');
    const ro = uniqueName('streams-ro');
    const seed = plainRedis(DB);
    const key = (s: string): string => `${name}:${s}`;

    before(async () => {
      await seed.flushdb();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: ro, host: '127.0.0.1', port: 6379, db: DB, readOnly: true },
      });
    });
    after(async () => {
      const a = await api();
      for (const p of [name, ro]) for (const t of a.tails.list('redis', p)) await a.tails.stop(t.id);
      for (const p of [name, ro]) await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: p });
      await seed.flushdb();
      seed.disconnect();
    });

    it('streamAdd, streamRange both ways with a cursor, streamLength, streamInfo, streamDelete and streamTrim', async () => {
      const k = key('entries');
      const first = await exec<{ id: string }>('brokerExplorer.redis.streamAdd', { profile: name, key: k, fields: { a: '1' } });
      assert.match(first.id, /^\d+-\d+$/);
      assert.deepEqual(
        await exec('brokerExplorer.redis.streamAdd', {
          profile: name,
          key: k,
          id: '99999999999999-1',
          fields: [{ field: 'b', value: { hex: '00ff' } }],
        }),
        {
          id: '99999999999999-1',
        },
      );
      for (let i = 2; i <= 5; i++)
        await exec('brokerExplorer.redis.streamAdd', { profile: name, key: k, id: `99999999999999-${i}`, fields: { i: String(i) } });
      const page = await exec<{ entries: Entry[]; cursor: string; complete: boolean }>('brokerExplorer.redis.streamRange', {
        profile: name,
        key: k,
        limit: 2,
      });
      assert.deepEqual(
        page.entries.map((e) => e.id),
        [first.id, '99999999999999-1'],
      );
      assert.deepEqual(page.entries[1].fields, [{ field: 'b', value: { hex: '00ff' } }]);
      assert.equal(page.complete, false);
      const next = await exec<{ entries: Entry[] }>('brokerExplorer.redis.streamRange', {
        profile: name,
        key: k,
        limit: 10,
        cursor: page.cursor,
      });
      assert.equal(next.entries.length, 4);
      const back = await exec<{ entries: Entry[] }>('brokerExplorer.redis.streamRange', { profile: name, key: k, reverse: true, limit: 2 });
      assert.deepEqual(
        back.entries.map((e) => e.id),
        ['99999999999999-5', '99999999999999-4'],
      );
      assert.deepEqual(await exec('brokerExplorer.redis.streamLength', { profile: name, key: k }), { length: 6 });
      const info = await exec<Record<string, unknown>>('brokerExplorer.redis.streamInfo', { profile: name, key: k });
      assert.equal(info.length, 6);
      assert.equal(info.lastGeneratedId, '99999999999999-5');
      assert.deepEqual(await exec('brokerExplorer.redis.streamDelete', { profile: name, key: k, ids: [first.id, '1-1'] }), { deleted: 1 });
      assert.deepEqual(await exec('brokerExplorer.redis.streamTrim', { profile: name, key: k, maxLen: 2 }), { deleted: 3 });
      assert.deepEqual(
        await exec('brokerExplorer.redis.streamAdd', { profile: name, key: key('absent'), fields: { a: '1' }, noMkStream: true }),
        { id: null },
      );
      assert.equal(await seed.exists(key('absent')), 0);
    });

    it('bad input is refused with one sentence and nothing is sent', async () => {
      const k = key('bad');
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ fields: { a: '1' }, id: 'x-1' }, /The entry ID "x-1" is not a stream entry ID/],
        [{ fields: { a: '1' }, maxLen: 'ten' }, /MAXLEN must be a whole number/],
        [{ fields: {} }, /at least one field and value/],
        [{}, /The fields must be an object/],
        [{ fields: { a: '1' }, minId: 'old' }, /The MINID "old" is not a stream entry ID/],
      ];
      for (const [args, pattern] of cases) {
        const message = await rejects(exec('brokerExplorer.redis.streamAdd', { profile: name, key: k, ...args }), pattern);
        assertOneSentence(message);
      }
      assertOneSentence(await rejects(exec('brokerExplorer.redis.streamTail', { profile: name, key: k, from: 'now' }), /"from" ID "now"/));
      assertOneSentence(
        await rejects(exec('brokerExplorer.redis.streamPending', { profile: name, key: k, group: 'g', count: 0 }), /count/),
      );
      assert.equal(await seed.exists(k), 0);
    });

    it('groups: create (mkStream), list, consumers, pending, claim by IDs and by XAUTOCLAIM, ack, SETID, destroy', async () => {
      const k = key('groups');
      assert.deepEqual(
        await exec('brokerExplorer.redis.streamCreateGroup', { profile: name, key: k, group: 'g', from: '0', mkStream: true }),
        {},
      );
      for (let i = 1; i <= 6; i++) await seed.xadd(k, `${i}-1`, 'i', String(i));
      await seed.xreadgroup('GROUP', 'g', 'alice', 'COUNT', 6, 'STREAMS', k, '>');
      const { groups } = await exec<{ groups: { name: string; consumers: number; pending: number; lastDeliveredId: string }[] }>(
        'brokerExplorer.redis.streamGroups',
        { profile: name, key: k },
      );
      assert.deepEqual(
        groups.map((g) => [g.name, g.consumers, g.pending, g.lastDeliveredId]),
        [['g', 1, 6, '6-1']],
      );
      const { consumers } = await exec<{ consumers: { name: string; pending: number }[] }>('brokerExplorer.redis.streamConsumers', {
        profile: name,
        key: k,
        group: 'g',
      });
      assert.deepEqual(
        consumers.map((c) => [c.name, c.pending]),
        [['alice', 6]],
      );
      const { entries } = await exec<{ entries: { id: string; consumer: string; idleMs: number; deliveries: number }[] }>(
        'brokerExplorer.redis.streamPending',
        { profile: name, key: k, group: 'g', count: 3 },
      );
      assert.deepEqual(
        entries.map((e) => [e.id, e.consumer, e.deliveries]),
        [
          ['1-1', 'alice', 1],
          ['2-1', 'alice', 1],
          ['3-1', 'alice', 1],
        ],
      );
      const byIds = await exec<{ claimed: Entry[] }>('brokerExplorer.redis.streamClaim', {
        profile: name,
        key: k,
        group: 'g',
        consumer: 'bob',
        minIdleMs: 0,
        ids: ['1-1'],
      });
      assert.deepEqual(byIds.claimed, [{ id: '1-1', fields: [{ field: 'i', value: '1' }] }]);
      const auto = await exec<{ claimed: Entry[]; deleted: string[] }>('brokerExplorer.redis.streamClaim', {
        profile: name,
        key: k,
        group: 'g',
        consumer: 'carol',
        minIdleMs: 0,
      });
      assert.equal(auto.claimed.length, 6);
      assert.deepEqual(await exec('brokerExplorer.redis.streamAck', { profile: name, key: k, group: 'g', ids: ['1-1', '2-1'] }), {
        acked: 2,
      });
      assert.equal(
        (await exec<{ entries: unknown[] }>('brokerExplorer.redis.streamPending', { profile: name, key: k, group: 'g' })).entries.length,
        4,
      );
      assert.deepEqual(await exec('brokerExplorer.redis.streamSetGroupId', { profile: name, key: k, group: 'g', id: '0' }), {});
      assertOneSentence(
        await rejects(
          exec('brokerExplorer.redis.streamCreateGroup', { profile: name, key: k, group: 'g' }),
          /already has a consumer group "g"/,
        ),
      );
      assert.deepEqual(await exec('brokerExplorer.redis.streamDestroyGroup', { profile: name, key: k, group: 'g' }), {});
      assertOneSentence(
        await rejects(exec('brokerExplorer.redis.streamDestroyGroup', { profile: name, key: k, group: 'g' }), /has no consumer group "g"/),
      );
    });

    it('streamTail with take resolves once reading, returns { key, id, fields } and stops', async () => {
      const k = key('tail');
      await seed.xadd(k, '*', 'old', '1');
      const started = exec<{ id: string; messages: Message[] }>('brokerExplorer.redis.streamTail', {
        profile: name,
        key: k,
        take: 3,
        timeoutMs: 20_000,
      });
      const a = await api();
      await waitFor('the tail to be reading', () => (a.tails.list('redis', name).length > 0 ? true : undefined));
      for (let i = 1; i <= 4; i++) await seed.xadd(k, '*', 'n', String(i));
      const result = await started;
      assert.deepEqual(
        result.messages.map((m) => m.fields),
        [[{ field: 'n', value: '1' }], [{ field: 'n', value: '2' }], [{ field: 'n', value: '3' }]],
      );
      assert.equal(result.messages[0].key, k);
      assert.ok(!a.tails.list('redis', name).some((t) => t.id === result.id), 'stopped after take');
    });

    it('streamTail as a group consumer acknowledges what it returns and reads nothing past take; keep goes on into tails.read', async () => {
      const k = key('group-tail');
      await seed.xgroup('CREATE', k, 'g', '0', 'MKSTREAM');
      for (let i = 1; i <= 5; i++) await seed.xadd(k, `${i}-1`, 'n', String(i));
      const first = await exec<{ messages: Message[] }>('brokerExplorer.redis.streamTail', {
        profile: name,
        key: k,
        group: 'g',
        consumer: 'c',
        take: 2,
        timeoutMs: 20_000,
      });
      assert.deepEqual(
        first.messages.map((m) => m.id),
        ['1-1', '2-1'],
      );
      const groups = (await seed.xinfo('GROUPS', k)) as unknown[][];
      assert.deepEqual([groups[0][5], groups[0][7]], [0, '2-1'], 'nothing pending, nothing read past take');
      const kept = await exec<{ id: string; messages: Message[] }>('brokerExplorer.redis.streamTail', {
        profile: name,
        key: k,
        group: 'g',
        consumer: 'c',
        take: 1,
        keep: true,
        timeoutMs: 20_000,
      });
      assert.deepEqual(
        kept.messages.map((m) => m.id),
        ['3-1'],
      );
      const read = await exec<{ messages: Message[]; running: boolean }>('brokerExplorer.tails.read', {
        id: kept.id,
        take: 2,
        timeoutMs: 20_000,
      });
      assert.deepEqual(
        read.messages.map((m) => m.id),
        ['4-1', '5-1'],
      );
      assert.equal(read.running, true);
      assert.deepEqual(await exec('brokerExplorer.tails.stop', { id: kept.id }), { stopped: true });
      assert.equal(Number((await seed.xpending(k, 'g'))[0]), 0);
    });

    async function streamNode(k: string): Promise<TreeNode> {
      const a = await api();
      await a.redisTree.children(undefined);
      const profile = a.redisTree.profileNode(name);
      assert.ok(profile);
      const db = profile.database(DB);
      db.reset();
      const group = (await a.redisTree.children(db)).find((g) => (g as { type?: string }).type === 'stream');
      assert.ok(group, 'a stream group');
      for (const node of await a.redisTree.children(group))
        if ((await contextOf(node)) === 'be:redis:key:stream' && (node as { key?: Buffer }).key?.toString() === k) return node;
      throw new Error(`no stream node ${k}`);
    }

    async function withScript(answers: Answer[], command: string, node: TreeNode): Promise<string[]> {
      const s = await scriptPrompts(answers);
      try {
        await exec(command, node);
      } finally {
        s.restore();
      }
      return s.asked;
    }

    it('palette: Add Stream Entry on a stream node asks fields, ID and trim', async () => {
      const k = key('palette-add');
      for (let i = 1; i <= 3; i++) await seed.xadd(k, `${i}-1`, 'i', String(i));
      const asked = await withScript(['a 1 b "two words"', '*', 'MAXLEN 2'], 'brokerExplorer.redis.streamAdd', await streamNode(k));
      assert.match(asked[0], /^input: XADD to "[^"]+palette-add" in db14/);
      const entries = await seed.xrange(k, '-', '+');
      assert.equal(entries.length, 2);
      assert.deepEqual(entries[1][1], ['a', '1', 'b', 'two words']);
    });

    it('palette: pending entries picked from the list are acknowledged; destroying a group asks first', async () => {
      const k = key('palette-pending');
      for (let i = 1; i <= 4; i++) await seed.xadd(k, `${i}-1`, 'i', String(i));
      await seed.xgroup('CREATE', k, 'g', '0');
      await seed.xreadgroup('GROUP', 'g', 'alice', 'STREAMS', k, '>');
      const node = await streamNode(k);
      const asked = await withScript(['g', ['1-1', '3-1'], 'Acknowledge'], 'brokerExplorer.redis.streamPending', node);
      assert.match(asked[asked.length - 1], /^info: Acknowledged 2 of 2 entries in group "g"/);
      assert.deepEqual(
        ((await seed.xpending(k, 'g', '-', '+', 10)) as [string][]).map(([id]) => id),
        ['2-1', '4-1'],
      );
      await withScript(['g', undefined], 'brokerExplorer.redis.streamDestroyGroup', node);
      assert.equal(((await seed.xinfo('GROUPS', k)) as unknown[]).length, 1, 'not confirmed: the group stays');
    });

    it('palette: Tail Stream as a group consumer shows each entry in its channel and acknowledges it', async () => {
      const k = key('palette-tail');
      await seed.xgroup('CREATE', k, 'g', '$', 'MKSTREAM');
      await seed.xadd(k, '1-1', 'seed', '0');
      const a = await api();
      const before = a.tails.list('redis', name).length;
      await withScript(
        ['As a consumer of a group…', 'g', 'reader', 'New entries, acknowledged once shown'],
        'brokerExplorer.redis.streamTail',
        await streamNode(k),
      );
      const tail = a.tails.list('redis', name)[before];
      assert.ok(tail, 'registered as a tail');
      assert.equal(tail.label, `stream ${k} as reader of g`);
      await seed.xadd(k, '2-1', 'order', '{"n":2}');
      await waitFor('the entry acknowledged', async () =>
        Number((await seed.xpending(k, 'g'))[0]) === 0 && tail.count() === 2 ? true : undefined,
      );
      const text = await waitFor('the entry line', async () => {
        const t = await outputChannelText(name);
        return t.includes('2-1  order={"n":2}') ? t : undefined;
      });
      assert.match(text, /reading stream .*palette-tail as reader of g on .* from >, acknowledging each entry once shown/);
      await a.tails.stop(tail.id);
    });

    it('a read-only profile refuses stream writes and group reads with one sentence, and still reads and tails', async () => {
      const k = key('ro');
      await seed.xadd(k, '1-1', 'a', '1');
      await seed.xgroup('CREATE', k, 'g', '0');
      const refused: [string, Record<string, unknown>][] = [
        ['streamAdd', { fields: { a: '1' } }],
        ['streamDelete', { ids: ['1-1'] }],
        ['streamTrim', { maxLen: 0 }],
        ['streamCreateGroup', { group: 'g2' }],
        ['streamDestroyGroup', { group: 'g' }],
        ['streamClaim', { group: 'g', consumer: 'c', minIdleMs: 0 }],
        ['streamAck', { group: 'g', ids: ['1-1'] }],
        ['streamTail', { group: 'g', consumer: 'c' }],
      ];
      for (const [command, args] of refused)
        assertOneSentence(
          await rejects(
            exec(`brokerExplorer.redis.${command}`, { profile: ro, key: k, ...args }),
            /is read-only, so .* was refused before anything was sent/,
          ),
        );
      assert.equal(await seed.xlen(k), 1);
      assert.equal(((await seed.xinfo('GROUPS', k)) as unknown[]).length, 1);
      assert.equal((await exec<{ entries: Entry[] }>('brokerExplorer.redis.streamRange', { profile: ro, key: k })).entries.length, 1);
      const tail = await exec<{ messages: Message[] }>('brokerExplorer.redis.streamTail', {
        profile: ro,
        key: k,
        from: '0',
        take: 1,
        timeoutMs: 10_000,
      });
      assert.deepEqual(
        tail.messages.map((m) => m.id),
        ['1-1'],
      );
    });
  });
}
