/**
 * CLIENT LIST parsed into records, sorted by any field (numbers as numbers),
 * and CLIENT KILL by id, refused on read-only profiles before anything is
 * sent.
 */
import * as l10n from '@vscode/l10n';
import type { Redis } from 'ioredis';
import { InputError, NotFoundError } from '../errors';

/** One connection as CLIENT LIST gives it: `id`, `addr`, `name`, `age`, `idle`, `db`, `cmd`, `tot-mem`, … as strings. */
export type ClientInfo = Record<string, string>;

/** The write guard a session provides (RedisSession.assertWritable). */
export interface WriteGuard {
  assertWritable(action: string): void;
}

/** Fields worth sorting by, with the order that puts the notable first (largest, oldest, idlest). */
export const CLIENT_SORTS = ['age', 'idle', 'tot-mem', 'omem', 'qbuf', 'id', 'addr', 'name', 'cmd', 'db'] as const;

/**
 * Parses CLIENT LIST: one client a line, `field=value` pairs separated by
 * spaces. A value is everything up to the next ` field=` (a name set with
 * CLIENT SETNAME has no spaces, but `cmd` may hold `|`).
 */
export function parseClientList(text: string): ClientInfo[] {
  const clients: ClientInfo[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '') continue;
    const client: ClientInfo = {};
    for (const pair of line.split(' ')) {
      const at = pair.indexOf('=');
      if (at > 0) client[pair.slice(0, at)] = pair.slice(at + 1);
    }
    clients.push(client);
  }
  return clients;
}

/** A copy sorted by `field`: numbers numerically and largest first; text A→Z. */
export function sortClients(clients: readonly ClientInfo[], field: string): ClientInfo[] {
  const numeric = clients.every((c) => c[field] === undefined || /^-?\d+$/.test(c[field]));
  return [...clients].sort((a, b) => {
    const x = a[field] ?? '';
    const y = b[field] ?? '';
    if (numeric) return Number(y || 0) - Number(x || 0);
    return x.localeCompare(y);
  });
}

export async function listClients(client: Redis): Promise<ClientInfo[]> {
  return parseClientList(String(await client.client('LIST')));
}

/** One line per client, for a document or a QuickPick: `id 7  127.0.0.1:50712  name  db0  age 1m  idle 3s  cmd get  tot-mem 20 KiB`. */
export function clientSummary(c: ClientInfo): string {
  const parts = [`id ${c.id ?? '?'}`, c.addr ?? '', c.name ? `"${c.name}"` : l10n.t('(no name)'), `db${c.db ?? '?'}`];
  parts.push(`age ${c.age ?? '?'}s`, `idle ${c.idle ?? '?'}s`, `cmd ${c.cmd ?? '?'}`);
  if (c['tot-mem'] !== undefined) parts.push(`tot-mem ${c['tot-mem']}`);
  return parts.join('  ');
}

/** CLIENT KILL ID `id` (after the read-only guard); a client already gone is a NotFoundError. */
export async function killClient(guard: WriteGuard, client: Redis, id: string, where: string): Promise<void> {
  if (!/^\d+$/.test(id)) throw new InputError(l10n.t('The client id "{0}" is not valid: give the number CLIENT LIST shows as id.', id));
  guard.assertWritable(`CLIENT KILL ID ${id}`);
  const killed = Number(await client.call('CLIENT', 'KILL', 'ID', id));
  if (killed === 0) throw new NotFoundError(l10n.t('There is no client with id {0} on {1} any more: list the clients again.', id, where));
}
