/**
 * One batch of a keyspace walk on our own RESP connection: the SCAN, and
 * TYPE + TTL of the keys found with the next SCAN behind them, encoded as
 * one write and read without a command object per key. Used for long
 * walks with type and TTL (`scanKeys` with a large limit), where ioredis'
 * per-command cost made the client, not the server, the bottleneck.
 */
import type { KeyInfo } from './keyBatch';
import type { RedisReply } from './reply';
import type { RespClient } from './respClient';
import { keySlot } from './hashSlot';

const SCAN = Buffer.from('SCAN');
const TYPE = Buffer.from('TYPE');
const TTL = Buffer.from('TTL');

/** SCAN arguments after the command name (cursor, COUNT, MATCH, TYPE) as bytes. */
export function scanArgv(args: readonly (string | number | Buffer)[]): Buffer[] {
  return [SCAN, ...args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a))))];
}

/** A SCAN reply as cursor and keys; an error reply throws with the server's words. */
export function readScan(reply: RedisReply | undefined): [string, Buffer[]] {
  if (reply?.type === 'error') throw new Error(reply.message);
  if (reply?.type !== 'array' || reply.items.length !== 2) throw new Error('unexpected SCAN reply');
  const [cursor, keys] = reply.items;
  if (cursor.type !== 'bulk' || keys.type !== 'array') throw new Error('unexpected SCAN reply');
  return [cursor.value.toString('latin1'), keys.items.map((k) => (k.type === 'bulk' ? k.value : Buffer.alloc(0)))];
}

/** One SCAN call. */
export async function respScan(resp: RespClient, args: readonly (string | number | Buffer)[]): Promise<[string, Buffer[]]> {
  return readScan(await resp.send(scanArgv(args)));
}

/** On a cluster node: the node's address (each key gets it and its slot), and where the indexes of redirected keys go. */
export interface OnNode {
  node: string;
  /** Indexes of keys answered with MOVED / ASK (their slot moved meanwhile): asked again elsewhere by the caller. */
  redirected: number[];
}

const isRedirect = (reply: RedisReply | undefined): boolean => reply?.type === 'error' && /^(MOVED|ASK) /.test(reply.message);

/**
 * TYPE (unless known) and TTL of `keys` and, with `scanArgs`, the next SCAN
 * behind them: one write, one read. `onNode` (a cluster primary) adds slot
 * and node to each key and sets redirected keys aside instead of failing.
 */
export async function respKeyInfosThenScan(
  resp: RespClient,
  keys: readonly Buffer[],
  knownType: string | undefined,
  scanArgs: readonly (string | number | Buffer)[] | undefined,
  onNode?: OnNode,
): Promise<{ infos: KeyInfo[]; scan?: [string, Buffer[]] }> {
  const argvs: Buffer[][] = [];
  for (const key of keys) {
    if (knownType === undefined) argvs.push([TYPE, key]);
    argvs.push([TTL, key]);
  }
  if (scanArgs) argvs.push(scanArgv(scanArgs));
  if (argvs.length === 0) return { infos: [] };
  const replies = await resp.sendMany(argvs);
  const scan = scanArgs ? readScan(replies.pop()) : undefined;
  const failed = replies.find((r) => r.type === 'error' && !(onNode && isRedirect(r)));
  // TYPE and TTL do not fail on a key: an error here is the server's, never a type "unknown".
  if (failed?.type === 'error') throw new Error(failed.message);
  const step = knownType === undefined ? 2 : 1;
  const infos = keys.map((key, i): KeyInfo => {
    const typeReply = knownType === undefined ? replies[i * step] : undefined;
    const ttlReply = replies[i * step + step - 1];
    const type = knownType ?? (typeReply?.type === 'status' ? typeReply.value : 'unknown');
    const ttl = ttlReply?.type === 'integer' ? Number(ttlReply.value) : -1;
    const info: KeyInfo = { key, type: ttl === -2 ? 'none' : type, ttl };
    if (onNode) {
      if (isRedirect(typeReply) || isRedirect(ttlReply)) onNode.redirected.push(i);
      info.slot = keySlot(key);
      info.node = onNode.node;
    }
    return info;
  });
  return scan ? { infos, scan } : { infos };
}
