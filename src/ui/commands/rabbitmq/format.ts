/**
 * Messages as text, for tail and consumer channels and peek documents:
 * a header line (time, exchange, routing key), the properties, and the
 * body as pretty JSON, text, or a hex dump.
 */
import type { BytesLike } from '../../../core/bytes';
import type { AmqpMessage, AmqpProperties } from '../../../core/amqp/messageProperties';
import { timestamp, type TailOutput } from '../../tails/tailOutput';

/** Bodies longer than this are cut in the display (the buffer keeps them whole). */
export const MAX_BODY_CHARS = 16_384;
const MAX_HEX_BYTES = 1_024;

export function exchangeLabel(name: string): string {
  return name === '' ? '(AMQP default)' : name;
}

export function propertiesText(p: AmqpProperties): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return parts.join(' ');
}

/** The body as display lines: pretty JSON when it parses, text, or a hex dump. */
export function bodyLines(body: BytesLike, indent = '  '): string[] {
  if (typeof body !== 'string') return hexLines(body.hex, indent);
  const trimmed = body.trim();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && body.length <= MAX_BODY_CHARS) {
    try {
      return JSON.stringify(JSON.parse(trimmed) as unknown, null, 2)
        .split('\n')
        .map((l) => indent + l);
    } catch {
      // not JSON: shown as text
    }
  }
  const shown =
    body.length > MAX_BODY_CHARS ? `${body.slice(0, MAX_BODY_CHARS)}… (${body.length.toLocaleString('en-US')} characters in all)` : body;
  return shown.split(/\r?\n/).map((l) => indent + l);
}

function hexLines(hex: string, indent: string): string[] {
  const bytes = hex.length / 2;
  const lines: string[] = [];
  const shown = Math.min(bytes, MAX_HEX_BYTES);
  for (let off = 0; off < shown; off += 16) {
    const chunk = hex.slice(off * 2, Math.min(shown, off + 16) * 2);
    const pairs = chunk.match(/../g) ?? [];
    const ascii = pairs.map((p) => {
      const c = parseInt(p, 16);
      return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    });
    lines.push(`${indent}${off.toString(16).padStart(8, '0')}  ${pairs.join(' ').padEnd(47)}  ${ascii.join('')}`);
  }
  if (bytes > shown) lines.push(`${indent}… ${bytes.toLocaleString('en-US')} bytes in all`);
  if (bytes === 0) lines.push(`${indent}(empty body)`);
  return lines;
}

/** One message: `12:00:00.123  logs ⟫ info  12 bytes  redelivered` (no time when none is given), properties, body. */
export function messageLines(m: AmqpMessage, time?: number): string[] {
  const size = typeof m.body === 'string' ? Buffer.byteLength(m.body, 'utf8') : m.body.hex.length / 2;
  const head = `${time === undefined ? '' : `${timestamp(time)}  `}${exchangeLabel(m.exchange)} ⟫ ${m.routingKey === '' ? '(no routing key)' : m.routingKey}  ${size.toLocaleString('en-US')} bytes${typeof m.body === 'string' ? '' : ' (binary)'}${m.redelivered ? '  redelivered' : ''}`;
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
