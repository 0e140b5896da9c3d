import type { ChildProcess } from 'node:child_process';
import type { ChannelModel } from 'amqplib';
import * as vscode from 'vscode';
import { Redis } from 'ioredis';
import type { BrokerExplorerApi } from '../../src/extension';
import type { TreeNode } from '../../src/ui/tree/treeNode';

export const EXTENSION_ID = 'broker-explorer.broker-explorer';

export async function api(): Promise<BrokerExplorerApi> {
  const ext = vscode.extensions.getExtension<BrokerExplorerApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

/** A node's contextValue: the way tests tell node kinds apart (classes differ across bundles). */
export async function contextOf(node: TreeNode): Promise<string> {
  const a = await api();
  const item = await a.redisTree.treeItem(node);
  return item.contextValue ?? '';
}

export function exec<T>(id: string, args?: unknown): Promise<T> {
  return Promise.resolve(vscode.commands.executeCommand<T>(id, args));
}

/** A plain client for seeding, outside the code under test. */
export function plainRedis(db: number): Redis {
  return new Redis({ host: '127.0.0.1', port: 6379, db, maxRetriesPerRequest: 1 });
}

export async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!pattern.test(message)) throw new Error(`rejected with "${message}", expected ${pattern}`);
    return message;
  }
  throw new Error(`expected a rejection matching ${pattern}`);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

// ---------------------------------------------------------------- reliability helpers (issue 7)

/**
 * Asserts `message` is one clear sentence: a single line, no stack frame,
 * ending like a sentence, and holding none of `secrets`.
 */
export function assertOneSentence(message: string, secrets: readonly string[] = []): void {
  if (message.trim() === '') throw new Error('the message is empty');
  if (/[\r\n]/.test(message)) throw new Error(`the message spans several lines: ${JSON.stringify(message)}`);
  if (/\bat [^\s]+ \(|\.(?:js|ts):\d+:\d+/.test(message)) throw new Error(`the message holds a stack frame: ${message}`);
  if (!/[.!?]["')\]]?$/.test(message)) throw new Error(`the message does not end like a sentence: ${message}`);
  if (message.length > 600) throw new Error(`the message is ${message.length} characters long: ${message.slice(0, 200)}…`);
  for (const s of secrets) if (s && message.includes(s)) throw new Error('the message holds a password');
}

export const RABBIT_MANAGEMENT = 'http://127.0.0.1:15672';
const GUEST_AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/** A management API call as guest; a 404 on DELETE is fine. Returns the status. */
export async function rabbitMgmt(method: string, path: string, body?: unknown): Promise<number> {
  const init: RequestInit = { method, headers: { authorization: GUEST_AUTH, 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${RABBIT_MANAGEMENT}${path}`, init);
  await res.text();
  if (res.status >= 400 && !(method === 'DELETE' && res.status === 404)) throw new Error(`${method} ${path} → ${res.status}`);
  return res.status;
}

export async function rabbitMgmtJson<T>(path: string): Promise<T> {
  const res = await fetch(`${RABBIT_MANAGEMENT}${path}`, { headers: { authorization: GUEST_AUTH } });
  if (res.status >= 400) throw new Error(`GET ${path} → ${res.status}`);
  return (await res.json()) as T;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Terminal text without ANSI escapes and carriage returns. */
export function plainText(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/** Every key of the client's database with its DUMP (type, value; not the TTL), sorted: equal snapshots mean an unchanged database. */
export async function redisSnapshot(client: Redis): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scanBuffer(cursor, 'COUNT', 1000);
    cursor = String(next);
    for (const k of batch) out.push(`${k.toString('hex')}=${(await client.dumpBuffer(k))?.toString('hex') ?? 'gone'}`);
  } while (cursor !== '0');
  return out.sort();
}

/** The queues (with arguments and depth), exchanges and bindings of a vhost: equal snapshots mean an unchanged vhost. */
export async function rabbitSnapshot(vhost: string, conn: ChannelModel): Promise<string> {
  const v = encodeURIComponent(vhost);
  const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
  const queues = (
    await rabbitMgmtJson<{ name: string; durable: boolean; arguments: unknown }[]>(`/api/queues/${v}?columns=name,durable,arguments`)
  ).sort(byName);
  const exchanges = (
    await rabbitMgmtJson<{ name: string; type: string; durable: boolean }[]>(`/api/exchanges/${v}?columns=name,type,durable,arguments`)
  ).sort(byName);
  const bindings = await rabbitMgmtJson<unknown[]>(`/api/bindings/${v}`);
  const depths: Record<string, number> = {};
  const ch = await conn.createChannel();
  try {
    for (const q of queues) depths[q.name] = (await ch.checkQueue(q.name)).messageCount;
  } finally {
    await ch.close();
  }
  return JSON.stringify({ queues, exchanges, bindings, depths });
}

export interface OwnRedis {
  port: number;
  readonly alive: boolean;
  /** SIGKILL, and wait until the process is gone. */
  kill9(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of the test's own on a free port (no persistence), answering PING before this resolves. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const launch = async (): Promise<void> => {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    child = proc;
    exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.on('error', () => undefined);
    await waitFor(
      `redis-server on port ${port}`,
      async () => {
        const probe = new Redis({
          host: '127.0.0.1',
          port,
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
          enableOfflineQueue: false,
        });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG' ? true : undefined;
        } catch {
          return undefined;
        } finally {
          probe.disconnect();
        }
      },
      10_000,
    );
  };
  await launch();
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
  };
  return {
    port,
    get alive(): boolean {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    kill9: () => kill('SIGKILL'),
    restart: launch,
    stop: () => kill('SIGTERM'),
  };
}

export type Answer = string | string[] | undefined;

export interface ScriptedPrompts {
  /** What was asked, in order: `input: <title>`, `pick: <title>`, `confirm: <message>`, `info: <message>`. */
  asked: string[];
  /** Puts the window prompts back. */
  restore(): void;
}

/**
 * Answers the commands' prompts in order, injected into the extension's
 * prompts service (nothing on `vscode.window` is patched): an input box gets
 * the text (refused when its validation says no), a quick pick the item(s)
 * whose label matches, a modal confirmation the button; `undefined`
 * dismisses. Notices are recorded.
 */
export async function scriptPrompts(answers: Answer[]): Promise<ScriptedPrompts> {
  const asked: string[] = [];
  const next = (what: string): Answer => {
    asked.push(what);
    if (answers.length === 0) throw new Error(`unexpected prompt: ${what}`);
    return answers.shift();
  };
  const injected = (await api()).prompts.inject({
    input: (title, options) => {
      const a = next(`input: ${title}`);
      if (typeof a !== 'string') return Promise.resolve(undefined);
      const problem = options.validate?.(a);
      if (problem) throw new Error(`the input box "${title}" refused ${JSON.stringify(a)}: ${problem}`);
      return Promise.resolve(a);
    },
    pick: <T extends vscode.QuickPickItem>(items: readonly T[], options: { title: string }, many: boolean) => {
      const a = next(`pick: ${options.title}`);
      if (a === undefined) return Promise.resolve(undefined);
      const wanted = Array.isArray(a) ? a : [a];
      const found = items.filter((i) => wanted.includes(i.label));
      if (!many && found.length === 0) throw new Error(`no item ${JSON.stringify(a)} in ${options.title}`);
      return Promise.resolve(many ? found : [found[0]]);
    },
    confirm: (message) => {
      const a = next(`confirm: ${message}`);
      return Promise.resolve(typeof a === 'string' ? a : undefined);
    },
    info: (message) => {
      asked.push(`info: ${message}`);
    },
  });
  return {
    asked,
    restore: (): void => {
      injected.dispose();
    },
  };
}
