import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

/**
 * The text of every output channel file whose name contains `part`: plain channels are written under the
 * extension host's log folder (output_logging_*), the extension's own LogOutputChannel under context.logUri.
 */
export async function outputChannelText(part: string): Promise<string> {
  const a = await api();
  const exthost = dirname(a.logUri.fsPath);
  const dirs = (await readdir(exthost)).filter((d) => d.startsWith('output_logging')).map((d) => join(exthost, d));
  dirs.push(a.logUri.fsPath);
  let text = '';
  for (const dir of dirs) {
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const f of files) if (f.includes(part)) text += await readFile(join(dir, f), 'utf8');
  }
  return text;
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

/**
 * Answers prompts in order: an input box gets the text, a quick pick the
 * item(s) whose label matches, a modal warning the button; information
 * messages are recorded. `restore()` puts the real window functions back.
 */
export function scriptPrompts(answers: Answer[]): { asked: string[]; restore(): void } {
  const w = vscode.window as unknown as Record<string, unknown>;
  const saved = {
    showQuickPick: w.showQuickPick,
    showInputBox: w.showInputBox,
    showWarningMessage: w.showWarningMessage,
    showInformationMessage: w.showInformationMessage,
  };
  const asked: string[] = [];
  const next = (what: string): Answer => {
    asked.push(what);
    if (answers.length === 0) throw new Error(`unexpected prompt: ${what}`);
    return answers.shift();
  };
  w.showInputBox = async (options?: vscode.InputBoxOptions): Promise<string | undefined> => {
    const a = next(`input: ${options?.title ?? ''}`);
    return typeof a === 'string' ? a : undefined;
  };
  w.showQuickPick = async (
    items: readonly (string | vscode.QuickPickItem)[] | Thenable<readonly (string | vscode.QuickPickItem)[]>,
    options?: vscode.QuickPickOptions,
  ): Promise<unknown> => {
    const list = await items;
    const a = next(`pick: ${options?.title ?? ''}`);
    if (a === undefined) return undefined;
    const wanted = Array.isArray(a) ? a : [a];
    const found = list.filter((i) => wanted.includes(typeof i === 'string' ? i : i.label));
    if (options?.canPickMany) return found;
    if (found.length === 0) throw new Error(`no item ${JSON.stringify(a)} in ${options?.title ?? ''}`);
    return found[0];
  };
  w.showWarningMessage = async (message: string, ...rest: unknown[]): Promise<unknown> => {
    const modal = typeof rest[0] === 'object' && rest[0] !== null && (rest[0] as { modal?: boolean }).modal;
    if (!modal) return undefined;
    const a = next(`confirm: ${message}`);
    return typeof a === 'string' ? a : undefined;
  };
  w.showInformationMessage = async (message: string): Promise<undefined> => {
    asked.push(`info: ${message}`);
    return undefined;
  };
  return { asked, restore: () => Object.assign(w, saved) };
}
