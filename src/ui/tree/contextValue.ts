/**
 * Every tree item's `contextValue`, built in one place from typed flags:
 * `be:<kind>` followed by `+flag` suffixes in a fixed order, which the
 * `when` clauses in package.json match with anchored regexes
 * (`^be:redis:key:[a-z]+(?!.*\+readonly)(\+|$)`, …).
 */
import { KEY_TYPES, type KeyType } from '../../core/redis/keyScanner';
import type { TailKind } from '../tails/tailRegistry';

/** A key's type as the menus see it: a built-in type, a module's type (`ReJSON-RL`, …), or a key gone since the scan. */
export type KeyTypeTag = KeyType | 'module' | 'none';

export type ContextKind =
  | 'redis:profile'
  | 'redis:db'
  | 'redis:typeGroup'
  | 'redis:namespace'
  | 'redis:nodes'
  | 'redis:node'
  | `redis:key:${KeyTypeTag}`
  | 'rabbitmq:profile'
  | 'rabbitmq:vhost'
  | 'rabbitmq:exchanges'
  | 'rabbitmq:queues'
  | 'rabbitmq:exchange'
  | 'rabbitmq:queue'
  | 'rabbitmq:binding'
  | 'rabbitmq:nodes'
  | 'rabbitmq:node'
  | 'rabbitmq:activity'
  | 'rabbitmq:users'
  | 'rabbitmq:user'
  | `rabbitmq:${'connection' | 'channel' | 'consumer' | 'policy'}`
  | `rabbitmq:${'connections' | 'channels' | 'consumers' | 'policies'}`
  | `tail:${TailKind}`
  | 'tails'
  | 'message'
  | 'error'
  | 'loadMore';

/** The flags, in the order they are written. */
const FLAG_ORDER = [
  'classic',
  'quorum',
  'stream',
  'builtin',
  'exclusive',
  'cluster',
  'filtered',
  'readonly',
  'login',
  'denied',
  'unreachable',
] as const;

export type ContextFlag = (typeof FLAG_ORDER)[number];

export type ContextFlags = Partial<Record<ContextFlag, boolean>>;

export function contextValue(kind: ContextKind, flags: ContextFlags = {}): string {
  return `be:${kind}${FLAG_ORDER.filter((f) => flags[f] === true)
    .map((f) => `+${f}`)
    .join('')}`;
}

/** TYPE's reply as a tag: anything that is not a built-in type or "none" is a module's type. */
export function keyTypeTag(type: string): KeyTypeTag {
  if (type === 'none') return 'none';
  return (KEY_TYPES as readonly string[]).includes(type) ? (type as KeyType) : 'module';
}

/** The queue-type flag of a RabbitMQ queue (`classic`, `quorum`, `stream`); none for a type this version does not know. */
export function queueTypeFlags(type: string): ContextFlags {
  return type === 'classic' || type === 'quorum' || type === 'stream' ? { [type]: true } : {};
}
