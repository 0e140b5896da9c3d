/**
 * Stream entries from the palette, a stream key's menu or the command API:
 * add (XADD), delete (XDEL), trim (XTRIM), read a page either way
 * (XRANGE / XREVRANGE), length (XLEN) and XINFO STREAM. The core checks the
 * input and the read-only guard; here the palette asks and confirms.
 */
import * as vscode from 'vscode';
import { displayBytes } from '../../../core/bytes';
import { InputError } from '../../../core/errors';
import { formatCount } from '../../../core/units';
import { splitArgs } from '../../../core/redis/tokenizer';
import { listGroups } from '../../../core/redis/streamGroups';
import {
  streamAdd as coreAdd,
  streamDelete as coreDelete,
  streamFields,
  streamInfo as coreInfo,
  streamLength as coreLength,
  streamRange as coreRange,
  streamTrim as coreTrim,
  type StreamTrim,
} from '../../../core/redis/streams';
import { showJsonResult } from '../../views/resultsDocument';
import { bool, list, num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { refreshDatabases, resolveKey, type KeyTarget, type RedisUiDeps } from './redisTarget';

/** Where a key is, for prompts and messages: `"orders" in db0 of "local"`. */
export function keyPlace(t: KeyTarget): string {
  return vscode.l10n.t('"{0}" in db{1} of "{2}"', displayBytes(t.key, 60), t.db, t.profile.name);
}

/** A trim typed as redis-cli would take it: `MAXLEN ~ 1000`, `MINID 1700000000000`; empty for none. */
export function parseTrim(text: string): StreamTrim {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return {};
  const [kind, ...rest] = words;
  const approximate = rest[0] === '~';
  const value = approximate || rest[0] === '=' ? rest[1] : rest[0];
  if (value === undefined || rest.length > (approximate || rest[0] === '=' ? 2 : 1)) throw badTrim(text);
  if (/^maxlen$/i.test(kind)) {
    if (!/^\d+$/.test(value)) throw new InputError(vscode.l10n.t('MAXLEN must be a whole number of at least 0, not "{0}".', value));
    return { maxLen: Number(value), approximate };
  }
  if (/^minid$/i.test(kind)) return { minId: value, approximate };
  throw badTrim(text);
}

function badTrim(text: string): InputError {
  return new InputError(vscode.l10n.t('The trim "{0}" is not valid: write MAXLEN [~] <count> or MINID [~] <id>.', text.trim()));
}

/** The trim of an API call: `maxLen` / `minId` / `approximate`. */
function trimOf(args: Record<string, unknown>): StreamTrim {
  const trim: StreamTrim = {};
  const maxLen = args.maxLen;
  if (maxLen !== undefined && maxLen !== null) {
    if (typeof maxLen !== 'number')
      throw new InputError(vscode.l10n.t('MAXLEN must be a whole number of at least 0, not {0}.', JSON.stringify(maxLen)));
    trim.maxLen = maxLen;
  }
  const minId = str(args, 'minId');
  if (minId !== undefined) trim.minId = minId;
  const approximate = bool(args, 'approximate');
  if (approximate !== undefined) trim.approximate = approximate;
  return trim;
}

const validateTrim = (v: string): string | undefined => {
  try {
    parseTrim(v);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
};

function idList(args: Record<string, unknown>): string[] {
  return (list(args, 'ids') ?? []).map((id, i) => {
    if (typeof id !== 'string') throw new InputError(vscode.l10n.t('The ID #{0} must be text such as "1700000000000-0".', i + 1));
    return id;
  });
}

async function add(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Add Stream Entry'));
  let fields: Buffer[];
  let id: string | undefined;
  let trim: StreamTrim;
  let noMkStream: boolean | undefined;
  if (call.args) {
    fields = streamFields(call.args.fields);
    id = str(call.args, 'id');
    trim = trimOf(call.args);
    noMkStream = bool(call.args, 'noMkStream');
  } else {
    const text = await call.prompts.ask(vscode.l10n.t('XADD to {0}: fields', keyPlace(t)), {
      prompt: vscode.l10n.t('field value field value … (quote like redis-cli)'),
      validate: (v) =>
        splitArgs(v).length === 0 || splitArgs(v).length % 2 !== 0 ? vscode.l10n.t('Give field and value pairs.') : undefined,
    });
    fields = splitArgs(text);
    id = await call.prompts.ask(vscode.l10n.t('XADD to {0}: entry ID', keyPlace(t)), {
      value: '*',
      prompt: vscode.l10n.t('* lets the server pick; or <ms>-<seq>, <ms>-*'),
    });
    trim = parseTrim(
      await call.prompts.ask(vscode.l10n.t('XADD to {0}: trim (optional)', keyPlace(t)), {
        prompt: vscode.l10n.t('Empty for none; MAXLEN [~] <count> or MINID [~] <id>.'),
        validate: validateTrim,
      }),
    );
  }
  const added = await coreAdd(t.session, t.key, fields, {
    ...trim,
    ...(id !== undefined ? { id } : {}),
    ...(noMkStream ? { noMkStream } : {}),
  });
  refreshDatabases(deps.tree, t.profile.name, [t.db]);
  if (!call.args)
    vscode.window.setStatusBarMessage(
      added !== null
        ? vscode.l10n.t('Redis: added entry {0}', added)
        : vscode.l10n.t('Redis: added entry (none: the stream does not exist)'),
      5000,
    );
  return { id: added };
}

async function remove(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Delete Stream Entries'));
  let ids: string[];
  if (call.args) ids = idList(call.args);
  else {
    ids = (
      await call.prompts.ask(vscode.l10n.t('XDEL from {0}: entry IDs', keyPlace(t)), { prompt: vscode.l10n.t('Separate with spaces.') })
    )
      .split(/\s+/)
      .filter(Boolean);
    await call.prompts.confirm(
      ids.length === 1
        ? vscode.l10n.t('Delete {0} entry from {1}?', ids.length, keyPlace(t))
        : vscode.l10n.t('Delete {0} entries from {1}?', ids.length, keyPlace(t)),
      vscode.l10n.t('Delete'),
    );
  }
  return { deleted: await coreDelete(t.session, t.key, ids) };
}

async function trim(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Trim Stream'));
  let how: StreamTrim;
  if (call.args) how = trimOf(call.args);
  else {
    const text = await call.prompts.ask(`XTRIM ${keyPlace(t)}`, {
      prompt: vscode.l10n.t('MAXLEN [~] <count> or MINID [~] <id>.'),
      validate: validateTrim,
    });
    how = parseTrim(text);
    await call.prompts.confirm(
      vscode.l10n.t('Trim {0} to {1}? The older entries are deleted.', keyPlace(t), text.trim()),
      vscode.l10n.t('Trim'),
    );
  }
  const deleted = await coreTrim(t.session, t.key, how);
  if (!call.args) vscode.window.setStatusBarMessage(vscode.l10n.t('Redis: trimmed {0} entries', formatCount(deleted)), 5000);
  return { deleted };
}

async function range(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Read Stream'));
  const a = call.args ?? {};
  let reverse = bool(a, 'reverse');
  if (!call.args) {
    const pick = await call.prompts.pick(
      [
        { label: vscode.l10n.t('Oldest first'), description: 'XRANGE', reverse: false },
        { label: vscode.l10n.t('Newest first'), description: 'XREVRANGE', reverse: true },
      ],
      { title: vscode.l10n.t('Read {0}', keyPlace(t)) },
    );
    reverse = pick.reverse;
  }
  const from = str(a, 'from');
  const cursor = str(a, 'cursor');
  const limit = num(a, 'limit', { min: 1, max: 100_000 }) ?? deps.settings().valueItems;
  const page = await coreRange(t.session, t.key, {
    limit,
    ...(reverse ? { reverse } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  });
  if (!call.args) await deps.results.show(vscode.l10n.t('{0} entries', displayBytes(t.key, 40)), JSON.stringify(page, null, 2), 'json');
  return page;
}

async function info(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Stream Info'));
  const result = await coreInfo(t.session, t.key);
  if (!call.args) {
    const groups = await listGroups(t.session, t.key);
    await showJsonResult(deps.results, `XINFO STREAM ${displayBytes(t.key, 40)}`, { ...result, groupList: groups });
  }
  return result;
}

async function length(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveKey(deps, call, vscode.l10n.t('Stream Length'));
  const n = await coreLength(t.session, t.key);
  if (!call.args)
    call.prompts.info(
      n === 1
        ? vscode.l10n.t('The stream {0} has {1} entry.', keyPlace(t), formatCount(n))
        : vscode.l10n.t('The stream {0} has {1} entries.', keyPlace(t), formatCount(n)),
    );
  return { length: n };
}

export function redisStreamCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.streamAdd', run: (call) => add(deps, call) },
    { id: 'brokerExplorer.redis.streamDelete', run: (call) => remove(deps, call) },
    { id: 'brokerExplorer.redis.streamTrim', run: (call) => trim(deps, call) },
    { id: 'brokerExplorer.redis.streamRange', run: (call) => range(deps, call) },
    { id: 'brokerExplorer.redis.streamInfo', run: (call) => info(deps, call) },
    { id: 'brokerExplorer.redis.streamLength', run: (call) => length(deps, call) },
  ];
}
