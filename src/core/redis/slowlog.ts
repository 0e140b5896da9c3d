/**
 * SLOWLOG GET parsed (arguments kept as bytes and shown quoted the way the
 * console quotes them), and SLOWLOG RESET behind the read-only guard.
 */
import * as l10n from '@vscode/l10n';
import type { Redis } from 'ioredis';
import { InputError } from '../errors';
import type { WriteGuard } from './clientList';
import { formatDuration } from '../units';
import { quoteArg } from './tokenizer';

export interface SlowlogEntry {
  id: number;
  /** Unix time in seconds when the command ran. */
  time: number;
  /** How long it took, in microseconds. */
  durationUs: number;
  /** The arguments as logged (the server keeps at most 32, the last one then says how many more). */
  argv: Buffer[];
  /** `ip:port` of the client (Redis 4+). */
  client?: string;
  /** The client's name (Redis 4+). */
  clientName?: string;
}

const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/** Parses the reply of SLOWLOG GET (read with callBuffer, so arguments stay bytes). */
export function parseSlowlog(reply: unknown): SlowlogEntry[] {
  if (!Array.isArray(reply)) throw new Error('unexpected SLOWLOG GET reply');
  return reply.map((raw: unknown): SlowlogEntry => {
    if (!Array.isArray(raw) || raw.length < 4 || !Array.isArray(raw[3])) throw new Error('unexpected SLOWLOG entry');
    const entry: SlowlogEntry = {
      id: Number(text(raw[0])),
      time: Number(text(raw[1])),
      durationUs: Number(text(raw[2])),
      argv: (raw[3] as unknown[]).map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a)))),
    };
    if (raw[4] !== undefined) entry.client = text(raw[4]);
    if (raw[5] !== undefined && text(raw[5]) !== '') entry.clientName = text(raw[5]);
    return entry;
  });
}

/** The latest `count` entries (default 128), newest first. */
export async function readSlowlog(client: Redis, count = 128): Promise<SlowlogEntry[]> {
  if (!Number.isInteger(count) || count < 1)
    throw new InputError(l10n.t('The count {0} is not valid: give a whole number of at least 1.', count));
  return parseSlowlog(await client.callBuffer('SLOWLOG', 'GET', String(count)));
}

/** The command line as the console would take it: `SET "a b" 1`; the server's `... (n more arguments)` stays as it is. */
export function slowlogCommand(entry: SlowlogEntry): string {
  return entry.argv
    .map((a, i) =>
      i === entry.argv.length - 1 && /^\.\.\. \(\d+ more arguments\)$/.test(a.toString('latin1')) ? a.toString() : quoteArg(a),
    )
    .join(' ');
}

/** One line: `#282  2026-11-26 06:59:00Z  10.39ms  127.0.0.1:39520 "name"  RPUSH big:list …`. */
export function slowlogLine(entry: SlowlogEntry): string {
  const when = new Date(entry.time * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  const who = [entry.client, entry.clientName ? `"${entry.clientName}"` : undefined].filter((x) => x !== undefined).join(' ');
  return `#${entry.id}  ${when}  ${formatDuration(entry.durationUs / 1e6).padStart(8)}  ${who}  ${slowlogCommand(entry)}`;
}

/** SLOWLOG RESET, after the read-only guard. */
export async function resetSlowlog(guard: WriteGuard, client: Redis): Promise<void> {
  guard.assertWritable('SLOWLOG RESET');
  await client.call('SLOWLOG', 'RESET');
}
