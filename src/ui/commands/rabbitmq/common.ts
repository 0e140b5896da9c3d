/**
 * What every RabbitMQ command shares: its services, the (profile, vhost)
 * it works on (from the arguments, the tree node, or a pick), prompts that
 * cancel silently, and pickers for exchanges and queues that page and
 * filter on the broker.
 */
import * as vscode from 'vscode';
import type { AmqpPool, AmqpSession } from '../../../core/amqp/amqpSession';
import type { ExchangeInfo, QueueInfo } from '../../../core/amqp/managementTypes';
import { InputError, NotFoundError } from '../../../core/errors';
import type { ResolvedRabbitProfile } from '../../../core/profiles';
import { formatCount } from '../../../core/units';
import type { ExtensionLog } from '../../log';
import type { ProfileStore } from '../../profileStore';
import type { Settings } from '../../settings';
import type { TailRegistry } from '../../tails/tailRegistry';
import { BindingNode, ExchangeNode, QueueNode } from '../../tree/rabbitItems';
import { rabbitNodeTarget } from '../../tree/rabbitNodes';
import type { RabbitTree } from '../../tree/rabbitTree';
import type { TreeNode } from '../../tree/treeNode';
import { str, type Args } from '../args';
import type { CommandCall } from '../registry';
import type { Prompts } from '../../prompts';
import { resolveTargetOf, type TargetKind } from '../target';
import type { RabbitDocuments } from './documents';

export interface RabbitDeps {
  profiles: ProfileStore;
  pool: AmqpPool;
  tree: RabbitTree;
  tails: TailRegistry;
  settings(): Settings;
  log: ExtensionLog;
  documents: RabbitDocuments;
  /** A folder the extension may write to (message drafts). */
  storageDir(): string;
}

export interface Target {
  profile: ResolvedRabbitProfile;
  vhost: string;
  session: AmqpSession;
}

/** How RabbitMQ targets are found: profile → vhost, sessions from the pool. */
function rabbitKind(deps: RabbitDeps): TargetKind<ResolvedRabbitProfile, string, AmqpSession> {
  return {
    kind: 'rabbitmq',
    fromNode: (node) => {
      const t = rabbitNodeTarget(node);
      if (!t) return undefined;
      return t.vhost === undefined ? { profile: t.profile } : { profile: t.profile, part: t.vhost };
    },
    partFromArgs: (args, profile) => str(args, 'vhost') ?? profile.vhost,
    defaultPart: (profile) => profile.vhost,
    askPart: (profile, _title, prompts) => pickVhost(deps, prompts, profile),
    session: (profile, vhost) => deps.pool.session(profile.name, vhost),
  };
}

/** The (profile, vhost) of a call: `profile` / `vhost` arguments, the node's, or picked. */
export async function target(deps: RabbitDeps, call: CommandCall): Promise<Target> {
  const t = await resolveTargetOf(rabbitKind(deps), deps.profiles, call, 'RabbitMQ');
  return { profile: t.profile, vhost: t.part, session: t.session };
}

/** The profile's vhost, or a pick when the broker has several. */
export async function pickVhost(deps: RabbitDeps, prompts: Prompts, profile: ResolvedRabbitProfile): Promise<string> {
  let names: string[];
  try {
    const session = await deps.pool.session(profile.name);
    names = (await session.management().listVhosts({ pageSize: 500 })).items.map((v) => v.name);
  } catch {
    return profile.vhost; // no management API: the profile's own vhost
  }
  if (names.length <= 1) return names[0] ?? profile.vhost;
  const items = [profile.vhost, ...names.filter((n) => n !== profile.vhost)].map((n) => ({
    label: n,
    description: n === profile.vhost ? vscode.l10n.t("the profile's vhost") : '',
  }));
  return (await prompts.pick(items, { title: vscode.l10n.t('Vhost on {0}', profile.name) })).label;
}

/** `Target` as text for prompts: `vhost "/" of "local"`. */
export function where(t: { profile: ResolvedRabbitProfile; vhost: string }): string {
  return vscode.l10n.t('vhost "{0}" of "{1}"', t.vhost, t.profile.name);
}

/** Parses an optional JSON object typed by the user ("" → undefined); `what` is a localized plural noun ("queue arguments"). */
export function jsonObject(text: string, what: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(vscode.l10n.t('The {0} are not valid JSON: write an object such as {1}.', what, '{ "key": "value" }'));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(vscode.l10n.t('The {0} must be a JSON object such as {1}.', what, '{ "key": "value" }'));
  return value as Record<string, unknown>;
}

export function validateJsonObject(text: string): string | undefined {
  try {
    jsonObject(text, vscode.l10n.t('value'));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export function validateWholeNumber(min: number, max = Number.MAX_SAFE_INTEGER, optional = false): (v: string) => string | undefined {
  return (v) => {
    if (optional && v.trim() === '') return undefined;
    const n = Number(v);
    if (/^\s*\d+\s*$/.test(v) && n >= min && n <= max) return undefined;
    const bounded = max < Number.MAX_SAFE_INTEGER;
    if (bounded)
      return optional
        ? vscode.l10n.t('Give a whole number from {0} to {1}, or leave it empty.', min, max)
        : vscode.l10n.t('Give a whole number from {0} to {1}.', min, max);
    return optional
      ? vscode.l10n.t('Give a whole number from {0}, or leave it empty.', min)
      : vscode.l10n.t('Give a whole number from {0}.', min);
  };
}

export type Entity = { kind: 'exchange'; name: string; info?: ExchangeInfo } | { kind: 'queue'; name: string; info?: QueueInfo };

/** The exchange or queue a node stands for (a binding: its source exchange, or its queue). */
export function nodeEntity(node: TreeNode | undefined, kind: 'exchange' | 'queue'): Entity | undefined {
  if (kind === 'exchange' && node instanceof ExchangeNode) return { kind, name: node.info.name, info: node.info };
  if (kind === 'queue' && node instanceof QueueNode) return { kind, name: node.info.name, info: node.info };
  if (node instanceof BindingNode) {
    const b = node.binding;
    if (kind === 'exchange') return { kind, name: b.source };
    if (b.destinationType === 'queue') return { kind, name: b.destination };
  }
  return undefined;
}

export interface PickEntityOptions {
  title: string;
  /** Offer the default exchange (""). */
  allowDefault?: boolean;
  /** Leave out the built-in exchanges (`amq.*`, ""). */
  hideBuiltIn?: boolean;
  /** Accept a typed name that is not listed (declared elsewhere, or beyond the listed page). */
  allowTyped?: boolean;
}

interface EntityItem extends vscode.QuickPickItem {
  entity: Entity;
}

/**
 * A quick pick of the vhost's exchanges or queues: the first 500 by name;
 * when there are more, typing filters on the broker.
 */
export async function pickEntity(prompts: Prompts, t: Target, kind: 'exchange' | 'queue', options: PickEntityOptions): Promise<Entity> {
  const m = t.session.management();
  const load = async (filter: string): Promise<{ items: EntityItem[]; total: number }> => {
    const opts = { pageSize: 500, ...(filter ? { filter } : {}) };
    if (kind === 'exchange') {
      const page = await m.listExchanges(t.vhost, opts);
      const items = page.items
        .filter((x) => (x.name === '' ? options.allowDefault === true : !(options.hideBuiltIn && x.builtIn)))
        .map((x): EntityItem => ({
          label: x.name === '' ? vscode.l10n.t('(AMQP default)') : x.name,
          description: x.builtIn ? vscode.l10n.t('{0} · built-in', x.type) : x.type,
          entity: { kind, name: x.name, info: x },
        }));
      return { items, total: page.total };
    }
    const page = await m.listQueues(t.vhost, opts);
    const items = page.items.map((q): EntityItem => ({
      label: q.name,
      description: vscode.l10n.t('{0} · {1} ready', q.type, q.messagesReady === undefined ? '?' : formatCount(q.messagesReady)),
      entity: { kind, name: q.name, info: q },
    }));
    return { items, total: page.total };
  };
  const first = await load('');
  if (first.items.length === 0 && !options.allowTyped)
    throw new NotFoundError(
      kind === 'exchange'
        ? vscode.l10n.t('There are no exchanges to choose from in {0}.', where(t))
        : vscode.l10n.t('There are no queues to choose from in {0}.', where(t)),
    );
  const placeHolder =
    first.total > first.items.length ? manyPlaceholder(kind, first.total) : choosePlaceholder(kind, options.allowTyped === true);
  const typed = (value: string, listed: readonly EntityItem[]): EntityItem[] =>
    options.allowTyped && value !== '' && !listed.some((i) => i.entity.name === value)
      ? [{ label: value, description: vscode.l10n.t('use this name'), alwaysShow: true, entity: { kind, name: value } }]
      : [];
  const picked = await prompts.pickLive(first.items, {
    title: options.title,
    placeHolder,
    typed,
    ...(first.total > first.items.length ? { reload: async (value: string) => (await load(value)).items } : {}),
  });
  return picked.entity;
}

/** The placeholder of a long entity pick: `1,234 queues: type to filter`. */
function manyPlaceholder(kind: 'exchange' | 'queue', total: number): string {
  return kind === 'exchange'
    ? vscode.l10n.t('{0} exchanges: type to filter', formatCount(total))
    : vscode.l10n.t('{0} queues: type to filter', formatCount(total));
}

/** The placeholder of a short entity pick: `Choose a queue, or type a name`. */
function choosePlaceholder(kind: 'exchange' | 'queue', allowTyped: boolean): string {
  if (kind === 'exchange') return allowTyped ? vscode.l10n.t('Choose an exchange, or type a name') : vscode.l10n.t('Choose an exchange');
  return allowTyped ? vscode.l10n.t('Choose a queue, or type a name') : vscode.l10n.t('Choose a queue');
}

/** The exchange a command works on: from args, the node, or a pick. */
export async function exchangeArg(
  t: Target,
  call: CommandCall,
  key: string,
  options: PickEntityOptions,
): Promise<Entity & { kind: 'exchange' }> {
  if (call.args) return { kind: 'exchange', name: str(call.args, key, true) };
  const fromNode = nodeEntity(call.node, 'exchange');
  if (fromNode?.kind === 'exchange') return fromNode;
  return (await pickEntity(call.prompts, t, 'exchange', options)) as Entity & { kind: 'exchange' };
}

/** The queue a command works on: from args, the node, or a pick. */
export async function queueArg(t: Target, call: CommandCall, key: string, options: PickEntityOptions): Promise<Entity & { kind: 'queue' }> {
  if (call.args) return { kind: 'queue', name: str(call.args, key, true) };
  const fromNode = nodeEntity(call.node, 'queue');
  if (fromNode?.kind === 'queue') return fromNode;
  return (await pickEntity(call.prompts, t, 'queue', options)) as Entity & { kind: 'queue' };
}

/** Plain-object arguments of a call ({} when interactive). */
export function argsOf(call: CommandCall): Args {
  return call.args ?? {};
}

/** Signal for a non-interactive call, or a notification progress with Cancel for an interactive one. */
export async function withCancel<T>(call: CommandCall, title: string, work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  if (!call.interactive) return work(undefined);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    return work(controller.signal);
  });
}
