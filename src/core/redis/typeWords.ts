/**
 * Redis key types as sentences name them, in the display language: `typeWord('zset')` is "zset" in
 * English (as the server says it) and 有序集合 in 简体中文; `typeNoun('zset')` is "sorted set", `typeName('zset')` "a sorted set".
 */
import * as l10n from '@vscode/l10n';

/** A key type (`hash`, `zset`, …) as a word in a sentence; an unknown type as the server names it. */
export function typeWord(type: string): string {
  switch (type) {
    case 'string':
      return l10n.t({ message: 'string', comment: ['a Redis key type'] });
    case 'hash':
      return l10n.t({ message: 'hash', comment: ['a Redis key type'] });
    case 'list':
      return l10n.t({ message: 'list', comment: ['a Redis key type'] });
    case 'set':
      return l10n.t({ message: 'set', comment: ['a Redis key type'] });
    case 'zset':
      return l10n.t({ message: 'zset', comment: ['a Redis key type'] });
    case 'stream':
      return l10n.t({ message: 'stream', comment: ['a Redis key type'] });
    default:
      return type;
  }
}

/** A key type as a noun in a sentence: "sorted set", "JSON document" (RedisJSON); an unknown type as the server names it. */
export function typeNoun(type: string): string {
  switch (type) {
    case 'string':
      return l10n.t('string');
    case 'hash':
      return l10n.t('hash');
    case 'list':
      return l10n.t('list');
    case 'set':
      return l10n.t('set');
    case 'zset':
      return l10n.t('sorted set');
    case 'stream':
      return l10n.t('stream');
    case 'ReJSON-RL':
      return l10n.t('JSON document');
    default:
      return type;
  }
}

/** `a hash`, `a sorted set`…: a key type with its article. */
export function typeName(type: string): string {
  switch (type) {
    case 'string':
      return l10n.t('a string');
    case 'hash':
      return l10n.t('a hash');
    case 'list':
      return l10n.t('a list');
    case 'set':
      return l10n.t('a set');
    case 'zset':
      return l10n.t('a sorted set');
    case 'stream':
      return l10n.t('a stream');
    default:
      return l10n.t('a {0}', type);
  }
}
