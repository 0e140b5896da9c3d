/**
 * One socket-error classifier: the same socket error, fed through each
 * protocol's path (Redis, AMQP, the management API, raw TCP), is classified
 * the same way everywhere (same code, same typed error) and every sentence
 * still names the endpoint and says what to do.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { connectAmqp } from '../../src/core/amqp/amqpConnection';
import { describeAmqpError } from '../../src/core/amqp/amqpErrors';
import { ManagementHttp } from '../../src/core/amqp/managementHttp';
import { ConnectionError, TimeoutError, type BrokerError } from '../../src/core/errors';
import { resolveRabbitProfile, resolveRedisProfile } from '../../src/core/profiles';
import { connectRedis, describeRedisError } from '../../src/core/redis/connection';
import { TcpSession } from '../../src/core/tcp/tcpSession';
import { SilentListener, freePort } from './helpers/ownServers';
import { describeSocketError } from '../../src/core/net/dial';
import { classifySocketError, socketError, socketFailureOf } from '../../src/core/net/socketErrors';

type Code = 'refused' | 'notFound' | 'unreachable' | 'timeout' | 'tls' | 'reset';

function sysError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Each code, the errors Node, ioredis and amqplib raise for it, and what every sentence must say. */
const cases: { code: Code; errors: Error[]; says: RegExp; type: typeof BrokerError }[] = [
  {
    code: 'refused',
    errors: [sysError('ECONNREFUSED', 'connect ECONNREFUSED 10.1.2.3:7000')],
    says: /refused/,
    type: ConnectionError,
  },
  {
    code: 'notFound',
    errors: ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'].map((c) => sysError(c, `getaddrinfo ${c} broker.example`)),
    says: /not found/,
    type: ConnectionError,
  },
  {
    code: 'unreachable',
    errors: ['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].map((c) => sysError(c, `connect ${c} 10.1.2.3:7000`)),
    says: /unreachable/,
    type: ConnectionError,
  },
  {
    code: 'timeout',
    errors: [sysError('ETIMEDOUT', 'connect ETIMEDOUT 10.1.2.3:7000')],
    says: /\d+ ms|timed out/,
    type: TimeoutError,
  },
  {
    code: 'tls',
    errors: [
      sysError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      sysError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      sysError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: IP: 10.1.2.3 is not in the cert's list"),
      sysError('ERR_SSL_WRONG_VERSION_NUMBER', 'C0E7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'),
    ],
    says: /TLS/,
    type: ConnectionError,
  },
  {
    code: 'reset',
    errors: [sysError('ECONNRESET', 'read ECONNRESET'), sysError('EPIPE', 'write EPIPE'), sysError('ECONNRESET', 'socket hang up')],
    says: /reset|lost|closed/,
    type: ConnectionError,
  },
];

const redisProfile = resolveRedisProfile({ name: 'far', host: '10.1.2.3', port: 7000, connectTimeoutMs: 1_234 });
const rabbitProfile = resolveRabbitProfile({
  name: 'far',
  url: 'amqp://guest@10.1.2.3:7000/',
  managementUrl: 'http://10.1.2.3:7000',
  connectTimeoutMs: 1_234,
});

/** Each protocol's path from a socket error to its sentence. */
const paths: { label: string; describe(err: Error): BrokerError }[] = [
  { label: 'Redis', describe: (err) => describeRedisError(redisProfile, err) },
  { label: 'AMQP', describe: (err) => describeAmqpError({ profile: rabbitProfile, vhost: '/', what: 'connecting to 10.1.2.3:7000' }, err) },
  {
    label: 'management API',
    describe: (err) => {
      const http = new ManagementHttp(rabbitProfile, 'guest');
      try {
        return http.failure({ path: '/api/overview', what: 'reading the overview' }, err);
      } finally {
        http.dispose();
      }
    },
  },
  {
    label: 'raw TCP',
    describe: (err) => {
      const failure = describeSocketError(err, 'tcp', '10.1.2.3', 7000);
      return socketError({ code: failure.kind, detail: failure.reason }, `Cannot open a TCP session to 10.1.2.3:7000: ${failure.reason}.`);
    },
  },
];

describe('one socket-error classifier for every protocol', () => {
  for (const c of cases) {
    for (const path of paths) {
      it(`${path.label}: ${c.code} (${c.errors.map((e) => (e as { code?: string }).code).join(', ')})`, () => {
        for (const err of c.errors) {
          assert.equal(classifySocketError(err).code, c.code, err.message);
          const error = path.describe(err);
          assert.equal(socketFailureOf(error)?.code, c.code, `${err.message} → ${error.message}`);
          assert.ok(error instanceof c.type, `${err.message} → ${error.name}: ${error.message}`);
          assert.match(error.message, c.says, error.message);
          assert.ok(error.message.includes('10.1.2.3'), `names the host: ${error.message}`);
          assert.match(error.message, /\.$/, error.message);
          assert.doesNotMatch(error.message, /\n|\s at /, error.message);
        }
      });
    }
  }

  describe('a listener that resets every connection', () => {
    let server: net.Server;
    let port = 0;
    before(async () => {
      server = net.createServer((socket) => socket.resetAndDestroy());
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as net.AddressInfo).port;
    });
    after(() => {
      server.close();
    });

    it('the management API says the connection was reset and names the URL', async () => {
      const profile = resolveRabbitProfile({
        name: 'resetting',
        url: `amqp://guest@127.0.0.1:${port}/`,
        managementUrl: `http://127.0.0.1:${port}`,
        connectTimeoutMs: 2_000,
      });
      const http = new ManagementHttp(profile, 'guest');
      try {
        await assert.rejects(http.raw({ path: '/api/overview', what: 'reading the overview' }), (error: unknown) => {
          assert.ok(error instanceof ConnectionError, String(error));
          assert.match(error.message, /the connection was lost/, error.message);
          assert.equal(socketFailureOf(error)?.code, 'reset');
          assert.ok(error.message.includes(`127.0.0.1:${port}`), error.message);
          return true;
        });
      } finally {
        http.dispose();
      }
    });
  });

  describe('real sockets: every protocol gives the same code', () => {
    const TIMEOUT_MS = 300;
    /** Each protocol's way of connecting to 127.0.0.1:port; resolves the error it fails with. */
    const dialers: { label: string; fail(port: number): Promise<unknown> }[] = [
      {
        label: 'Redis',
        fail: (port) => connectRedis(resolveRedisProfile({ name: 'p', host: '127.0.0.1', port, connectTimeoutMs: TIMEOUT_MS })),
      },
      {
        label: 'AMQP',
        fail: (port) =>
          connectAmqp(resolveRabbitProfile({ name: 'p', url: `amqp://guest@127.0.0.1:${port}/`, connectTimeoutMs: TIMEOUT_MS }), {
            password: 'guest',
          }),
      },
      {
        label: 'management API',
        fail: async (port) => {
          const http = new ManagementHttp(
            resolveRabbitProfile({
              name: 'p',
              url: 'amqp://guest@127.0.0.1:5672/',
              managementUrl: `http://127.0.0.1:${port}`,
              connectTimeoutMs: TIMEOUT_MS,
            }),
            'guest',
          );
          try {
            return await http.raw({ path: '/api/overview', what: 'reading the overview' });
          } finally {
            http.dispose();
          }
        },
      },
      { label: 'raw TCP', fail: (port) => new TcpSession({ host: '127.0.0.1', port, connectTimeoutMs: TIMEOUT_MS }).connect() },
    ];

    async function codeOf(dialer: (typeof dialers)[number], port: number): Promise<string | undefined> {
      try {
        await dialer.fail(port);
      } catch (error) {
        assert.ok(error instanceof Error && error.message.includes(`127.0.0.1:${port}`), String(error));
        return socketFailureOf(error)?.code;
      }
      assert.fail(`${dialer.label} connected to 127.0.0.1:${port}`);
    }

    it('a closed port is "refused" for all of them', async () => {
      const port = await freePort();
      const codes = await Promise.all(dialers.map((d) => codeOf(d, port)));
      assert.deepEqual(codes, ['refused', 'refused', 'refused', 'refused']);
    });

    it('a listener that accepts and never answers is "timeout" for every protocol that waits for an answer', async () => {
      const silent = await SilentListener.start();
      try {
        // Raw TCP has nothing to wait for past the connect, which succeeds.
        const codes = await Promise.all(dialers.filter((d) => d.label !== 'raw TCP').map((d) => codeOf(d, silent.port)));
        assert.deepEqual(codes, ['timeout', 'timeout', 'timeout']);
      } finally {
        await silent.close();
      }
    });
  });
});
