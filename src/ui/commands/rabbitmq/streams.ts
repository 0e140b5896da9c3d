/**
 * Long-running message streams: tail an exchange (an exclusive server-named
 * queue bound with keys, patterns or header arguments) and consume a work
 * queue (prefetch, ack / requeue / reject after the message is written
 * out). Each gets its own output channel and is registered as a tail, so
 * tails.read / tails.stop / tails.show and the tree's "Running" folder
 * reach it.
 */
import * as vscode from 'vscode';
import { startConsumer, type AckMode, type QueueConsumer } from '../../../core/amqp/consumer';
import type { AmqpMessage } from '../../../core/amqp/messageProperties';
import { ExchangeTail, tailBindingKeys } from '../../../core/amqp/tail';
import { checkShortString, toAmqpTable } from '../../../core/amqp/amqpTable';
import { CancelledError, InputError, NotFoundError } from '../../../core/errors';
import type { TailBatch, TailReadOptions } from '../../../core/tailBuffer';
import { formatCount } from '../../../core/units';
import { droppingLine, TailOutput, timestamp } from '../../tails/tailOutput';
import type { Tail } from '../../tails/tailRegistry';
import { bool, list, num, obj, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import {
  argsOf,
  exchangeArg,
  jsonObject,
  queueArg,
  target,
  validateJsonObject,
  validateWholeNumber,
  where,
  type Entity,
  type RabbitDeps,
  type Target,
} from './common';
import { appendMessage } from './format';

/** How long `take` waits when no `timeoutMs` is given. */
export const DEFAULT_TAKE_TIMEOUT_MS = 30_000;

/**
 * Owns the output channels of running tails and consumers. A stopped one's
 * channel belongs to the tail registry, which keeps it by its retention rule.
 */
export class StreamOutputs implements vscode.Disposable {
  private readonly running = new Set<TailOutput>();

  constructor(private readonly deps: RabbitDeps) {}

  open(name: string): TailOutput {
    const output = new TailOutput(name, this.deps.settings().tailMaxLines, (text) => this.deps.log.redact(text));
    this.running.add(output);
    return output;
  }

  retire(output: TailOutput): void {
    if (!this.running.delete(output)) return;
    output.flush();
  }

  discard(output: TailOutput): void {
    this.running.delete(output);
    output.dispose();
  }

  dispose(): void {
    for (const o of this.running) o.dispose();
    this.running.clear();
  }
}

interface TakeArgs {
  take?: number;
  timeoutMs?: number;
  keep: boolean;
}

function takeArgs(call: CommandCall): TakeArgs {
  const a = argsOf(call);
  const take = num(a, 'take', { min: 1, max: 1_000_000 });
  const timeoutMs = num(a, 'timeoutMs', { min: 0, max: 3_600_000 });
  return { ...(take !== undefined ? { take } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}), keep: bool(a, 'keep') ?? false };
}

/** What registering needs of an exchange tail or a queue consumer. */
interface Stream {
  readonly running: boolean;
  readonly dropped: number;
  readBatch(options: TailReadOptions): Promise<TailBatch<AmqpMessage>>;
  takeFirst(options: { timeoutMs?: number }): Promise<AmqpMessage[]>;
  stop(): Promise<void>;
  on(event: 'dropping', listener: (value: { capacity: number }) => void): () => void;
}

/** Registers a started tail or consumer: tails.read reads its ring, and its channel says once when the ring starts dropping. */
function registerStream(deps: RabbitDeps, t: Target, output: TailOutput, label: string, stream: Stream, count: () => number): Tail {
  if (stream.dropped > 0) output.append(droppingLine(deps.settings().tailBufferSize));
  else stream.on('dropping', ({ capacity }) => output.append(droppingLine(capacity)));
  return deps.tails.add({
    kind: 'rabbitmq',
    profile: t.profile.name,
    label,
    count,
    dropped: () => stream.dropped,
    running: () => stream.running,
    read: (take, timeoutMs) => stream.readBatch({ take, timeoutMs }),
    stop: () => stream.stop(),
    show: () => output.show(),
    dispose: () => output.dispose(),
  });
}

/** With take: the first `take` messages (held apart from the ring from the start, so none is dropped); then the stop, unless keep. */
async function firstMessages(deps: RabbitDeps, id: string, takes: TakeArgs, stream: Stream): Promise<AmqpMessage[] | undefined> {
  if (takes.take === undefined) return undefined;
  const messages = await stream.takeFirst({ timeoutMs: takes.timeoutMs ?? DEFAULT_TAKE_TIMEOUT_MS });
  if (!takes.keep) await deps.tails.stop(id);
  return messages;
}

function channelName(t: Target, what: string): string {
  return `RabbitMQ ⟫ ${t.profile.name}${t.vhost === t.profile.vhost ? '' : ` ⟫ ${t.vhost}`} ⟫ ${what}`;
}

function stringList(value: unknown[] | undefined, key: string): string[] {
  return (value ?? []).map((v) => {
    if (typeof v !== 'string') throw new InputError(vscode.l10n.t('Every entry of "{0}" must be text, not {1}.', key, JSON.stringify(v)));
    return v;
  });
}

async function exchangeType(t: Target, exchange: string, known: string | undefined): Promise<string | undefined> {
  if (known !== undefined) return known;
  try {
    return (await t.session.management().getExchange(t.vhost, exchange)).type;
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof CancelledError) throw err;
    return undefined; // no management API: bind with "#", which covers fanout, topic and headers
  }
}

/** How a tail binds, for its output channel: its keys, its header arguments, or everything. */
function bindsWithText(
  keys: readonly string[],
  bindingKeys: readonly string[],
  headerArguments: Record<string, unknown> | undefined,
): string {
  const quoted = keys.map((k) => `"${k}"`).join(', ');
  if (keys.length > 0) return keys.length === 1 ? vscode.l10n.t('binding key {0}', quoted) : vscode.l10n.t('binding keys {0}', quoted);
  if (headerArguments) return vscode.l10n.t('arguments {0}', JSON.stringify(headerArguments));
  return vscode.l10n.t('"{0}" (everything)', bindingKeys[0] ?? '');
}

async function doTail(
  deps: RabbitDeps,
  outputs: StreamOutputs,
  call: CommandCall,
): Promise<{ id: string; queue: string; messages?: AmqpMessage[] }> {
  const t = await target(deps, call);
  const a = argsOf(call);
  const x = await exchangeArg(t, call, 'exchange', { title: vscode.l10n.t('Tail which exchange of {0}?', where(t)), allowTyped: true });
  const exchange = checkShortString(x.name, 'exchange name', { allowEmpty: true });
  if (exchange === '')
    throw new InputError(
      vscode.l10n.t('The default exchange ("") cannot be tailed: it cannot be bound; tail the exchange the messages are published to.'),
    );
  let keys: string[];
  let bindingArguments: Record<string, unknown> | undefined;
  const type = await exchangeType(t, exchange, x.info?.type);
  if (call.args) {
    keys = stringList(list(a, 'bindingKeys'), 'bindingKeys');
    bindingArguments = obj(a, 'bindingArguments');
  } else if (type === 'fanout') {
    keys = [];
  } else if (type === 'headers') {
    keys = [];
    bindingArguments = jsonObject(
      await call.prompts.ask(vscode.l10n.t('Binding arguments (JSON)'), { value: '{ "x-match": "any" }', validate: validateJsonObject }),
      vscode.l10n.t('binding arguments'),
    );
  } else {
    const text = await call.prompts.ask(
      vscode.l10n.t('Tail exchange "{0}" ({1}): binding keys', exchange, type ?? vscode.l10n.t('unknown type')),
      {
        value: type === 'topic' ? '#' : '',
        prompt:
          type === 'topic'
            ? vscode.l10n.t('Patterns separated by spaces or commas: * matches one word, # zero or more.')
            : vscode.l10n.t('Routing keys separated by spaces or commas.'),
        validate: (v) =>
          type === 'direct' && v.trim() === '' ? vscode.l10n.t('A direct exchange routes by exact key: give at least one.') : undefined,
      },
    );
    keys = text.split(/[\s,]+/).filter((k) => k !== '');
  }
  keys = keys.map((k) => checkShortString(k, 'binding key', { allowEmpty: true }));
  const bindingKeys = tailBindingKeys(exchange, keys, type);
  const table = toAmqpTable(bindingArguments, 'binding arguments');
  const takes = takeArgs(call);

  const tail = new ExchangeTail(t.session, exchange, bindingKeys, table, deps.settings().tailBufferSize);
  const keyText = keys.length > 0 ? ` ${keys.join(' ')}` : '';
  const output = outputs.open(channelName(t, `${exchange}${keyText} (${type ?? 'exchange'})`));
  const bindsWith = bindsWithText(keys, bindingKeys, Object.keys(table).length > 0 ? bindingArguments : undefined);
  output.append(
    vscode.l10n.t(
      'Tail of exchange "{0}" ({1}) in {2}, bound with {3}.',
      exchange,
      type ?? vscode.l10n.t('type unknown'),
      where(t),
      bindsWith,
    ),
  );
  output.append(vscode.l10n.t('It sees only the messages published after its queue was bound; earlier ones are not shown.'));
  tail.on('message', (m) => appendMessage(output, m));
  tail.on('lost', ({ reason }) =>
    output.append(
      `${timestamp()}  ✗ ${vscode.l10n.t('connection lost ({0}); reconnecting — messages published meanwhile are not seen.', reason)}`,
    ),
  );
  tail.on('resumed', ({ queue, downtimeMs, attempts, node }) =>
    output.append(
      `${timestamp()}  ✓ ${
        attempts === 1
          ? vscode.l10n.t(
              'resumed on node {0} after {1} ms ({2} attempt), bound again with queue {3}.',
              node,
              formatCount(downtimeMs),
              formatCount(attempts),
              queue,
            )
          : vscode.l10n.t(
              'resumed on node {0} after {1} ms ({2} attempts), bound again with queue {3}.',
              node,
              formatCount(downtimeMs),
              formatCount(attempts),
              queue,
            )
      }`,
    ),
  );
  try {
    await tail.start(takes.take !== undefined ? { take: takes.take } : {});
  } catch (err) {
    outputs.discard(output);
    throw err;
  }
  output.append(`${timestamp()}  ${vscode.l10n.t('bound queue {0} on node {1}; waiting for messages.', tail.queue, tail.node ?? '?')}`);
  const registered = registerStream(deps, t, output, `${exchange}${keyText}`, tail, () => tail.received);
  tail.on('ended', ({ error }) => {
    const stopped = error ? vscode.l10n.t('stopped: {0}', error.message) : vscode.l10n.t('stopped');
    const seen =
      tail.received === 1
        ? vscode.l10n.t('({0} message seen).', formatCount(tail.received))
        : vscode.l10n.t('({0} messages seen).', formatCount(tail.received));
    output.append(`${timestamp()}  ${stopped} ${seen}`);
    outputs.retire(output);
    void deps.tails.stop(registered.id);
  });
  if (call.interactive) output.show();
  const queue = tail.queue;
  const messages = await firstMessages(deps, registered.id, takes, tail);
  return messages ? { id: registered.id, queue, messages } : { id: registered.id, queue };
}

const ACK_MODES: readonly AckMode[] = ['ack', 'requeue', 'reject'];

/** How a consumer reads its queue: from the call's arguments, or asked for. */
interface ConsumeSettings {
  prefetch: number | undefined;
  ack: AckMode | undefined;
  consumeArguments: Record<string, unknown> | undefined;
}

async function consumeSettings(call: CommandCall, q: Entity & { kind: 'queue' }): Promise<ConsumeSettings> {
  const a = argsOf(call);
  let prefetch: number | undefined;
  let ack: AckMode | undefined;
  let consumeArguments: Record<string, unknown> | undefined;
  if (call.args) {
    prefetch = num(a, 'prefetch', { min: 1, max: 65_535 });
    const mode = str(a, 'ack');
    if (mode !== undefined && !(ACK_MODES as readonly string[]).includes(mode))
      throw new InputError(vscode.l10n.t('The ack mode "{0}" is not known: use ack, requeue or reject.', mode));
    ack = mode as AckMode | undefined;
    consumeArguments = obj(a, 'arguments');
  } else {
    prefetch = Number(
      await call.prompts.ask(vscode.l10n.t('Consume queue "{0}": prefetch (unacknowledged messages at once)', q.name), {
        value: '10',
        validate: validateWholeNumber(1, 65_535),
      }),
    );
    ack = (
      await call.prompts.pick(
        [
          { label: 'ack', detail: vscode.l10n.t('remove each message once it is written out'), mode: 'ack' as const },
          {
            label: 'requeue',
            detail: vscode.l10n.t('put each message back (nack with requeue): the queue keeps it'),
            mode: 'requeue' as const,
          },
          { label: 'reject', detail: vscode.l10n.t('reject without requeue: dead-lettered, or dropped'), mode: 'reject' as const },
        ],
        { title: vscode.l10n.t('Consume queue "{0}": after writing a message out', q.name) },
      )
    ).mode;
    if (q.info?.type === 'stream') {
      const offset = await call.prompts.pick(['next', 'first', 'last'], {
        title: vscode.l10n.t('Stream "{0}": start reading from (x-stream-offset)', q.name),
      });
      consumeArguments = { 'x-stream-offset': offset };
    }
  }
  return { prefetch, ack, consumeArguments };
}

async function doConsume(deps: RabbitDeps, outputs: StreamOutputs, call: CommandCall): Promise<{ id: string; messages?: AmqpMessage[] }> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'queue', { title: vscode.l10n.t('Consume which queue of {0}?', where(t)), allowTyped: true });
  const { prefetch, ack, consumeArguments } = await consumeSettings(call, q);
  const takes = takeArgs(call);
  const mode = ack ?? 'ack';
  const output = outputs.open(channelName(t, `queue ${q.name}`));
  const after =
    mode === 'ack'
      ? vscode.l10n.t('each message is acknowledged (removed) after it is written here')
      : mode === 'requeue'
        ? vscode.l10n.t('each message is put back (requeued) after it is written here')
        : vscode.l10n.t('each message is rejected without requeue after it is written here');
  output.append(
    vscode.l10n.t('Consumer of queue "{0}" in {1}: prefetch {2}, {3}.', q.name, where(t), prefetch ?? 10, after),
    vscode.l10n.t('Stop cancels the consumer: every unacknowledged message goes back to the queue.'),
  );
  // With take and without keep, the messages past `take` are neither written nor acknowledged: they wait
  // for the stop, which puts them back in the queue.
  const limit = takes.take !== undefined && !takes.keep ? takes.take : Number.POSITIVE_INFINITY;
  let handled = 0;
  let markEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  let consumer: QueueConsumer;
  try {
    consumer = await startConsumer(
      t.session,
      {
        queue: q.name,
        ack: mode,
        ...(prefetch !== undefined ? { prefetch } : {}),
        ...(consumeArguments ? { arguments: consumeArguments } : {}),
      },
      {
        bufferSize: deps.settings().tailBufferSize,
        ...(takes.take !== undefined ? { take: takes.take } : {}),
        overlap: true,
        // The ack is sent once this resolves: the lines are in the channel by then. Messages arriving
        // together share one flush, and their acks go out together.
        sink: (m) => {
          if (handled >= limit) return ended;
          handled++;
          appendMessage(output, m);
          return output.whenFlushed();
        },
      },
    );
  } catch (err) {
    markEnded();
    outputs.discard(output);
    throw err;
  }
  output.append(`${timestamp()}  ${vscode.l10n.t('consumer registered on node {0}; waiting for messages.', consumer.node ?? '?')}`);
  consumer.on('lost', ({ reason }) =>
    output.append(
      `${timestamp()}  ✗ ${vscode.l10n.t('connection lost ({0}); unacknowledged messages went back to the queue; reconnecting.', reason)}`,
    ),
  );
  consumer.on('resumed', ({ downtimeMs, node }) =>
    output.append(`${timestamp()}  ✓ ${vscode.l10n.t('resumed on node {0} after {1} ms.', node, formatCount(downtimeMs))}`),
  );
  const registered = registerStream(deps, t, output, `queue ${q.name} (${mode})`, consumer, () => consumer.stats.received);
  consumer.on('ended', ({ error }) => {
    markEnded();
    const s = consumer.stats;
    const stopped = error ? vscode.l10n.t('stopped: {0}', error.message) : vscode.l10n.t('stopped');
    const counts = vscode.l10n.t(
      '({0} acked, {1} requeued, {2} rejected).',
      formatCount(s.acked),
      formatCount(s.requeued),
      formatCount(s.rejected),
    );
    output.append(`${timestamp()}  ${stopped} ${counts}`);
    outputs.retire(output);
    void deps.tails.stop(registered.id);
  });
  if (call.interactive) output.show();
  const messages = await firstMessages(deps, registered.id, takes, consumer);
  return messages ? { id: registered.id, messages } : { id: registered.id };
}

export function rabbitStreamCommands(deps: RabbitDeps, outputs: StreamOutputs): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.tail', run: (call) => doTail(deps, outputs, call) },
    { id: 'brokerExplorer.rabbitmq.consume', run: (call) => doConsume(deps, outputs, call) },
  ];
}
