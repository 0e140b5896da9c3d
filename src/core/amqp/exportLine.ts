/**
 * One message as its export line: `{ exchange, routingKey, redelivered,
 * body, properties }`, the body as text when it is valid UTF-8 and
 * `{ hex }` otherwise, headers with their AMQP types when the header tap
 * read them (typedHeaders.ts).
 */
import type { ConsumeMessage } from 'amqplib';
import { fromBuffer } from '../bytes';
import { propertiesFromAmqp } from './messageProperties';

/** One message as its JSON line (without the newline). */
export function messageLine(msg: ConsumeMessage, typedHeaders: Record<string, unknown> | undefined): string {
  const properties = propertiesFromAmqp(msg.properties);
  delete properties.clusterId;
  if (typedHeaders !== undefined) properties.headers = typedHeaders;
  return JSON.stringify({
    exchange: msg.fields.exchange,
    routingKey: msg.fields.routingKey,
    redelivered: msg.fields.redelivered,
    body: fromBuffer(msg.content),
    properties,
  });
}
