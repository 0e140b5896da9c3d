/**
 * Declaring RabbitMQ exchanges and queues: from plain arguments, or asked
 * for step by step (type, flags, and typed inputs for the common queue
 * arguments). Registered with the rest of the topology commands (manage.ts).
 */
import * as vscode from 'vscode';
import { declareExchange, declareQueue } from '../../../core/amqp/topology';
import type { Prompts } from '../../prompts';
import { bool, obj, str } from '../args';
import type { CommandCall } from '../registry';
import { jsonObject, target, validateJsonObject, validateWholeNumber, where, type RabbitDeps } from './common';

async function pickFlags(
  prompts: Prompts,
  title: string,
  flags: { label: string; key: string; picked: boolean; detail: string }[],
): Promise<Set<string>> {
  const picked = await prompts.pickMany(flags, { title });
  return new Set(picked.map((p) => p.key));
}

export async function doDeclareExchange(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
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
    const name = await call.prompts.ask(vscode.l10n.t('New exchange in {0}: name', where(t)), {
      validate: (v) => (v === '' ? vscode.l10n.t('Give a name.') : v.startsWith('amq.') ? reservedName() : undefined),
    });
    const type = (
      await call.prompts.pick(
        [
          { label: 'direct', detail: vscode.l10n.t('to the queues bound with exactly the routing key') },
          { label: 'fanout', detail: vscode.l10n.t('to every bound queue; the routing key is ignored') },
          { label: 'topic', detail: vscode.l10n.t('to the queues whose pattern matches the key (* one word, # zero or more)') },
          { label: 'headers', detail: vscode.l10n.t('by message headers (x-match all / any)') },
        ],
        { title: vscode.l10n.t('Exchange "{0}": type', name) },
      )
    ).label;
    const flags = await pickFlags(call.prompts, vscode.l10n.t('Exchange "{0}": options', name), [
      { label: vscode.l10n.t('Durable'), key: 'durable', picked: true, detail: vscode.l10n.t('survives a broker restart') },
      {
        label: vscode.l10n.t('Auto-delete'),
        key: 'autoDelete',
        picked: false,
        detail: vscode.l10n.t('deleted when its last binding is removed'),
      },
      { label: vscode.l10n.t('Internal'), key: 'internal', picked: false, detail: vscode.l10n.t('only other exchanges can publish to it') },
    ]);
    const table = jsonObject(
      await call.prompts.ask(vscode.l10n.t('Arguments (JSON, optional)'), {
        value: '',
        placeHolder: '{ "alternate-exchange": "unrouted" }',
        validate: validateJsonObject,
      }),
      vscode.l10n.t('exchange arguments'),
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

/** The refusal of a name the broker reserves. */
function reservedName(): string {
  return vscode.l10n.t('Names starting with "amq." are reserved by the broker.');
}

/** The typed queue-argument prompts; blank answers are left out. */
async function askQueueArguments(prompts: Prompts, type: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { 'x-queue-type': type };
  if (type !== 'stream') {
    const ttl = await prompts.ask(vscode.l10n.t('x-message-ttl: milliseconds a message may wait (empty for no limit)'), {
      value: '',
      validate: validateWholeNumber(0, 2 ** 32 - 1, true),
    });
    if (ttl.trim() !== '') out['x-message-ttl'] = Number(ttl);
    const dlx = await prompts.ask(vscode.l10n.t('x-dead-letter-exchange: where rejected or expired messages go (empty for none)'), {
      value: '',
    });
    if (dlx !== '') {
      out['x-dead-letter-exchange'] = dlx;
      const dlk = await prompts.ask(vscode.l10n.t("x-dead-letter-routing-key (empty to keep the message's own key)"), { value: '' });
      if (dlk !== '') out['x-dead-letter-routing-key'] = dlk;
    }
    const max = await prompts.ask(vscode.l10n.t('x-max-length: most ready messages kept (empty for no limit)'), {
      value: '',
      validate: validateWholeNumber(0, Number.MAX_SAFE_INTEGER, true),
    });
    if (max.trim() !== '') out['x-max-length'] = Number(max);
  }
  const more = jsonObject(
    await prompts.ask(vscode.l10n.t('Other arguments (JSON, optional)'), {
      value: '',
      placeHolder: type === 'stream' ? '{ "x-max-age": "7D" }' : '{ "x-overflow": "reject-publish" }',
      validate: validateJsonObject,
    }),
    vscode.l10n.t('queue arguments'),
  );
  return { ...out, ...more };
}

export async function doDeclareQueue(deps: RabbitDeps, call: CommandCall): Promise<unknown> {
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
    const name = await call.prompts.ask(vscode.l10n.t('New queue in {0}: name', where(t)), {
      value: '',
      prompt: vscode.l10n.t('Empty lets the broker choose a name.'),
      validate: (v) => (v.startsWith('amq.') ? reservedName() : undefined),
    });
    const type = (
      await call.prompts.pick(
        [
          { label: 'classic', detail: vscode.l10n.t('the default queue type') },
          { label: 'quorum', detail: vscode.l10n.t('replicated, durable; for data safety') },
          { label: 'stream', detail: vscode.l10n.t('an append-only log read from an offset; messages stay after being read') },
        ],
        {
          title:
            name === ''
              ? vscode.l10n.t('New server-named queue: type (x-queue-type)')
              : vscode.l10n.t('New queue "{0}": type (x-queue-type)', name),
        },
      )
    ).label;
    const optionsTitle = name === '' ? vscode.l10n.t('New server-named queue: options') : vscode.l10n.t('New queue "{0}": options', name);
    const options =
      type === 'classic'
        ? await pickFlags(call.prompts, optionsTitle, [
            { label: vscode.l10n.t('Durable'), key: 'durable', picked: true, detail: vscode.l10n.t('survives a broker restart') },
            {
              label: vscode.l10n.t('Exclusive'),
              key: 'exclusive',
              picked: false,
              detail: vscode.l10n.t("belongs to this extension's connection and goes with it"),
            },
            {
              label: vscode.l10n.t('Auto-delete'),
              key: 'autoDelete',
              picked: false,
              detail: vscode.l10n.t('deleted when its last consumer leaves'),
            },
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
