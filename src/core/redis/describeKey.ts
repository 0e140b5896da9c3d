/**
 * What a key's tooltip shows beyond its type and TTL: how Redis stores it
 * (OBJECT ENCODING) and how much memory it takes (MEMORY USAGE), read in
 * one round trip. A server that refuses either (an ACL without the
 * command, a vanished key) leaves that field out instead of failing.
 */
import type { RedisClient } from './redisClient';

export interface KeyDescription {
  /** TYPE's reply: a built-in type, "none" when the key is gone, or a module's type name. */
  type: string;
  /** Seconds to live; -1 when none, -2 when the key is gone. */
  ttl: number;
  /** OBJECT ENCODING (`listpack`, `hashtable`, `embstr`, …), when the server answered. */
  encoding?: string;
  /** MEMORY USAGE in bytes, when the server answered. */
  memoryBytes?: number;
}

export async function describeKey(client: RedisClient, key: Buffer): Promise<KeyDescription> {
  const replies = (await client.pipeline().type(key).ttl(key).object('ENCODING', key).memory('USAGE', key).exec()) ?? [];
  const value = (i: number): unknown => {
    const r = replies[i];
    return r && !r[0] ? r[1] : undefined;
  };
  const type = value(0);
  const ttl = value(1);
  const encoding = value(2);
  const memory = value(3);
  const out: KeyDescription = { type: typeof type === 'string' ? type : 'none', ttl: typeof ttl === 'number' ? ttl : -2 };
  if (typeof encoding === 'string') out.encoding = encoding;
  if (typeof memory === 'number') out.memoryBytes = memory;
  return out;
}
