/**
 * brokerExplorer.redis.publish and brokerExplorer.redis.subscribe. A
 * subscription is a tail (tails.read / tails.stop / the tree's Running
 * folder) on a dedicated connection with its own output channel.
 */
import type { Prompts } from '../../prompts';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { toBuffer } from '../../../core/bytes';
import { InputError } from '../../../core/errors';
import { formatCount } from '../../../core/units';
import { messageToJson, publish as corePublish } from '../../../core/redis/pubsub';
import { splitArgs } from '../../../core/redis/tokenizer';
import { startSubscriptionTail } from '../../redis/subscriptionTail';
import { bool, bytes, list, num } from '../args';
import { answered, type CommandCall, type CommandSpec } from '../registry';
import { resolveTarget, type RedisUiDeps } from './redisTarget';

function byteList(value: unknown[] | undefined, what: string): Buffer[] {
  return (value ?? []).map((v, i) => {
    if (typeof v !== 'string' && !(typeof v === 'object' && v !== null && 'hex' in v))
      throw new InputError(vscode.l10n.t('The {0} #{1} must be text or { "hex": "…" }.', what, i + 1));
    return toBuffer(v as string | { hex: string }, `${what} #${i + 1}`);
  });
}

async function messageFromUser(prompts: Prompts): Promise<Buffer> {
  const editor = vscode.window.activeTextEditor;
  const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
  const choices: { label: string; description?: string; from: 'input' | 'selection' | 'document' | 'file' }[] = [
    { label: vscode.l10n.t('Type the message'), from: 'input' },
  ];
  if (selection !== undefined)
    choices.push({
      label: vscode.l10n.t('The selection'),
      description: vscode.l10n.t('{0} characters', formatCount(selection.length)),
      from: 'selection',
    });
  else if (editor)
    choices.push({
      label: vscode.l10n.t('The active document'),
      description: vscode.workspace.asRelativePath(editor.document.uri),
      from: 'document',
    });
  choices.push({ label: vscode.l10n.t('A file…'), description: vscode.l10n.t('sent as its exact bytes'), from: 'file' });
  const pick = await prompts.pick(choices, { title: vscode.l10n.t('Publish: message') });
  switch (pick.from) {
    case 'input':
      return Buffer.from(await prompts.ask(vscode.l10n.t('Publish: message'), { prompt: vscode.l10n.t('Sent as UTF-8 text.') }), 'utf8');
    case 'selection':
      return Buffer.from(selection ?? '', 'utf8');
    case 'document':
      return Buffer.from(editor?.document.getText() ?? '', 'utf8');
    case 'file': {
      const files = answered(await vscode.window.showOpenDialog({ title: vscode.l10n.t('Publish a file'), canSelectMany: false }));
      if (files.length === 0) throw new InputError(vscode.l10n.t('No file was chosen.'));
      return readFile(files[0].fsPath);
    }
  }
}

async function publish(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, vscode.l10n.t('Publish'), false);
  let channel: Buffer;
  let message: Buffer;
  if (call.args) {
    channel = toBuffer(bytes(call.args, 'channel', true), 'channel');
    message = toBuffer(bytes(call.args, 'message', true), 'message');
  } else {
    channel = Buffer.from(
      await call.prompts.ask(vscode.l10n.t('Publish on "{0}": channel', t.profile.name), {
        validate: (v) => (v === '' ? vscode.l10n.t('Name a channel.') : undefined),
      }),
      'utf8',
    );
    message = await messageFromUser(call.prompts);
  }
  const receivers = await corePublish(t.session, channel, message);
  if (!call.args)
    vscode.window.setStatusBarMessage(
      receivers === 1
        ? vscode.l10n.t('Redis: published {0} bytes to {1} subscriber', formatCount(message.length), receivers)
        : vscode.l10n.t('Redis: published {0} bytes to {1} subscribers', formatCount(message.length), receivers),
      5000,
    );
  return { receivers };
}

async function subscribe(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const args = call.args ?? {};
  const t = await resolveTarget(deps, call, vscode.l10n.t('Subscribe'), false);
  let channels: Buffer[];
  let patterns: Buffer[];
  if (call.args) {
    channels = byteList(list(args, 'channels'), 'channel');
    patterns = byteList(list(args, 'patterns'), 'pattern');
  } else {
    const text = await call.prompts.ask(vscode.l10n.t('Subscribe on "{0}"', t.profile.name), {
      prompt: vscode.l10n.t(
        'Channels and patterns, separated by spaces (redis-cli quoting). Names with * ? [ ] are patterns (PSUBSCRIBE).',
      ),
      placeHolder: 'orders news.*',
    });
    const names = splitArgs(text);
    const isPattern = (b: Buffer): boolean => /[*?[]/.test(b.toString('latin1'));
    channels = names.filter((n) => !isPattern(n));
    patterns = names.filter(isPattern);
  }
  if (channels.length + patterns.length === 0)
    throw new InputError(vscode.l10n.t('Subscribe to at least one channel ("channels") or pattern ("patterns").'));
  // With take, the first `take` messages are held apart from the ring buffer from the start: none is dropped.
  const take = call.args ? num(args, 'take', { min: 1, max: 1_000_000 }) : undefined;
  const started = await startSubscriptionTail(deps.tails, {
    profile: t.profile,
    db: t.db,
    channels,
    patterns,
    open: () => t.session.dedicated('subscribe'),
    settings: deps.settings(),
    redact: (text) => deps.log.redact(text),
    ...(take !== undefined ? { take } : {}),
  });
  if (!call.args) {
    started.output.show();
    return undefined;
  }
  const id = started.tail.id;
  if (take === undefined) return { id };
  const timeoutMs = num(args, 'timeoutMs', { min: 0, max: 3_600_000 }) ?? 30_000;
  const messages = (await started.subscription.takeFirst({ timeoutMs })).map(messageToJson);
  if (!(bool(args, 'keep') ?? false)) await deps.tails.stop(id);
  return { id, messages };
}

export function redisPubSubCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.publish', run: (call) => publish(deps, call) },
    { id: 'brokerExplorer.redis.subscribe', run: (call) => subscribe(deps, call) },
  ];
}
