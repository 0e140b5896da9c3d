/**
 * What every stream command shares: entry IDs checked before anything is
 * sent, entries as Redis returns them (XRANGE, XREAD, XCLAIM, …) turned
 * into one shape (`{ id, fields: [{ field, value }] }`, the one scanValue
 * returns), XINFO's flat name/value replies as objects, and server
 * refusals as one sentence.
 */
import * as l10n from '@vscode/l10n';
import type { RedisClient } from './redisClient';
import { displayBytes } from '../bytes';
import { BrokerError, InputError, NotFoundError, PreconditionError, errorMessage } from '../errors';
import { errorReply } from './reply';
import { bytesToJson, commandError, decimalToJson, type JsonValue } from './replyJson';
import type { RedisSession } from './session';
import type { HashItem, StreamItem } from './valueScanner';

/** An entry as Redis sends it: its ID and its field/value bytes, flat. */
export interface RawEntry {
  id: string;
  /** field, value, field, value, … */
  fields: Buffer[];
}

const MAX_U64 = 18446744073709551615n;
const ID = /^(\d+)(?:-(\d+))?$/;

export interface IdRules {
  /** Accept `ms-*` and `*` (XADD). */
  auto?: boolean;
  /** Other words accepted as they are (`$`, `>`, `-`, `+`). */
  special?: readonly string[];
  /** Accept a leading `(` (exclusive range bound). */
  exclusive?: boolean;
}

/** Checks an entry ID (`1700000000000-0`, or just the milliseconds) before anything is sent; returns it trimmed. */
export function checkStreamId(value: string, what: string, rules: IdRules = {}): string {
  const text = value.trim();
  if (rules.special?.includes(text)) return text;
  if (rules.auto && text === '*') return text;
  let body = rules.exclusive && text.startsWith('(') ? text.slice(1) : text;
  if (rules.auto && /^\d+-\*$/.test(body)) body = body.slice(0, -2);
  const m = ID.exec(body);
  const fits = m !== null && BigInt(m[1]) <= MAX_U64 && (m[2] === undefined || BigInt(m[2]) <= MAX_U64);
  if (fits) return text;
  const allowed = [
    l10n.t('"<milliseconds>-<sequence>" such as "1700000000000-0"'),
    l10n.t('or just the milliseconds'),
    ...(rules.auto ? ['"*"', '"<milliseconds>-*"'] : []),
    ...(rules.special ?? []).map((s) => `"${s}"`),
  ];
  return failId(value, what, allowed.join(', '));
}

function failId(value: string, what: string, allowed: string): never {
  throw new InputError(l10n.t('The {0} "{1}" is not a stream entry ID: use {2}.', what, value.slice(0, 60), allowed));
}

/** The ID just before `id` (for an inclusive start given as an exclusive cursor); "0" for the first possible ID. */
export function previousId(id: string): string {
  const m = ID.exec(id);
  if (!m) return failId(id, 'ID', '"<milliseconds>-<sequence>"');
  const ms = BigInt(m[1]);
  const seq = BigInt(m[2] ?? '0');
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  return ms > 0n ? `${ms - 1n}-${MAX_U64}` : '0';
}

/** Entries from any reply that holds them: `[[id, [f, v, …]], …]`; nil entries (deleted, in old XCLAIM replies) are left out. */
export function parseEntries(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: RawEntry[] = [];
  for (const entry of reply as unknown[]) {
    if (!Array.isArray(entry) || entry.length < 2 || !Array.isArray(entry[1])) continue;
    out.push({ id: String(entry[0]), fields: entry[1] as Buffer[] });
  }
  return out;
}

/** An entry as JSON: the shape scanValue returns for streams. */
export function entryToJson(entry: RawEntry): StreamItem {
  const fields: HashItem[] = [];
  for (let i = 0; i + 1 < entry.fields.length; i += 2)
    fields.push({ field: bytesToJson(entry.fields[i]), value: bytesToJson(entry.fields[i + 1]) });
  return { id: entry.id, fields };
}

/** A reply value or a JSON value as text: bytes as UTF-8, numbers in decimal. */
export function asText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '';
}

/** `last-delivered-id` → `lastDeliveredId`. */
function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A reply read with `stringNumbers` and `callBuffer` as JSON: integers exact, bytes as text or `{ hex }`. */
export function exactToJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return bytesToJson(value);
  if (typeof value === 'string') return decimalToJson(value);
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return (value as unknown[]).map(exactToJson);
  return asText(value);
}

/** XINFO's flat `name value name value …` reply as an object with camelCase names; `entries` names the fields that hold one entry. */
export function infoObject(reply: unknown, entries: readonly string[] = []): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  if (!Array.isArray(reply)) return out;
  const flat = reply as unknown[];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = String(flat[i]);
    const value = flat[i + 1];
    if (entries.includes(name)) {
      const [entry] = parseEntries(value === null ? [] : [value]);
      out[camel(name)] = entry ? (entryToJson(entry) as unknown as JsonValue) : null;
    } else out[camel(name)] = exactToJson(value);
  }
  return out;
}

/** Sends one stream command, turning a refusal into one sentence that names the key (and the group). */
export async function streamCall(
  session: RedisSession,
  client: RedisClient,
  argv: [command: string, ...args: (string | Buffer | number)[]],
  about: { key: Buffer; group?: string },
): Promise<unknown> {
  const [command, ...args] = argv;
  try {
    return await client.callBuffer(command, ...args);
  } catch (err) {
    throw streamError(session, err, command, about);
  }
}

/** The sentence for a consumer group that is not there. */
export function noGroupError(key: Buffer, group: string): NotFoundError {
  return new NotFoundError(
    l10n.t(
      'The stream "{0}" has no consumer group "{1}" (or the key does not exist): create the group first.',
      displayBytes(key, 80),
      group,
    ),
  );
}

/** One sentence for a stream command's failure. */
export function streamError(session: RedisSession, err: unknown, command: string, about: { key: Buffer; group?: string }): Error {
  if (err instanceof BrokerError || !(err instanceof Error) || err.name !== 'ReplyError') {
    if (err instanceof BrokerError) return err;
    return new BrokerError(
      l10n.t('{0} failed on profile "{1}": {2}.', command, session.profile.name, errorMessage(err).replace(/[.\s]+$/, '')),
    );
  }
  const key = `"${displayBytes(about.key, 80)}"`;
  const group = about.group === undefined ? '' : `"${about.group}"`;
  const text = err.message;
  if (/^WRONGTYPE/.test(text))
    return new PreconditionError(l10n.t('The key {0} is not a stream: {1} works on streams only.', key, command));
  if (/^NOGROUP/.test(text)) return noGroupError(about.key, about.group ?? '');
  if (/^BUSYGROUP/.test(text))
    return new PreconditionError(l10n.t('The stream {0} already has a consumer group {1}: pick another name.', key, group));
  if (/requires the key to exist|^ERR no such key/i.test(text))
    return new NotFoundError(l10n.t('The stream {0} does not exist: add an entry first, or create the group with "mkStream".', key));
  if (/equal or smaller than the target stream top item/i.test(text))
    return new PreconditionError(
      l10n.t('The ID is not greater than the last ID of stream {0}: entry IDs only grow, so give a greater one or "*".', key),
    );
  return commandError(errorReply(text), command, session.profile.name);
}
