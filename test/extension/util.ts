import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChannelModel } from 'amqplib';
import * as vscode from 'vscode';
import type { Redis } from 'ioredis';
import type { BrokerExplorerApi } from '../../src/extension';
import type { BACK as PROMPTS_BACK } from '../../src/ui/prompts';
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

/** The answer that presses Back on a step of a guided flow (the prompt must offer Back). */
export const BACK_ANSWER = '⟵ Back';
/** The answer that accepts an input box's prefilled value as it is (Enter), recorded as ` = <value>` after the title. */
export const KEEP_ANSWER = '⏎ keep';
// The extension's own Back answer: a registered symbol, so the test bundle's copy is the same value.
const BACK: typeof PROMPTS_BACK = Symbol.for('brokerExplorer.prompts.back') as typeof PROMPTS_BACK;

/** How a prompt is recorded: its title, and " [2/6]" when it is step 2 of 6 of a guided flow. */
function stepped(title: string, options: { step?: { index: number; total: number } }): string {
  return options.step ? `${title} [${options.step.index}/${options.step.total}]` : title;
}

/** Back when the script says so (refused where the prompt offers no Back), else undefined. */
function back(a: Answer, title: string, options: { step?: { back: boolean } }): typeof PROMPTS_BACK | undefined {
  if (a !== BACK_ANSWER) return undefined;
  if (!options.step?.back) throw new Error(`the prompt "${title}" has no Back button`);
  return BACK;
}

export interface ScriptedPrompts {
  /** What was asked, in order: `input: <title>`, `pick: <title>` (with ` [2/6]` for a step of a guided flow), `confirm: <message>`, `info: <message>`. */
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
      const a = next(`input: ${stepped(title, options)}`);
      const pressed = back(a, title, options);
      if (pressed) return Promise.resolve<typeof PROMPTS_BACK>(pressed);
      if (a === KEEP_ANSWER) {
        asked[asked.length - 1] += ` = ${options.password ? '•'.repeat((options.value ?? '').length) : (options.value ?? '')}`;
        return Promise.resolve(options.value ?? '');
      }
      if (typeof a !== 'string') return Promise.resolve(undefined);
      const problem = options.validate?.(a);
      if (problem) throw new Error(`the input box "${title}" refused ${JSON.stringify(a)}: ${problem}`);
      return Promise.resolve(a);
    },
    pick: <T extends vscode.QuickPickItem>(
      items: readonly T[],
      options: { title: string; step?: { index: number; total: number; back: boolean } },
      many: boolean,
    ) => {
      const a = next(`pick: ${stepped(options.title, options)}`);
      const pressed = back(a, options.title, options);
      if (pressed) return Promise.resolve<typeof PROMPTS_BACK>(pressed);
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
    // An error notification with buttons is recorded; it presses the button the next answer names as "button: <title>".
    error: (message, buttons) => {
      asked.push(`error: ${message} [${buttons.join(' | ')}]`);
      const a = answers[0];
      if (typeof a !== 'string' || !a.startsWith('button: ')) return Promise.resolve(undefined);
      answers.shift();
      return Promise.resolve(a.slice('button: '.length));
    },
  });
  return {
    asked,
    restore: (): void => {
      injected.dispose();
    },
  };
}

/** Runs a palette command with scripted answers; every answer must be asked. Returns the prompts asked, in order. */
export async function runScripted(command: string, answers: Answer[]): Promise<string[]> {
  const prompts = await scriptPrompts(answers);
  try {
    await vscode.commands.executeCommand(command);
  } finally {
    prompts.restore();
  }
  if (answers.length > 0) throw new Error(`prompts left unasked: ${JSON.stringify(answers)}`);
  return prompts.asked;
}
