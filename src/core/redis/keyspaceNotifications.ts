/**
 * Keyspace notifications need `notify-keyspace-events` on the server. This
 * turns them on only when asked (the ui asks the user first), behind the
 * read-only guard, and gives back the old value so the tail can restore it
 * when it stops.
 */
import * as l10n from '@vscode/l10n';
import type { Redis } from 'ioredis';
import type { WriteGuard } from './clientList';
import { readConfigValue } from './serverConfig';

const SETTING = 'notify-keyspace-events';

/** True when `flags` already publish keyspace events (K) for every class (A, or all of g$lshzxe…). */
export function keyspaceEventsOn(flags: string): boolean {
  return flags.includes('K') && (flags.includes('A') || ['g', '$', 'l', 's', 'h', 'z', 'x', 'e'].every((c) => flags.includes(c)));
}

/** `flags` with keyspace events for every class added (`Ex` → `ExKA`). */
export function withKeyspaceEvents(flags: string): string {
  let out = flags;
  for (const c of ['K', 'A']) if (!out.includes(c)) out += c;
  return out;
}

export interface NotificationSetting {
  /** The value before; restore it when done. */
  previous: string;
  /** The value now. */
  current: string;
  /** Whether this call changed it (only then restore). */
  changed: boolean;
}

/** The current value, and whether keyspace events are already on. */
export async function readNotificationSetting(client: Redis): Promise<{ value: string; on: boolean }> {
  const value = (await readConfigValue(client, SETTING)) ?? '';
  return { value, on: keyspaceEventsOn(value) };
}

/** Turns keyspace events on (read-only profiles refuse the change before anything is sent) unless they are on already. */
export async function enableKeyspaceEvents(guard: WriteGuard, client: Redis): Promise<NotificationSetting> {
  const { value, on } = await readNotificationSetting(client);
  if (on) return { previous: value, current: value, changed: false };
  guard.assertWritable(l10n.t('turning on keyspace notifications (CONFIG SET {0})', SETTING));
  const next = withKeyspaceEvents(value);
  await client.config('SET', SETTING, next);
  return { previous: value, current: next, changed: true };
}

/** Puts the old value back. */
export async function restoreKeyspaceEvents(client: Redis, previous: string): Promise<void> {
  await client.config('SET', SETTING, previous);
}

/** The pattern of keyspace events for keys matching `match` in `db`. */
export function keyspacePattern(db: number, match = '*'): string {
  return `__keyspace@${db}__:${match}`;
}
