/**
 * Typed operations from the core's spec table: one command for any
 * operation, one per family (the key context menu offers the family of the
 * key's type), and a few per-operation commands for menus. With arguments
 * they take `{ profile, db?, operation, args }` and return the operation's
 * JSON; from the palette or a key they ask with a form built from the spec.
 * The tree updates after every write.
 */
import type { Prompts } from '../../prompts';
import * as vscode from 'vscode';
import { displayBytes } from '../../../core/bytes';
import { InputError } from '../../../core/errors';
import { destructiveCheck, findOperation, OPERATIONS, runOperationUnchecked } from '../../../core/redis/operations';
import type { OperationSpec, OpFamily } from '../../../core/redis/opsSpec';
import { typeNoun } from '../../../core/redis/typeWords';
import type { JsonValue } from '../../../core/redis/replyJson';
import { showJsonResult } from '../../views/resultsDocument';
import { obj, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { askArgs } from './opForm';
import { KeyNode } from '../../tree/redisNodes';
import { deleteQuestion } from './keyAdmin';
import { abortOn, refreshDatabases, resolveKey, resolveTarget, type RedisTarget, type RedisUiDeps } from './redisTarget';

const FAMILIES: readonly OpFamily[] = ['string', 'hash', 'list', 'set', 'zset', 'key'];

/** A family's operations, named for the quick picks: "Hash operations". */
function familyOperations(family: OpFamily): string {
  switch (family) {
    case 'string':
      return vscode.l10n.t('String operations');
    case 'hash':
      return vscode.l10n.t('Hash operations');
    case 'list':
      return vscode.l10n.t('List operations');
    case 'set':
      return vscode.l10n.t('Set operations');
    case 'zset':
      return vscode.l10n.t('Sorted Set operations');
    case 'key':
      return vscode.l10n.t('Key operations');
  }
}

/** A family as a word inside a sentence: "hash", "sorted set". */
function familyWord(family: OpFamily): string {
  return family === 'key' ? vscode.l10n.t('key') : typeNoun(family);
}

function opsOf(family: OpFamily): OperationSpec[] {
  return (OPERATIONS as readonly OperationSpec[]).filter((op) => op.family === family);
}

/** Runs an operation on the target's session and refreshes the databases a write touched. */
export async function runOp(
  deps: RedisUiDeps,
  t: RedisTarget,
  spec: OperationSpec,
  args: unknown,
  signal?: AbortSignal,
): Promise<JsonValue> {
  const result = await runOperationUnchecked(t.session, spec.name, args, signal ? { signal } : {});
  if (spec.write) {
    const input = (args ?? {}) as Record<string, unknown>;
    const dbs = [t.db];
    if ((spec.name === 'move' || spec.name === 'copy') && input.db !== undefined) dbs.push(Number(input.db));
    refreshDatabases(deps.tree, t.profile.name, dbs);
  }
  return result;
}

/** Asks before an interactive operation that deletes or overwrites data (the spec says which do). */
async function confirmDestructive(
  prompts: Prompts,
  deps: RedisUiDeps,
  t: RedisTarget,
  spec: OperationSpec,
  args: Record<string, unknown>,
): Promise<void> {
  const check = await destructiveCheck(t.session, spec.name, args, (db) => deps.pool.session(t.profile.name, db));
  if (!check) return;
  const label = (k: Buffer): string => displayBytes(k, 80);
  const message =
    check.effect === 'delete'
      ? deleteQuestion(check.keys, check.db, t.profile.name)
      : check.keys.length === 1
        ? vscode.l10n.t('"{0}" exists: {1} replaces it. Continue?', label(check.keys[0]), check.verb)
        : vscode.l10n.t('{0} of the {1} keys exist: {2} overwrites them. Continue?', check.existing, check.keys.length, check.verb);
  await prompts.confirm(message, check.effect === 'delete' ? vscode.l10n.t('Delete') : vscode.l10n.t('Overwrite'));
}

interface OpCommandOptions {
  family?: OpFamily;
  operation?: string;
}

async function pickOperation(prompts: Prompts, family: OpFamily | undefined, keyType: string | undefined): Promise<OperationSpec> {
  let fam = family;
  if (!fam) {
    const order =
      keyType && FAMILIES.includes(keyType as OpFamily)
        ? [keyType as OpFamily, 'key' as const, ...FAMILIES.filter((f) => f !== keyType && f !== 'key')]
        : FAMILIES;
    fam = (
      await prompts.pick(
        order.map((f) => ({ label: familyOperations(f), family: f })),
        { title: vscode.l10n.t('Redis operation: family') },
      )
    ).family;
  }
  const pick = await prompts.pick(
    opsOf(fam).map((op) => ({
      label:
        op.command === 'OBJECT' || op.command === 'MEMORY' || op.command === 'HSCAN' || op.command === 'SSCAN'
          ? `${op.name.toUpperCase()} (${op.command})`
          : op.command,
      description: op.write ? vscode.l10n.t('writes') : '',
      detail: op.summary,
      op,
    })),
    { title: familyOperations(fam), matchOnDetail: true },
  );
  return pick.op;
}

async function runOperationCommand(deps: RedisUiDeps, call: CommandCall, o: OpCommandOptions): Promise<unknown> {
  if (call.args) {
    const t = await resolveTarget(deps, call, vscode.l10n.t('Redis operation'));
    const name = o.operation ?? str(call.args, 'operation', true);
    const spec = findOperation(name);
    if (!spec) throw new InputError(vscode.l10n.t('"{0}" is not a known operation: see the README for the list.', name));
    if (o.family && spec.family !== o.family)
      throw new InputError(vscode.l10n.t('"{0}" is a {1} operation, not a {2} one.', name, familyWord(spec.family), familyWord(o.family)));
    return runOp(deps, t, spec, obj(call.args, 'args') ?? {});
  }
  const keyTarget = call.node instanceof KeyNode ? await resolveKey(deps, call, vscode.l10n.t('Redis operation')) : undefined;
  const t = keyTarget ?? (await resolveTarget(deps, call, vscode.l10n.t('Redis operation')));
  const spec = o.operation ? findOperation(o.operation) : await pickOperation(call.prompts, o.family, keyTarget?.type);
  if (!spec) throw new InputError(vscode.l10n.t('"{0}" is not a known operation.', o.operation ?? ''));
  const args = await askArgs(call.prompts, spec, keyTarget ? { key: keyTarget.key } : {});
  await confirmDestructive(call.prompts, deps, t, spec, args);
  const title = `${spec.command}${spec.command !== spec.name.toUpperCase() ? ` (${spec.name})` : ''}`;
  const result = spec.blocking
    ? await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Waiting for {0}…', spec.command), cancellable: true },
        (_p, token) => runOp(deps, t, spec, args, abortOn(token)),
      )
    : await runOp(deps, t, spec, args);
  await showJsonResult(deps.results, title, result);
  return undefined;
}

/** IDs of the per-family commands, by family. */
export const FAMILY_COMMANDS: Record<OpFamily, string> = {
  string: 'brokerExplorer.redis.stringOperation',
  hash: 'brokerExplorer.redis.hashOperation',
  list: 'brokerExplorer.redis.listOperation',
  set: 'brokerExplorer.redis.setOperation',
  zset: 'brokerExplorer.redis.zsetOperation',
  key: 'brokerExplorer.redis.keyOperation',
};

/** Per-operation commands for menus (they take the same arguments, with the operation fixed). */
export const MENU_OPERATIONS: Record<string, string> = {
  'brokerExplorer.redis.expire': 'expire',
  'brokerExplorer.redis.persist': 'persist',
  'brokerExplorer.redis.rename': 'rename',
  'brokerExplorer.redis.move': 'move',
  'brokerExplorer.redis.copy': 'copy',
  'brokerExplorer.redis.hset': 'hset',
  'brokerExplorer.redis.hdel': 'hdel',
  'brokerExplorer.redis.rpush': 'rpush',
  'brokerExplorer.redis.lpush': 'lpush',
  'brokerExplorer.redis.sadd': 'sadd',
  'brokerExplorer.redis.srem': 'srem',
  'brokerExplorer.redis.zadd': 'zadd',
  'brokerExplorer.redis.zrem': 'zrem',
  'brokerExplorer.redis.blockingPop': 'blpop',
};

export function redisOperationCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.operation', run: (call) => runOperationCommand(deps, call, {}) },
    ...FAMILIES.map((family) => ({ id: FAMILY_COMMANDS[family], run: (call: CommandCall) => runOperationCommand(deps, call, { family }) })),
    ...Object.entries(MENU_OPERATIONS).map(([id, operation]) => ({
      id,
      run: (call: CommandCall) =>
        // "Blocking Pop…" from the palette lets the user choose BLPOP / BRPOP / BRPOPLPUSH / BLMOVE.
        id === 'brokerExplorer.redis.blockingPop' && !call.args
          ? runBlockingPick(deps, call)
          : runOperationCommand(deps, call, { operation }),
    })),
  ];
}

async function runBlockingPick(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const blocking = opsOf('list').filter((op) => op.blocking);
  const pick = await call.prompts.pick(
    blocking.map((op) => ({ label: op.command, detail: op.summary, op })),
    { title: vscode.l10n.t('Blocking pop (on a dedicated connection)') },
  );
  return runOperationCommand(deps, call, { operation: pick.op.name });
}
