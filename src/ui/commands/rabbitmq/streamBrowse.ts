/**
 * "Browse Stream…": a page of a stream queue from first, last, next, an
 * offset number or a time, shown with each message's offset and timestamp
 * (core/amqp/streamBrowser.ts).
 */
import { browseStream, MAX_BROWSE, type StreamMessage, type StreamOffset } from '../../../core/amqp/streamBrowser';
import { InputError } from '../../../core/errors';
import { num } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { queueArg, target, validateWholeNumber, where, type RabbitDeps } from './common';
import { messageLines } from './format';

function offsetFromArgs(value: unknown): StreamOffset {
  if (value === undefined)
    throw new InputError('Browsing a stream needs an "offset": "first", "last", "next", a number, or { "timestamp": … }.');
  return value as StreamOffset;
}

async function askOffset(call: CommandCall): Promise<StreamOffset> {
  const kind = await call.prompts.pick(
    [
      { label: 'First', detail: 'the oldest message the stream keeps', value: 'first' as const },
      { label: 'Last', detail: 'the last chunk written', value: 'last' as const },
      { label: 'Next', detail: 'only messages published from now on', value: 'next' as const },
      { label: 'Offset…', detail: 'a message number', value: 'number' as const },
      { label: 'Time…', detail: 'the first chunk written at or after a date', value: 'time' as const },
    ],
    { title: 'Browse the stream from' },
  );
  if (kind.value === 'number') return Number(await call.prompts.ask('Offset', { value: '0', validate: validateWholeNumber(0) }));
  if (kind.value === 'time') {
    const text = await call.prompts.ask('From (an ISO date, such as 2024-01-31T12:00:00Z)', {
      value: new Date(Date.now() - 3_600_000).toISOString(),
      validate: (v) => (Number.isNaN(Date.parse(v)) ? 'Give a date such as 2024-01-31T12:00:00Z.' : undefined),
    });
    return { timestamp: text };
  }
  return kind.value;
}

function streamDocument(title: string, messages: readonly StreamMessage[]): string {
  const lines = [title, ''];
  for (const m of messages) {
    lines.push(`── offset ${m.offset}${m.timestamp ? ` · ${m.timestamp}` : ''} ──`, ...messageLines({ ...m, redelivered: false }), '');
  }
  const last = messages.at(-1);
  if (last) lines.push(`Next page: offset ${last.offset + 1}`);
  return `${lines.join('\n')}\n`;
}

async function doBrowse(deps: RabbitDeps, call: CommandCall): Promise<{ messages: StreamMessage[] }> {
  const t = await target(deps, call);
  const q = await queueArg(t, call, 'queue', { title: `Browse which stream of ${where(t)}?` });
  let offset: StreamOffset;
  let count: number;
  if (call.args) {
    offset = offsetFromArgs(call.args.offset);
    count = num(call.args, 'count', { min: 1, max: MAX_BROWSE }) ?? 100;
  } else {
    offset = await askOffset(call);
    count = Number(await call.prompts.ask('How many messages?', { value: '100', validate: validateWholeNumber(1, MAX_BROWSE) }));
  }
  const result = await browseStream(t.session, { queue: q.name, offset, count });
  if (call.interactive) {
    const from = typeof offset === 'object' ? `time ${String(offset.timestamp)}` : `offset ${String(offset)}`;
    await deps.documents.show(
      `stream ${q.name}.log`,
      streamDocument(`Stream "${q.name}" in ${where(t)} from ${from}: ${result.messages.length} message(s).`, result.messages),
    );
  }
  return result;
}

export function rabbitStreamBrowseCommands(deps: RabbitDeps): CommandSpec[] {
  return [{ id: 'brokerExplorer.rabbitmq.browseStream', run: (call) => doBrowse(deps, call) }];
}
