/**
 * Redis topologies a test owns, started from Debian's redis-server and
 * redis-cli on ports of their own and torn down after: a Redis Cluster of
 * 3 primaries + 3 replicas (`redis-cli --cluster create … --cluster-replicas
 * 1 --cluster-yes`), and one primary, one replica and 3 sentinels. They
 * never touch the shared server on 6379.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../core/helpers/common';

export interface Endpoint {
  host: string;
  port: number;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports from a random base in 20000–29999 whose
 * cluster-bus ports (+10000) are free too.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 9_900);
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = (await portFree(base + i)) && (await portFree(base + i + 10_000));
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports (with +10000 bus ports) were found`);
}

/** Runs redis-cli with `args`; resolves with stdout, rejects with its output on failure. */
export function redisCli(args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')} failed: ${stderr || stdout || err.message}`));
      else resolve(stdout);
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** One redis-server process (plain, cluster node, replica or sentinel) in its own folder. */
class ServerProcess {
  private proc: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly args: string[],
    private readonly sentinel = false,
  ) {}

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start(): Promise<void> {
    const args = this.sentinel ? [join(this.dir, `sentinel-${this.port}.conf`), '--sentinel'] : [];
    args.push('--port', String(this.port), '--bind', '127.0.0.1', '--protected-mode', 'no', '--dir', this.dir, ...this.args);
    if (!this.sentinel) args.push('--save', '', '--appendonly', 'no');
    this.proc = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(
      `redis-server on ${this.port}`,
      async () => (await redisCli(['-p', String(this.port), 'PING'], 2_000)).trim() === 'PONG',
      10_000,
    );
  }

  /** SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    if (!this.running || !this.proc) return;
    const exited = once(this.proc, 'exit');
    this.proc.kill('SIGKILL');
    await exited;
  }
}

/** A Redis Cluster of 3 primaries and 3 replicas on consecutive ports. */
export class RedisClusterTopology {
  private constructor(
    readonly nodes: Endpoint[],
    private readonly servers: ServerProcess[],
    private readonly dir: string,
  ) {}

  static async start(): Promise<RedisClusterTopology> {
    const base = await freePortRange(6);
    const dir = mkdtempSync(join(tmpdir(), 'be-redis-cluster-'));
    const servers = Array.from(
      { length: 6 },
      (_, i) =>
        new ServerProcess(base + i, dir, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${base + i}.conf`,
          '--cluster-node-timeout',
          '2000',
          // Replicas sync at once (default: 5 s later), so a failover can start as soon as start() returns.
          '--repl-diskless-sync-delay',
          '0',
        ]),
    );
    const topology = new RedisClusterTopology(
      servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
      servers,
      dir,
    );
    try {
      await Promise.all(servers.map((s) => s.start()));
      await redisCli(
        ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '1', '--cluster-yes'],
        60_000,
      );
      await waitFor(
        'cluster_state:ok and 3 replicas seen by every node',
        async () => {
          const infos = await Promise.all(servers.map((s) => redisCli(['-p', String(s.port), 'CLUSTER', 'INFO'], 2_000)));
          const views = await Promise.all(servers.map((s) => redisCli(['-p', String(s.port), 'CLUSTER', 'NODES'], 2_000)));
          return infos.every((i) => /cluster_state:ok/.test(i)) && views.every((v) => (v.match(/\bslave\b/g) ?? []).length === 3);
        },
        30_000,
      );
      // A replica that never synced cannot be promoted (CLUSTER FAILOVER waits, a crash is not failed over).
      await waitFor(
        'every replica in sync with its primary',
        async () => {
          const infos = await Promise.all(servers.map((s) => redisCli(['-p', String(s.port), 'INFO', 'replication'], 2_000)));
          return infos.filter((i) => /role:slave/.test(i) && /master_link_status:up/.test(i)).length === 3;
        },
        30_000,
      );
    } catch (err) {
      await topology.stop();
      throw err;
    }
    return topology;
  }

  /** `host:port` of each node by role, from CLUSTER NODES. */
  async roles(): Promise<{ primaries: Endpoint[]; replicas: Endpoint[] }> {
    const live = this.servers.find((s) => s.running);
    if (!live) throw new Error('no cluster node is running');
    const text = await redisCli(['-p', String(live.port), 'CLUSTER', 'NODES']);
    const primaries: Endpoint[] = [];
    const replicas: Endpoint[] = [];
    for (const line of text.trim().split('\n')) {
      const [, address, flags] = line.split(' ');
      if (!address || !flags || flags.includes('fail')) continue;
      const port = Number(address.split('@')[0].split(':')[1]);
      (/\bmaster\b/.test(flags) ? primaries : replicas).push({ host: '127.0.0.1', port });
    }
    return { primaries, replicas };
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One primary, one replica and 3 sentinels watching them under `name`. */
export class RedisSentinelTopology {
  readonly name = 'be-primary';

  private constructor(
    readonly primary: Endpoint,
    readonly replica: Endpoint,
    readonly sentinels: Endpoint[],
    private readonly servers: ServerProcess[],
    private readonly dir: string,
  ) {}

  static async start(): Promise<RedisSentinelTopology> {
    const base = await freePortRange(5);
    const dir = mkdtempSync(join(tmpdir(), 'be-redis-sentinel-'));
    const primary = new ServerProcess(base, dir, []);
    const replica = new ServerProcess(base + 1, dir, ['--replicaof', '127.0.0.1', String(base)]);
    const sentinels = [2, 3, 4].map((i) => {
      writeFileSync(
        join(dir, `sentinel-${base + i}.conf`),
        [
          `sentinel monitor be-primary 127.0.0.1 ${base} 2`,
          'sentinel down-after-milliseconds be-primary 2000',
          'sentinel failover-timeout be-primary 10000',
          'sentinel parallel-syncs be-primary 1',
          '',
        ].join('\n'),
      );
      return new ServerProcess(base + i, dir, [], true);
    });
    const all = [primary, replica, ...sentinels];
    const topology = new RedisSentinelTopology(
      { host: '127.0.0.1', port: primary.port },
      { host: '127.0.0.1', port: replica.port },
      sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      all,
      dir,
    );
    try {
      await primary.start();
      await replica.start();
      await waitFor(
        'the replica in sync',
        async () => /master_link_status:up/.test(await redisCli(['-p', String(replica.port), 'INFO', 'replication'], 2_000)),
        20_000,
      );
      await Promise.all(sentinels.map((s) => s.start()));
      await waitFor(
        'every sentinel to know the replica and the other sentinels',
        async () => {
          const views = await Promise.all(
            sentinels.map((s) => redisCli(['-p', String(s.port), 'SENTINEL', 'MASTER', 'be-primary'], 2_000)),
          );
          return views.every((v) => /num-slaves\n1\b/.test(v) && /num-other-sentinels\n2\b/.test(v));
        },
        30_000,
      );
    } catch (err) {
      await topology.stop();
      throw err;
    }
    return topology;
  }

  /** The primary the sentinels name now. */
  async currentPrimary(): Promise<Endpoint> {
    const reply = await redisCli(['-p', String(this.sentinels[0].port), 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name]);
    const [host, port] = reply.trim().split('\n');
    return { host, port: Number(port) };
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
