import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChannelModel } from 'amqplib';
import * as vscode from 'vscode';
import type { Redis } from 'ioredis';
import type { BrokerExplorerApi } from '../../src/extension';
import type { TreeNode } from '../../src/ui/tree/treeNode';
import { waitFor as poll } from '../core/helpers/common';
import { mgmtOk } from '../core/helpers/mgmt';

// One copy of each helper lives in test/core/helpers (no mocha or vscode in them); the host suite uses them from there.
export { freePort, sleep } from '../core/helpers/common';
export { MANAGEMENT_URL as RABBIT_MANAGEMENT } from '../core/helpers/mgmt';
export { plainClient as plainRedis } from '../core/helpers/redis';

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

export async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!pattern.test(message)) throw new Error(`rejected with "${message}", expected ${pattern}`, { cause: err });
    return message;
  }
  throw new Error(`expected a rejection matching ${pattern}`);
}

/** Polls every 100 ms until `probe` gives a value (the host is slower than core: 20 s unless told). */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  return poll(what, probe, timeoutMs, 100);
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

/** A management API call as guest; a 404 on DELETE is fine. Returns the status. */
export async function rabbitMgmt(method: string, path: string, body?: unknown): Promise<number> {
  return (await mgmtOk(method, path, body)).status;
}

export async function rabbitMgmtJson<T>(path: string): Promise<T> {
  return (await mgmtOk('GET', path)).body as T;
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
