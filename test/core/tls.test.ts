/**
 * TLS with a CA of the test's own (openssl, server certificate for IP
 * 127.0.0.1): a redis-server started with --tls-port only, and a tiny
 * node:https server standing in for the management API. Verification is
 * on by default: with the profile's CA it connects, without it (or with
 * another CA) it fails with a sentence about the certificate, and the
 * explicit allowSelfSigned switch lets it through.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ManagementClient } from '../../src/core/amqp/managementClient';
import { BrokerError, ConnectionError } from '../../src/core/errors';
import { resolveRabbitProfile, resolveRedisProfile, type TlsOptions } from '../../src/core/profiles';
import { connectRedis } from '../../src/core/redis/connection';
import { openRespClient } from '../../src/core/redis/respClient';
import { splitArgs } from '../../src/core/redis/tokenizer';
import { OwnRedis, makeTestCa, type TestCa } from './helpers/ownServers';

function assertCertificateSentence(message: string, endpoint: string): void {
  assert.ok(message.includes(endpoint), `names ${endpoint}: ${message}`);
  assert.match(message, /certificate/i, message);
  assert.match(message, /CA file|allow self-signed/, `says what to do: ${message}`);
  assert.doesNotMatch(message, /\n|\s at /, message);
  assert.match(message, /\.$/, message);
}

describe('TLS with a CA of the test’s own', function () {
  this.timeout(30_000);
  let ca: TestCa;

  before(() => {
    ca = makeTestCa();
  });
  after(() => {
    ca.dispose();
  });

  describe('Redis on a TLS-only port (own redis-server --tls-port, --port 0)', () => {
    let server: OwnRedis;
    before(async () => {
      server = await OwnRedis.start({ cert: ca.cert, key: ca.key, ca: ca.ca });
    });
    after(async () => {
      await server.dispose();
    });
    const profile = (tls: TlsOptions | undefined): ReturnType<typeof resolveRedisProfile> =>
      resolveRedisProfile({ name: 'tls', host: '127.0.0.1', port: server.port, connectTimeoutMs: 3_000, ...(tls ? { tls } : {}) });

    it('connects and PINGs with the profile’s CA (connectRedis and the console)', async () => {
      const client = await connectRedis(profile({ ca: ca.ca }));
      try {
        assert.equal(await client.ping(), 'PONG');
        assert.equal(await client.set('over-tls', 'yes'), 'OK');
        assert.equal(await client.get('over-tls'), 'yes');
      } finally {
        client.disconnect();
      }
      const console1 = await openRespClient(profile({ ca: ca.ca }));
      try {
        assert.deepEqual(await console1.send(splitArgs('PING')), { type: 'status', value: 'PONG' });
      } finally {
        console1.close();
      }
    });

    it('a rediss:// URL turns TLS on with verification', async () => {
      const viaUrl = resolveRedisProfile({ name: 'tls-url', url: `rediss://127.0.0.1:${server.port}/0`, tls: { ca: ca.ca } });
      const client = await connectRedis(viaUrl);
      try {
        assert.equal(await client.ping(), 'PONG');
      } finally {
        client.disconnect();
      }
      await assert.rejects(
        connectRedis(resolveRedisProfile({ name: 'tls-url', url: `rediss://127.0.0.1:${server.port}/0`, connectTimeoutMs: 3_000 })),
        ConnectionError,
      );
    });

    it('without the CA, or with another CA, fails with a sentence about the certificate', async () => {
      for (const tls of [{}, { ca: ca.otherCa }] as TlsOptions[]) {
        const started = Date.now();
        await assert.rejects(connectRedis(profile(tls)), (err: unknown) => {
          assert.ok(err instanceof ConnectionError, String(err));
          assertCertificateSentence(err.message, `127.0.0.1:${server.port}`);
          return true;
        });
        assert.ok(Date.now() - started < 2_000, 'fails at once, not at the timeout');
        await assert.rejects(
          openRespClient(profile(tls)),
          (err: unknown) => err instanceof ConnectionError && /certificate/i.test(err.message),
        );
      }
    });

    it('with allowSelfSigned it connects without a CA', async () => {
      const client = await connectRedis(profile({ allowSelfSigned: true }));
      try {
        assert.equal(await client.ping(), 'PONG');
      } finally {
        client.disconnect();
      }
    });

    it('plain TCP to the TLS port, and TLS to a plain port, fail within connectTimeoutMs with a sentence', async () => {
      const plain = await OwnRedis.start();
      try {
        for (const [label, p] of [
          ['plain to TLS', resolveRedisProfile({ name: 'mismatch', host: '127.0.0.1', port: server.port, connectTimeoutMs: 1_000 })],
          [
            'TLS to plain',
            resolveRedisProfile({ name: 'mismatch', host: '127.0.0.1', port: plain.port, connectTimeoutMs: 1_000, tls: { ca: ca.ca } }),
          ],
        ] as const) {
          const started = Date.now();
          await assert.rejects(connectRedis(p), (err: unknown) => {
            assert.ok(err instanceof BrokerError, `${label}: ${String(err)}`);
            assert.ok(err.message.includes(`127.0.0.1:${p.port}`), err.message);
            assert.match(err.message, /TLS/, `${label}: mentions TLS: ${err.message}`);
            return true;
          });
          const ms = Date.now() - started;
          assert.ok(ms < 2_500, `${label}: ${ms} ms`);
        }
      } finally {
        await plain.dispose();
      }
    });
  });

  describe('the management API over HTTPS (node:https server with the test CA)', () => {
    let server: Server;
    let port: number;
    const seen: string[] = [];
    before(async () => {
      server = createServer({ cert: readFileSync(ca.cert), key: readFileSync(ca.key) }, (req, res) => {
        seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.authorization ? 'with auth' : 'no auth'}`);
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            management_version: '3.10.8',
            rabbitmq_version: '3.10.8',
            erlang_version: '25',
            cluster_name: 'tls-test',
            node: 'rabbit@tls',
          }),
        );
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const client = (tls: TlsOptions | undefined): ManagementClient =>
      new ManagementClient(
        resolveRabbitProfile({
          name: 'https',
          url: 'amqp://guest@127.0.0.1:5672/',
          managementUrl: `https://127.0.0.1:${port}`,
          connectTimeoutMs: 3_000,
          ...(tls ? { tls } : {}),
        }),
        'guest',
      );

    it('answers with the profile’s CA', async () => {
      const m = client({ ca: ca.ca });
      try {
        const overview = await m.overview();
        assert.equal(overview.clusterName, 'tls-test');
        assert.equal(overview.managementVersion, '3.10.8');
        assert.ok(
          seen.some((s) => s === 'GET /api/overview with auth'),
          seen.join('; '),
        );
      } finally {
        m.dispose();
      }
    });

    it('refuses without the CA or with another CA, sending nothing, with a sentence about the certificate', async () => {
      const before = seen.length;
      for (const tls of [undefined, { ca: ca.otherCa }] as (TlsOptions | undefined)[]) {
        const m = client(tls);
        try {
          await assert.rejects(m.overview(), (err: unknown) => {
            assert.ok(err instanceof ConnectionError, String(err));
            assertCertificateSentence(err.message, `https://127.0.0.1:${port}`);
            return true;
          });
        } finally {
          m.dispose();
        }
      }
      assert.equal(seen.length, before, 'no request (and no credentials) reached the server');
    });

    it('with allowSelfSigned it answers without a CA', async () => {
      const m = client({ allowSelfSigned: true });
      try {
        assert.equal((await m.overview()).clusterName, 'tls-test');
      } finally {
        m.dispose();
      }
    });
  });
});
