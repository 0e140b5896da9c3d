/**
 * Unreachable hosts: a closed port fails at once, and a listener that
 * accepts and never answers fails within the profile's connectTimeoutMs
 * (the timeout covers the whole handshake, TLS included), with a sentence
 * naming the host and port — for Redis, AMQP and the management API — and
 * no socket is left open behind.
 */
import assert from 'node:assert/strict';
import { connectAmqp } from '../../src/core/amqp/amqpConnection';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { ManagementClient } from '../../src/core/amqp/managementClient';
import { BrokerError, ConnectionError, TimeoutError } from '../../src/core/errors';
import { resolveRabbitProfile, resolveRedisProfile } from '../../src/core/profiles';
import { connectRedis } from '../../src/core/redis/connection';
import { RedisPool } from '../../src/core/redis/pool';
import { openRespClient } from '../../src/core/redis/respClient';
import { SilentListener, freePort, sleep } from './helpers/ownServers';

const TIMEOUT_MS = 1_500;

interface Target {
  label: string;
  /** Tries to connect to 127.0.0.1:port the way the extension does, and closes whatever it opened. */
  connect(port: number): Promise<unknown>;
}

async function closeQuietly(thing: unknown): Promise<void> {
  if (typeof thing === 'object' && thing !== null) {
    const o = thing as { disconnect?: () => void; close?: () => unknown };
    if (typeof o.disconnect === 'function') o.disconnect();
    else if (typeof o.close === 'function') await Promise.resolve(o.close()).catch(() => undefined);
  }
}

const redisProfile = (port: number, tls = false): ReturnType<typeof resolveRedisProfile> =>
  resolveRedisProfile({
    name: 'unreachable',
    host: '127.0.0.1',
    port,
    connectTimeoutMs: TIMEOUT_MS,
    ...(tls ? { tls: { allowSelfSigned: true } } : {}),
  });
const rabbitProfile = (port: number, scheme = 'amqp'): ReturnType<typeof resolveRabbitProfile> =>
  resolveRabbitProfile({
    name: 'unreachable',
    url: `${scheme}://guest@127.0.0.1:${port}/`,
    managementUrl: `${scheme === 'amqps' ? 'https' : 'http'}://127.0.0.1:${port}`,
    connectTimeoutMs: TIMEOUT_MS,
  });

const targets: Target[] = [
  { label: 'Redis (connectRedis)', connect: (port) => connectRedis(redisProfile(port)) },
  {
    label: 'Redis (pool)',
    connect: (port) => new RedisPool({ profile: () => redisProfile(port), password: () => Promise.resolve(undefined) }).get('unreachable'),
  },
  { label: 'Redis console (openRespClient)', connect: (port) => openRespClient(redisProfile(port)) },
  { label: 'Redis over TLS (connectRedis)', connect: (port) => connectRedis(redisProfile(port, true)) },
  { label: 'AMQP (connectAmqp)', connect: (port) => connectAmqp(rabbitProfile(port), { password: 'guest' }) },
  { label: 'AMQP (session)', connect: (port) => new AmqpSession(rabbitProfile(port), { password: 'guest' }).connection() },
  {
    label: 'AMQPS (connectAmqp)',
    connect: (port) =>
      connectAmqp(
        resolveRabbitProfile({
          name: 'unreachable',
          url: `amqps://guest@127.0.0.1:${port}/`,
          connectTimeoutMs: TIMEOUT_MS,
          tls: { allowSelfSigned: true },
        }),
        { password: 'guest' },
      ),
  },
  {
    label: 'management API (HTTP)',
    connect: async (port) => {
      const m = new ManagementClient(rabbitProfile(port), 'guest');
      try {
        return await m.overview();
      } finally {
        m.dispose();
      }
    },
  },
  {
    label: 'management API (HTTPS)',
    connect: async (port) => {
      const m = new ManagementClient(
        resolveRabbitProfile({
          name: 'unreachable',
          url: 'amqp://guest@127.0.0.1:5672/',
          managementUrl: `https://127.0.0.1:${port}`,
          connectTimeoutMs: TIMEOUT_MS,
          tls: { allowSelfSigned: true },
        }),
        'guest',
      );
      try {
        return await m.overview();
      } finally {
        m.dispose();
      }
    },
  },
];

/** Runs `connect` and returns the error and how long it took to fail. */
async function failure(target: Target, port: number): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    const opened = await target.connect(port);
    await closeQuietly(opened);
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  assert.fail(`${target.label} connected to 127.0.0.1:${port}`);
}

function assertNamesEndpoint(message: string, port: number): void {
  assert.ok(message.includes(`127.0.0.1:${port}`), `names host and port: ${message}`);
  assert.doesNotMatch(message, /\n|\s at /, message);
  assert.match(message, /\.$/, message);
}

describe('reliability: unreachable hosts', function () {
  this.timeout(30_000);
  const figures: string[] = [];
  after(() => {
    console.log(`      figures:\n${figures.map((f) => `        ${f}`).join('\n')}`);
  });

  describe('a closed port fails at once', () => {
    for (const target of targets) {
      it(target.label, async () => {
        const port = await freePort();
        const { error, ms } = await failure(target, port);
        assert.ok(error instanceof ConnectionError, String(error));
        assert.match(error.message, /refused/);
        assertNamesEndpoint(error.message, port);
        assert.ok(ms < 1_000, `${ms} ms`);
        figures.push(`closed port, ${target.label}: ${ms} ms`);
      });
    }
  });

  describe(`a listener that accepts and never answers fails within connectTimeoutMs (${TIMEOUT_MS} ms), leaving no socket open`, () => {
    let silent: SilentListener;
    beforeEach(async () => {
      silent = await SilentListener.start();
    });
    afterEach(async () => {
      await silent.close();
    });
    for (const target of targets) {
      it(target.label, async () => {
        const { error, ms } = await failure(target, silent.port);
        assert.ok(error instanceof TimeoutError, String(error));
        assert.match(error.message, new RegExp(`${TIMEOUT_MS} ms`));
        assertNamesEndpoint(error.message, silent.port);
        assert.ok(ms >= TIMEOUT_MS - 100 && ms < 3_000, `${ms} ms`);
        // The half-open attempt is closed, not left to the server.
        for (let i = 0; i < 20 && silent.open > 0; i++) await sleep(25);
        assert.equal(silent.open, 0, 'sockets left open on the listener');
        figures.push(`silent listener, ${target.label}: ${ms} ms — "${error.message}"`);
      });
    }
  });

  it('every failure is a BrokerError, never a raw library error', async () => {
    const port = await freePort();
    for (const target of targets) {
      const { error } = await failure(target, port);
      assert.ok(error instanceof BrokerError, `${target.label}: ${String(error)}`);
    }
  });
});
