/**
 * Servers a test owns and may kill: a redis-server on a free port (plain or
 * TLS) that can be killed with SIGKILL and started again on the same port,
 * a listener that accepts and never answers, a recording Logger, and a
 * throw-away CA with a server certificate for 127.0.0.1.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../../src/core/logger';
import { freePort } from './common';

export { freePort, sleep } from './common';

export interface RedisTlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/** A redis-server of the test's own on 127.0.0.1, no persistence. */
export class OwnRedis {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'be-own-redis-'));

  private constructor(
    readonly port: number,
    private readonly tls: RedisTlsFiles | undefined,
  ) {}

  /** Starts a server on a free port; with `tls`, only a TLS port (`--port 0`). */
  static async start(tls?: RedisTlsFiles): Promise<OwnRedis> {
    const server = new OwnRedis(await freePort(), tls);
    await server.start();
    return server;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null;
  }

  /** Starts (again) on the same port and resolves once it accepts connections. */
  async start(): Promise<void> {
    const args = [
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--protected-mode',
      'no',
      '--loglevel',
      'notice',
    ];
    if (this.tls) {
      args.push(
        '--port',
        '0',
        '--tls-port',
        String(this.port),
        '--tls-cert-file',
        this.tls.cert,
        '--tls-key-file',
        this.tls.key,
        '--tls-ca-cert-file',
        this.tls.ca,
        '--tls-auth-clients',
        'no',
      );
    } else {
      args.push('--port', String(this.port));
    }
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${this.port}: ${out}`)), 10_000);
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${String(code)}: ${out}`));
      });
    });
    // Keep draining its output so a full pipe never blocks it.
    proc.stdout?.resume();
    proc.stderr?.resume();
  }

  /** kill -9, and wait until the process is gone. */
  async kill(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A TCP listener that accepts connections and never sends a byte. */
export class SilentListener {
  private readonly sockets = new Set<net.Socket>();
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
      // Read (and drop) what comes, so a client's close is noticed.
      socket.resume();
    });
  }

  /** Connections accepted so far and still open. */
  get open(): number {
    return this.sockets.size;
  }

  static async start(): Promise<SilentListener> {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new SilentListener(server, (server.address() as net.AddressInfo).port);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface LogLine {
  level: keyof Logger;
  message: string;
  /** Milliseconds since the logger was made. */
  at: number;
}

/** A Logger that keeps every line, for asserting what the core logged. */
export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];
  private readonly born = Date.now();

  private add(level: keyof Logger, message: string): void {
    this.lines.push({ level, message, at: Date.now() - this.born });
  }

  trace(message: string): void {
    this.add('trace', message);
  }
  debug(message: string): void {
    this.add('debug', message);
  }
  info(message: string): void {
    this.add('info', message);
  }
  warn(message: string): void {
    this.add('warn', message);
  }
  error(message: string): void {
    this.add('error', message);
  }

  /** Lines whose message matches. */
  matching(re: RegExp): LogLine[] {
    return this.lines.filter((l) => re.test(l.message));
  }
}

export interface TestCa {
  dir: string;
  /** CA certificate (PEM file). */
  ca: string;
  /** Server certificate for IP 127.0.0.1 and DNS localhost, signed by the CA. */
  cert: string;
  key: string;
  /** A second, unrelated CA: verification against it must fail. */
  otherCa: string;
  dispose(): void;
}

/** Makes a CA and a server certificate with openssl in a temp dir. */
export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'be-test-ca-'));
  const p = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const newKey = ['-newkey', 'rsa:2048', '-nodes'];
  const selfSignedCa = (name: string, subject: string): void =>
    ssl('req', '-x509', ...newKey, '-keyout', p(`${name}.key`), '-out', p(`${name}.crt`), '-days', '2', '-subj', subject);
  selfSignedCa('ca', '/CN=Broker Explorer Test CA');
  selfSignedCa('other', '/CN=Unrelated Test CA');
  ssl('req', ...newKey, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(
    p('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  ssl(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.crt'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('server.crt'),
    '-days',
    '2',
    '-extfile',
    p('ext.cnf'),
  );
  return {
    dir,
    ca: p('ca.crt'),
    cert: p('server.crt'),
    key: p('server.key'),
    otherCa: p('other.crt'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
