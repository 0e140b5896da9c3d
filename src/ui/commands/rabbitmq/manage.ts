/**
 * Managing RabbitMQ topology: declare exchanges and queues (with typed
 * inputs for the common queue arguments), bind and unbind, delete and purge
 * — the destructive ones ask first when a person runs them, naming what goes.
 */
import type { Prompts } from '../../prompts';
import type { BindingInfo } from '../../../core/amqp/managementTypes';
import {
  bind,
  checkQueue,
  declareExchange,
  declareQueue,
  deleteExchange,
  deleteQueue,
  purgeQueue,
  unbind,
  type BindArgs,
} from '../../../core/amqp/topology';
import { InputError } from '../../../core/errors';
import { BindingNode, ExchangeNode, QueueNode } from '../../tree/rabbitItems';
import { bool, obj, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import {
  exchangeArg,
  jsonObject,
  pickEntity,
  queueArg,
  target,
  validateJsonObject,
  validateWholeNumber,
  where,
  type RabbitDeps,
  type Target,
} from './common';
import { exchangeLabel } from './format';

function refreshAll(deps: RabbitDeps, t: Target): void {
  deps.tree.refreshFolder(t.profile.name, t.vhost, 'exchanges', 'queues');
}

async function pickFlags(
  prompts: Prompts,
  title: string,
  flags: { label: string; key: string; picked: boolean; detail: string }[],
): Promise<Set<string>> {
  const picked = await prompts.pickMany(flags, { title });
  return new Set(picked.map((p) => p.key));
}

async function doDeclareExchange(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  const t = await target(deps, call);
  let args: Parameters<typeof declareExchange>[1];
  if (call.args) {
    const a = call.args;
    args = { name: str(a, 'name', true), type: str(a, 'type', true) };
    const durable = bool(a, 'durable');
    const autoDelete = bool(a, 'autoDelete');
    const internal = bool(a, 'internal');
    const table = obj(a, 'arguments');
    if (durable !== undefined) args.durable = durable;
    if (autoDelete !== undefined) args.autoDelete = autoDelete;
    if (internal !== undefined) args.internal = internal;
    if (table !== undefined) args.arguments = table;
  } else {
    const name = await call.prompts.ask(`New exchange in ${where(t)}: name`, {
      validate: (v) =>
        v === '' ? 'Give a name.' : v.startsWith('amq.') ? 'Names starting with "amq." are reserved by the broker.' : undefined,
    });
    const type = (
      await call.prompts.pick(
        [
          { label: 'direct', detail: 'to the queues bound with exactly the routing key' },
          { label: 'fanout', detail: 'to every bound queue; the routing key is ignored' },
          { label: 'topic', detail: 'to the queues whose pattern matches the key (* one word, # zero or more)' },
          { label: 'headers', detail: 'by message headers (x-match all / any)' },
        ],
        { title: `Exchange "${name}": type` },
      )
    ).label;
    const flags = await pickFlags(call.prompts, `Exchange "${name}": options`, [
      { label: 'Durable', key: 'durable', picked: true, detail: 'survives a broker restart' },
      { label: 'Auto-delete', key: 'autoDelete', picked: false, detail: 'deleted when its last binding is removed' },
      { label: 'Internal', key: 'internal', picked: false, detail: 'only other exchanges can publish to it' },
    ]);
    const table = jsonObject(
      await call.prompts.ask('Arguments (JSON, optional)', {
        value: '',
        placeHolder: '{ "alternate-exchange": "unrouted" }',
        validate: validateJsonObject,
      }),
      'exchange arguments',
    );
    args = {
      name,
      type,
      durable: flags.has('durable'),
      autoDelete: flags.has('autoDelete'),
      internal: flags.has('internal'),
      ...(table ? { arguments: table } : {}),
    };
  }
  const result = await declareExchange(t.session, args);
  deps.tree.refreshFolder(t.profile.name, t.vhost, 'exchanges');
  return result;
}

/** The typed queue-argument prompts; blank answers are left out. */
async function askQueueArguments(prompts: Prompts, type: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { 'x-queue-type': type };
  if (type !== 'stream') {
    const ttl = await prompts.ask('x-message-ttl: milliseconds a message may wait (empty for no limit)', {
      value: '',
      validate: validateWholeNumber(0, 2 ** 32 - 1, true),
    });
    if (ttl.trim() !== '') out['x-message-ttl'] = Number(ttl);
    const dlx = await prompts.ask('x-dead-letter-exchange: where rejected or expired messages go (empty for none)', { value: '' });
    if (dlx !== '') {
      out['x-dead-letter-exchange'] = dlx;
      const dlk = await prompts.ask("x-dead-letter-routing-key (empty to keep the message's own key)", { value: '' });
      if (dlk !== '') out['x-dead-letter-routing-key'] = dlk;
    }
    const max = await prompts.ask('x-max-length: most ready messages kept (empty for no limit)', {
      value: '',
      validate: validateWholeNumber(0, Number.MAX_SAFE_INTEGER, true),
    });
    if (max.trim() !== '') out['x-max-length'] = Number(max);
  }
  const more = jsonObject(
    await prompts.ask('Other arguments (JSON, optional)', {
      value: '',
      placeHolder: type === 'stream' ? '{ "x-max-age": "7D" }' : '{ "x-overflow": "reject-publish" }',
      validate: validateJsonObject,
    }),
    'queue arguments',
  );
  return { ...out, ...more };
}

async function doDeclareQueue(deps: RabbitDeps, call: CommandCall): Promise<unknown> {
  const t = await target(deps, call);
  let args: Parameters<typeof declareQueue>[1];
  if (call.args) {
    const a = call.args;
    args = { name: str(a, 'name') ?? '' };
    const durable = bool(a, 'durable');
    const exclusive = bool(a, 'exclusive');
    const autoDelete = bool(a, 'autoDelete');
    const table = obj(a, 'arguments');
    if (durable !== undefined) args.durable = durable;
    if (exclusive !== undefined) args.exclusive = exclusive;
    if (autoDelete !== undefined) args.autoDelete = autoDelete;
    if (table !== undefined) args.arguments = table;
  } else {
    const name = await call.prompts.ask(`New queue in ${where(t)}: name`, {
      value: '',
      prompt: 'Empty lets the broker choose a name.',
      validate: (v) => (v.startsWith('amq.') ? 'Names starting with "amq." are reserved by the broker.' : undefined),
    });
    const shown = name === '' ? 'server-named queue' : `queue "${name}"`;
    const type = (
      await call.prompts.pick(
        [
          { label: 'classic', detail: 'the default queue type' },
          { label: 'quorum', detail: 'replicated, durable; for data safety' },
          { label: 'stream', detail: 'an append-only log read from an offset; messages stay after being read' },
        ],
        { title: `New ${shown}: type (x-queue-type)` },
      )
    ).label;
    const options =
      type === 'classic'
        ? await pickFlags(call.prompts, `New ${shown}: options`, [
            { label: 'Durable', key: 'durable', picked: true, detail: 'survives a broker restart' },
            { label: 'Exclusive', key: 'exclusive', picked: false, detail: "belongs to this extension's connection and goes with it" },
            { label: 'Auto-delete', key: 'autoDelete', picked: false, detail: 'deleted when its last consumer leaves' },
          ])
        : new Set(['durable']);
    const table = await askQueueArguments(call.prompts, type);
    args = {
      name,
      durable: options.has('durable'),
      exclusive: options.has('exclusive'),
      autoDelete: options.has('autoDelete'),
      arguments: table,
    };
  }
  const result = await declareQueue(t.session, args);
  deps.tree.refreshFolder(t.profile.name, t.vhost, 'queues');
  return result;
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
    throw new InputError(`"destinationType" must be "queue" or "exchange", not ${JSON.stringify(destinationType)}.`);
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
  const source = await exchangeArg(t, call, 'source', { title: `Unbind from which exchange of ${where(t)}?`, hideBuiltIn: false });
  const bindings = await t.session.management().listBindings(t.vhost, { exchange: source.name }, { pageSize: 500 });
  if (bindings.items.length === 0) throw new InputError(`Exchange "${source.name}" in ${where(t)} has no bindings to remove.`);
  const pick = await call.prompts.pick(
    bindings.items.map((b) => ({
      label: `→ ${b.destinationType} ${b.destination}`,
      description: b.routingKey === '' ? '(no key)' : b.routingKey,
      detail: Object.keys(b.arguments).length ? JSON.stringify(b.arguments) : undefined,
      binding: b,
    })),
    { title: `Which binding of exchange "${source.name}"?` },
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
        title: `Bind to which exchange of ${where(t)}?`,
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
          { label: 'Queue', value: 'queue' as const },
          { label: 'Exchange', value: 'exchange' as const, detail: 'exchange-to-exchange binding' },
        ],
        { title: `Bind what to exchange "${source.name}"?` },
      )
    ).value;
    destination = (
      await pickEntity(call.prompts, t, destinationType, {
        title: `Which ${destinationType} receives from "${source.name}"?`,
        allowTyped: true,
      })
    ).name;
  }
  const type = source.info && 'type' in source.info ? source.info.type : undefined;
  const routingKey =
    type === 'fanout' || type === 'headers'
      ? ''
      : await call.prompts.ask(`Binding key from "${source.name}" to ${destinationType} "${destination}"`, {
          value: '',
          prompt:
            type === 'topic'
              ? 'A pattern: * matches one word, # zero or more words.'
              : 'Messages with exactly this routing key are routed.',
        });
  const table =
    type === 'headers'
      ? jsonObject(
          await call.prompts.ask('Binding arguments (JSON)', { value: '{ "x-match": "all" }', validate: validateJsonObject }),
          'binding arguments',
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
    await call.prompts.confirm(
      `Remove the binding from exchange "${exchangeLabel(args.source)}" to ${args.destinationType} "${args.destination}" (key "${args.routingKey ?? ''}") in ${where(t)}?`,
      'Unbind',
      'Messages with this routing key stop reaching it.',
    );
  }
  const result = verb === 'bind' ? await bind(t.session, args) : await unbind(t.session, args);
  refreshAll(deps, t);
  return result;
}

async function doDeleteQueue(deps: RabbitDeps, call: CommandCall): Promise<{ messageCount: number }> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'name', { title: `Delete which queue of ${where(t)}?` });
  const a = call.args ?? {};
  const ifUnused = bool(a, 'ifUnused');
  const ifEmpty = bool(a, 'ifEmpty');
  if (call.interactive) {
    const counts = await checkQueue(t.session, q.name);
    const n = counts.messageCount;
    await call.prompts.confirm(
      `Delete queue "${q.name}" in ${where(t)}${n > 0 ? ` and its ${n.toLocaleString('en-US')} ready message${n === 1 ? '' : 's'}` : ''}?`,
      'Delete',
      `${n === 0 ? 'It holds no ready messages. ' : 'The messages are lost. '}${counts.consumerCount > 0 ? `${counts.consumerCount} consumer(s) will be cancelled. ` : ''}This cannot be undone.`,
    );
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
  const x = await exchangeArg(t, call, 'name', { title: `Delete which exchange of ${where(t)}?`, hideBuiltIn: true });
  const ifUnused = bool(call.args ?? {}, 'ifUnused');
  if (call.interactive) {
    let bindings = '';
    try {
      const m = t.session.management();
      const [from, to] = await Promise.all([
        m.bindingsOf(t.vhost, { exchange: x.name }),
        m.bindingsOf(t.vhost, { exchange: x.name, direction: 'destination' }),
      ]);
      const n = from.length + to.length;
      bindings = n > 0 ? ` and its ${n} binding${n === 1 ? '' : 's'}` : '';
    } catch {
      // best effort: the count only informs the question
    }
    await call.prompts.confirm(
      `Delete exchange "${x.name}" in ${where(t)}${bindings}?`,
      'Delete',
      'Messages published to it afterwards are refused. This cannot be undone.',
    );
  }
  const result = await deleteExchange(t.session, { name: x.name, ...(ifUnused !== undefined ? { ifUnused } : {}) });
  refreshAll(deps, t);
  return result;
}

async function doPurgeQueue(deps: RabbitDeps, call: CommandCall): Promise<{ messageCount: number }> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'name', { title: `Purge which queue of ${where(t)}?` });
  if (call.interactive) {
    const n = (await checkQueue(t.session, q.name)).messageCount;
    await call.prompts.confirm(
      `Purge queue "${q.name}" in ${where(t)}: delete its ${n.toLocaleString('en-US')} ready message${n === 1 ? '' : 's'}?`,
      'Purge',
      'Unacknowledged messages stay. This cannot be undone.',
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
