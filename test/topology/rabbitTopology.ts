/**
 * RabbitMQ nodes a test owns: each with its own Erlang node name, ports,
 * Mnesia and log folders in a temp dir, started with `rabbitmq-server
 * -detached` and stopped (or killed) after; and a cluster of three such
 * nodes sharing a cookie, joined with `rabbitmqctl join_cluster`. The shared
 * node on 5672 and its /etc/rabbitmq files are never touched: the config is
 * replaced through RABBITMQ_CONF_ENV_FILE and RABBITMQ_CONFIG_FILE.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from '../core/helpers/common';

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

export interface OwnRabbitOptions {
  /** Erlang node name prefix (a random suffix is added). */
  name?: string;
  /** Cookie shared by the nodes of a cluster (default: a random one). */
  cookie?: string;
  /** Enable the management plugin on a port of its own. */
  management?: boolean;
  /** More plugins to enable (e.g. rabbitmq_shovel, rabbitmq_shovel_management); `management` adds rabbitmq_management. */
  plugins?: string[];
  /** Only a TLS listener, with these files (no plain AMQP port). */
  tls?: { cert: string; key: string; ca: string };
  timeoutMs?: number;
}

/** One RabbitMQ node of the test's own. */
export class OwnRabbitNode {
  readonly node: string;
  readonly dir = mkdtempSync(join(tmpdir(), 'be-rabbit-'));
  readonly env: NodeJS.ProcessEnv;
  /** How long the node took until its AMQP port accepted connections. */
  startupMs = 0;

  private constructor(
    readonly port: number,
    readonly managementPort: number | undefined,
    distPort: number,
    options: OwnRabbitOptions,
  ) {
    this.node = `${options.name ?? 'be'}${randomBytes(3).toString('hex')}@localhost`;
    const d = (name: string): string => join(this.dir, name);
    mkdirSync(d('home'));
    writeFileSync(d('home/.erlang.cookie'), options.cookie ?? randomBytes(16).toString('hex').toUpperCase());
    chmodSync(d('home/.erlang.cookie'), 0o400);
    const conf = options.tls
      ? [
          'listeners.tcp = none',
          `listeners.ssl.default = 127.0.0.1:${port}`,
          `ssl_options.cacertfile = ${options.tls.ca}`,
          `ssl_options.certfile = ${options.tls.cert}`,
          `ssl_options.keyfile = ${options.tls.key}`,
          'ssl_options.verify = verify_none',
          'ssl_options.fail_if_no_peer_cert = false',
        ]
      : [`listeners.tcp.default = 127.0.0.1:${port}`, 'loopback_users = none'];
    if (managementPort !== undefined) conf.push(`management.tcp.port = ${managementPort}`, 'management.tcp.ip = 127.0.0.1');
    writeFileSync(d('rabbitmq.conf'), `${conf.join('\n')}\n`);
    const plugins = [...(managementPort !== undefined ? ['rabbitmq_management'] : []), ...(options.plugins ?? [])];
    writeFileSync(d('enabled_plugins'), `[${plugins.join(',')}].\n`);
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

  /** Starts a node and resolves once its AMQP port accepts connections (or rejects, leaving nothing running). */
  static async start(options: OwnRabbitOptions = {}): Promise<OwnRabbitNode> {
    const node = new OwnRabbitNode(await freePort(), options.management ? await freePort() : undefined, await freePort(), options);
    await node.launch(options.timeoutMs ?? 60_000);
    return node;
  }

  get amqpUrl(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}/`;
  }

  get managementUrl(): string | undefined {
    return this.managementPort === undefined ? undefined : `http://127.0.0.1:${this.managementPort}`;
  }

  /** Starts (again) and waits for the AMQP port. */
  async launch(timeoutMs = 60_000): Promise<void> {
    const started = Date.now();
    const launch = await run(join(BIN, 'rabbitmq-server'), ['-detached'], this.env, timeoutMs);
    while (!(await accepts(this.port))) {
      if (Date.now() - started > timeoutMs) {
        await this.stop();
        throw new Error(
          `RabbitMQ node ${this.node} did not listen within ${timeoutMs} ms (exit ${launch.code}): ${launch.out.slice(0, 500)}`,
        );
      }
      await sleep(200);
    }
    this.startupMs = Date.now() - started;
  }

  /** rabbitmqctl against this node; rejects with its output on failure. */
  async ctl(args: string[], timeoutMs = 60_000): Promise<string> {
    const r = await run(join(BIN, 'rabbitmqctl'), ['-n', this.node, ...args], this.env, timeoutMs);
    if (r.code !== 0) throw new Error(`rabbitmqctl ${args.join(' ')} on ${this.node} failed (exit ${r.code}): ${r.out.slice(0, 500)}`);
    return r.out;
  }

  private pid(): number | undefined {
    try {
      const n = Number(readFileSync(join(this.dir, 'pid'), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops the Erlang VM (rabbitmqctl stop, then SIGKILL); the folder stays so that `launch` can start it again. */
  async halt(): Promise<void> {
    const pid = this.pid();
    await run(join(BIN, 'rabbitmqctl'), ['-n', this.node, 'stop'], this.env, 20_000);
    if (pid !== undefined) {
      for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }

  /** Stops the node and removes its folder. */
  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Three nodes of the test's own joined into one cluster (the first is the seed). */
export class RabbitClusterTopology {
  private constructor(readonly nodes: OwnRabbitNode[]) {}

  static async start(options: { management?: boolean; timeoutMs?: number } = {}): Promise<RabbitClusterTopology> {
    const cookie = randomBytes(16).toString('hex').toUpperCase();
    const nodes: OwnRabbitNode[] = [];
    try {
      // One after the other: three Erlang VMs booting at once on 2 cores time out.
      for (const name of ['bea', 'beb', 'bec']) nodes.push(await OwnRabbitNode.start({ ...options, name, cookie }));
      for (const n of nodes.slice(1)) {
        await n.ctl(['stop_app']);
        await n.ctl(['join_cluster', nodes[0].node]);
        await n.ctl(['start_app']);
      }
    } catch (err) {
      await Promise.all(nodes.map((n) => n.stop()));
      throw err;
    }
    return new RabbitClusterTopology(nodes);
  }

  get amqpUrls(): string[] {
    return this.nodes.map((n) => n.amqpUrl);
  }

  /** Running node names as the seed sees them. */
  async runningNodes(): Promise<string[]> {
    const live = this.nodes.find((n) => existsSync(n.dir));
    if (!live) return [];
    const status = JSON.parse(await live.ctl(['cluster_status', '--formatter', 'json'])) as { running_nodes?: string[] };
    return status.running_nodes ?? [];
  }

  async stop(): Promise<void> {
    for (const n of [...this.nodes].reverse()) await n.stop();
  }
}
