/**
 * The exact shape of a RESP2 reply, as the console and the command runner
 * keep it: status and bulk stay apart (redis-cli prints them differently),
 * integers are bigints (exact past 2^53), errors are values (a pipeline line
 * can fail without hiding the others).
 */
import type { RedisClient } from './redisClient';
import { BrokerError } from '../errors';

export interface StatusReply {
  type: 'status';
  value: string;
}
export interface ErrorReply {
  type: 'error';
  /** The server's text, e.g. `ERR syntax error` or `WRONGTYPE Operation …`. */
  message: string;
}
export interface IntegerReply {
  type: 'integer';
  value: bigint;
}
export interface BulkReply {
  type: 'bulk';
  value: Buffer;
}
/** A nil bulk (`$-1`) or a nil array (`*-1`); redis-cli shows both as `(nil)`. */
export interface NilReply {
  type: 'nil';
}
export interface ArrayReply {
  type: 'array';
  items: RedisReply[];
}
export type RedisReply = StatusReply | ErrorReply | IntegerReply | BulkReply | NilReply | ArrayReply;

export const NIL: NilReply = Object.freeze({ type: 'nil' });

export function status(value: string): StatusReply {
  return { type: 'status', value };
}
export function errorReply(message: string): ErrorReply {
  return { type: 'error', message };
}
export function integer(value: bigint | number): IntegerReply {
  return { type: 'integer', value: BigInt(value) };
}
export function bulk(value: Buffer | string): BulkReply {
  return { type: 'bulk', value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value };
}
export function array(items: RedisReply[]): ArrayReply {
  return { type: 'array', items };
}

/** Anything that sends one command and answers with its exact reply. */
export interface ReplySource {
  send(argv: readonly Buffer[]): Promise<RedisReply>;
}

/** Redis answered a command with an error reply. */
export class CommandError extends BrokerError {
  constructor(
    message: string,
    readonly reply: ErrorReply,
  ) {
    super(message);
  }
}

/** The error code of an error reply (`ERR`, `WRONGTYPE`, `EXECABORT`, …). */
export function errorCode(reply: ErrorReply): string {
  const m = /^([A-Z][A-Z_-]*)\s/.exec(reply.message);
  return m ? m[1] : 'ERR';
}

/**
 * Converts what ioredis returns from `callBuffer` (Buffers, numbers, or
 * decimal strings with `stringNumbers`, null, arrays, ReplyError objects) to a
 * RedisReply. ioredis cannot tell a status from a bulk reply, so both come
 * back as bulk here.
 */
export function fromIoredis(value: unknown): RedisReply {
  if (value === null || value === undefined) return NIL;
  if (Buffer.isBuffer(value)) return { type: 'bulk', value };
  if (typeof value === 'number') return { type: 'integer', value: BigInt(value) };
  if (typeof value === 'string') return /^-?\d+$/.test(value) ? { type: 'integer', value: BigInt(value) } : bulk(value);
  if (Array.isArray(value)) return { type: 'array', items: value.map(fromIoredis) };
  if (value instanceof Error) return errorReply(value.message);
  if (typeof value === 'bigint') return { type: 'integer', value };
  if (typeof value === 'boolean') return bulk(value ? '1' : '0');
  return bulk(JSON.stringify(value) ?? '');
}

/** The text of a status or bulk reply, or undefined. */
export function replyText(reply: RedisReply): string | undefined {
  if (reply.type === 'status') return reply.value;
  if (reply.type === 'bulk') return reply.value.toString('utf8');
  return undefined;
}

/**
 * A ReplySource over a shared ioredis connection, for COMMAND / COMMAND
 * DOCS (completion without a console connection). Status replies come back
 * as bulk and integers past 2^53 inexact: use a RespClient to run commands.
 */
export function ioredisReplySource(client: RedisClient): ReplySource {
  return {
    send: async (argv: readonly Buffer[]): Promise<RedisReply> => {
      const [name, ...args] = argv;
      try {
        return fromIoredis(await client.callBuffer(name.toString('latin1').toUpperCase(), ...args));
      } catch (err) {
        if (err instanceof Error && err.name === 'ReplyError') return errorReply(err.message);
        throw err;
      }
    },
  };
}
