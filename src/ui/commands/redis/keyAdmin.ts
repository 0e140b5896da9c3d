/**
 * Keys as a whole: a new key of any type, delete one or many (UNLINK) or
 * by pattern (counted first, with progress and cancel), FLUSHDB (the user
 * types the db number), and copying a key's name or value to the clipboard.
 */
import type { Prompts } from '../../prompts';
import * as vscode from 'vscode';
import { displayBytes, fromBuffer, toBuffer, type BytesLike } from '../../../core/bytes';
import { InputError, NotFoundError } from '../../../core/errors';
import { formatCount } from '../../../core/units';
import {
  countKeys,
  createKey,
  deleteByPattern,
  deleteKeys as coreDeleteKeys,
  flushDb as coreFlushDb,
  NEW_KEY_TYPES,
  type NewKeyType,
} from '../../../core/redis/keyOps';
import { readString } from '../../../core/redis/values';
import { quoteArg, splitArgs } from '../../../core/redis/tokenizer';
import { bytes, list, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { KeyNode } from '../../tree/redisNodes';
import { flushEveryPrimary } from '../../../core/redis/commandChannel';
import { abortOn, refreshDatabases, resolveKey, resolveTarget, type RedisTarget, type RedisUiDeps } from './redisTarget';

function words(value: unknown[] | undefined, what: string): Buffer[] {
  return (value ?? []).map((v, i) => toBuffer(v as BytesLike, `${what} #${i + 1}`));
}

async function newKey(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  let t: RedisTarget;
  let type: NewKeyType;
  let key: Buffer;
  let items: Buffer[] = [];
  let value: Buffer | undefined;
  if (call.args) {
    t = await resolveTarget(deps, call, vscode.l10n.t('New Key'));
    const typeArg = str(call.args, 'type', true);
    if (!(NEW_KEY_TYPES as readonly string[]).includes(typeArg))
      throw new InputError(vscode.l10n.t('"type" must be one of {0}.', NEW_KEY_TYPES.join(', ')));
    type = typeArg as NewKeyType;
    key = toBuffer(bytes(call.args, 'key', true), 'key');
    const v = bytes(call.args, 'value');
    if (v !== undefined) value = toBuffer(v, 'value');
    items = words(list(call.args, 'items'), 'item');
  } else {
    t = await resolveTarget(deps, call, vscode.l10n.t('New Key'));
    type = await call.prompts.pick<NewKeyType>([...NEW_KEY_TYPES], { title: vscode.l10n.t('New key: type') });
    key = Buffer.from(await call.prompts.ask(vscode.l10n.t('New {0} key in db{1} of "{2}": name', type, t.db, t.profile.name)), 'utf8');
    const hint: Record<NewKeyType, string> = {
      string: vscode.l10n.t('The value (UTF-8 text).'),
      hash: vscode.l10n.t('field value field value …'),
      list: vscode.l10n.t('Elements, head first.'),
      set: vscode.l10n.t('Members.'),
      zset: vscode.l10n.t('score member score member …'),
      stream: vscode.l10n.t('field value … of the first entry.'),
    };
    const text = await call.prompts.ask(vscode.l10n.t('New {0} "{1}": content', type, displayBytes(key, 60)), {
      prompt: type === 'string' ? hint[type] : `${hint[type]} ${vscode.l10n.t('Separate with spaces; quote like redis-cli.')}`,
    });
    if (type === 'string') value = Buffer.from(text, 'utf8');
    else items = splitArgs(text);
  }
  if (!(await createKey(t.session, type, key, items, value)))
    throw new InputError(vscode.l10n.t('The key "{0}" exists already in db{1}: pick another name.', displayBytes(key, 80), t.db));
  refreshDatabases(deps.tree, t.profile.name, [t.db]);
  if (!call.args) {
    await vscode.commands.executeCommand('brokerExplorer.redis.openKey', { profile: t.profile.name, db: t.db, key: fromBuffer(key) });
    return undefined;
  }
  return { key: fromBuffer(key), type };
}

async function deleteKeys(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  if (call.args) {
    const t = await resolveTarget(deps, call, vscode.l10n.t('Delete Keys'));
    const keys = list(call.args, 'keys');
    const match = bytes(call.args, 'match');
    if ((keys === undefined) === (match === undefined))
      throw new InputError(vscode.l10n.t('Give either "keys" (a list) or "match" (a pattern) to delete.'));
    const result = keys ? await coreDeleteKeys(t.session, words(keys, 'key')) : await deleteByPattern(t.session, match as BytesLike);
    refreshDatabases(deps.tree, t.profile.name, [t.db]);
    return { deleted: result.deleted };
  }
  const selected = (call.nodes ?? []).filter((n): n is KeyNode => n instanceof KeyNode);
  if (selected.length > 1) return deleteSelected(call.prompts, deps, call, selected);
  if (call.node instanceof KeyNode) {
    const keyTarget = await resolveKey(deps, call, vscode.l10n.t('Delete Keys'));
    return deleteNamed(call.prompts, deps, keyTarget, [keyTarget.key]);
  }
  const t = await resolveTarget(deps, call, vscode.l10n.t('Delete Keys'));
  const how = await call.prompts.pick(
    [
      { label: vscode.l10n.t('Keys matching a pattern'), description: vscode.l10n.t('SCAN + UNLINK, counted first'), pattern: true },
      { label: vscode.l10n.t('Keys by name'), description: 'UNLINK', pattern: false },
    ],
    { title: vscode.l10n.t('Delete keys in db{0} of "{1}"', t.db, t.profile.name) },
  );
  if (!how.pattern) {
    const text = await call.prompts.ask(vscode.l10n.t('Delete keys: names'), {
      prompt: vscode.l10n.t('Separate with spaces; quote like redis-cli.'),
    });
    return deleteNamed(call.prompts, deps, t, splitArgs(text));
  }
  const pattern = await call.prompts.ask(vscode.l10n.t('Delete keys matching'), {
    prompt: vscode.l10n.t('A MATCH pattern: * any characters, ? one, [abc] a set.'),
    validate: (v) => (v === '' ? vscode.l10n.t('Give a pattern.') : undefined),
  });
  return deletePattern(call.prompts, deps, t, pattern);
}

async function deleteNamed(prompts: Prompts, deps: RedisUiDeps, t: RedisTarget, keys: Buffer[]): Promise<unknown> {
  if (keys.length === 0) throw new InputError(vscode.l10n.t('No keys were given to delete.'));
  await prompts.confirm(deleteQuestion(keys, t.db, t.profile.name), vscode.l10n.t('Delete'));
  const result = await coreDeleteKeys(t.session, keys);
  refreshDatabases(deps.tree, t.profile.name, [t.db]);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Redis: deleted {0} of {1} keys', result.deleted, keys.length), 5000);
  return undefined;
}

/** "Delete the key "a" from db0 of "local"?", or with the count of several keys. */
export function deleteQuestion(keys: readonly Buffer[], db: number, profile: string): string {
  return keys.length === 1
    ? vscode.l10n.t('Delete the key "{0}" from db{1} of "{2}"?', displayBytes(keys[0], 80), db, profile)
    : vscode.l10n.t('Delete {0} keys from db{1} of "{2}"?', keys.length, db, profile);
}

/**
 * A multi-selection of key nodes: one question with the count, then one
 * batched UNLINK per database the keys belong to.
 */
async function deleteSelected(prompts: Prompts, deps: RedisUiDeps, call: CommandCall, nodes: readonly KeyNode[]): Promise<unknown> {
  const byDb = new Map<string, { node: KeyNode; keys: Buffer[] }>();
  for (const node of nodes) {
    const id = node.dbNode.id;
    const group = byDb.get(id) ?? { node, keys: [] };
    if (!group.keys.some((k) => k.equals(node.key))) group.keys.push(node.key);
    byDb.set(id, group);
  }
  const groups = [...byDb.values()];
  const count = groups.reduce((n, g) => n + g.keys.length, 0);
  const first = groups[0].node.dbNode;
  const question =
    groups.length === 1
      ? vscode.l10n.t('Delete {0} keys from db{1} of "{2}"?', count, first.db, first.profile.name)
      : vscode.l10n.t('Delete {0} keys from {1} databases?', count, groups.length);
  await prompts.confirm(question, vscode.l10n.t('Delete'), vscode.l10n.t('UNLINK: this cannot be undone.'));
  let deleted = 0;
  for (const g of groups) {
    const t = await resolveTarget(deps, { ...call, node: g.node, nodes: [g.node] }, vscode.l10n.t('Delete Keys'));
    try {
      deleted += (await coreDeleteKeys(t.session, g.keys)).deleted;
    } finally {
      refreshDatabases(deps.tree, t.profile.name, [t.db]);
    }
  }
  vscode.window.setStatusBarMessage(vscode.l10n.t('Redis: deleted {0} of {1} keys', deleted, count), 5000);
  return { deleted };
}

/** What a pattern delete removes: a MATCH pattern (bytes), optionally only keys of one type. */
export interface PatternScope {
  pattern: Buffer;
  type?: string;
  /** How the keys are named in the sentences ("matching user:*", "of type hash"). */
  label?: string;
}

/** Counts the keys first (progress, Cancel), confirms with the count, then deletes in batches (progress, Cancel). */
export async function deletePattern(prompts: Prompts, deps: RedisUiDeps, t: RedisTarget, scope: PatternScope | string): Promise<unknown> {
  const s: PatternScope = typeof scope === 'string' ? { pattern: Buffer.from(scope, 'utf8') } : scope;
  const match = { hex: s.pattern.toString('hex') };
  const pattern = s.label ?? vscode.l10n.t('matching {0}', displayBytes(s.pattern, 80));
  const options = s.type !== undefined ? { type: s.type } : {};
  const counted = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Counting keys {0}', pattern), cancellable: true },
    (progress, token) =>
      countKeys(t.session, match, {
        ...options,
        signal: abortOn(token),
        onProgress: (p) =>
          progress.report({ message: vscode.l10n.t('{0} found, {1} examined', formatCount(p.matched), formatCount(p.scanned)) }),
      }),
  );
  if (counted.count === 0) {
    prompts.info(vscode.l10n.t('No keys {0} in db{1} of "{2}".', pattern, t.db, t.profile.name));
    return { deleted: 0 };
  }
  await prompts.confirm(
    vscode.l10n.t('Delete {0} keys {1} from db{2} of "{3}"?', formatCount(counted.count), pattern, t.db, t.profile.name),
    vscode.l10n.t('Delete'),
    vscode.l10n.t('Keys created meanwhile that match are deleted too.'),
  );
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deleting keys {0}', pattern), cancellable: true },
    (progress, token) =>
      deleteByPattern(t.session, match, {
        ...options,
        signal: abortOn(token),
        onProgress: (p) =>
          progress.report({
            message: vscode.l10n.t('{0} deleted of ~{1}', formatCount(p.deleted ?? 0), formatCount(counted.count)),
            increment: 0,
          }),
      }).catch((err: unknown) => {
        refreshDatabases(deps.tree, t.profile.name, [t.db]);
        throw err;
      }),
  );
  refreshDatabases(deps.tree, t.profile.name, [t.db]);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Redis: deleted {0} keys {1}', formatCount(result.deleted), pattern), 5000);
  return { deleted: result.deleted, counted: counted.count };
}

/** FLUSHDB on a cluster: every primary, after the user types the profile's name. */
async function flushCluster(deps: RedisUiDeps, call: CommandCall, t: RedisTarget): Promise<unknown> {
  if (!call.args) {
    await call.prompts.ask(vscode.l10n.t('FLUSHDB on every primary of the cluster "{0}"', t.profile.name), {
      prompt: vscode.l10n.t(
        'This deletes every key of the cluster and cannot be undone. Type the profile name ({0}) to confirm.',
        t.profile.name,
      ),
      validate: (v) => (v.trim() === t.profile.name ? undefined : vscode.l10n.t('Type {0} to confirm.', t.profile.name)),
    });
  }
  const result = await flushEveryPrimary(t.session);
  refreshDatabases(deps.tree, t.profile.name, [0]);
  return result;
}

async function flushDb(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, vscode.l10n.t('Flush Database'));
  if (t.profile.mode === 'cluster') return flushCluster(deps, call, t);
  if (call.args && call.args.db === undefined)
    throw new InputError(vscode.l10n.t('FLUSHDB needs the database number ("db") spelled out, so the wrong one is never emptied.'));
  if (!call.args) {
    await call.prompts.ask(vscode.l10n.t('FLUSHDB: delete every key of db{0} on "{1}"', t.db, t.profile.name), {
      prompt: vscode.l10n.t('This cannot be undone. Type the database number ({0}) to confirm.', t.db),
      validate: (v) => (v.trim() === String(t.db) ? undefined : vscode.l10n.t('Type {0} to confirm.', t.db)),
    });
  }
  await coreFlushDb(t.session, t.db);
  refreshDatabases(deps.tree, t.profile.name, [t.db]);
  return {};
}

function nameText(key: Buffer): string {
  const b = fromBuffer(key);
  return typeof b === 'string' ? b : quoteArg(key);
}

async function copyKeyName(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const selected = (call.nodes ?? []).filter((n): n is KeyNode => n instanceof KeyNode);
  if (selected.length > 1) {
    // Several keys: one name a line.
    const text = selected.map((n) => nameText(n.key)).join('\n');
    await vscode.env.clipboard.writeText(text);
    return { text };
  }
  const k = await resolveKey(deps, call, vscode.l10n.t('Copy Key Name'));
  const text = nameText(k.key);
  await vscode.env.clipboard.writeText(text);
  return { text };
}

async function copyValue(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const k = await resolveKey(deps, call, vscode.l10n.t('Copy Value'));
  const client = await k.session.client();
  const type = String(await client.type(k.key));
  if (type === 'none') throw new NotFoundError(vscode.l10n.t('The key "{0}" does not exist.', displayBytes(k.key, 80)));
  let text: string;
  if (type === 'string') {
    const max = deps.settings().maxValueBytes;
    const read = await readString(client, k.key, Number(await client.strlen(k.key)), max);
    if (read.truncated)
      throw new InputError(
        vscode.l10n.t(
          'The value is larger than {0} bytes (brokerExplorer.redis.maxValueBytes): export it with "Scan Value" or open it instead.',
          formatCount(max),
        ),
      );
    const b = fromBuffer(read.bytes);
    text = typeof b === 'string' ? b : b.hex;
  } else {
    const value = await vscode.commands.executeCommand<{ value: unknown; truncated: boolean }>('brokerExplorer.redis.getValue', {
      profile: k.profile.name,
      db: k.db,
      key: fromBuffer(k.key),
    });
    if (value.truncated)
      throw new InputError(
        vscode.l10n.t('The {0} has more items than fit (brokerExplorer.redis.valueItems): export it with "Scan Value" instead.', type),
      );
    text = JSON.stringify(value.value, null, 2);
  }
  await vscode.env.clipboard.writeText(text);
  return { text };
}

export function redisKeyAdminCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.newKey', run: (call) => newKey(deps, call) },
    { id: 'brokerExplorer.redis.deleteKeys', run: (call) => deleteKeys(deps, call) },
    // The same command, titled "Delete Key…" for a single key's menu.
    { id: 'brokerExplorer.redis.deleteKey', run: (call) => deleteKeys(deps, call) },
    { id: 'brokerExplorer.redis.flushDb', run: (call) => flushDb(deps, call) },
    { id: 'brokerExplorer.redis.copyKeyName', run: (call) => copyKeyName(deps, call) },
    { id: 'brokerExplorer.redis.copyValue', run: (call) => copyValue(deps, call) },
  ];
}
