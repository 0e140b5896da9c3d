/**
 * Long-running message streams: tail an exchange (an exclusive server-named
 * queue bound with keys, patterns or header arguments) and consume a work
 * queue (prefetch, ack / requeue / reject after the message is written
 * out). Each gets its own output channel and is registered as a tail, so
 * tails.read / tails.stop / tails.show and the tree's "Running" folder
 * reach it.
 */
import type * as vscode from 'vscode';
import { startConsumer, type AckMode, type QueueConsumer } from '../../../core/amqp/consumer';
import type { AmqpMessage } from '../../../core/amqp/messageProperties';
import { ExchangeTail, tailBindingKeys } from '../../../core/amqp/tail';
import { checkShortString, toAmqpTable } from '../../../core/amqp/amqpTable';
import { CancelledError, InputError, NotFoundError } from '../../../core/errors';
import type { TailBatch, TailReadOptions } from '../../../core/tailBuffer';
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
    if (typeof v !== 'string') throw new InputError(`Every entry of "${key}" must be text, not ${JSON.stringify(v)}.`);
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
  if (keys.length > 0) return `binding key${keys.length === 1 ? '' : 's'} ${keys.map((k) => `"${k}"`).join(', ')}`;
  if (headerArguments) return `arguments ${JSON.stringify(headerArguments)}`;
  return `"${bindingKeys[0] ?? ''}" (everything)`;
}

async function doTail(
  deps: RabbitDeps,
  outputs: StreamOutputs,
  call: CommandCall,
): Promise<{ id: string; queue: string; messages?: AmqpMessage[] }> {
  const t = await target(deps, call);
  const a = argsOf(call);
  const x = await exchangeArg(t, call, 'exchange', { title: `Tail which exchange of ${where(t)}?`, allowTyped: true });
  const exchange = checkShortString(x.name, 'exchange name', { allowEmpty: true });
  if (exchange === '')
    throw new InputError(
      'The default exchange ("") cannot be tailed: it cannot be bound; tail the exchange the messages are published to.',
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
      await call.prompts.ask('Binding arguments (JSON)', { value: '{ "x-match": "any" }', validate: validateJsonObject }),
      'binding arguments',
    );
  } else {
    const text = await call.prompts.ask(`Tail exchange "${exchange}" (${type ?? 'unknown type'}): binding keys`, {
      value: type === 'topic' ? '#' : '',
      prompt:
        type === 'topic'
          ? 'Patterns separated by spaces or commas: * matches one word, # zero or more.'
          : 'Routing keys separated by spaces or commas.',
      validate: (v) => (type === 'direct' && v.trim() === '' ? 'A direct exchange routes by exact key: give at least one.' : undefined),
    });
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
  output.append(`Tail of exchange "${exchange}" (${type ?? 'type unknown'}) in ${where(t)}, bound with ${bindsWith}.`);
  output.append('It sees only the messages published after its queue was bound; earlier ones are not shown.');
  tail.on('message', (m) => appendMessage(output, m));
  tail.on('lost', ({ reason }) =>
    output.append(`${timestamp()}  ✗ connection lost (${reason}); reconnecting — messages published meanwhile are not seen.`),
  );
  tail.on('resumed', ({ queue, downtimeMs, attempts, node }) =>
    output.append(
      `${timestamp()}  ✓ resumed on node ${node} after ${downtimeMs.toLocaleString('en-US')} ms (${attempts} attempt${attempts === 1 ? '' : 's'}), bound again with queue ${queue}.`,
    ),
  );
  try {
    await tail.start(takes.take !== undefined ? { take: takes.take } : {});
  } catch (err) {
    outputs.discard(output);
    throw err;
  }
  output.append(`${timestamp()}  bound queue ${tail.queue} on node ${tail.node ?? '?'}; waiting for messages.`);
  const registered = registerStream(deps, t, output, `${exchange}${keyText}`, tail, () => tail.received);
  tail.on('ended', ({ error }) => {
    output.append(
      `${timestamp()}  ${error ? `stopped: ${error.message}` : 'stopped'} (${tail.received.toLocaleString('en-US')} message${tail.received === 1 ? '' : 's'} seen).`,
    );
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
      throw new InputError(`The ack mode "${mode}" is not known: use ack, requeue or reject.`);
    ack = mode as AckMode | undefined;
    consumeArguments = obj(a, 'arguments');
  } else {
    prefetch = Number(
      await call.prompts.ask(`Consume queue "${q.name}": prefetch (unacknowledged messages at once)`, {
        value: '10',
        validate: validateWholeNumber(1, 65_535),
      }),
    );
    ack = (
      await call.prompts.pick(
        [
          { label: 'ack', detail: 'remove each message once it is written out', mode: 'ack' as const },
          { label: 'requeue', detail: 'put each message back (nack with requeue): the queue keeps it', mode: 'requeue' as const },
          { label: 'reject', detail: 'reject without requeue: dead-lettered, or dropped', mode: 'reject' as const },
        ],
        { title: `Consume queue "${q.name}": after writing a message out` },
      )
    ).mode;
    if (q.info?.type === 'stream') {
      const offset = await call.prompts.pick(['next', 'first', 'last'], {
        title: `Stream "${q.name}": start reading from (x-stream-offset)`,
      });
      consumeArguments = { 'x-stream-offset': offset };
    }
  }
  return { prefetch, ack, consumeArguments };
}

async function doConsume(deps: RabbitDeps, outputs: StreamOutputs, call: CommandCall): Promise<{ id: string; messages?: AmqpMessage[] }> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'queue', { title: `Consume which queue of ${where(t)}?`, allowTyped: true });
  const { prefetch, ack, consumeArguments } = await consumeSettings(call, q);
  const takes = takeArgs(call);
  const mode = ack ?? 'ack';
  const output = outputs.open(channelName(t, `queue ${q.name}`));
  output.append(
    `Consumer of queue "${q.name}" in ${where(t)}: prefetch ${prefetch ?? 10}, ${mode === 'ack' ? 'each message is acknowledged (removed) after it is written here' : mode === 'requeue' ? 'each message is put back (requeued) after it is written here' : 'each message is rejected without requeue after it is written here'}.`,
    'Stop cancels the consumer: every unacknowledged message goes back to the queue.',
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
  output.append(`${timestamp()}  consumer registered on node ${consumer.node ?? '?'}; waiting for messages.`);
  consumer.on('lost', ({ reason }) =>
    output.append(`${timestamp()}  ✗ connection lost (${reason}); unacknowledged messages went back to the queue; reconnecting.`),
  );
  consumer.on('resumed', ({ downtimeMs, node }) =>
    output.append(`${timestamp()}  ✓ resumed on node ${node} after ${downtimeMs.toLocaleString('en-US')} ms.`),
  );
  const registered = registerStream(deps, t, output, `queue ${q.name} (${mode})`, consumer, () => consumer.stats.received);
  consumer.on('ended', ({ error }) => {
    markEnded();
    const s = consumer.stats;
    output.append(
      `${timestamp()}  ${error ? `stopped: ${error.message}` : 'stopped'} (${s.acked} acked, ${s.requeued} requeued, ${s.rejected} rejected).`,
    );
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
