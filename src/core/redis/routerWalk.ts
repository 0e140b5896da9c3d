/**
 * A cluster walk on our own RESP connections, one per primary (the
 * ClusterRouter's): per shard step one write and one read for the SCAN (with
 * ROLE beside it now and then), one for TYPE/TTL of its keys, and no ioredis
 * command object per key. What `scanKeys` walks on (RedisSession.walker).
 */
import * as l10n from '@vscode/l10n';
import type { ClusterRouter } from './clusterRouter';
import { isFailoverReply, nodeFailed, type ClusterWalkSource, type ShardStep, type StepResult } from './clusterScan';
import { keySlot } from './hashSlot';
import type { KeyInfo } from './keyBatch';
import { CommandError, type RedisReply } from './reply';
import type { RespClient } from './respClient';
import { readScan, respKeyInfosThenScan, scanArgv, type OnNode } from './respKeyBatch';

const ROLE = [Buffer.from('ROLE')];
const TYPE = Buffer.from('TYPE');
const TTL = Buffer.from('TTL');

/** The first element of a ROLE reply ("master", "slave"); undefined for anything else. */
function roleOf(reply: RedisReply | undefined): string | undefined {
  const first = reply?.type === 'array' ? reply.items[0] : undefined;
  return first?.type === 'bulk' ? first.value.toString('latin1') : undefined;
}

/** TYPE and TTL of keys redirected meanwhile, asked again through the router (which follows MOVED / ASK). */
async function askAgain(router: ClusterRouter, infos: KeyInfo[], at: OnNode, knownType: string | undefined): Promise<void> {
  await Promise.all(
    at.redirected.map(async (i) => {
      const { key } = infos[i];
      const [typeReply, ttlReply] = await Promise.all([
        knownType === undefined ? router.send([TYPE, key]) : undefined,
        router.send([TTL, key]),
      ]);
      const type = knownType ?? (typeReply?.type === 'status' ? typeReply.value : 'unknown');
      const ttl = ttlReply.type === 'integer' ? Number(ttlReply.value) : -1;
      infos[i] = { ...infos[i], type: ttl === -2 ? 'none' : type, ttl, node: router.slots.nodeOf(keySlot(key)) ?? at.node };
    }),
  );
}

async function step(router: ClusterRouter, s: ShardStep): Promise<StepResult> {
  let link: RespClient;
  let replies: RedisReply[];
  try {
    link = await router.link(s.node);
    replies = await link.sendMany([...(s.checkRole ? [ROLE] : []), scanArgv([s.cursor, 'COUNT', s.count, ...s.extra])]);
  } catch (err) {
    return { ok: false, reason: nodeFailed(s.node, err) };
  }
  if (s.checkRole && roleOf(replies[0]) !== 'master') return { ok: false, reason: l10n.t('{0} became a replica', s.node) };
  const scanReply = replies[replies.length - 1];
  if (scanReply.type === 'error') {
    if (isFailoverReply(scanReply.message)) return { ok: false, reason: nodeFailed(s.node, scanReply.message) };
    throw new CommandError(l10n.t('SCAN on {0} failed: {1}', s.node, scanReply.message), scanReply);
  }
  const [cursor, batch] = readScan(scanReply);
  if (!s.withInfo)
    return { ok: true, cursor, keys: batch.map((key): KeyInfo => ({ key, type: s.type ?? 'unknown', ttl: -1, node: s.node })) };
  const at: OnNode = { node: s.node, redirected: [] };
  try {
    const { infos } = await respKeyInfosThenScan(link, batch, s.type, undefined, at);
    if (at.redirected.length > 0) await askAgain(router, infos, at, s.type);
    return { ok: true, cursor, keys: infos };
  } catch (err) {
    if (link.connected && !(err instanceof Error && isFailoverReply(err.message))) throw err;
    return { ok: false, reason: nodeFailed(s.node, err) };
  }
}

/** The walk over a ClusterRouter's slot map and node connections. */
export function routerWalkSource(router: ClusterRouter): ClusterWalkSource {
  return {
    ownerOf: (slot) => router.slots.nodeOf(slot),
    reaches: () => true,
    refresh: () => router.refresh(),
    isPrimary: async (address) => roleOf(await (await router.link(address)).send(ROLE)) === 'master',
    step: (s) => step(router, s),
  };
}
