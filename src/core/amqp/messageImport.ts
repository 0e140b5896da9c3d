/**
 * `brokerExplorer.rabbitmq.importMessages`: publishes each line of a JSON
 * lines file (as exportMessages writes them) on a confirm channel with
 * `mandatory`, to the line's own exchange and routing key unless the call
 * gives them, and counts what the broker confirmed and routed. The file is
 * read line by line (never whole), and every line is checked before it is
 * sent: a bad line stops the import with its number, after the lines before
 * it were published.
 */
import * as l10n from '@vscode/l10n';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ConfirmChannel, Options } from 'amqplib';
import { toBuffer, type BytesLike } from '../bytes';
import { InputError, errorMessage } from '../errors';
import type { AmqpSession } from './amqpSession';
import { checkShortString } from './amqpTable';
import { publishOptions } from './messageProperties';

export interface ImportArgs {
  path: string;
  exchange?: string;
  routingKey?: string;
}

export interface ImportResult {
  published: number;
  /** Confirmed and not returned as unroutable. */
  routed: number;
}

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (published: number) => void;
  /** Publishes in flight before waiting for their confirms (default 500). */
  window?: number;
}

interface Line {
  exchange: string;
  routingKey: string;
  body: Buffer;
  options: Options.Publish;
}

/** One line of the file, checked: `{ exchange?, routingKey?, body, properties? }`. */
export function parseLine(text: string, lineNo: number, args: ImportArgs): Line {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(l10n.t('Line {0} of the file is not valid JSON.', lineNo));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(l10n.t('Line {0} of the file is not a message object such as { "routingKey": "q", "body": "…" }.', lineNo));
  const o = value as Record<string, unknown>;
  try {
    const exchange = checkShortString(args.exchange ?? o.exchange ?? '', l10n.t('exchange name'), { allowEmpty: true });
    const routingKey = checkShortString(args.routingKey ?? o.routingKey ?? '', l10n.t('routing key'), { allowEmpty: true });
    if (o.body === undefined) throw new InputError(l10n.t('it has no "body"'));
    const body = toBuffer(o.body as BytesLike, l10n.t('message body'));
    const props =
      typeof o.properties === 'object' && o.properties !== null ? { ...(o.properties as Record<string, unknown>) } : o.properties;
    if (typeof props === 'object' && props !== null) delete (props as Record<string, unknown>).clusterId;
    return { exchange, routingKey, body, options: { ...publishOptions(props), mandatory: true } };
  } catch (err) {
    throw new InputError(l10n.t('Line {0} of the file cannot be published: {1}.', lineNo, errorMessage(err).replace(/\.$/, '')));
  }
}

/** Imports; refused on read-only profiles before the file is read. */
export async function importMessages(session: AmqpSession, args: ImportArgs, options: ImportOptions = {}): Promise<ImportResult> {
  if (typeof args.path !== 'string' || args.path.trim() === '') throw new InputError(l10n.t('The import needs a file path.'));
  session.assertWritable(l10n.t('importing messages from a file'));
  const window = Math.max(1, options.window ?? 500);
  return session.withChannel(
    l10n.t('importing messages from "{0}"', args.path),
    async (ch) => {
      let returned = 0;
      ch.on('return', () => returned++);
      let published = 0;
      let confirmed = 0;
      const lines = createInterface({ input: createReadStream(args.path), crlfDelay: Infinity });
      let lineNo = 0;
      for await (const text of lines) {
        lineNo++;
        if (text.trim() === '') continue;
        if (options.signal?.aborted) break;
        const line = parseLine(text, lineNo, args);
        publishOne(ch, line, () => confirmed++);
        published++;
        if (published % window === 0) {
          await ch.waitForConfirms();
          options.onProgress?.(published);
        }
      }
      await ch.waitForConfirms();
      options.onProgress?.(published);
      return { published, routed: confirmed - returned };
    },
    { confirm: true, ...(options.signal ? { signal: options.signal } : {}) },
  );
}

function publishOne(ch: ConfirmChannel, line: Line, onConfirmed: () => void): void {
  ch.publish(line.exchange, line.routingKey, line.body, line.options, (err: unknown) => {
    if (err === null || err === undefined) onConfirmed();
  });
}
