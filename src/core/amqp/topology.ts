/**
 * Declare, bind, unbind, delete and purge over AMQP, each on a fresh channel
 * of the (profile, vhost) session. Read-only profiles are refused before
 * anything is sent. RabbitMQ 3.10 deletes a missing queue or exchange, and
 * removes a missing binding, without complaint: each is checked first so a
 * typo is an error, not silence.
 */
import * as l10n from '@vscode/l10n';
import { InputError, NotFoundError } from '../errors';
import { toAmqpTable, checkDeclarableName, checkShortString, queueArguments } from './amqpTable';
import type { AmqpSession } from './amqpSession';

export interface OperationOptions {
  signal?: AbortSignal;
}

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers';
export const EXCHANGE_TYPES: readonly string[] = ['direct', 'fanout', 'topic', 'headers'];

export interface DeclareExchangeArgs {
  name: string;
  /** direct, fanout, topic, headers, or a plugin's type (x-delayed-message, …). */
  type: string;
  /** Default true. */
  durable?: boolean;
  autoDelete?: boolean;
  internal?: boolean;
  arguments?: Record<string, unknown>;
}

export interface DeclareQueueArgs {
  /** "" lets the broker choose a name. */
  name: string;
  /** Default true. */
  durable?: boolean;
  /** An exclusive queue belongs to the session's shared connection and goes with it. */
  exclusive?: boolean;
  autoDelete?: boolean;
  /** x-message-ttl, x-dead-letter-exchange, x-max-length, x-queue-type, … (checked and converted). */
  arguments?: Record<string, unknown>;
}

export interface QueueCounts {
  queue: string;
  messageCount: number;
  consumerCount: number;
}

export interface BindArgs {
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  /** Default "". */
  routingKey?: string;
  arguments?: Record<string, unknown>;
}

export interface DeleteQueueArgs {
  name: string;
  ifUnused?: boolean;
  ifEmpty?: boolean;
}

export interface DeleteExchangeArgs {
  name: string;
  ifUnused?: boolean;
}

function bool(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InputError(l10n.t('"{0}" must be true or false.', what));
  return value;
}

/** `brokerExplorer.rabbitmq.declareExchange`. */
export async function declareExchange(
  session: AmqpSession,
  args: DeclareExchangeArgs,
  options: OperationOptions = {},
): Promise<Record<string, never>> {
  const name = checkDeclarableName(args.name, 'exchange');
  const type = checkShortString(args.type, l10n.t('exchange type'));
  const opts = {
    durable: bool(args.durable, 'durable', true),
    autoDelete: bool(args.autoDelete, 'autoDelete', false),
    internal: bool(args.internal, 'internal', false),
    arguments: toAmqpTable(args.arguments, l10n.t('exchange arguments')),
  };
  session.assertWritable(l10n.t('declaring exchange "{0}"', name));
  await session.withChannel(l10n.t('declaring {0} exchange "{1}"', type, name), (ch) => ch.assertExchange(name, type, opts), options);
  return {};
}

/** `brokerExplorer.rabbitmq.declareQueue`: creates the queue, or checks an existing one has these settings. */
export async function declareQueue(session: AmqpSession, args: DeclareQueueArgs, options: OperationOptions = {}): Promise<QueueCounts> {
  const name = checkDeclarableName(args.name, 'queue', true);
  const opts = {
    durable: bool(args.durable, 'durable', true),
    exclusive: bool(args.exclusive, 'exclusive', false),
    autoDelete: bool(args.autoDelete, 'autoDelete', false),
    arguments: queueArguments(args.arguments),
  };
  session.assertWritable(l10n.t('declaring queue "{0}"', name));
  const ok = await session.withChannel(l10n.t('declaring queue "{0}"', name), (ch) => ch.assertQueue(name, opts), options);
  return { queue: ok.queue, messageCount: ok.messageCount, consumerCount: ok.consumerCount };
}

/** A passive declare: the queue's counts, or a NotFoundError. Allowed on read-only profiles. */
export async function checkQueue(session: AmqpSession, name: string, options: OperationOptions = {}): Promise<QueueCounts> {
  checkShortString(name, l10n.t('queue name'));
  const ok = await session.withChannel(l10n.t('checking queue "{0}"', name), (ch) => ch.checkQueue(name), options);
  return { queue: ok.queue, messageCount: ok.messageCount, consumerCount: ok.consumerCount };
}

/** A passive exchange declare: resolves when it exists, NotFoundError otherwise. */
export async function checkExchange(session: AmqpSession, name: string, options: OperationOptions = {}): Promise<void> {
  checkShortString(name, l10n.t('exchange name'), { allowEmpty: true });
  await session.withChannel(l10n.t('checking exchange "{0}"', name), async (ch) => void (await ch.checkExchange(name)), options);
}

function checkBind(args: BindArgs): { source: string; destination: string; routingKey: string; table: Record<string, unknown> } {
  const source = checkShortString(args.source, l10n.t('source exchange'), { allowEmpty: true });
  if (source === '')
    throw new InputError(l10n.t('The default exchange ("") cannot be bound: it routes to the queue named by the routing key by itself.'));
  const destination = checkShortString(
    args.destination,
    args.destinationType === 'exchange' ? l10n.t('destination exchange') : l10n.t('destination queue'),
  );
  if (args.destinationType !== 'queue' && args.destinationType !== 'exchange') {
    throw new InputError(l10n.t('"destinationType" must be "queue" or "exchange", not {0}.', JSON.stringify(args.destinationType)));
  }
  const routingKey = checkShortString(args.routingKey ?? '', l10n.t('routing key'), { allowEmpty: true });
  return { source, destination, routingKey, table: toAmqpTable(args.arguments, l10n.t('binding arguments')) };
}

function describeBinding(args: BindArgs, routingKey: string, preposition: 'to' | 'from' = 'to'): string {
  const { destination, source } = args;
  if (args.destinationType === 'exchange')
    return preposition === 'to'
      ? l10n.t('exchange "{0}" to exchange "{1}" with routing key "{2}"', destination, source, routingKey)
      : l10n.t('exchange "{0}" from exchange "{1}" with routing key "{2}"', destination, source, routingKey);
  return preposition === 'to'
    ? l10n.t('queue "{0}" to exchange "{1}" with routing key "{2}"', destination, source, routingKey)
    : l10n.t('queue "{0}" from exchange "{1}" with routing key "{2}"', destination, source, routingKey);
}

/** `brokerExplorer.rabbitmq.bind`: queue → exchange or exchange → exchange. */
export async function bind(session: AmqpSession, args: BindArgs, options: OperationOptions = {}): Promise<Record<string, never>> {
  const { source, destination, routingKey, table } = checkBind(args);
  session.assertWritable(l10n.t('binding {0}', describeBinding(args, routingKey)));
  await session.withChannel(
    l10n.t('binding {0}', describeBinding(args, routingKey)),
    async (ch) => {
      if (args.destinationType === 'queue') await ch.bindQueue(destination, source, routingKey, table);
      else await ch.bindExchange(destination, source, routingKey, table);
    },
    options,
  );
  return {};
}

/** `brokerExplorer.rabbitmq.unbind`; a binding that does not exist is a NotFoundError. */
export async function unbind(session: AmqpSession, args: BindArgs, options: OperationOptions = {}): Promise<Record<string, never>> {
  const { source, destination, routingKey, table } = checkBind(args);
  const what = l10n.t('unbinding {0}', describeBinding(args, routingKey, 'from'));
  session.assertWritable(what);
  // Both ends must exist (404 otherwise), and so must the binding: the broker is silent about a missing one.
  await session.withChannel(
    what,
    async (ch) => {
      await ch.checkExchange(source);
      if (args.destinationType === 'queue') await ch.checkQueue(destination);
      else await ch.checkExchange(destination);
    },
    options,
  );
  if (!(await bindingExists(session, source, destination, args.destinationType, routingKey, table, options))) {
    const capitalized = what.charAt(0).toUpperCase() + what.slice(1);
    throw new NotFoundError(
      Object.keys(table).length
        ? l10n.t(
            '{0} on profile "{1}" (vhost "{2}") failed: there is no such binding with these arguments; check the routing key and the arguments.',
            capitalized,
            session.profile.name,
            session.vhost,
          )
        : l10n.t(
            '{0} on profile "{1}" (vhost "{2}") failed: there is no such binding; check the routing key and the arguments.',
            capitalized,
            session.profile.name,
            session.vhost,
          ),
    );
  }
  await session.withChannel(
    what,
    async (ch) => {
      if (args.destinationType === 'queue') await ch.unbindQueue(destination, source, routingKey, table);
      else await ch.unbindExchange(destination, source, routingKey, table);
    },
    options,
  );
  return {};
}

async function bindingExists(
  session: AmqpSession,
  source: string,
  destination: string,
  destinationType: 'queue' | 'exchange',
  routingKey: string,
  table: Record<string, unknown>,
  options: OperationOptions,
): Promise<boolean> {
  const list = await session.management().bindingsBetween(session.vhost, source, destinationType, destination, options);
  const wanted = canonical(table);
  return list.some((b) => b.routingKey === routingKey && canonical(b.arguments) === wanted);
}

function canonical(value: unknown): string {
  if (Buffer.isBuffer(value)) return JSON.stringify({ hex: value.toString('hex') });
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if ('!' in o && 'value' in o) return canonical(o.value);
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `brokerExplorer.rabbitmq.deleteQueue`; a missing queue is a NotFoundError, not silence. */
export async function deleteQueue(
  session: AmqpSession,
  args: DeleteQueueArgs,
  options: OperationOptions = {},
): Promise<{ messageCount: number }> {
  const name = checkShortString(args.name, l10n.t('queue name'));
  const opts = { ifUnused: bool(args.ifUnused, 'ifUnused', false), ifEmpty: bool(args.ifEmpty, 'ifEmpty', false) };
  session.assertWritable(l10n.t('deleting queue "{0}"', name));
  return session.withChannel(
    l10n.t('deleting queue "{0}"', name),
    async (ch) => {
      await ch.checkQueue(name);
      const ok = await ch.deleteQueue(name, opts);
      return { messageCount: ok.messageCount };
    },
    options,
  );
}

/** `brokerExplorer.rabbitmq.deleteExchange`; a missing exchange is a NotFoundError. */
export async function deleteExchange(
  session: AmqpSession,
  args: DeleteExchangeArgs,
  options: OperationOptions = {},
): Promise<Record<string, never>> {
  const name = checkShortString(args.name, l10n.t('exchange name'), { allowEmpty: true });
  if (name === '' || name.startsWith('amq.'))
    throw new InputError(l10n.t('The exchange "{0}" is built into the broker and cannot be deleted.', name));
  const opts = { ifUnused: bool(args.ifUnused, 'ifUnused', false) };
  session.assertWritable(l10n.t('deleting exchange "{0}"', name));
  await session.withChannel(
    l10n.t('deleting exchange "{0}"', name),
    async (ch) => {
      await ch.checkExchange(name);
      await ch.deleteExchange(name, opts);
    },
    options,
  );
  return {};
}

/** `brokerExplorer.rabbitmq.purgeQueue`: removes the ready messages, returns how many. */
export async function purgeQueue(
  session: AmqpSession,
  args: { name: string },
  options: OperationOptions = {},
): Promise<{ messageCount: number }> {
  const name = checkShortString(args.name, l10n.t('queue name'));
  session.assertWritable(l10n.t('purging queue "{0}"', name));
  const ok = await session.withChannel(l10n.t('purging queue "{0}"', name), (ch) => ch.purgeQueue(name), options);
  return { messageCount: ok.messageCount };
}
