/**
 * Replies as JSON, following COMMANDS.md: integers as numbers when they are
 * safe integers, otherwise decimal strings; bytes as a string when valid
 * UTF-8, otherwise `{ hex }`; nil as null; arrays as arrays; an error reply
 * inside a pipeline or a transaction as `{ error }`.
 */
import * as l10n from '@vscode/l10n';
import { fromBuffer, type BytesLike } from '../bytes';
import type { ErrorReply, RedisReply } from './reply';
import { CommandError } from './reply';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A bigint as a number when safe, else its decimal string. */
export function integerToJson(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** A decimal string as a number when it is a safe integer, else the string. */
export function decimalToJson(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) && /^-?\d+$/.test(text) ? n : text;
}

/** Bytes as JSON: a string when valid UTF-8, else `{ hex }`. */
export function bytesToJson(buf: Buffer): string | { hex: string } {
  const b: BytesLike = fromBuffer(buf);
  return typeof b === 'string' ? b : { hex: b.hex };
}

/** Any reply as JSON; an error reply anywhere becomes `{ error }`. */
export function replyToJson(reply: RedisReply): JsonValue {
  switch (reply.type) {
    case 'status':
      return reply.value;
    case 'error':
      return { error: reply.message };
    case 'integer':
      return integerToJson(reply.value);
    case 'bulk':
      return bytesToJson(reply.value);
    case 'nil':
      return null;
    case 'array':
      return reply.items.map(replyToJson);
  }
}

/** The error a top-level error reply stands for: one sentence naming the command. */
export function commandError(reply: ErrorReply, commandName: string, profileName?: string): CommandError {
  const text = reply.message.replace(/[.\s]+$/, '');
  return new CommandError(
    profileName
      ? l10n.t('Redis refused {0} on profile "{1}": {2}.', commandName.toUpperCase(), profileName, text)
      : l10n.t('Redis refused {0}: {1}.', commandName.toUpperCase(), text),
    reply,
  );
}

/**
 * A single command's reply as JSON for the command API: a top-level error
 * reply rejects (with one sentence), errors nested in arrays stay `{ error }`.
 */
export function replyToResult(reply: RedisReply, commandName: string, profileName?: string): JsonValue {
  if (reply.type === 'error') throw commandError(reply, commandName, profileName);
  return replyToJson(reply);
}
