/**
 * brokerExplorer.redis.streamTail: a stream as a tail (tails.read /
 * tails.stop / the tree's Running folder), read with XREAD from `$` or an
 * ID, or as a named consumer of a group (XREADGROUP) with automatic or
 * explicit XACK.
 */
import * as vscode from 'vscode';
import { listGroups } from '../../../core/redis/streamGroups';
import { streamMessageToJson } from '../../../core/redis/streamReader';
import { startStreamTail, type StreamTailOptions } from '../../tails/streamTail';
import { bool, num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { resolveKey, type KeyTarget, type RedisUiDeps } from './redisTarget';
import { keyPlace } from './streams';

/** How long `take` waits when no `timeoutMs` is given. */
const DEFAULT_TAKE_TIMEOUT_MS = 30_000;

type ReaderChoice = StreamTailOptions['reader'];

/** What to read, asked in the palette: new entries, the whole stream, or as a consumer of a group. */
async function askReader(t: KeyTarget, call: CommandCall): Promise<ReaderChoice> {
  const groups = await listGroups(t.session, t.key).catch(() => []);
  const how = await call.prompts.pick(
    [
      { label: vscode.l10n.t('New entries'), description: vscode.l10n.t('XREAD from $'), mode: 'new' as const },
      { label: vscode.l10n.t('The whole stream, then new entries'), description: vscode.l10n.t('XREAD from 0'), mode: 'all' as const },
      ...(groups.length > 0
        ? [{ label: vscode.l10n.t('As a consumer of a group…'), description: 'XREADGROUP', mode: 'group' as const }]
        : []),
    ],
    { title: vscode.l10n.t('Tail {0}', keyPlace(t)) },
  );
  if (how.mode !== 'group') return { from: how.mode === 'new' ? '$' : '0' };
  const group = (
    await call.prompts.pick(
      groups.map((g) => ({
        label: g.name,
        description: vscode.l10n.t('{0} pending · last delivered {1}', g.pending, g.lastDeliveredId),
        name: g.name,
      })),
      { title: vscode.l10n.t('Tail {0}: group', keyPlace(t)) },
    )
  ).name;
  const consumer = await call.prompts.ask(vscode.l10n.t('Read as which consumer of "{0}"?', group), {
    value: 'broker-explorer',
    validate: (v) => (v === '' ? vscode.l10n.t('Name the consumer.') : undefined),
  });
  const mode = await call.prompts.pick(
    [
      { label: vscode.l10n.t('New entries, acknowledged once shown'), from: '>', ack: true },
      {
        label: vscode.l10n.t('New entries, not acknowledged'),
        detail: vscode.l10n.t('they stay pending: acknowledge them from "Pending Entries"'),
        from: '>',
        ack: false,
      },
      { label: vscode.l10n.t("{0}'s pending entries first, acknowledged once shown", consumer), from: '0', ack: true },
    ],
    { title: vscode.l10n.t('Tail as "{0}" of "{1}"', consumer, group) },
  );
  return { group, consumer, from: mode.from, ack: mode.ack };
}

function readerFromArgs(args: Record<string, unknown>): ReaderChoice {
  const from = str(args, 'from');
  const group = str(args, 'group');
  const consumer = str(args, 'consumer');
  const ack = bool(args, 'ack');
  const count = num(args, 'count', { min: 1, max: 100_000 });
  return {
    ...(from !== undefined ? { from } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(consumer !== undefined ? { consumer } : {}),
    ...(ack !== undefined ? { ack } : {}),
    ...(count !== undefined ? { count } : {}),
  };
}

async function streamTail(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Tail Stream'));
  const args = call.args ?? {};
  const reader = call.args ? readerFromArgs(args) : await askReader(t, call);
  // With take, the first `take` entries are held apart from the ring buffer from the start: none is dropped.
  const take = call.args ? num(args, 'take', { min: 1, max: 1_000_000 }) : undefined;
  const timeoutMs = num(args, 'timeoutMs', { min: 0, max: 3_600_000 }) ?? DEFAULT_TAKE_TIMEOUT_MS;
  const keep = bool(args, 'keep') ?? false;
  const started = await startStreamTail(deps.tails, {
    profile: t.profile,
    session: t.session,
    key: t.key,
    // Without keep, nothing past `take` is read: no entry is acknowledged that the call does not return.
    reader: { ...reader, ...(take !== undefined ? { take } : {}), ...(take !== undefined && !keep ? { limit: take } : {}) },
    settings: deps.settings(),
    redact: (text) => deps.log.redact(text),
  });
  if (!call.args) {
    started.output.show();
    return undefined;
  }
  const id = started.tail.id;
  if (take === undefined) return { id };
  const messages = (await started.reader.takeFirst({ timeoutMs })).map(streamMessageToJson);
  if (!keep) await deps.tails.stop(id);
  return { id, messages };
}

export function redisStreamTailCommands(deps: RedisUiDeps): CommandSpec[] {
  return [{ id: 'brokerExplorer.redis.streamTail', run: (call) => streamTail(deps, call) }];
}
