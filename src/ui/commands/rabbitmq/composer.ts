/**
 * The message composer: a JSON document per exchange (routing key, body,
 * properties, headers, mandatory), kept as a draft file in the extension's
 * storage and sent with Ctrl/Cmd+Enter (brokerExplorer.rabbitmq.sendDraft)
 * through the same publish as the one-line Publish Message.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { publish, type PublishArgs, type PublishResult } from '../../../core/amqp/publisher';
import { errorMessage, InputError } from '../../../core/errors';
import type { Prompts } from '../../prompts';
import { ExchangeNode, QueueNode } from '../../tree/rabbitItems';
import { str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { exchangeArg, target, where, type RabbitDeps } from './common';

export const DRAFT_SUFFIX = '.publish.json';
/** A draft larger than this is refused (the body of a composed message is typed by a person). */
const MAX_DRAFT_BYTES = 16 * 1024 * 1024;

interface Draft {
  target: { profile: string; vhost: string; exchange: string };
  routingKey: string;
  body: unknown;
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
  mandatory: boolean;
}

/** One draft per exchange; through the default exchange, one per queue (its routing key). */
function draftPath(deps: Pick<RabbitDeps, 'storageDir'>, profile: string, vhost: string, exchange: string, queue?: string): string {
  const id = createHash('sha256')
    .update(JSON.stringify(queue === undefined ? [profile, vhost, exchange] : [profile, vhost, exchange, queue]))
    .digest('hex')
    .slice(0, 16);
  const readable = `${profile}-${exchange || (queue === undefined ? 'default' : `queue-${queue}`)}`.replace(/[^\w.-]+/g, '_').slice(0, 60);
  return join(deps.storageDir(), 'drafts', `${readable}-${id}${DRAFT_SUFFIX}`);
}

/**
 * Publish Message from the palette or a tree node asks first: a quick
 * one-line message, or the composer. True for the composer.
 */
export async function wantsComposer(prompts: Prompts): Promise<boolean> {
  const pick = await prompts.pick(
    [
      { label: vscode.l10n.t('Quick (one line)'), description: vscode.l10n.t('a body, then its options'), composer: false },
      {
        label: vscode.l10n.t('Open Composer (body, properties, headers)'),
        description: vscode.l10n.t('a JSON draft kept per exchange, sent with Ctrl/Cmd+Enter'),
        composer: true,
      },
    ],
    { title: vscode.l10n.t('Publish Message') },
  );
  return pick.composer;
}

/**
 * Opens (creating it the first time) the draft of an exchange; returns its
 * path. From a queue node: the draft of that queue through the default
 * exchange (routing key: the queue's name).
 */
export async function compose(deps: RabbitDeps, call: CommandCall): Promise<{ path: string }> {
  const t = await target(deps, call);
  const queue = call.node instanceof QueueNode ? call.node.info.name : undefined;
  const exchange =
    queue !== undefined
      ? ''
      : call.node instanceof ExchangeNode
        ? call.node.info.name
        : call.args
          ? (str(call.args, 'exchange') ?? '')
          : (
              await exchangeArg(t, call, 'exchange', {
                title: vscode.l10n.t('Compose a message to which exchange of {0}?', where(t)),
                allowDefault: true,
                allowTyped: true,
              })
            ).name;
  const path = draftPath(deps, t.profile.name, t.vhost, exchange, queue);
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const draft: Draft = {
      target: { profile: t.profile.name, vhost: t.vhost, exchange },
      routingKey: queue ?? '',
      body: { hello: 'world' },
      properties: { contentType: 'application/json', persistent: true },
      headers: {},
      mandatory: true,
    };
    await mkdir(join(deps.storageDir(), 'drafts'), { recursive: true });
    await writeFile(path, `${JSON.stringify(draft, null, 2)}\n`);
  }
  if (call.interactive) await vscode.window.showTextDocument(vscode.Uri.file(path));
  return { path };
}

function parseDraft(text: string): Draft {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(vscode.l10n.t('The draft is not valid JSON ({0}): fix it, then send again.', errorMessage(err)));
  }
  const o = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const t = (typeof o.target === 'object' && o.target !== null ? o.target : {}) as Record<string, unknown>;
  if (typeof t.profile !== 'string' || typeof t.exchange !== 'string')
    throw new InputError(vscode.l10n.t('The draft has no "target" with "profile" and "exchange": open it again with "Compose Message…".'));
  const record = (v: unknown, what: string): Record<string, unknown> => {
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new InputError(vscode.l10n.t('"{0}" in the draft must be an object.', what));
    return v as Record<string, unknown>;
  };
  if (o.routingKey !== undefined && typeof o.routingKey !== 'string')
    throw new InputError(vscode.l10n.t('"routingKey" in the draft must be text.'));
  return {
    target: { profile: t.profile, vhost: typeof t.vhost === 'string' ? t.vhost : '/', exchange: t.exchange },
    routingKey: o.routingKey ?? '',
    body: o.body ?? '',
    properties: record(o.properties, 'properties'),
    headers: record(o.headers, 'headers'),
    mandatory: o.mandatory !== false,
  };
}

/** Sends the active draft (or the one at "path"): a text body as it is, any other JSON value serialized. */
async function sendDraft(deps: RabbitDeps, call: CommandCall): Promise<PublishResult> {
  let text: string;
  const path = call.args ? str(call.args, 'path', true) : undefined;
  if (path !== undefined) {
    if ((await stat(path)).size > MAX_DRAFT_BYTES)
      throw new InputError(vscode.l10n.t('The draft {0} is over 16 MB: publish a file with "Publish Message…" instead.', path));
    text = await readFile(path, 'utf8');
  } else {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !doc.fileName.endsWith(DRAFT_SUFFIX))
      throw new InputError(vscode.l10n.t('Open a message draft first ("Compose Message…" on an exchange).'));
    text = doc.getText();
  }
  const draft = parseDraft(text);
  const t = await target(deps, { ...call, args: { profile: draft.target.profile, vhost: draft.target.vhost }, interactive: false });
  const body = typeof draft.body === 'string' ? draft.body : JSON.stringify(draft.body);
  const headers =
    Object.keys(draft.headers).length > 0 ? { headers: { ...(draft.properties.headers as object | undefined), ...draft.headers } } : {};
  const args: PublishArgs = {
    exchange: draft.target.exchange,
    routingKey: draft.routingKey,
    body,
    properties: { ...draft.properties, ...headers },
    mandatory: draft.mandatory,
  };
  const result = await publish(t.session, args);
  if (call.interactive) {
    const exchange = args.exchange || vscode.l10n.t('(default)');
    if (!result.routed)
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'The message to exchange "{0}" with routing key "{1}" in {2} was returned unroutable: no queue took it.',
          exchange,
          args.routingKey,
          where(t),
        ),
      );
    else
      vscode.window.setStatusBarMessage(
        `$(check) ${vscode.l10n.t('Sent to exchange "{0}" with routing key "{1}" in {2}', exchange, args.routingKey, where(t))}`,
        5000,
      );
  }
  return result;
}

export function rabbitComposerCommands(deps: RabbitDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.composeMessage', run: (call) => compose(deps, call) },
    { id: 'brokerExplorer.rabbitmq.sendDraft', run: (call) => sendDraft(deps, call) },
  ];
}
