/**
 * A second RabbitMQ node of the test's own with only a TLS listener: its
 * own Erlang node name, ports, cookie, Mnesia and log directories in a temp
 * dir, no plugins, started with `rabbitmq-server -detached` and stopped
 * (and, failing that, killed) by `stop()`. It never touches the shared
 * node: the shared /etc/rabbitmq files are replaced through
 * RABBITMQ_CONF_ENV_FILE and RABBITMQ_CONFIG_FILE.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from './ownServers';

const BIN = '/usr/lib/rabbitmq/bin';

export function rabbitServerAvailable(): boolean {
  return existsSync(join(BIN, 'rabbitmq-server')) && existsSync(join(BIN, 'rabbitmqctl'));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class OwnRabbitTls {
  readonly node = `betls${randomBytes(3).toString('hex')}@localhost`;
  readonly dir = mkdtempSync(join(tmpdir(), 'be-rabbit-tls-'));
  private readonly env: NodeJS.ProcessEnv;
  /** How long the node took until its TLS port accepted connections. */
  startupMs = 0;

  private constructor(
    readonly port: number,
    distPort: number,
    tls: { cert: string; key: string; ca: string },
  ) {
    const d = (name: string): string => join(this.dir, name);
    mkdirSync(d('home'));
    writeFileSync(d('home/.erlang.cookie'), randomBytes(16).toString('hex').toUpperCase());
    chmodSync(d('home/.erlang.cookie'), 0o400);
    writeFileSync(
      d('rabbitmq.conf'),
      [
        'listeners.tcp = none',
        `listeners.ssl.default = 127.0.0.1:${port}`,
        `ssl_options.cacertfile = ${tls.ca}`,
        `ssl_options.certfile = ${tls.cert}`,
        `ssl_options.keyfile = ${tls.key}`,
        'ssl_options.verify = verify_none',
        'ssl_options.fail_if_no_peer_cert = false',
        '',
      ].join('\n'),
    );
    writeFileSync(d('enabled_plugins'), '[].\n');
    writeFileSync(d('rabbitmq-env.conf'), `NODENAME=${this.node}\nERL_EPMD_ADDRESS=127.0.0.1\n`);
    this.env = {
      PATH: process.env.PATH,
      HOME: d('home'),
      RABBITMQ_CONF_ENV_FILE: d('rabbitmq-env.conf'),
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: d('mnesia'),
      RABBITMQ_LOG_BASE: d('log'),
      RABBITMQ_CONFIG_FILE: d('rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: d('enabled_plugins'),
      RABBITMQ_PID_FILE: d('pid'),
      RABBITMQ_PLUGINS_EXPAND_DIR: d('plugins-expand'),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    };
  }

  /** Starts the node and resolves once its TLS port accepts connections (or rejects after `timeoutMs`, leaving nothing running). */
  static async start(tls: { cert: string; key: string; ca: string }, timeoutMs = 30_000): Promise<OwnRabbitTls> {
    const node = new OwnRabbitTls(await freePort(), await freePort(), tls);
    const started = Date.now();
    const launch = await run(join(BIN, 'rabbitmq-server'), ['-detached'], node.env, timeoutMs);
    while (!(await accepts(node.port))) {
      if (Date.now() - started > timeoutMs) {
        await node.stop();
        throw new Error(`the TLS RabbitMQ node did not listen within ${timeoutMs} ms (exit ${launch.code}): ${launch.out.slice(0, 500)}`);
      }
      await sleep(200);
    }
    node.startupMs = Date.now() - started;
    return node;
  }

  private pid(): number | undefined {
    try {
      const n = Number(readFileSync(join(this.dir, 'pid'), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops the node (rabbitmqctl stop, then SIGKILL if it is still there) and removes its directory. */
  async stop(): Promise<void> {
    const pid = this.pid();
    await run(join(BIN, 'rabbitmqctl'), ['-n', this.node, 'stop'], this.env, 20_000);
    if (pid !== undefined) {
      for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
