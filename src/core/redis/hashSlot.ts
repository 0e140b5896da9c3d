/**
 * A key's Redis Cluster hash slot, through cluster-key-slot (the library
 * ioredis uses): CRC16 of the key, or of its `{hash tag}`, modulo 16,384.
 */
import calculateSlot from 'cluster-key-slot';

/** The hash slot of a key (0–16383; a `{tag}` honoured). */
export function keySlot(key: Buffer | string): number {
  return calculateSlot(key);
}
