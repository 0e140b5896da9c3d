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
import { formatCount } from '../../../core/units';
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
          { label: vscode.l10n.t('To another queue'), detail: vscode.l10n.t('through the default exchange'), value: 'queue' as const },
          { label: vscode.l10n.t('To an exchange…'), detail: vscode.l10n.t('with a routing key'), value: 'exchange' as const },
          {
            label: vscode.l10n.t('Back where they were first published'),
            detail: vscode.l10n.t('replay dead letters (x-death)'),
            value: 'replay' as const,
          },
        ],
        { title: vscode.l10n.t('Move messages of queue "{0}" in {1}', queue, where(t)) },
      )
    ).value;
  }
  const args: MoveArgs = { queue };
  if (destination === 'queue') {
    args.toQueue = (
      await queueArg(t, withoutNode(call), 'toQueue', { title: vscode.l10n.t('Move to which queue?'), allowTyped: true })
    ).name;
  } else if (destination === 'exchange') {
    args.toExchange = (
      await exchangeArg(t, withoutNode(call), 'toExchange', { title: vscode.l10n.t('Move to which exchange?'), allowTyped: true })
    ).name;
    args.routingKey = await call.prompts.ask(vscode.l10n.t('Routing key for exchange "{0}"', args.toExchange), { value: '' });
  } else args.replayDeadLetters = true;
  const howMany =
    depth === undefined
      ? vscode.l10n.t('How many messages? Leave empty for all.')
      : vscode.l10n.t('How many messages? Leave empty for all {0}.', formatCount(depth));
  const count = await call.prompts.ask(howMany, {
    value: '',
    validate: validateWholeNumber(1, MAX_MOVE_COUNT, true),
  });
  if (count.trim() !== '') args.count = Number(count);
  if (!args.replayDeadLetters && (await shovelAvailable(t))) {
    args.route = (
      await call.prompts.pick(
        [
          {
            label: vscode.l10n.t('In Broker Explorer'),
            detail: vscode.l10n.t('confirms, ack after confirm; unroutable messages stay; copies carry x-be-move-id'),
            value: 'client' as const,
          },
          {
            label: vscode.l10n.t('Server-side shovel'),
            detail: vscode.l10n.t('the broker moves them (dynamic shovel plugin); copies are not marked'),
            value: 'shovel' as const,
          },
        ],
        { title: vscode.l10n.t('Which route moves the messages of queue "{0}"?', queue) },
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
  if (args.route === 'shovel') return vscode.l10n.t('{0} with a server-side shovel', describeTarget(args));
  return describeTarget(args);
}

function describeTarget(args: MoveArgs): string {
  if (args.replayDeadLetters) return vscode.l10n.t('back where they were first published');
  if (args.toQueue !== undefined) return vscode.l10n.t('to queue "{0}"', args.toQueue);
  return vscode.l10n.t('to exchange "{0}" with routing key "{1}"', args.toExchange ?? '', args.routingKey ?? '');
}

async function run(t: Target, call: CommandCall, args: MoveArgs): Promise<MoveResult> {
  if (!call.interactive) return moveMessages(t.session, args);
  const title = vscode.l10n.t('Moving messages of queue "{0}" {1}', args.queue, describeMove(args));
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
          message: vscode.l10n.t('{0} of {1}', formatCount(moved), formatCount(total)),
          increment: ((moved - shown) * 100) / total,
        });
        shown = moved;
      },
    });
  });
}

async function doMove(deps: RabbitDeps, call: CommandCall, replay: boolean): Promise<MoveResult> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'queue', { title: vscode.l10n.t('Move messages from which queue of {0}?', where(t)) });
  const args = call.args
    ? argsFromCall({ ...call, args: call.args }, q.name, replay)
    : await askArgs(t, call, q.name, q.info?.messagesReady, replay);
  // Refused on a read-only profile before anything is asked or sent.
  t.session.assertWritable(vscode.l10n.t('moving messages from queue "{0}"', q.name));
  const result = await run(t, call, args);
  if (call.interactive) {
    const route =
      result.route === 'shovel'
        ? ` ${vscode.l10n.t('It ran as the server-side shovel "{0}" (deleted again); the copies carry no x-be-move-id.', result.shovel ?? '')}`
        : (await shovelAvailable(t))
          ? ` ${vscode.l10n.t('It ran in Broker Explorer over AMQP (confirms, ack after confirm), not as a shovel.')}`
          : '';
    const dupes = result.possibleDuplicates
      ? ` ${vscode.l10n.t('{0} may be duplicates (redelivered by the source after a lost ack).', formatCount(result.possibleDuplicates))}`
      : '';
    const marked = result.copiesMarked ? ` ${vscode.l10n.t('Each copy carries x-be-move-id {0}.', result.moveId)}` : '';
    const done = `${vscode.l10n.t(
      'Moved {0} message(s) of queue "{1}" {2}; {3} remain in the queue.',
      formatCount(result.moved),
      q.name,
      describeMove(args),
      formatCount(result.kept),
    )}${dupes}${marked}${route}`;
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
