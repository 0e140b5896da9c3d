/**
 * CONFIG GET as a list of settings (searchable in the ui), and CONFIG SET
 * behind the read-only guard, read back so the caller sees what the server
 * took.
 */
import * as l10n from '@vscode/l10n';
import type { Redis } from 'ioredis';
import { InputError } from '../errors';
import type { WriteGuard } from './clientList';

export interface ConfigEntry {
  name: string;
  value: string;
}

/** CONFIG GET `pattern` (default every setting), sorted by name. */
export async function readConfig(client: Redis, pattern = '*'): Promise<ConfigEntry[]> {
  const flat = await client.config('GET', pattern);
  if (!Array.isArray(flat)) throw new Error('unexpected CONFIG GET reply');
  const entries: ConfigEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ name: String(flat[i]), value: String(flat[i + 1]) });
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

/** One setting's value; undefined when the server has no such setting. */
export async function readConfigValue(client: Redis, name: string): Promise<string | undefined> {
  return (await readConfig(client, name)).find((e) => e.name === name)?.value;
}

/**
 * CONFIG SET `name` `value` after the read-only guard; the name is checked
 * first so a typo is refused with a sentence rather than the server's
 * "Unknown option". Returns the value read back.
 */
export async function writeConfig(guard: WriteGuard, client: Redis, name: string, value: string, where: string): Promise<string> {
  if (!/^[a-z0-9-]+$/i.test(name)) throw new InputError(l10n.t('"{0}" is not a setting name: names are letters, digits and dashes.', name));
  guard.assertWritable(`CONFIG SET ${name}`);
  if ((await readConfigValue(client, name)) === undefined)
    throw new InputError(l10n.t('{0} has no setting "{1}": pick one that CONFIG GET lists.', where, name));
  try {
    await client.config('SET', name, value);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^ERR\s*/, '') : String(err);
    throw new InputError(l10n.t('{0} refused CONFIG SET {1} "{2}": {3}. Nothing was changed.', where, name, value, reason));
  }
  return (await readConfigValue(client, name)) ?? value;
}
