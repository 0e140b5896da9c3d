/**
 * Consumer groups from the palette, a stream key's menu or the command API:
 * list groups and consumers, create (MKSTREAM), destroy, SETID, the pending
 * list (claim or acknowledge entries picked from it), claim (XCLAIM by IDs,
 * or XAUTOCLAIM over the whole list) and XACK.
 */
import * as vscode from 'vscode';
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
  /^(\$|\d+(-\d+)?)$/.test(v.trim())
    ? undefined
    : vscode.l10n.t('Give $ (the last entry), 0 (the start) or an ID such as 1700000000000-0.');

/** The group of a call: the `group` argument, or picked from the stream's groups. */
export async function groupOf(t: KeyTarget, call: CommandCall, title: string): Promise<string> {
  if (call.args) return str(call.args, 'group', true);
  const groups = await listGroups(t.session, t.key);
  if (groups.length === 0) throw new InputError(vscode.l10n.t('The stream {0} has no consumer groups: create one first.', keyPlace(t)));
  const picked = await call.prompts.pick(
    groups.map((g) => ({
      label: g.name,
      description: vscode.l10n.t('{0} consumers · {1} pending · last delivered {2}', g.consumers, g.pending, g.lastDeliveredId),
      name: g.name,
    })),
    { title: vscode.l10n.t('{0}: group of {1}', title, keyPlace(t)) },
  );
  return picked.name;
}

function ids(args: Record<string, unknown>): string[] | undefined {
  return list(args, 'ids')?.map((id, i) => {
    if (typeof id !== 'string') throw new InputError(vscode.l10n.t('The ID #{0} must be text such as "1700000000000-0".', i + 1));
    return id;
  });
}

async function groups(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Consumer Groups'));
  const result = { groups: await listGroups(t.session, t.key) };
  if (!call.args) await showJsonResult(deps.results, `XINFO GROUPS ${keyPlace(t)}`, result);
  return result;
}

async function consumers(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Group Consumers'));
  const group = await groupOf(t, call, vscode.l10n.t('Consumers'));
  const result = { consumers: await listConsumers(t.session, t.key, group) };
  if (!call.args) await showJsonResult(deps.results, `XINFO CONSUMERS ${keyPlace(t)} ${group}`, result);
  return result;
}

async function create(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Create Consumer Group'));
  let group: string;
  let from: string | undefined;
  let mkStream: boolean | undefined;
  if (call.args) {
    group = str(call.args, 'group', true);
    from = str(call.args, 'from');
    mkStream = bool(call.args, 'mkStream');
  } else {
    group = await call.prompts.ask(vscode.l10n.t('XGROUP CREATE on {0}: group name', keyPlace(t)), {
      validate: (v) => (v === '' ? vscode.l10n.t('Name the group.') : undefined),
    });
    from = await call.prompts.ask(vscode.l10n.t('Group "{0}": deliver entries after', group), {
      value: '$',
      prompt: vscode.l10n.t(
        '$: only entries added from now on; 0: the whole stream; or an ID. The stream is created when missing (MKSTREAM).',
      ),
      validate: validateId,
    });
    mkStream = true;
  }
  await createGroup(t.session, t.key, group, { ...(from !== undefined ? { from } : {}), ...(mkStream ? { mkStream } : {}) });
  if (mkStream) refreshDatabases(deps.tree, t.profile.name, [t.db]);
  return {};
}

async function destroy(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Destroy Consumer Group'));
  const group = await groupOf(t, call, vscode.l10n.t('Destroy'));
  if (!call.args)
    await call.prompts.confirm(
      vscode.l10n.t('Destroy the consumer group "{0}" of {1}?', group, keyPlace(t)),
      vscode.l10n.t('Destroy'),
      vscode.l10n.t('Its consumers and its pending-entries list go with it; the entries stay in the stream.'),
    );
  await destroyGroup(t.session, t.key, group);
  return {};
}

async function setId(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Set Group ID'));
  const group = await groupOf(t, call, vscode.l10n.t('Set ID'));
  const id = call.args
    ? str(call.args, 'id', true)
    : await call.prompts.ask(vscode.l10n.t('XGROUP SETID "{0}" of {1}', group, keyPlace(t)), {
        value: '$',
        prompt: vscode.l10n.t('The group’s last delivered ID: $ skips to the end, 0 delivers everything again.'),
        validate: validateId,
      });
  await setGroupId(t.session, t.key, group, id);
  return {};
}

function pendingLabel(e: PendingEntry): { label: string; description: string; entry: PendingEntry } {
  const idle =
    e.idleMs < 120_000 ? vscode.l10n.t('{0} s', Math.round(e.idleMs / 1000)) : vscode.l10n.t('{0} min', Math.round(e.idleMs / 60_000));
  return { label: e.id, description: vscode.l10n.t('{0} · idle {1} · {2} deliveries', e.consumer, idle, e.deliveries), entry: e };
}

/** The pending list: returned (API), or picked from and then acknowledged, claimed or shown (palette). */
async function pending(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Pending Entries'));
  const group = await groupOf(t, call, vscode.l10n.t('Pending'));
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
    call.prompts.info(vscode.l10n.t('Nothing is pending in group "{0}" of {1}.', group, keyPlace(t)));
    return undefined;
  }
  const picked = await call.prompts.pickMany(entries.map(pendingLabel), {
    title: vscode.l10n.t('Pending in "{0}" ({1} oldest): pick entries', group, entries.length),
  });
  if (picked.length === 0) return undefined;
  const chosen = picked.map((p) => p.entry.id);
  const acknowledge = vscode.l10n.t('Acknowledge');
  const claimTo = vscode.l10n.t('Claim…');
  const action = await call.prompts.choose(vscode.l10n.t('{0} pending entries of group "{1}"', chosen.length, group), [
    acknowledge,
    claimTo,
    vscode.l10n.t('Show'),
  ]);
  if (action === acknowledge) {
    const acked = await ackEntries(t.session, t.key, group, chosen);
    call.prompts.info(acknowledgedSentence(acked, chosen.length, group));
  } else if (action === claimTo) {
    const to = await call.prompts.ask(vscode.l10n.t('XCLAIM for which consumer of "{0}"?', group), {
      validate: (v) => (v === '' ? vscode.l10n.t('Name the consumer.') : undefined),
    });
    const result = await claimEntries(t.session, t.key, group, to, 0, { ids: chosen });
    await showJsonResult(deps.results, vscode.l10n.t('Claimed for {0}', to), result);
  } else await showJsonResult(deps.results, `XPENDING ${group}`, { entries: picked.map((p) => p.entry) });
  return undefined;
}

async function claim(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Claim Pending Entries'));
  const group = await groupOf(t, call, vscode.l10n.t('Claim'));
  if (call.args) {
    const consumer = str(call.args, 'consumer', true);
    const minIdleMs = num(call.args, 'minIdleMs', { min: 0 });
    if (minIdleMs === undefined) throw new InputError(vscode.l10n.t('Give "minIdleMs": only entries idle at least that long are claimed.'));
    const count = num(call.args, 'count', { min: 1, max: 100_000 });
    const given = ids(call.args);
    return claimEntries(t.session, t.key, group, consumer, minIdleMs, {
      ...(given !== undefined ? { ids: given } : {}),
      ...(count !== undefined ? { count } : {}),
    });
  }
  const consumer = await call.prompts.ask(vscode.l10n.t('Claim pending entries of "{0}" for consumer', group), {
    validate: (v) => (v === '' ? vscode.l10n.t('Name the consumer.') : undefined),
  });
  const idle = await call.prompts.ask(vscode.l10n.t('Claim entries idle at least (milliseconds)'), {
    value: '60000',
    validate: (v) => (/^\d+$/.test(v.trim()) ? undefined : vscode.l10n.t('Give a whole number of milliseconds.')),
  });
  const result = await claimEntries(t.session, t.key, group, consumer, Number(idle), {});
  await showJsonResult(deps.results, vscode.l10n.t('XAUTOCLAIM for {0}', consumer), result);
  return undefined;
}

async function ack(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Acknowledge Entries'));
  const group = await groupOf(t, call, 'XACK');
  const given = call.args
    ? (ids(call.args) ?? [])
    : (await call.prompts.ask(vscode.l10n.t('XACK in "{0}": entry IDs', group), { prompt: vscode.l10n.t('Separate with spaces.') }))
        .split(/\s+/)
        .filter(Boolean);
  const acked = await ackEntries(t.session, t.key, group, given);
  if (!call.args) call.prompts.info(acknowledgedSentence(acked, given.length, group));
  return { acked };
}

function acknowledgedSentence(acked: number, of: number, group: string): string {
  return vscode.l10n.t('Acknowledged {0} of {1} entries in group "{2}".', acked, of, group);
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
