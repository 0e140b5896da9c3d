/**
 * Message properties with amqplib's names: checked before a publish (one
 * InputError sentence per problem), and messages turned into the plain
 * `{ exchange, routingKey, redelivered, body, properties }` shape.
 */
import * as l10n from '@vscode/l10n';
import type { Message, Options } from 'amqplib';
import { fromBuffer, type BytesLike } from '../bytes';
import { InputError } from '../errors';
import { tableToJson, toAmqpTable } from './amqpTable';

/** The AMQP basic properties, as amqplib names them. */
export interface AmqpProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  /** 1 transient, 2 persistent. */
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  /** Milliseconds, as a string of digits. */
  expiration?: string;
  messageId?: string;
  /** Seconds since the epoch. */
  timestamp?: number;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

/** What publish accepts: the properties, plus `persistent` and amqplib's `CC` / `BCC`. */
export interface PublishProperties extends Omit<AmqpProperties, 'expiration' | 'timestamp' | 'clusterId'> {
  persistent?: boolean;
  /** Milliseconds: digits as a string, or a whole number. */
  expiration?: string | number;
  /** Seconds since the epoch, or an ISO date. */
  timestamp?: number | string;
  CC?: string | string[];
  BCC?: string | string[];
}

/** A received message. */
export interface AmqpMessage {
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  /** Text when valid UTF-8, otherwise `{ hex }`. */
  body: BytesLike;
  properties: AmqpProperties;
}

const STRING_PROPERTIES = ['contentType', 'contentEncoding', 'correlationId', 'replyTo', 'messageId', 'type', 'userId', 'appId'] as const;
const KNOWN = new Set<string>([
  ...STRING_PROPERTIES,
  'headers',
  'deliveryMode',
  'persistent',
  'priority',
  'expiration',
  'timestamp',
  'CC',
  'BCC',
]);

function shortString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new InputError(l10n.t('The property "{0}" must be text, not {1}.', name, JSON.stringify(value)));
  if (Buffer.byteLength(value, 'utf8') > 255)
    throw new InputError(l10n.t('The property "{0}" is longer than 255 bytes: shorten it.', name));
  return value;
}

function routingList(value: unknown, name: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v): v is string => typeof v === 'string')) {
    throw new InputError(l10n.t('The property "{0}" must be a routing key or a list of routing keys.', name));
  }
  return list;
}

/**
 * Checks publish properties given as a plain object (from a command's JSON)
 * and returns amqplib's publish options. Throws one InputError sentence.
 */
export function publishOptions(properties: unknown): Options.Publish {
  if (properties === undefined || properties === null) return {};
  if (typeof properties !== 'object' || Array.isArray(properties)) {
    throw new InputError(l10n.t('The message properties must be an object such as { "contentType": "application/json" }.'));
  }
  const p = properties as Record<string, unknown>;
  const unknown = Object.keys(p).filter((k) => !KNOWN.has(k) && p[k] !== undefined);
  if (unknown.length > 0) {
    throw new InputError(l10n.t('The property "{0}" is not an AMQP message property: use {1}.', unknown[0], [...KNOWN].join(', ')));
  }
  const out: Options.Publish = {};
  for (const name of STRING_PROPERTIES) {
    if (p[name] !== undefined) out[name] = shortString(p[name], name);
  }
  if (p.headers !== undefined) out.headers = toAmqpTable(p.headers, 'headers');
  if (p.persistent !== undefined) {
    if (typeof p.persistent !== 'boolean') throw new InputError(l10n.t('The property "persistent" must be true or false.'));
    out.persistent = p.persistent;
  }
  if (p.deliveryMode !== undefined) {
    if (p.deliveryMode !== 1 && p.deliveryMode !== 2)
      throw new InputError(
        l10n.t('The property "deliveryMode" must be 1 (transient) or 2 (persistent), not {0}.', JSON.stringify(p.deliveryMode)),
      );
    if (p.persistent !== undefined && p.persistent !== (p.deliveryMode === 2)) {
      throw new InputError(l10n.t('The properties "persistent" and "deliveryMode" disagree: give only one of them.'));
    }
    out.deliveryMode = p.deliveryMode;
  }
  if (p.priority !== undefined) {
    if (typeof p.priority !== 'number' || !Number.isInteger(p.priority) || p.priority < 0 || p.priority > 255) {
      throw new InputError(l10n.t('The property "priority" must be a whole number from 0 to 255, not {0}.', JSON.stringify(p.priority)));
    }
    out.priority = p.priority;
  }
  if (p.expiration !== undefined) {
    const e = p.expiration;
    const ok = (typeof e === 'string' && /^\d+$/.test(e)) || (typeof e === 'number' && Number.isInteger(e) && e >= 0);
    if (!ok)
      throw new InputError(
        l10n.t(
          'The property "expiration" must be a non-negative whole number of milliseconds written as text, such as "60000", not {0}.',
          JSON.stringify(e),
        ),
      );
    if (String(e).length > 10 || Number(e) > 2 ** 32 - 1)
      throw new InputError(l10n.t('The property "expiration" is too large: give at most {0} milliseconds.', 2 ** 32 - 1));
    out.expiration = String(e);
  }
  if (p.timestamp !== undefined) {
    const t = p.timestamp;
    let seconds: number;
    if (typeof t === 'number') seconds = t;
    else if (typeof t === 'string' && !Number.isNaN(Date.parse(t))) seconds = Math.floor(Date.parse(t) / 1000);
    else throw new InputError(l10n.t('The property "timestamp" must be seconds since 1970 or an ISO date, not {0}.', JSON.stringify(t)));
    if (!Number.isInteger(seconds) || seconds < 0)
      throw new InputError(l10n.t('The property "timestamp" must be a whole, non-negative number of seconds, not {0}.', JSON.stringify(t)));
    out.timestamp = seconds;
  }
  if (p.CC !== undefined) out.CC = routingList(p.CC, 'CC');
  if (p.BCC !== undefined) out.BCC = routingList(p.BCC, 'BCC');
  return out;
}

/** The properties amqplib decoded, without the undefined ones, headers as plain JSON. */
export function propertiesFromAmqp(props: Message['properties']): AmqpProperties {
  const out: AmqpProperties = {};
  const raw = props as unknown as Record<string, unknown>;
  for (const name of [...STRING_PROPERTIES, 'clusterId'] as const) {
    const v = raw[name];
    if (typeof v === 'string') out[name] = v;
  }
  if (typeof raw.deliveryMode === 'number') out.deliveryMode = raw.deliveryMode;
  if (typeof raw.priority === 'number') out.priority = raw.priority;
  if (typeof raw.timestamp === 'number') out.timestamp = raw.timestamp;
  if (typeof raw.expiration === 'string') out.expiration = raw.expiration;
  if (typeof raw.headers === 'object' && raw.headers !== null) {
    const headers = tableToJson(raw.headers) as Record<string, unknown>;
    if (Object.keys(headers).length > 0) out.headers = headers;
  }
  return out;
}

/** A delivered or fetched message as the command API returns it. */
export function toAmqpMessage(msg: Message): AmqpMessage {
  return {
    exchange: msg.fields.exchange,
    routingKey: msg.fields.routingKey,
    redelivered: msg.fields.redelivered,
    body: fromBuffer(msg.content),
    properties: propertiesFromAmqp(msg.properties),
  };
}
