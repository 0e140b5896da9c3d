import assert from 'node:assert/strict';
import * as net from 'node:net';
import { parseAmqpGreeting, AMQP_PROTOCOL_HEADER } from '../../src/core/tcp/amqpGreeting';
import { connectionTestLines, testRabbitProfile, testRedisProfile, type ConnectionTestResult } from '../../src/core/tcp/connectionTest';
import { LOCAL_RABBIT_PASSWORD, LOCAL_RABBIT_PROFILE, resolveRabbitProfile, resolveRedisProfile } from '../../src/core/profiles';
import { freePort } from './helpers/common';

function stepNames(result: ConnectionTestResult): string[] {
  return result.steps.map((s) => s.step);
}

function assertTimed(result: ConnectionTestResult): void {
  for (const step of result.steps) {
    assert.equal(typeof step.ms, 'number');
    assert.ok(step.ms >= 0 && Math.round(step.ms * 10) === step.ms * 10, `${step.step}: ${step.ms} is not rounded to 0.1 ms`);
  }
}

describe('test connection: Redis', () => {
  it('reports dns, tcp and greeting against the local Redis, with its version', async () => {
    const result = await testRedisProfile(resolveRedisProfile({ name: 'local', host: '127.0.0.1', port: 6379 }));
    assert.equal(result.ok, true, result.error);
    assert.deepEqual(stepNames(result), ['dns', 'tcp', 'greeting']);
    assert.ok(result.steps.every((s) => s.ok && s.error === undefined));
    assert.match(result.serverVersion ?? '', /^\d+\.\d+\.\d+/);
    assert.match(result.steps[0]?.detail ?? '', /127\.0\.0\.1 is an IP address/);
    assert.match(result.steps[1]?.detail ?? '', /^connected 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:6379$/);
    assert.match(result.steps[2]?.detail ?? '', /^PONG in [\d.]+ ms; Redis \d+\.\d+\.\d+ \(standalone\)$/);
    assert.equal(result.error, undefined);
    assertTimed(result);
  });

  it('resolves a host name in the dns step and selects the profile database', async () => {
    const result = await testRedisProfile(resolveRedisProfile({ name: 'byname', host: 'localhost', port: 6379, db: 3 }));
    // localhost may resolve to ::1 where Redis does not listen; only the dns step is certain.
    assert.match(result.steps[0]?.detail ?? '', /^localhost resolved to /);
    if (result.ok) assert.match(result.steps.at(-1)?.detail ?? '', /database 3 selected/);
  });

  it('runs an auth step when a password is given, and never shows the password', async () => {
    const password = 'not-the-real-one-5e3c';
    const result = await testRedisProfile(resolveRedisProfile({ name: 'local', host: '127.0.0.1', port: 6379 }), password);
    assert.deepEqual(stepNames(result), ['dns', 'tcp', 'auth', 'greeting']);
    // The local server has no password: AUTH is refused as unneeded, and a real connection still works.
    assert.equal(result.ok, true, result.error);
    assert.match(result.steps[2]?.detail ?? '', /needs no password/);
    assert.ok(!JSON.stringify(result).includes(password));
  });

  it('stops at the tcp step on a refused port: later steps are absent', async () => {
    const port = await freePort();
    const result = await testRedisProfile(resolveRedisProfile({ name: 'closed', host: '127.0.0.1', port }));
    assert.equal(result.ok, false);
    assert.deepEqual(stepNames(result), ['dns', 'tcp']);
    assert.equal(result.steps[0]?.ok, true);
    assert.equal(result.steps[1]?.ok, false);
    assert.equal(result.steps[1]?.error, result.error);
    assert.equal(
      result.error,
      `Redis profile "closed" (127.0.0.1:${port}): connection refused by 127.0.0.1:${port}. Check that a server listens there and that the host and port are right.`,
    );
    assert.equal(result.serverVersion, undefined);
    assertTimed(result);
  });

  it('fails the greeting when something other than Redis answers', async () => {
    const server = net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const result = await testRedisProfile(resolveRedisProfile({ name: 'web', host: '127.0.0.1', port }));
      assert.deepEqual(stepNames(result), ['dns', 'tcp', 'greeting']);
      assert.equal(result.ok, false);
      assert.match(result.error ?? '', /did not answer PING like a Redis server: it sent "HTTP\/1\.1 400 Bad Request/);
    } finally {
      server.close();
    }
  });

  it('fails the greeting within the connect timeout when the port stays silent', async () => {
    const server = net.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const started = Date.now();
      const result = await testRedisProfile(resolveRedisProfile({ name: 'mute', host: '127.0.0.1', port, connectTimeoutMs: 300 }));
      assert.ok(Date.now() - started < 2000);
      assert.deepEqual(stepNames(result), ['dns', 'tcp', 'greeting']);
      assert.equal(
        result.error,
        `Redis profile "mute" (127.0.0.1:${port}) did not answer PING before the connect timeout ran out. Check that the port is a Redis server and the TLS setting.`,
      );
    } finally {
      server.close();
    }
  });

  it('fails the greeting with one sentence when the server hangs up after PING', async () => {
    const server = net.createServer((s) => s.once('data', () => s.destroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const result = await testRedisProfile(resolveRedisProfile({ name: 'rude', host: '127.0.0.1', port }));
      assert.equal(result.ok, false);
      assert.match(result.error ?? '', /^Redis profile "rude" \(127\.0\.0\.1:\d+\) ended the connection after PING(: [^.]+)?\. Check that/);
    } finally {
      server.close();
    }
  });

  it('reads a reply split across many small writes (a slow server)', async () => {
    const reply = Buffer.from('+PONG\r\n');
    const info = Buffer.from('redis_version:9.9.9\r\nredis_mode:standalone\r\n');
    const infoReply = Buffer.concat([Buffer.from(`$${info.length}\r\n`), info, Buffer.from('\r\n')]);
    const server = net.createServer((s) => {
      let n = 0;
      s.on('data', () => {
        const bytes = n++ === 0 ? reply : infoReply;
        bytes.forEach((b, i) => setTimeout(() => s.write(Buffer.from([b])), i));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const result = await testRedisProfile(resolveRedisProfile({ name: 'slow', host: '127.0.0.1', port }));
      assert.equal(result.ok, true, result.error);
      assert.equal(result.serverVersion, '9.9.9');
    } finally {
      server.close();
    }
  });

  it('fails the tls step when the port does not speak TLS, within the connect timeout', async () => {
    const server = net.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const result = await testRedisProfile(
        resolveRedisProfile({ name: 'tls', host: '127.0.0.1', port, tls: { enabled: true }, connectTimeoutMs: 300 }),
      );
      assert.deepEqual(stepNames(result), ['dns', 'tcp', 'tls']);
      assert.equal(result.ok, false);
      assert.match(result.error ?? '', /timed out after 300 ms in the TLS handshake/);
    } finally {
      server.close();
    }
  });
});

describe('test connection: the lines a person reads', () => {
  it('names the profile, the outcome and each step with its time and what it found', () => {
    const profile = resolveRedisProfile({ name: 'local', host: '127.0.0.1', port: 6379 });
    const ok = connectionTestLines(profile, {
      ok: true,
      serverVersion: '7.0.15',
      steps: [
        { step: 'dns', ok: true, ms: 0, detail: '127.0.0.1 is an IP address: no lookup needed' },
        { step: 'greeting', ok: true, ms: 12.3, detail: 'PONG in 0.2 ms' },
      ],
    });
    assert.deepEqual(ok, [
      'Test Connection: Redis profile "local" (127.0.0.1:6379)',
      'It works: server version 7.0.15.',
      '',
      '✓ dns           0.0 ms  127.0.0.1 is an IP address: no lookup needed',
      '✓ greeting     12.3 ms  PONG in 0.2 ms',
    ]);
    const failed = connectionTestLines(profile, {
      ok: false,
      error: 'It broke.',
      steps: [{ step: 'tcp', ok: false, ms: 1.5, error: 'It broke.' }],
    });
    assert.deepEqual(failed.slice(1), ['It failed: It broke.', '', '✗ tcp      1.5 ms  It broke.']);
  });
});

describe('test connection: RabbitMQ', () => {
  const local = resolveRabbitProfile(LOCAL_RABBIT_PROFILE);

  it('reports dns, tcp, greeting, auth and management against the local broker', async () => {
    const result = await testRabbitProfile(local, LOCAL_RABBIT_PASSWORD);
    assert.equal(result.ok, true, result.error);
    assert.deepEqual(stepNames(result), ['dns', 'tcp', 'greeting', 'auth', 'management']);
    assert.ok(result.steps.every((s) => s.ok));
    assert.match(result.serverVersion ?? '', /^3\.10\.\d+$/);
    assert.match(
      result.steps[2]?.detail ?? '',
      /^connection\.start from RabbitMQ 3\.10\.\d+ on Erlang.* \(AMQP 0-9, mechanisms .*PLAIN.*\)$/,
    );
    // The local password equals the user name, so the user name is redacted too.
    assert.match(result.steps[3]?.detail ?? '', /^logged in as "\*\*\*" to vhost "\/" of RabbitMQ 3\.10\.\d+, then closed$/);
    assert.match(result.steps[4]?.detail ?? '', /^management_version 3\.10\.\d+, rabbitmq_version 3\.10\.\d+/);
    assertTimed(result);
  });

  it('stops at the auth step with a wrong password, naming the user but never the password', async () => {
    const password = 'wrong-password-71c2';
    const result = await testRabbitProfile(local, password);
    assert.equal(result.ok, false);
    assert.deepEqual(stepNames(result), ['dns', 'tcp', 'greeting', 'auth']);
    assert.deepEqual(
      result.steps.map((s) => s.ok),
      [true, true, true, false],
    );
    assert.equal(
      result.error,
      'RabbitMQ profile "local" (127.0.0.1:5672) refused the login of user "guest": wrong user name or password (ACCESS_REFUSED). Set the right password with "Set Password".',
    );
    assert.ok(!JSON.stringify(result).includes(password));
  });

  it('stops at the auth step for a vhost that does not exist', async () => {
    const profile = resolveRabbitProfile({ name: 'novhost', url: 'amqp://guest@127.0.0.1:5672/be-no-such-vhost-9f1' });
    const result = await testRabbitProfile(profile, LOCAL_RABBIT_PASSWORD);
    assert.deepEqual(stepNames(result), ['dns', 'tcp', 'greeting', 'auth']);
    assert.match(result.error ?? '', /refused the virtual host "be-no-such-vhost-9f1"/);
  });

  it('stops at the management step when the management API cannot be reached', async () => {
    const port = await freePort();
    const profile = resolveRabbitProfile({ ...LOCAL_RABBIT_PROFILE, name: 'nomgmt', managementUrl: `http://127.0.0.1:${port}` });
    const result = await testRabbitProfile(profile, LOCAL_RABBIT_PASSWORD);
    assert.deepEqual(stepNames(result), ['dns', 'tcp', 'greeting', 'auth', 'management']);
    assert.equal(result.ok, false);
    assert.match(
      result.error ?? '',
      new RegExp(`management API of RabbitMQ profile "nomgmt" at http://127\\.0\\.0\\.1:${port} cannot be reached: connection refused`),
    );
    assert.match(result.serverVersion ?? '', /^3\.10\./);
  });

  it('fails the greeting when the port is not an AMQP broker: one that talks first', async () => {
    const server = net.createServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const result = await testRabbitProfile(
        resolveRabbitProfile({ name: 'ssh', url: `amqp://guest@127.0.0.1:${port}/` }),
        LOCAL_RABBIT_PASSWORD,
      );
      assert.deepEqual(stepNames(result), ['dns', 'tcp', 'greeting']);
      assert.match(result.error ?? '', /did not answer like an AMQP broker: it sent "SSH-2\.0-OpenSSH_9\.6\\r\\n"\. Check the port/);
    } finally {
      server.close();
    }
  });

  it('fails the greeting within the connect timeout when the port waits silently (the Redis port)', async () => {
    const profile = resolveRabbitProfile({ name: 'redisport', url: 'amqp://guest@127.0.0.1:6379/', connectTimeoutMs: 500 });
    const result = await testRabbitProfile(profile, LOCAL_RABBIT_PASSWORD);
    assert.deepEqual(stepNames(result), ['dns', 'tcp', 'greeting']);
    assert.match(result.error ?? '', /did not answer the AMQP protocol header within the connect timeout \(500 ms\)/);
    assert.ok((result.steps[2]?.ms ?? 0) < 1000);
  });

  it('stops at the tcp step on a refused port', async () => {
    const port = await freePort();
    const result = await testRabbitProfile(resolveRabbitProfile({ name: 'closed', url: `amqp://guest@127.0.0.1:${port}/` }), 'guest');
    assert.deepEqual(stepNames(result), ['dns', 'tcp']);
    assert.match(result.error ?? '', /connection refused/);
  });
});

describe('the AMQP greeting parser', () => {
  it('waits for a whole frame and reads a broker that speaks another protocol version', () => {
    assert.equal(parseAmqpGreeting(Buffer.from([0x01, 0x00])), undefined);
    assert.equal(parseAmqpGreeting(Buffer.from('AMQ')), undefined);
    assert.deepEqual(parseAmqpGreeting(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0x00, 0x01, 0x00, 0x00]))?.value, {
      kind: 'protocolHeader',
      version: '1-0-0',
    });
    assert.equal(AMQP_PROTOCOL_HEADER.toString('latin1'), 'AMQP\x00\x00\x09\x01');
  });

  it('parses connection.start with nested tables', () => {
    const table = (entries: Buffer[]): Buffer => {
      const body = Buffer.concat(entries);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(body.length);
      return Buffer.concat([len, body]);
    };
    const shortStr = (s: string): Buffer => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]);
    const longStr = (s: string): Buffer => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(Buffer.byteLength(s));
      return Buffer.concat([len, Buffer.from(s)]);
    };
    const props = table([
      shortStr('product'),
      Buffer.from('S'),
      longStr('RabbitMQ'),
      shortStr('version'),
      Buffer.from('S'),
      longStr('3.10.8'),
      shortStr('capabilities'),
      Buffer.from('F'),
      table([shortStr('publisher_confirms'), Buffer.from('t'), Buffer.from([1])]),
    ]);
    const payload = Buffer.concat([Buffer.from([0, 10, 0, 10, 0, 9]), props, longStr('PLAIN AMQPLAIN'), longStr('en_US')]);
    const header = Buffer.alloc(7);
    header.writeUInt8(1, 0);
    header.writeUInt32BE(payload.length, 3);
    const frame = Buffer.concat([header, payload, Buffer.from([0xce])]);
    const parsed = parseAmqpGreeting(frame);
    assert.equal(parsed?.used, frame.length);
    assert.deepEqual(parsed?.value, {
      kind: 'start',
      start: {
        versionMajor: 0,
        versionMinor: 9,
        serverProperties: { product: 'RabbitMQ', version: '3.10.8', capabilities: { publisher_confirms: true } },
        mechanisms: ['PLAIN', 'AMQPLAIN'],
        locales: ['en_US'],
      },
    });
    assert.equal(parseAmqpGreeting(frame.subarray(0, frame.length - 1)), undefined);
  });
});
