/**
 * Messages as text, for tail and consumer channels and peek documents:
 * a header line (time, exchange, routing key), the properties, and the
 * body as pretty JSON, text, or a hex dump.
 */
import * as vscode from 'vscode';
import { formatPayload, toBuffer, type BytesLike } from '../../../core/bytes';
import type { AmqpMessage, AmqpProperties } from '../../../core/amqp/messageProperties';
import { formatCount } from '../../../core/units';
import { timestamp, type TailOutput } from '../../tails/tailOutput';

/** Bodies longer than this are cut in the display (the buffer keeps them whole). */
export const MAX_BODY_CHARS = 16_384;
const MAX_HEX_BYTES = 1_024;

export function exchangeLabel(name: string): string {
  return name === '' ? vscode.l10n.t('(AMQP default)') : name;
}

export function propertiesText(p: AmqpProperties): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return parts.join(' ');
}

/** The body as display lines (the one payload formatter): pretty JSON when it parses, text, or a hex dump. */
export function bodyLines(body: BytesLike, indent = '  '): string[] {
  const payload = typeof body === 'string' ? body : toBuffer(body);
  if (payload.length === 0) return [`${indent}${vscode.l10n.t('(empty body)')}`];
  return formatPayload(payload, { json: true, maxChars: MAX_BODY_CHARS, maxHexBytes: MAX_HEX_BYTES })
    .split('\n')
    .map((l) => indent + l);
}

/** One message: `12:00:00.123  logs ⟫ info  12 bytes  redelivered` (no time when none is given), properties, body. */
export function messageLines(m: AmqpMessage, time?: number): string[] {
  const size = typeof m.body === 'string' ? Buffer.byteLength(m.body, 'utf8') : m.body.hex.length / 2;
  const key = m.routingKey === '' ? vscode.l10n.t('(no routing key)') : m.routingKey;
  const binary = typeof m.body === 'string' ? '' : ` ${vscode.l10n.t('(binary)')}`;
  const redelivered = m.redelivered ? `  ${vscode.l10n.t('redelivered')}` : '';
  const head = `${time === undefined ? '' : `${timestamp(time)}  `}${exchangeLabel(m.exchange)} ⟫ ${key}  ${vscode.l10n.t('{0} bytes', formatCount(size))}${binary}${redelivered}`;
  const props = propertiesText(m.properties);
  return [head, ...(props ? [`  ${props}`] : []), ...bodyLines(m.body)];
}

interface ArrivedMessage {
  message: AmqpMessage;
  time: number;
}

function arrivedLines(a: ArrivedMessage): string[] {
  return messageLines(a.message, a.time);
}

/** Queues a message for a tail or consumer channel, stamped now; its lines are formatted only when written out. */
export function appendMessage(output: TailOutput, message: AmqpMessage, time: number = Date.now()): void {
  output.appendLazy<ArrivedMessage>({ message, time }, arrivedLines);
}
