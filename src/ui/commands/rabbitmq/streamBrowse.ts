/**
 * "Browse Stream…": a page of a stream queue from first, last, next, an
 * offset number or a time, shown with each message's offset and timestamp
 * (core/amqp/streamBrowser.ts).
 */
import * as vscode from 'vscode';
import { browseStream, MAX_BROWSE, type StreamMessage, type StreamOffset } from '../../../core/amqp/streamBrowser';
import { InputError } from '../../../core/errors';
import { num } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { queueArg, target, validateWholeNumber, where, type RabbitDeps } from './common';
import { messageLines } from './format';
import { formatCount } from '../../../core/units';

function offsetFromArgs(value: unknown): StreamOffset {
  if (value === undefined)
    throw new InputError(
      vscode.l10n.t('Browsing a stream needs an "offset": "first", "last", "next", a number, or {0}.', '{ "timestamp": … }'),
    );
  return value as StreamOffset;
}

async function askOffset(call: CommandCall): Promise<StreamOffset> {
  const kind = await call.prompts.pick(
    [
      { label: vscode.l10n.t('First'), detail: vscode.l10n.t('the oldest message the stream keeps'), value: 'first' as const },
      { label: vscode.l10n.t('Last'), detail: vscode.l10n.t('the last chunk written'), value: 'last' as const },
      { label: vscode.l10n.t('Next'), detail: vscode.l10n.t('only messages published from now on'), value: 'next' as const },
      { label: vscode.l10n.t('Offset…'), detail: vscode.l10n.t('a message number'), value: 'number' as const },
      { label: vscode.l10n.t('Time…'), detail: vscode.l10n.t('the first chunk written at or after a date'), value: 'time' as const },
    ],
    { title: vscode.l10n.t('Browse the stream from') },
  );
  if (kind.value === 'number')
    return Number(await call.prompts.ask(vscode.l10n.t('Offset'), { value: '0', validate: validateWholeNumber(0) }));
  if (kind.value === 'time') {
    const text = await call.prompts.ask(vscode.l10n.t('From (an ISO date, such as {0})', '2024-01-31T12:00:00Z'), {
      value: new Date(Date.now() - 3_600_000).toISOString(),
      validate: (v) => (Number.isNaN(Date.parse(v)) ? vscode.l10n.t('Give a date such as {0}.', '2024-01-31T12:00:00Z') : undefined),
    });
    return { timestamp: text };
  }
  return kind.value;
}

function streamDocument(title: string, messages: readonly StreamMessage[]): string {
  const lines = [title, ''];
  for (const m of messages) {
    const head = vscode.l10n.t('offset {0}', m.offset);
    lines.push(`── ${head}${m.timestamp ? ` · ${m.timestamp}` : ''} ──`, ...messageLines({ ...m, redelivered: false }), '');
  }
  const last = messages.at(-1);
  if (last) lines.push(vscode.l10n.t('Next page: offset {0}', last.offset + 1));
  return `${lines.join('\n')}\n`;
}

async function doBrowse(deps: RabbitDeps, call: CommandCall): Promise<{ messages: StreamMessage[] }> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'queue', { title: vscode.l10n.t('Browse which stream of {0}?', where(t)) });
  let offset: StreamOffset;
  let count: number;
  if (call.args) {
    offset = offsetFromArgs(call.args.offset);
    count = num(call.args, 'count', { min: 1, max: MAX_BROWSE }) ?? 100;
  } else {
    offset = await askOffset(call);
    count = Number(
      await call.prompts.ask(vscode.l10n.t('How many messages?'), { value: '100', validate: validateWholeNumber(1, MAX_BROWSE) }),
    );
  }
  const result = await browseStream(t.session, { queue: q.name, offset, count });
  if (call.interactive) {
    const from =
      typeof offset === 'object' ? vscode.l10n.t('time {0}', String(offset.timestamp)) : vscode.l10n.t('offset {0}', String(offset));
    await deps.documents.show(
      `stream ${q.name}.log`,
      streamDocument(
        vscode.l10n.t('Stream "{0}" in {1} from {2}: {3} message(s).', q.name, where(t), from, formatCount(result.messages.length)),
        result.messages,
      ),
    );
  }
  return result;
}

export function rabbitStreamBrowseCommands(deps: RabbitDeps): CommandSpec[] {
  return [{ id: 'brokerExplorer.rabbitmq.browseStream', run: (call) => doBrowse(deps, call) }];
}
