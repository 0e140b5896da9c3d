/**
 * Consumer groups from the palette, a stream key's menu or the command API:
 * list groups and consumers, create (MKSTREAM), destroy, SETID, the pending
 * list (claim or acknowledge entries picked from it), claim (XCLAIM by IDs,
 * or XAUTOCLAIM over the whole list) and XACK.
 */
import { InputError } from '../../../core/errors';
import {
  ackEntries,
  claimEntries,
  createGroup,
  destroyGroup,
  listConsumers,
  listGroups,
  pendingEntries,
  setGroupId,
  type PendingEntry,
} from '../../../core/redis/streamGroups';
import { showJsonResult } from '../../views/resultsDocument';
import { bool, list, num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { refreshDatabases, resolveKey, type KeyTarget, type RedisUiDeps } from './redisTarget';
import { keyPlace } from './streams';

const validateId = (v: string): string | undefined =>
  /^(\$|\d+(-\d+)?)$/.test(v.trim()) ? undefined : 'Give $ (the last entry), 0 (the start) or an ID such as 1700000000000-0.';

/** The group of a call: the `group` argument, or picked from the stream's groups. */
export async function groupOf(t: KeyTarget, call: CommandCall, title: string): Promise<string> {
  if (call.args) return str(call.args, 'group', true);
  const groups = await listGroups(t.session, t.key);
  if (groups.length === 0) throw new InputError(`The stream ${keyPlace(t)} has no consumer groups: create one first.`);
  const picked = await call.prompts.pick(
    groups.map((g) => ({
      label: g.name,
      description: `${g.consumers} consumers · ${g.pending} pending · last delivered ${g.lastDeliveredId}`,
      name: g.name,
    })),
    { title: `${title}: group of ${keyPlace(t)}` },
  );
  return picked.name;
}

function ids(args: Record<string, unknown>): string[] | undefined {
  return list(args, 'ids')?.map((id, i) => {
    if (typeof id !== 'string') throw new InputError(`The ID #${i + 1} must be text such as "1700000000000-0".`);
    return id;
  });
}

async function groups(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, 'Consumer Groups');
  const result = { groups: await listGroups(t.session, t.key) };
  if (!call.args) await showJsonResult(deps.results, `XINFO GROUPS ${keyPlace(t)}`, result);
  return result;
}

async function consumers(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, 'Group Consumers');
  const group = await groupOf(t, call, 'Consumers');
  const result = { consumers: await listConsumers(t.session, t.key, group) };
  if (!call.args) await showJsonResult(deps.results, `XINFO CONSUMERS ${keyPlace(t)} ${group}`, result);
  return result;
}

async function create(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, 'Create Consumer Group');
  let group: string;
  let from: string | undefined;
  let mkStream: boolean | undefined;
  if (call.args) {
    group = str(call.args, 'group', true);
    from = str(call.args, 'from');
    mkStream = bool(call.args, 'mkStream');
  } else {
    group = await call.prompts.ask(`XGROUP CREATE on ${keyPlace(t)}: group name`, {
      validate: (v) => (v === '' ? 'Name the group.' : undefined),
    });
    from = await call.prompts.ask(`Group "${group}": deliver entries after`, {
      value: '$',
      prompt: '$: only entries added from now on; 0: the whole stream; or an ID. The stream is created when missing (MKSTREAM).',
      validate: validateId,
    });
    mkStream = true;
  }
  await createGroup(t.session, t.key, group, { ...(from !== undefined ? { from } : {}), ...(mkStream ? { mkStream } : {}) });
  if (mkStream) refreshDatabases(deps.tree, t.profile.name, [t.db]);
  return {};
}

async function destroy(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, 'Destroy Consumer Group');
  const group = await groupOf(t, call, 'Destroy');
  if (!call.args)
    await call.prompts.confirm(
      `Destroy the consumer group "${group}" of ${keyPlace(t)}?`,
      'Destroy',
      'Its consumers and its pending-entries list go with it; the entries stay in the stream.',
    );
  await destroyGroup(t.session, t.key, group);
  return {};
}

async function setId(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, 'Set Group ID');
  const group = await groupOf(t, call, 'Set ID');
  const id = call.args
    ? str(call.args, 'id', true)
    : await call.prompts.ask(`XGROUP SETID "${group}" of ${keyPlace(t)}`, {
        value: '$',
        prompt: 'The group’s last delivered ID: $ skips to the end, 0 delivers everything again.',
        validate: validateId,
      });
  await setGroupId(t.session, t.key, group, id);
  return {};
}

function pendingLabel(e: PendingEntry): { label: string; description: string; entry: PendingEntry } {
  const idle = e.idleMs < 120_000 ? `${Math.round(e.idleMs / 1000)} s` : `${Math.round(e.idleMs / 60_000)} min`;
  return { label: e.id, description: `${e.consumer} · idle ${idle} · ${e.deliveries} deliveries`, entry: e };
}

/** The pending list: returned (API), or picked from and then acknowledged, claimed or shown (palette). */
async function pending(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, 'Pending Entries');
  const group = await groupOf(t, call, 'Pending');
  const a = call.args ?? {};
  const consumer = str(a, 'consumer');
  const minIdleMs = num(a, 'minIdleMs', { min: 0 });
  const after = str(a, 'after');
  const count = num(a, 'count', { min: 1, max: 100_000 }) ?? 100;
  const entries = await pendingEntries(t.session, t.key, group, {
    count,
    ...(consumer !== undefined ? { consumer } : {}),
    ...(minIdleMs !== undefined ? { minIdleMs } : {}),
    ...(after !== undefined ? { after } : {}),
  });
  if (call.args) return { entries };
  if (entries.length === 0) {
    call.prompts.info(`Nothing is pending in group "${group}" of ${keyPlace(t)}.`);
    return undefined;
  }
  const picked = await call.prompts.pickMany(entries.map(pendingLabel), {
    title: `Pending in "${group}" (${entries.length} oldest): pick entries`,
  });
  if (picked.length === 0) return undefined;
  const chosen = picked.map((p) => p.entry.id);
  const action = await call.prompts.choose(`${chosen.length} pending entries of group "${group}"`, [
    'Acknowledge',
    'Claim…',
    'Show',
  ] as const);
  if (action === 'Acknowledge') {
    const acked = await ackEntries(t.session, t.key, group, chosen);
    call.prompts.info(`Acknowledged ${acked} of ${chosen.length} entries in group "${group}".`);
  } else if (action === 'Claim…') {
    const to = await call.prompts.ask(`XCLAIM for which consumer of "${group}"?`, {
      validate: (v) => (v === '' ? 'Name the consumer.' : undefined),
    });
    const result = await claimEntries(t.session, t.key, group, to, 0, { ids: chosen });
    await showJsonResult(deps.results, `Claimed for ${to}`, result);
  } else await showJsonResult(deps.results, `XPENDING ${group}`, { entries: picked.map((p) => p.entry) });
  return undefined;
}

async function claim(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, 'Claim Pending Entries');
  const group = await groupOf(t, call, 'Claim');
  if (call.args) {
    const consumer = str(call.args, 'consumer', true);
    const minIdleMs = num(call.args, 'minIdleMs', { min: 0 });
    if (minIdleMs === undefined) throw new InputError('Give "minIdleMs": only entries idle at least that long are claimed.');
    const count = num(call.args, 'count', { min: 1, max: 100_000 });
    const given = ids(call.args);
    return claimEntries(t.session, t.key, group, consumer, minIdleMs, {
      ...(given !== undefined ? { ids: given } : {}),
      ...(count !== undefined ? { count } : {}),
    });
  }
  const consumer = await call.prompts.ask(`Claim pending entries of "${group}" for consumer`, {
    validate: (v) => (v === '' ? 'Name the consumer.' : undefined),
  });
  const idle = await call.prompts.ask('Claim entries idle at least (milliseconds)', {
    value: '60000',
    validate: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'Give a whole number of milliseconds.'),
  });
  const result = await claimEntries(t.session, t.key, group, consumer, Number(idle), {});
  await showJsonResult(deps.results, `XAUTOCLAIM for ${consumer}`, result);
  return undefined;
}

async function ack(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, 'Acknowledge Entries');
  const group = await groupOf(t, call, 'XACK');
  const given = call.args
    ? (ids(call.args) ?? [])
    : (await call.prompts.ask(`XACK in "${group}": entry IDs`, { prompt: 'Separate with spaces.' })).split(/\s+/).filter(Boolean);
  const acked = await ackEntries(t.session, t.key, group, given);
  if (!call.args) call.prompts.info(`Acknowledged ${acked} of ${given.length} entries in group "${group}".`);
  return { acked };
}

export function redisStreamGroupCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.streamGroups', run: (call) => groups(deps, call) },
    { id: 'brokerExplorer.redis.streamConsumers', run: (call) => consumers(deps, call) },
    { id: 'brokerExplorer.redis.streamCreateGroup', run: (call) => create(deps, call) },
    { id: 'brokerExplorer.redis.streamDestroyGroup', run: (call) => destroy(deps, call) },
    { id: 'brokerExplorer.redis.streamSetGroupId', run: (call) => setId(deps, call) },
    { id: 'brokerExplorer.redis.streamPending', run: (call) => pending(deps, call) },
    { id: 'brokerExplorer.redis.streamClaim', run: (call) => claim(deps, call) },
    { id: 'brokerExplorer.redis.streamAck', run: (call) => ack(deps, call) },
  ];
}
