/**
 * Managing RabbitMQ topology: declare exchanges and queues (declare.ts),
 * bind and unbind, delete and purge — the destructive ones ask first when a
 * person runs them, naming what goes.
 */
import * as vscode from 'vscode';
import type { BindingInfo } from '../../../core/amqp/managementTypes';
import { bind, checkQueue, deleteExchange, deleteQueue, purgeQueue, unbind, type BindArgs } from '../../../core/amqp/topology';
import { InputError } from '../../../core/errors';
import { formatCount } from '../../../core/units';
import { BindingNode, ExchangeNode, QueueNode } from '../../tree/rabbitItems';
import { bool, obj, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { exchangeArg, jsonObject, pickEntity, queueArg, target, validateJsonObject, where, type RabbitDeps, type Target } from './common';
import { doDeclareExchange, doDeclareQueue } from './declare';
import { exchangeLabel } from './format';

function refreshAll(deps: RabbitDeps, t: Target): void {
  deps.tree.refreshFolder(t.profile.name, t.vhost, 'exchanges', 'queues');
}

/** The binding a bind / unbind call names: from args, a binding node, or prompts. */
async function bindingArgs(call: CommandCall, t: Target, verb: 'bind' | 'unbind'): Promise<BindArgs> {
  if (call.args) return bindingFromArgs(call.args);
  return verb === 'unbind' ? pickBindingToRemove(call, t) : askBindingToAdd(call, t);
}

/** The binding named by a call's arguments. */
function bindingFromArgs(a: Record<string, unknown>): BindArgs {
  const destinationType = str(a, 'destinationType') ?? 'queue';
  if (destinationType !== 'queue' && destinationType !== 'exchange')
    throw new InputError(vscode.l10n.t('"destinationType" must be "queue" or "exchange", not {0}.', JSON.stringify(destinationType)));
  const out: BindArgs = {
    source: str(a, 'source', true),
    destination: str(a, 'destination', true),
    destinationType,
    routingKey: str(a, 'routingKey') ?? '',
  };
  const table = obj(a, 'arguments');
  if (table !== undefined) out.arguments = table;
  return out;
}

/** The binding to remove: the binding node the call came from, or one picked from an exchange's bindings. */
async function pickBindingToRemove(call: CommandCall, t: Target): Promise<BindArgs> {
  if (call.node instanceof BindingNode) return fromBinding(call.node.binding);
  const source = await exchangeArg(t, call, 'source', {
    title: vscode.l10n.t('Unbind from which exchange of {0}?', where(t)),
    hideBuiltIn: false,
  });
  const bindings = await t.session.management().listBindings(t.vhost, { exchange: source.name }, { pageSize: 500 });
  if (bindings.items.length === 0)
    throw new InputError(vscode.l10n.t('Exchange "{0}" in {1} has no bindings to remove.', source.name, where(t)));
  const pick = await call.prompts.pick(
    bindings.items.map((b) => ({
      label: `→ ${b.destinationType} ${b.destination}`,
      description: b.routingKey === '' ? vscode.l10n.t('(no key)') : b.routingKey,
      detail: Object.keys(b.arguments).length ? JSON.stringify(b.arguments) : undefined,
      binding: b,
    })),
    { title: vscode.l10n.t('Which binding of exchange "{0}"?', source.name) },
  );
  return fromBinding(pick.binding);
}

/** The binding to add: from an exchange node (the source), a queue node (the destination), or prompts. */
async function askBindingToAdd(call: CommandCall, t: Target): Promise<BindArgs> {
  const queueNode = call.node instanceof QueueNode ? call.node : undefined;
  const sourceNode = call.node instanceof ExchangeNode && call.node.info.name !== '' ? call.node : undefined;
  const source = sourceNode
    ? { name: sourceNode.info.name, info: sourceNode.info }
    : await pickEntity(call.prompts, t, 'exchange', {
        title: vscode.l10n.t('Bind to which exchange of {0}?', where(t)),
        allowTyped: true,
        hideBuiltIn: false,
      });
  let destinationType: 'queue' | 'exchange' = 'queue';
  let destination: string;
  if (queueNode) destination = queueNode.info.name;
  else {
    destinationType = (
      await call.prompts.pick(
        [
          { label: vscode.l10n.t('Queue'), value: 'queue' as const },
          { label: vscode.l10n.t('Exchange'), value: 'exchange' as const, detail: vscode.l10n.t('exchange-to-exchange binding') },
        ],
        { title: vscode.l10n.t('Bind what to exchange "{0}"?', source.name) },
      )
    ).value;
    destination = (
      await pickEntity(call.prompts, t, destinationType, {
        title:
          destinationType === 'queue'
            ? vscode.l10n.t('Which queue receives from "{0}"?', source.name)
            : vscode.l10n.t('Which exchange receives from "{0}"?', source.name),
        allowTyped: true,
      })
    ).name;
  }
  const type = source.info && 'type' in source.info ? source.info.type : undefined;
  const routingKey =
    type === 'fanout' || type === 'headers'
      ? ''
      : await call.prompts.ask(
          destinationType === 'queue'
            ? vscode.l10n.t('Binding key from "{0}" to queue "{1}"', source.name, destination)
            : vscode.l10n.t('Binding key from "{0}" to exchange "{1}"', source.name, destination),
          {
            value: '',
            prompt:
              type === 'topic'
                ? vscode.l10n.t('A pattern: * matches one word, # zero or more words.')
                : vscode.l10n.t('Messages with exactly this routing key are routed.'),
          },
        );
  const table =
    type === 'headers'
      ? jsonObject(
          await call.prompts.ask(vscode.l10n.t('Binding arguments (JSON)'), {
            value: '{ "x-match": "all" }',
            validate: validateJsonObject,
          }),
          vscode.l10n.t('binding arguments'),
        )
      : undefined;
  return { source: source.name, destination, destinationType, routingKey, ...(table ? { arguments: table } : {}) };
}

function fromBinding(b: BindingInfo): BindArgs {
  return {
    source: b.source,
    destination: b.destination,
    destinationType: b.destinationType,
    routingKey: b.routingKey,
    arguments: b.arguments,
  };
}

async function doBind(deps: RabbitDeps, call: CommandCall, verb: 'bind' | 'unbind'): Promise<Record<string, never>> {
  const t = await target(deps, call);
  const args = await bindingArgs(call, t, verb);
  if (verb === 'unbind' && call.interactive) {
    const key = args.routingKey ?? '';
    await call.prompts.confirm(
      args.destinationType === 'exchange'
        ? vscode.l10n.t(
            'Remove the binding from exchange "{0}" to exchange "{1}" (key "{2}") in {3}?',
            exchangeLabel(args.source),
            args.destination,
            key,
            where(t),
          )
        : vscode.l10n.t(
            'Remove the binding from exchange "{0}" to queue "{1}" (key "{2}") in {3}?',
            exchangeLabel(args.source),
            args.destination,
            key,
            where(t),
          ),
      vscode.l10n.t('Unbind'),
      vscode.l10n.t('Messages with this routing key stop reaching it.'),
    );
  }
  const result = verb === 'bind' ? await bind(t.session, args) : await unbind(t.session, args);
  refreshAll(deps, t);
  return result;
}

async function doDeleteQueue(deps: RabbitDeps, call: CommandCall): Promise<{ messageCount: number }> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'name', { title: vscode.l10n.t('Delete which queue of {0}?', where(t)) });
  const a = call.args ?? {};
  const ifUnused = bool(a, 'ifUnused');
  const ifEmpty = bool(a, 'ifEmpty');
  if (call.interactive) {
    const counts = await checkQueue(t.session, q.name);
    const n = counts.messageCount;
    const question =
      n === 0
        ? vscode.l10n.t('Delete queue "{0}" in {1}?', q.name, where(t))
        : n === 1
          ? vscode.l10n.t('Delete queue "{0}" in {1} and its {2} ready message?', q.name, where(t), formatCount(n))
          : vscode.l10n.t('Delete queue "{0}" in {1} and its {2} ready messages?', q.name, where(t), formatCount(n));
    const held = n === 0 ? vscode.l10n.t('It holds no ready messages.') : vscode.l10n.t('The messages are lost.');
    const consumers =
      counts.consumerCount > 0 ? `${vscode.l10n.t('{0} consumer(s) will be cancelled.', formatCount(counts.consumerCount))} ` : '';
    await call.prompts.confirm(question, vscode.l10n.t('Delete'), `${held} ${consumers}${vscode.l10n.t('This cannot be undone.')}`);
  }
  const result = await deleteQueue(t.session, {
    name: q.name,
    ...(ifUnused !== undefined ? { ifUnused } : {}),
    ...(ifEmpty !== undefined ? { ifEmpty } : {}),
  });
  refreshAll(deps, t);
  return result;
}

async function doDeleteExchange(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  const t = await target(deps, call);
  const x = await exchangeArg(t, call, 'name', { title: vscode.l10n.t('Delete which exchange of {0}?', where(t)), hideBuiltIn: true });
  const ifUnused = bool(call.args ?? {}, 'ifUnused');
  if (call.interactive) {
    let bindings = 0;
    try {
      const m = t.session.management();
      const [from, to] = await Promise.all([
        m.bindingsOf(t.vhost, { exchange: x.name }),
        m.bindingsOf(t.vhost, { exchange: x.name, direction: 'destination' }),
      ]);
      bindings = from.length + to.length;
    } catch {
      // best effort: the count only informs the question
    }
    const question =
      bindings === 0
        ? vscode.l10n.t('Delete exchange "{0}" in {1}?', x.name, where(t))
        : bindings === 1
          ? vscode.l10n.t('Delete exchange "{0}" in {1} and its {2} binding?', x.name, where(t), formatCount(bindings))
          : vscode.l10n.t('Delete exchange "{0}" in {1} and its {2} bindings?', x.name, where(t), formatCount(bindings));
    await call.prompts.confirm(
      question,
      vscode.l10n.t('Delete'),
      vscode.l10n.t('Messages published to it afterwards are refused. This cannot be undone.'),
    );
  }
  const result = await deleteExchange(t.session, { name: x.name, ...(ifUnused !== undefined ? { ifUnused } : {}) });
  refreshAll(deps, t);
  return result;
}

async function doPurgeQueue(deps: RabbitDeps, call: CommandCall): Promise<{ messageCount: number }> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'name', { title: vscode.l10n.t('Purge which queue of {0}?', where(t)) });
  if (call.interactive) {
    const n = (await checkQueue(t.session, q.name)).messageCount;
    await call.prompts.confirm(
      n === 1
        ? vscode.l10n.t('Purge queue "{0}" in {1}: delete its {2} ready message?', q.name, where(t), formatCount(n))
        : vscode.l10n.t('Purge queue "{0}" in {1}: delete its {2} ready messages?', q.name, where(t), formatCount(n)),
      vscode.l10n.t('Purge'),
      vscode.l10n.t('Unacknowledged messages stay. This cannot be undone.'),
    );
  }
  const result = await purgeQueue(t.session, { name: q.name });
  deps.tree.refreshFolder(t.profile.name, t.vhost, 'queues');
  return result;
}

export function rabbitManageCommands(deps: RabbitDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.declareExchange', run: (call) => doDeclareExchange(deps, call) },
    { id: 'brokerExplorer.rabbitmq.declareQueue', run: (call) => doDeclareQueue(deps, call) },
    { id: 'brokerExplorer.rabbitmq.bind', run: (call) => doBind(deps, call, 'bind') },
    { id: 'brokerExplorer.rabbitmq.unbind', run: (call) => doBind(deps, call, 'unbind') },
    { id: 'brokerExplorer.rabbitmq.deleteQueue', run: (call) => doDeleteQueue(deps, call) },
    { id: 'brokerExplorer.rabbitmq.deleteExchange', run: (call) => doDeleteExchange(deps, call) },
    { id: 'brokerExplorer.rabbitmq.purgeQueue', run: (call) => doPurgeQueue(deps, call) },
  ];
}
