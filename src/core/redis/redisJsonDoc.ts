/**
 * RedisJSON documents (`ReJSON-RL` keys) as editable text: read whole with
 * JSON.GET (indented by the server, so big numbers keep every digit) and
 * saved with JSON.SET at the root under WATCH / MULTI / EXEC, after
 * comparing with the text the document was opened from. Where the module
 * is not loaded, one sentence says so.
 */
import * as l10n from '@vscode/l10n';
import { displayBytes } from '../bytes';
import { BrokerError, errorMessage, PreconditionError } from '../errors';
import type { RedisClient } from './redisClient';
import type { RedisSession } from './session';
import { parseJsonSource } from './jsonSource';

export const REJSON_TYPE = 'ReJSON-RL';

/** JSON.GET of the root, indented by two spaces, one value per line. */
export const JSON_GET_ARGS = ['INDENT', '  ', 'NEWLINE', '\n', 'SPACE', ' '] as const;

function moduleMissing(err: unknown, key: Buffer, profile: string): Error {
  const message = errorMessage(err);
  if (/unknown command/i.test(message))
    return new PreconditionError(
      l10n.t(
        'The RedisJSON module is not loaded on Redis profile "{0}", so "{1}" cannot be read or saved as a JSON document: load RedisJSON (part of Redis Stack) on that server, or open the key as a value.',
        profile,
        displayBytes(key, 80),
      ),
    );
  return err instanceof Error ? err : new BrokerError(message);
}

/** The document text of a RedisJSON key, as JSON.GET indents it. */
export async function readJsonKey(client: RedisClient, key: Buffer, profile: string): Promise<string> {
  let reply: unknown;
  try {
    reply = await client.callBuffer('JSON.GET', key, ...JSON_GET_ARGS);
  } catch (err) {
    throw moduleMissing(err, key, profile);
  }
  if (!Buffer.isBuffer(reply))
    throw new BrokerError(
      l10n.t('The key "{0}" does not exist on profile "{1}" (it may have expired or been deleted).', displayBytes(key, 80), profile),
    );
  return `${reply.toString('utf8')}\n`;
}

export type JsonSaveOutcome =
  { outcome: 'saved' } | { outcome: 'conflict'; current: string } | { outcome: 'wrongType'; type: string } | { outcome: 'gone' };

/**
 * Saves `text` (checked as JSON first, nothing sent when it is not) over the
 * RedisJSON key opened as `base` (JSON.GET's text), with a compare-and-set
 * on a dedicated connection; JSON.SET keeps the key and its TTL.
 */
export async function saveJsonKey(
  session: RedisSession,
  key: Buffer,
  base: string,
  text: string,
  options: { force?: boolean } = {},
): Promise<JsonSaveOutcome> {
  parseJsonSource(text);
  const name = displayBytes(key, 80);
  session.assertWritable(l10n.t('saving the JSON document "{0}"', name));
  const conn = await session.dedicated('save');
  try {
    await conn.watch(key);
    const type = String(await conn.type(key));
    if (type !== REJSON_TYPE && !(type === 'none' && options.force)) {
      await conn.unwatch();
      return type === 'none' ? { outcome: 'gone' } : { outcome: 'wrongType', type };
    }
    if (!options.force) {
      const current = await readJsonKey(conn, key, session.profile.name);
      if (current !== base) {
        await conn.unwatch();
        return { outcome: 'conflict', current };
      }
    }
    let exec: [Error | null, unknown][] | null;
    try {
      exec = await conn.multi().call('JSON.SET', key, '$', text.trim()).exec();
    } catch (err) {
      throw moduleMissing(err, key, session.profile.name);
    }
    if (exec === null) return { outcome: 'conflict', current: await readJsonKey(conn, key, session.profile.name).catch(() => '') };
    const failed = exec.find(([err]) => err);
    if (failed?.[0]) {
      const err = moduleMissing(failed[0], key, session.profile.name);
      if (err instanceof PreconditionError) throw err;
      throw new BrokerError(
        l10n.t('Saving the JSON document "{0}" on profile "{1}" failed: {2}.', name, session.profile.name, errorMessage(failed[0])),
      );
    }
    return { outcome: 'saved' };
  } finally {
    conn.disconnect();
  }
}
