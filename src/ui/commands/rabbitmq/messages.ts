/**
 * Messages one at a time: publish (body typed, from the editor's selection
 * or from a file; properties; confirms; mandatory with a warning when the
 * broker returns it unroutable), peek without losing anything, and RPC calls.
 */
import type { Prompts } from '../../prompts';
import * as vscode from 'vscode';
import type { BytesLike } from '../../../core/bytes';
import { peekMessages } from '../../../core/amqp/peek';
import { publish, type PublishArgs, type PublishResult } from '../../../core/amqp/publisher';
import { rpcCall, type RpcArgs, type RpcResult } from '../../../core/amqp/rpcClient';
import type { AmqpMessage } from '../../../core/amqp/messageProperties';
import { InputError } from '../../../core/errors';
import { formatCount } from '../../../core/units';
import { QueueNode } from '../../tree/rabbitItems';
import { bool, bytes, num, obj, str } from '../args';
import { answered, type CommandCall, type CommandSpec } from '../registry';
import {
  exchangeArg,
  jsonObject,
  queueArg,
  target,
  validateJsonObject,
  validateWholeNumber,
  where,
  withCancel,
  type RabbitDeps,
  type Target,
} from './common';
import { compose, wantsComposer } from './composer';
import { bodyLines, messageLines, propertiesText } from './format';

/** The body of a message, picked by the user: typed, the editor's selection (or whole document), or a file. */
async function askBody(prompts: Prompts, title: string): Promise<{ body: BytesLike | Buffer; looksJson: boolean }> {
  const editor = vscode.window.activeTextEditor;
  const choices: { label: string; detail: string; value: 'type' | 'editor' | 'file' }[] = [
    { label: vscode.l10n.t('Type it'), detail: vscode.l10n.t('a line of text or JSON'), value: 'type' },
  ];
  if (editor) {
    choices.push({
      label: editor.selection.isEmpty ? vscode.l10n.t('The active editor') : vscode.l10n.t('The selection'),
      detail: vscode.workspace.asRelativePath(editor.document.uri),
      value: 'editor',
    });
  }
  choices.push({ label: vscode.l10n.t('A file…'), detail: vscode.l10n.t('its exact bytes'), value: 'file' });
  const source = choices.length === 1 ? 'type' : (await prompts.pick(choices, { title })).value;
  let body: BytesLike | Buffer;
  if (source === 'type') body = await prompts.ask(title, { value: '' });
  else if (source === 'editor' && editor) body = editor.document.getText(editor.selection.isEmpty ? undefined : editor.selection);
  else {
    const [uri] = answered(await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: vscode.l10n.t('Use as Body') }));
    if (!uri) throw new InputError(vscode.l10n.t('No file was chosen.'));
    body = Buffer.from(await vscode.workspace.fs.readFile(uri));
  }
  const text = Buffer.isBuffer(body) ? body.toString('utf8', 0, 64) : typeof body === 'string' ? body : '';
  return { body, looksJson: /^\s*[[{]/.test(text) };
}

async function askProperties(prompts: Prompts, looksJson: boolean): Promise<{ properties: Record<string, unknown>; mandatory: boolean }> {
  const flags = await prompts.pickMany(
    [
      {
        label: vscode.l10n.t('Persistent'),
        detail: vscode.l10n.t('delivery mode 2: written to disk by durable queues'),
        key: 'persistent',
        picked: true,
      },
      {
        label: vscode.l10n.t('Mandatory'),
        detail: vscode.l10n.t('the broker returns it when no queue takes it, and you are warned'),
        key: 'mandatory',
        picked: true,
      },
    ],
    { title: vscode.l10n.t('Publish options') },
  );
  const picked = new Set(flags.map((f) => f.key));
  const contentType = await prompts.ask(vscode.l10n.t('Content type (empty for none)'), {
    value: looksJson ? 'application/json' : 'text/plain',
  });
  const more = jsonObject(
    await prompts.ask(vscode.l10n.t('More properties (JSON, optional)'), {
      value: '',
      placeHolder:
        '{ "headers": { "x-retry": 1 }, "correlationId": "…", "replyTo": "…", "messageId": "…", "expiration": "60000", "priority": 5, "type": "…", "appId": "…", "timestamp": 1700000000 }',
      validate: validateJsonObject,
    }),
    vscode.l10n.t('message properties'),
  );
  const properties: Record<string, unknown> = {
    ...(picked.has('persistent') ? { persistent: true } : {}),
    ...(contentType ? { contentType } : {}),
    ...more,
  };
  return { properties, mandatory: picked.has('mandatory') };
}

async function doPublish(deps: RabbitDeps, call: CommandCall): Promise<(PublishResult & { note?: string }) | { path: string }> {
  // From the palette or a tree node: a quick one-line message, or the composer (arguments publish straight away).
  if (!call.args && (await wantsComposer(call.prompts))) return compose(deps, call);
  const t = await target(deps, call);
  let args: PublishArgs;
  if (call.args) {
    const a = call.args;
    args = { exchange: str(a, 'exchange') ?? '', routingKey: str(a, 'routingKey') ?? '', body: bytes(a, 'body', true) };
    if (a.properties !== undefined) args.properties = obj(a, 'properties');
    const mandatory = bool(a, 'mandatory');
    if (mandatory !== undefined) args.mandatory = mandatory;
  } else {
    let exchange = '';
    let routingKey: string;
    if (call.node instanceof QueueNode) routingKey = call.node.info.name;
    else {
      exchange = (
        await exchangeArg(t, call, 'exchange', {
          title: vscode.l10n.t('Publish to which exchange of {0}?', where(t)),
          allowDefault: true,
          allowTyped: true,
        })
      ).name;
      routingKey = await call.prompts.ask(
        exchange === ''
          ? vscode.l10n.t('Routing key (the default exchange routes to the queue of this name)')
          : vscode.l10n.t('Routing key for exchange "{0}"', exchange),
        { value: '' },
      );
    }
    const { body, looksJson } = await askBody(
      call.prompts,
      exchange === ''
        ? vscode.l10n.t('Body of the message to queue "{0}"', routingKey)
        : vscode.l10n.t('Body of the message to exchange "{0}"', exchange),
    );
    const { properties, mandatory } = await askProperties(call.prompts, looksJson);
    args = { exchange, routingKey, body, properties, mandatory };
  }
  const result: PublishResult & { note?: string } = await publish(t.session, args);
  if (args.routingKey === '' && args.exchange !== '') {
    const type = await t.session
      .management()
      .getExchange(t.vhost, args.exchange)
      .then((e) => e.type)
      .catch(() => undefined);
    if (type === 'topic')
      result.note = vscode.l10n.t('The routing key is empty: on topic exchange "{0}" only bindings with "#" match it.', args.exchange);
  }
  if (result.note && call.interactive) void vscode.window.showInformationMessage(result.note);
  const to =
    args.exchange === ''
      ? vscode.l10n.t('queue "{0}" (default exchange)', args.routingKey)
      : vscode.l10n.t('exchange "{0}" with routing key "{1}"', args.exchange, args.routingKey);
  if (!result.routed) {
    void vscode.window.showWarningMessage(
      args.exchange === ''
        ? vscode.l10n.t('The message to {0} in {1} was returned unroutable: there is no such queue, so nobody received it.', to, where(t))
        : vscode.l10n.t(
            'The message to {0} in {1} was returned unroutable: no queue or exchange is bound for that routing key, so nobody received it.',
            to,
            where(t),
          ),
    );
  } else if (!result.confirmed) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('The broker refused (nacked) the message to {0} in {1}: it was not stored; try again.', to, where(t)),
    );
  } else if (call.interactive) {
    vscode.window.setStatusBarMessage(`$(check) ${vscode.l10n.t('Published to {0} · confirmed', to)}`, 4000);
  }
  return result;
}

function messagesDocument(title: string, note: string, messages: readonly AmqpMessage[]): string {
  const lines = [title, note, ''];
  messages.forEach((m, i) => {
    lines.push(`── ${vscode.l10n.t('{0} of {1}', formatCount(i + 1), formatCount(messages.length))} ──`, ...messageLines(m), '');
  });
  return `${lines.join('\n')}\n`;
}

async function doPeek(deps: RabbitDeps, call: CommandCall): Promise<{ messages: AmqpMessage[] }> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'queue', { title: vscode.l10n.t('Peek at which queue of {0}?', where(t)) });
  let count: number;
  if (call.args) count = num(call.args, 'count', { min: 1, max: 10_000 }) ?? 10;
  else {
    if (q.info?.type === 'quorum') {
      await call.prompts.confirm(
        vscode.l10n.t('Queue "{0}" is a quorum queue: each peek counts toward its delivery limit.', q.name),
        vscode.l10n.t('Peek Anyway'),
        vscode.l10n.t('A message peeked too often (x-delivery-limit) is dropped or dead-lettered.'),
      );
    }
    count = Number(
      await call.prompts.ask(vscode.l10n.t('Peek at how many messages of queue "{0}"?', q.name), {
        value: '10',
        validate: validateWholeNumber(1, 10_000),
      }),
    );
  }
  const result = await withCancel(call, vscode.l10n.t('Peeking at queue "{0}"…', q.name), (signal) =>
    peekMessages(t.session, { queue: q.name, count, ...(q.info?.type ? { queueType: q.info.type } : {}) }, signal ? { signal } : {}),
  );
  if (call.interactive) {
    await deps.documents.show(
      `peek ${q.name}.log`,
      messagesDocument(
        vscode.l10n.t(
          'Peeked at {0} message(s) of {1} queue "{2}" in {3}.',
          formatCount(result.messages.length),
          result.queueType,
          q.name,
          where(t),
        ),
        result.note,
        result.messages,
      ),
    );
    if (result.queueType === 'quorum' && result.messages.length > 0) void vscode.window.showWarningMessage(result.note);
  }
  return { messages: result.messages };
}

async function doRpc(deps: RabbitDeps, call: CommandCall): Promise<RpcResult> {
  const t: Target = await target(deps, call);
  let args: RpcArgs;
  if (call.args) {
    const a = call.args;
    args = { routingKey: str(a, 'routingKey', true), body: bytes(a, 'body', true) };
    const exchange = str(a, 'exchange');
    const timeoutMs = num(a, 'timeoutMs', { min: 1, max: 600_000 });
    const replyMode = str(a, 'replyMode');
    if (exchange !== undefined) args.exchange = exchange;
    if (a.properties !== undefined) args.properties = obj(a, 'properties');
    if (timeoutMs !== undefined) args.timeoutMs = timeoutMs;
    if (replyMode !== undefined) {
      if (replyMode !== 'direct' && replyMode !== 'callbackQueue')
        throw new InputError(vscode.l10n.t('The reply mode "{0}" is not known: use "direct" or "callbackQueue".', replyMode));
      args.replyMode = replyMode;
    }
  } else {
    const routingKey =
      call.node instanceof QueueNode
        ? call.node.info.name
        : await call.prompts.ask(vscode.l10n.t("RPC call in {0}: the server's queue", where(t)), {
            value: 'rpc_queue',
            prompt: vscode.l10n.t('Sent through the default exchange to this queue, with replyTo and a new correlationId.'),
          });
    const { body } = await askBody(call.prompts, vscode.l10n.t('Request body for "{0}"', routingKey));
    const timeout = await call.prompts.ask(vscode.l10n.t('Timeout (ms)'), { value: '10000', validate: validateWholeNumber(1, 600_000) });
    args = { routingKey, body, timeoutMs: Number(timeout) };
  }
  const target2 = args.exchange
    ? vscode.l10n.t('exchange "{0}" ({1})', args.exchange, args.routingKey)
    : vscode.l10n.t('queue "{0}"', args.routingKey);
  const result = await withCancel(call, vscode.l10n.t('Calling {0}…', target2), (signal) =>
    rpcCall(t.session, args, signal ? { signal } : {}),
  );
  if (call.interactive) {
    const props = propertiesText(result.properties);
    const text = [
      vscode.l10n.t('RPC reply from {0} in {1} after {2} ms', target2, where(t), formatCount(result.elapsedMs)),
      '',
      vscode.l10n.t('properties'),
      `  ${props || vscode.l10n.t('(none)')}`,
      '',
      vscode.l10n.t('body'),
      ...bodyLines(result.body),
      '',
    ].join('\n');
    await deps.documents.show(`rpc ${args.routingKey} reply.log`, text);
  }
  return result;
}

export function rabbitMessageCommands(deps: RabbitDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.publish', run: (call) => doPublish(deps, call) },
    { id: 'brokerExplorer.rabbitmq.peek', run: (call) => doPeek(deps, call) },
    { id: 'brokerExplorer.rabbitmq.rpcCall', run: (call) => doRpc(deps, call) },
  ];
}
