import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { ConnectionError, InputError, TimeoutError } from '../../src/core/errors';
import { formatPayload, isMostlyBinary } from '../../src/core/bytes';
import { openTcp, parseTcpOpenArgs } from '../../src/core/tcp/openTcp';
import { TcpSession } from '../../src/core/tcp/tcpSession';
import { freePort } from './helpers/common';

interface TestServer {
  port: number;
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  server.on('secureConnection', (s: net.Socket) => s.on('error', () => undefined));
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function echoServer(): Promise<TestServer> {
  return listen(net.createServer((s) => s.pipe(s)));
}

const CONNECTION_MADE = /^connectionMade 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/;

describe('raw TCP session', () => {
  let echo: TestServer;
  before(async () => {
    echo = await echoServer();
  });
  after(async () => {
    await echo.close();
  });

  it('sends "hello" to an echo server, receives "hello", and logs the events in order', async () => {
    const result = await openTcp({ host: '127.0.0.1', port: echo.port, send: 'hello', take: 5, timeoutMs: 5000 });
    assert.equal(result.received, 'hello');
    assert.equal(result.events.length, 3, result.events.join('\n'));
    assert.match(result.events[0] ?? '', new RegExp(`${CONNECTION_MADE.source}$`));
    assert.ok(result.events[0]?.endsWith(`-> 127.0.0.1:${echo.port}`));
    assert.equal(result.events[1], 'dataReceived 5 bytes');
    assert.equal(result.events[2], 'connectionLost: closed cleanly by us');
    assert.equal(result.session, undefined);
  });

  it('calls the protocol callbacks in order: connectionMade, dataReceived, connectionLost', async () => {
    const calls: string[] = [];
    const session = new TcpSession(
      { host: '127.0.0.1', port: echo.port },
      {
        connectionMade: (local, peer) => calls.push(`made ${local} ${peer}`),
        dataReceived: (data) => calls.push(`data ${data.toString()}`),
        connectionLost: (reason) => calls.push(`lost ${String(reason)}`),
        connectionFailed: (reason) => calls.push(`failed ${reason}`),
      },
    );
    await session.connect();
    assert.equal(session.state, 'open');
    await session.write('ping\n');
    assert.equal(await session.waitForBytes(5, 5000), 'bytes');
    await session.close();
    assert.equal(calls.length, 3, calls.join('\n'));
    assert.match(calls[0] ?? '', new RegExp(`^made 127\\.0\\.0\\.1:\\d+ 127\\.0\\.0\\.1:${echo.port}$`));
    assert.equal(calls[1], 'data ping\n');
    assert.equal(calls[2], 'lost undefined');
    assert.equal(session.state, 'closed');
    await assert.rejects(session.write('late'), ConnectionError);
  });

  it('gives connectionFailed at once for a refused port, as an event and as a sentence', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await openTcp({ host: '127.0.0.1', port, send: 'x', take: 1, timeoutMs: 5000 });
    assert.ok(Date.now() - started < 1000, 'took more than a second');
    assert.deepEqual(result.events, [`connectionFailed: connection refused by 127.0.0.1:${port}`]);
    assert.equal(result.received, undefined);
    assert.match(
      result.error ?? '',
      new RegExp(
        `^Cannot open a TCP session to 127\\.0\\.0\\.1:${port}: connection refused by 127\\.0\\.0\\.1:${port}\\. Check that a server listens there`,
      ),
    );
    await assert.rejects(new TcpSession({ host: '127.0.0.1', port }).connect(), ConnectionError);
  });

  it('gives connectionLost "closed cleanly by the peer" when the server says goodbye and closes', async () => {
    const bye = await listen(net.createServer((s) => s.end('bye\n')));
    try {
      const result = await openTcp({ host: '127.0.0.1', port: bye.port, timeoutMs: 5000 });
      assert.equal(result.received, 'bye\n');
      assert.match(result.events[0] ?? '', CONNECTION_MADE);
      assert.deepEqual(result.events.slice(1), ['dataReceived 4 bytes', 'connectionLost: closed cleanly by the peer']);
    } finally {
      await bye.close();
    }
  });

  it('gives connectionLost with the reason when the server resets the connection', async () => {
    const reset = await listen(net.createServer((s) => setTimeout(() => s.resetAndDestroy(), 20)));
    try {
      const result = await openTcp({ host: '127.0.0.1', port: reset.port, timeoutMs: 5000 });
      assert.equal(result.events.at(-1), `connectionLost: connection reset by 127.0.0.1:${reset.port}`);
    } finally {
      await reset.close();
    }
  });

  it('returns binary bytes as { hex } and shows them as a hex dump', async () => {
    const result = await openTcp({ host: '127.0.0.1', port: echo.port, send: { hex: '00ff10fe' }, take: 4, timeoutMs: 5000 });
    assert.deepEqual(result.received, { hex: '00ff10fe' });
    assert.equal(result.events[1], 'dataReceived 4 bytes');
    const shown = formatPayload(Buffer.from('00ff10fe', 'hex'));
    assert.match(shown, /^00000000 {2}00 ff 10 fe +\.\.\.\.$/);
  });

  it('keeps the session open with keep: true, for more writes, until closed', async () => {
    const result = await openTcp({ host: '127.0.0.1', port: echo.port, send: 'one', take: 3, timeoutMs: 5000, keep: true });
    const session = result.session;
    assert.ok(session, 'no session returned');
    assert.equal(result.received, 'one');
    assert.equal(session.state, 'open');
    await session.write('two');
    assert.equal(await session.waitForBytes(3, 5000), 'bytes');
    assert.equal(session.takeReceived().data.toString(), 'two');
    await session.close();
    assert.equal(session.events.at(-1), 'connectionLost: closed cleanly by us');
  });

  it('returns after timeoutMs with what arrived when fewer than take bytes come', async () => {
    const silent = await listen(net.createServer(() => undefined));
    try {
      const started = Date.now();
      const result = await openTcp({ host: '127.0.0.1', port: silent.port, take: 10, timeoutMs: 300 });
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 1500, `elapsed ${elapsed} ms`);
      assert.equal(result.received, '');
      assert.equal(result.events.length, 2);
      assert.equal(result.events[1], 'connectionLost: closed cleanly by us');
    } finally {
      await silent.close();
    }
  });

  it('keeps at most maxReceivedBytes and says how many bytes were not kept', async () => {
    const chatty = await listen(net.createServer((s) => s.end(Buffer.alloc(100, 0x61))));
    try {
      const result = await openTcp({ host: '127.0.0.1', port: chatty.port, timeoutMs: 5000 }, { maxReceivedBytes: 10 });
      assert.equal(result.received, 'a'.repeat(10));
      assert.equal(result.droppedBytes, 90);
    } finally {
      await chatty.close();
    }
  });

  it('bounds TCP connect and TLS handshake together by connectTimeoutMs', async () => {
    const silent = await listen(net.createServer(() => undefined));
    try {
      const session = new TcpSession({ host: '127.0.0.1', port: silent.port, tls: true, connectTimeoutMs: 300 });
      const started = Date.now();
      await assert.rejects(session.connect(), TimeoutError);
      assert.ok(Date.now() - started < 1500);
      assert.deepEqual(session.events, [`connectionFailed: timed out after 300 ms in the TLS handshake with 127.0.0.1:${silent.port}`]);
    } finally {
      await silent.close();
    }
  });

  it('cancels a wait when the signal aborts, and closes the session', async () => {
    const silent = await listen(net.createServer(() => undefined));
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(openTcp({ host: '127.0.0.1', port: silent.port, take: 1, timeoutMs: 5000 }, { signal: controller.signal }), {
        name: 'CancelledError',
      });
    } finally {
      await silent.close();
    }
  });

  it('refuses bad tcp.open arguments before connecting', () => {
    assert.throws(() => parseTcpOpenArgs({ host: '127.0.0.1', port: 70000 }), InputError);
    assert.throws(() => parseTcpOpenArgs({ host: 'a b', port: 1 }), /spaces/);
    assert.throws(() => parseTcpOpenArgs({ host: '127.0.0.1', port: 1, send: { hex: 'zz' } }), /not valid hex/);
    assert.throws(() => parseTcpOpenArgs({ host: '127.0.0.1', port: 1, take: -1 }), /"take"/);
    assert.throws(() => parseTcpOpenArgs({ host: '127.0.0.1', port: 1, tls: 'yes' }), /"tls"/);
    assert.deepEqual(parseTcpOpenArgs({ host: '127.0.0.1', port: '6379', send: 'PING\r\n', take: 7, keep: false }), {
      host: '127.0.0.1',
      port: 6379,
      send: 'PING\r\n',
      take: 7,
      keep: false,
    });
  });
});

describe('formatting received bytes for the terminal (the one payload formatter)', () => {
  it('shows text as text, with CRLF as one line break', () => {
    assert.equal(formatPayload(Buffer.from('+PONG\r\nhello\n')), '+PONG\nhello\n');
    assert.equal(formatPayload(Buffer.from('naïve ✓')), 'naïve ✓');
  });

  it('escapes control bytes, terminal escape sequences and invalid UTF-8 inside text', () => {
    assert.equal(formatPayload(Buffer.from('red \x1b[31mtext\x1b[0m here, ok')), 'red \\x1b[31mtext\\x1b[0m here, ok');
    assert.equal(formatPayload(Buffer.from([0x61, 0x62, 0x63, 0xff, 0x64, 0x0d, 0x65])), 'abc\\xffd\\re');
  });

  it('shows a mostly-binary chunk as a hex dump', () => {
    const buf = Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x0a, 0x41]);
    assert.ok(isMostlyBinary(buf));
    assert.match(formatPayload(buf), /^00000000 {2}01 00 00 00 00 01 2c 00 0a 41 +\.\.\.\.\.\.,\.\.A$/);
    assert.equal(formatPayload(Buffer.alloc(0)), '');
  });
});

describe('raw TCP session over TLS', () => {
  let dir: string;
  let server: TestServer;
  let caFile: string;

  before(function () {
    this.timeout(30_000);
    dir = mkdtempSync(join(tmpdir(), 'be-tls-'));
    const run = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Broker Explorer Test CA');
    run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    run(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    );
    caFile = join(dir, 'ca.pem');
  });

  before(async () => {
    const tlsServer = tls.createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (s) =>
      s.pipe(s),
    );
    server = await listen(tlsServer);
  });

  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the server against the CA file and echoes through TLS', async () => {
    const result = await openTcp({ host: '127.0.0.1', port: server.port, tls: { ca: caFile }, send: 'hello', take: 5, timeoutMs: 5000 });
    assert.equal(result.error, undefined, result.error);
    assert.equal(result.received, 'hello');
    assert.match(result.events[0] ?? '', /^connectionMade 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ \(TLSv1\.[23], certificate verified\)$/);
    assert.equal(result.events[1], 'dataReceived 5 bytes');
  });

  it('refuses the server when the CA is not given', async () => {
    const result = await openTcp({ host: '127.0.0.1', port: server.port, tls: true, send: 'hello', take: 5, timeoutMs: 5000 });
    assert.equal(result.events.length, 1, result.events.join('\n'));
    assert.match(
      result.events[0] ?? '',
      new RegExp(`^connectionFailed: TLS handshake with 127\\.0\\.0\\.1:${server.port} failed: .*(certificate|issuer)`),
    );
    assert.match(result.error ?? '', /Check the CA file/);
  });

  it('accepts an unverified server with allowSelfSigned and says it is not verified', async () => {
    const result = await openTcp({
      host: '127.0.0.1',
      port: server.port,
      tls: { allowSelfSigned: true },
      send: 'hi',
      take: 2,
      timeoutMs: 5000,
    });
    assert.equal(result.received, 'hi');
    assert.match(result.events[0] ?? '', /certificate NOT verified: .+ \(allowed by allowSelfSigned\)\)$/);
  });

  it('refuses a certificate issued for another name even with the right CA', async () => {
    const result = await openTcp({ host: '127.0.0.1', port: server.port, tls: { ca: caFile, servername: 'example.com' }, timeoutMs: 5000 });
    assert.match(result.events[0] ?? '', /^connectionFailed: TLS handshake .* failed: .*(altnames|does not match|Hostname)/i);
  });
});
