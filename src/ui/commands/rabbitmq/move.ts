/**
 * "Move Messages…" and "Replay Dead Letters…": from a queue to another
 * queue, to an exchange with a routing key, or back where each message was
 * first published, with progress and Cancel; nothing is lost (core/amqp/
 * messageMover.ts). The result says what moved, what stayed and why it
 * stopped; when the dynamic shovel plugin is enabled the palette offers it as
 * the server-side route (API: `route: "shovel"`), and the message says which ran.
 */
import * as vscode from 'vscode';
import { moveMessages } from '../../../core/amqp/messageMover';
import { MAX_MOVE_COUNT, type MoveArgs, type MoveResult } from '../../../core/amqp/moveTarget';
import { bool, num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { exchangeArg, queueArg, target, validateWholeNumber, where, type RabbitDeps, type Target } from './common';

type Destination = 'queue' | 'exchange' | 'replay';

/** The call without its tree node: the node is the source, the target is picked. */
function withoutNode(call: CommandCall): CommandCall {
  return { interactive: call.interactive, prompts: call.prompts };
}

function argsFromCall(call: CommandCall & { args: NonNullable<CommandCall['args']> }, queue: string, replay: boolean): MoveArgs {
  const a = call.args;
  const args: MoveArgs = { queue };
  const toExchange = str(a, 'toExchange');
  const routingKey = str(a, 'routingKey');
  const toQueue = str(a, 'toQueue');
  const count = num(a, 'count', { min: 1, max: MAX_MOVE_COUNT });
  const replayDeadLetters = replay || bool(a, 'replayDeadLetters') === true;
  const route = str(a, 'route');
  if (toExchange !== undefined) args.toExchange = toExchange;
  if (routingKey !== undefined) args.routingKey = routingKey;
  if (toQueue !== undefined) args.toQueue = toQueue;
  if (count !== undefined) args.count = count;
  if (replayDeadLetters) args.replayDeadLetters = true;
  // Checked in core ("client" or "shovel"), so a bad value is one sentence there.
  if (route !== undefined) args.route = route as MoveArgs['route'];
  return args;
}

async function askArgs(t: Target, call: CommandCall, queue: string, depth: number | undefined, replay: boolean): Promise<MoveArgs> {
  let destination: Destination = 'replay';
  if (!replay) {
    destination = (
      await call.prompts.pick(
        [
          { label: 'To another queue', detail: 'through the default exchange', value: 'queue' as const },
          { label: 'To an exchange…', detail: 'with a routing key', value: 'exchange' as const },
          { label: 'Back where they were first published', detail: 'replay dead letters (x-death)', value: 'replay' as const },
        ],
        { title: `Move messages of queue "${queue}" in ${where(t)}` },
      )
    ).value;
  }
  const args: MoveArgs = { queue };
  if (destination === 'queue') {
    args.toQueue = (await queueArg(t, withoutNode(call), 'toQueue', { title: `Move to which queue?`, allowTyped: true })).name;
  } else if (destination === 'exchange') {
    args.toExchange = (await exchangeArg(t, withoutNode(call), 'toExchange', { title: 'Move to which exchange?', allowTyped: true })).name;
    args.routingKey = await call.prompts.ask(`Routing key for exchange "${args.toExchange}"`, { value: '' });
  } else args.replayDeadLetters = true;
  const all = depth === undefined ? 'all' : `all ${depth.toLocaleString('en-US')}`;
  const count = await call.prompts.ask(`How many messages? Leave empty for ${all}.`, {
    value: '',
    validate: validateWholeNumber(1, MAX_MOVE_COUNT, true),
  });
  if (count.trim() !== '') args.count = Number(count);
  if (!args.replayDeadLetters && (await shovelAvailable(t))) {
    args.route = (
      await call.prompts.pick(
        [
          {
            label: 'In Broker Explorer',
            detail: 'confirms, ack after confirm; unroutable messages stay; copies carry x-be-move-id',
            value: 'client' as const,
          },
          {
            label: 'Server-side shovel',
            detail: 'the broker moves them (dynamic shovel plugin); copies are not marked',
            value: 'shovel' as const,
          },
        ],
        { title: `Which route moves the messages of queue "${queue}"?` },
      )
    ).value;
  }
  return args;
}

/** Whether the broker offers the dynamic shovel (an unreachable or refused check counts as no). */
function shovelAvailable(t: Target): Promise<boolean> {
  return t.session
    .management()
    .shovelPluginEnabled()
    .catch(() => false);
}

function describeMove(args: MoveArgs): string {
  if (args.route === 'shovel') return `${describeTarget(args)} with a server-side shovel`;
  return describeTarget(args);
}

function describeTarget(args: MoveArgs): string {
  if (args.replayDeadLetters) return `back where they were first published`;
  if (args.toQueue !== undefined) return `to queue "${args.toQueue}"`;
  return `to exchange "${args.toExchange ?? ''}" with routing key "${args.routingKey ?? ''}"`;
}

async function run(t: Target, call: CommandCall, args: MoveArgs): Promise<MoveResult> {
  if (!call.interactive) return moveMessages(t.session, args);
  const title = `Moving messages of queue "${args.queue}" ${describeMove(args)}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    let shown = 0;
    return moveMessages(t.session, args, {
      signal: controller.signal,
      onProgress: ({ moved, total }) => {
        const step = Math.max(1, Math.floor(total / 100));
        if (moved - shown < step && moved < total) return;
        progress.report({
          message: `${moved.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`,
          increment: ((moved - shown) * 100) / total,
        });
        shown = moved;
      },
    });
  });
}

async function doMove(deps: RabbitDeps, call: CommandCall, replay: boolean): Promise<MoveResult> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'queue', { title: `Move messages from which queue of ${where(t)}?` });
  const args = call.args
    ? argsFromCall({ ...call, args: call.args }, q.name, replay)
    : await askArgs(t, call, q.name, q.info?.messagesReady, replay);
  // Refused on a read-only profile before anything is asked or sent.
  t.session.assertWritable(`moving messages from queue "${q.name}"`);
  const result = await run(t, call, args);
  if (call.interactive) {
    const route =
      result.route === 'shovel'
        ? ` It ran as the server-side shovel "${result.shovel ?? ''}" (deleted again); the copies carry no x-be-move-id.`
        : (await shovelAvailable(t))
          ? ' It ran in Broker Explorer over AMQP (confirms, ack after confirm), not as a shovel.'
          : '';
    const dupes = result.possibleDuplicates
      ? ` ${result.possibleDuplicates} may be duplicates (redelivered by the source after a lost ack).`
      : '';
    const done = `Moved ${result.moved.toLocaleString('en-US')} message(s) of queue "${q.name}" ${describeMove(args)}; ${result.kept.toLocaleString('en-US')} remain in the queue.${dupes}${result.copiesMarked ? ` Each copy carries x-be-move-id ${result.moveId}.` : ''}${route}`;
    if (result.stoppedBecause) void vscode.window.showWarningMessage(`${result.stoppedBecause}${dupes}${route}`);
    else void vscode.window.showInformationMessage(done);
    deps.tree.refreshFolder(t.profile.name, t.vhost, 'queues');
  }
  return result;
}

export function rabbitMoveCommands(deps: RabbitDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.moveMessages', run: (call) => doMove(deps, call, false) },
    { id: 'brokerExplorer.rabbitmq.replayDeadLetters', run: (call) => doMove(deps, call, true) },
  ];
}
