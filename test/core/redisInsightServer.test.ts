/**
 * Server insight (issue 14, part 2) on a redis-server the test starts itself:
 * INFO, CLIENT LIST and SLOWLOG parsed from the server's real replies,
 * CONFIG SET and CLIENT KILL (refused on a read-only profile before anything
 * is sent), LATENCY LATEST, MEMORY STATS and MEMORY DOCTOR.
 */
import { oneServer } from '../../src/core/redis/redisClient';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { NotFoundError, ReadOnlyError } from '../../src/core/errors';
import { resolveRedisProfile } from '../../src/core/profiles';
import { killClient, listClients, parseClientList, sortClients } from '../../src/core/redis/clientList';
import { readConfig, readConfigValue, writeConfig } from '../../src/core/redis/serverConfig';
import { latencyLatest, memoryDoctor, memoryStats } from '../../src/core/redis/serverHealth';
import { humanValue, infoUnit, parseInfo, readInfo, renderInfo } from '../../src/core/redis/serverInfo';
import { formatBytes, formatDuration } from '../../src/core/units';
import { RedisSession } from '../../src/core/redis/session';
import { readSlowlog, resetSlowlog, slowlogCommand, slowlogLine } from '../../src/core/redis/slowlog';
import { waitFor } from './helpers/common';
import { OwnRedis } from './helpers/ownServers';

describe('Redis server insight (own redis-server)', function () {
  this.timeout(30_000);
  let server: OwnRedis;
  let plain: Redis;
  let session: RedisSession;
  let readOnly: RedisSession;
  const profile = (extra: Record<string, unknown> = {}): ReturnType<typeof resolveRedisProfile> =>
    resolveRedisProfile({ name: 'insight', host: '127.0.0.1', port: server.port, ...extra });

  before(async () => {
    server = await OwnRedis.start();
    plain = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
    session = new RedisSession(profile());
    readOnly = new RedisSession(profile({ name: 'prod', readOnly: true }));
  });
  after(async () => {
    plain.disconnect();
    session.close();
    readOnly.close();
    await server.dispose();
  });

  it('parses INFO into lower-case sections whose fields match the server, keeping colons inside values', async () => {
    await plain.set('info:a', 'x');
    const sections = await readInfo(oneServer(oneServer(await session.client())));
    for (const name of ['server', 'clients', 'memory', 'stats', 'keyspace', 'commandstats']) assert.ok(sections[name], name);
    assert.equal(sections.server.tcp_port, String(server.port));
    assert.match(sections.keyspace.db0, /^keys=1,expires=0,avg_ttl=0/);
    assert.match(sections.commandstats.cmdstat_set, /^calls=\d+,usec=/);
    const one = parseInfo(await plain.info('memory'));
    assert.deepEqual(Object.keys(one), ['memory']);
    assert.ok(Number(one.memory.used_memory) > 0);
    assert.deepEqual(parseInfo('# A\r\nx:1:2\r\n\r\n# B\r\ny:\r\n'), { a: { x: '1:2' }, b: { y: '' } });
  });

  it('renders INFO with units: bytes human-readable, seconds as durations, timestamps and ratios left alone', async () => {
    assert.equal(infoUnit('used_memory'), 'bytes');
    assert.equal(infoUnit('used_memory_human'), undefined);
    assert.equal(infoUnit('mem_fragmentation_ratio'), undefined);
    assert.equal(infoUnit('uptime_in_seconds'), 'seconds');
    assert.equal(infoUnit('latest_fork_usec'), 'microseconds');
    assert.equal(infoUnit('server_time_usec'), undefined);
    assert.equal(infoUnit('rdb_last_save_time'), undefined);
    assert.equal(formatBytes(33154024), '31.62 MiB');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatDuration(93784), '1d 2h 3m 4s');
    assert.equal(formatDuration(0.0104), '10ms');
    assert.equal(humanValue('uptime_in_seconds', '3700'), '1h 1m 40s');
    const lines = renderInfo(await readInfo(oneServer(await session.client()), 'memory'));
    assert.equal(lines[0], '# Memory');
    assert.ok(
      lines.some((l) => /^used_memory\s+\d+\s+\(\d+\.\d\d (KiB|MiB)\)$/.test(l)),
      lines.join('\n'),
    );
  });

  it('parses CLIENT LIST with every connection named as CLIENT SETNAME set it, and sorts by a numeric field largest first', async () => {
    const extra = new Redis({ host: '127.0.0.1', port: server.port, connectionName: 'insight-extra' });
    try {
      await extra.ping();
      const clients = await listClients(oneServer(oneServer(await session.client())));
      const mine = clients.find((c) => c.name === 'insight-extra');
      assert.ok(mine, JSON.stringify(clients));
      assert.match(mine.id, /^\d+$/);
      assert.match(mine.addr, /^127\.0\.0\.1:\d+$/);
      assert.ok(clients.some((c) => c.name === 'broker-explorer' && c.cmd === 'client|list'));
      const byId = sortClients(clients, 'id');
      assert.deepEqual(
        byId.map((c) => Number(c.id)),
        clients.map((c) => Number(c.id)).sort((a, b) => b - a),
      );
      assert.deepEqual(parseClientList('id=3 addr=1.2.3.4:5 name= cmd=client|list\n'), [
        { id: '3', addr: '1.2.3.4:5', name: '', cmd: 'client|list' },
      ]);
    } finally {
      extra.disconnect();
    }
  });

  it('CLIENT KILL ends the chosen connection; a read-only profile refuses it before anything is sent; a gone id says so', async () => {
    const victim = new Redis({ host: '127.0.0.1', port: server.port, connectionName: 'insight-victim', retryStrategy: () => null });
    try {
      await victim.ping();
      const id = (await listClients(plain)).find((c) => c.name === 'insight-victim')?.id;
      assert.ok(id);
      await assert.rejects(killClient(readOnly, oneServer(await readOnly.client()), id, 'insight'), ReadOnlyError);
      assert.ok(
        (await listClients(plain)).some((c) => c.id === id),
        'still there after the refusal',
      );
      await killClient(session, oneServer(await session.client()), id, 'insight');
      await waitFor('the client to go', async () => !(await listClients(plain)).some((c) => c.id === id), 5000);
      await assert.rejects(killClient(session, oneServer(await session.client()), id, 'insight'), NotFoundError);
    } finally {
      victim.disconnect();
    }
  });

  it('CONFIG GET lists every setting sorted; CONFIG SET changes one and reads it back; read-only and unknown names are refused', async () => {
    const all = await readConfig(oneServer(oneServer(await session.client())));
    assert.ok(all.length > 100);
    assert.deepEqual(
      all.map((e) => e.name),
      [...all.map((e) => e.name)].sort((a, b) => a.localeCompare(b)),
    );
    assert.equal(await writeConfig(session, oneServer(await session.client()), 'slowlog-max-len', '77', 'insight'), '77');
    assert.equal(await plain.config('GET', 'slowlog-max-len').then((r) => (r as string[])[1]), '77');
    await assert.rejects(writeConfig(readOnly, oneServer(await readOnly.client()), 'slowlog-max-len', '5', 'prod'), ReadOnlyError);
    assert.equal(await readConfigValue(plain, 'slowlog-max-len'), '77');
    await assert.rejects(
      writeConfig(session, oneServer(await session.client()), 'no-such-setting', '1', 'insight'),
      /has no setting "no-such-setting"/,
    );
    await assert.rejects(
      writeConfig(session, oneServer(await session.client()), 'maxmemory-policy', 'nonsense', 'insight'),
      /refused CONFIG SET/,
    );
  });

  it('SLOWLOG GET shows each logged command quoted like the console, newest first; RESET empties it and is refused read-only', async () => {
    await plain.config('SET', 'slowlog-log-slower-than', '0');
    try {
      await plain.set('slow key', 'a "quoted"\nvalue');
      await plain.call('SET', Buffer.from([0x62, 0x00, 0xff]), 'x');
      const entries = await readSlowlog(oneServer(await session.client()), 10);
      const commands = entries.map(slowlogCommand);
      assert.ok(commands.includes('set "slow key" "a \\"quoted\\"\\nvalue"'), commands.join('\n'));
      assert.ok(commands.includes('SET "b\\x00\\xff" x'), commands.join('\n'));
      assert.ok(entries[0].id > entries[entries.length - 1].id, 'newest first');
      assert.match(slowlogLine(entries[0]), /^#\d+ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}.+µs|ms/);
      await assert.rejects(resetSlowlog(readOnly, oneServer(await readOnly.client())), ReadOnlyError);
      await resetSlowlog(session, oneServer(oneServer(await session.client())));
      const after = await readSlowlog(plain, 10);
      assert.ok(
        after.every((e) => e.argv[0].toString().toLowerCase() !== 'set'),
        'the SETs are gone',
      );
    } finally {
      await plain.config('SET', 'slowlog-log-slower-than', '10000');
    }
  });

  it('LATENCY LATEST reports a spike above the threshold; MEMORY STATS is flattened; MEMORY DOCTOR answers in text', async () => {
    await plain.config('SET', 'latency-monitor-threshold', '1');
    // A busy script of a few tens of milliseconds (DEBUG SLEEP is not allowed on a default server).
    await plain.eval('local i = 0 while i < 5000000 do i = i + 1 end return i', 0);
    const events = await latencyLatest(oneServer(oneServer(await session.client())));
    const command = events.find((e) => e.event === 'command');
    assert.ok(command, JSON.stringify(events));
    assert.ok(command.maxMs >= 1 && command.latestMs <= command.maxMs);
    const stats = await memoryStats(oneServer(oneServer(await session.client())));
    assert.ok(Number(stats['total.allocated']) > 0);
    assert.ok(Object.keys(stats).every((k) => !k.endsWith('.')));
    assert.match(await memoryDoctor(oneServer(oneServer(await session.client()))), /\w/);
  });
});
