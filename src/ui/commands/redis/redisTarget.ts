/**
 * What every Redis command of issue 3 shares: its services, finding the
 * profile / database / key a call is about (from arguments, a tree node or
 * prompts), dedicated connections, confirmations and refreshing the tree
 * after a change.
 */
import type { Prompts } from '../../prompts';
import type * as vscode from 'vscode';
import { fromBuffer, toBuffer } from '../../../core/bytes';
import { InputError } from '../../../core/errors';
import { checkDb, endpoint, type ResolvedRedisProfile } from '../../../core/profiles';
import type { RedisPool } from '../../../core/redis/pool';
import { openRespClient, type RespClient } from '../../../core/redis/respClient';
import type { ExtensionLog } from '../../log';
import type { ProfileStore } from '../../profileStore';
import type { Settings } from '../../settings';
import type { TailRegistry } from '../../tails/tailRegistry';
import { DatabaseNode, KeyNode, RedisProfileNode } from '../../tree/redisNodes';
import type { RedisTree } from '../../tree/redisTree';
import type { TreeNode } from '../../tree/treeNode';
import type { ResultsDocuments } from '../../views/resultsDocument';
import { bytes, num, type Args } from '../args';
import type { CommandCall } from '../registry';

export interface RedisUiDeps {
  profiles: ProfileStore;
  pool: RedisPool;
  tree: RedisTree;
  tails: TailRegistry;
  log: ExtensionLog;
  results: ResultsDocuments;
  settings(): Settings;
  /** A folder the extension may write scan exports to. */
  storageDir(): string;
}

export interface RedisTarget {
  profile: ResolvedRedisProfile;
  db: number;
}

export interface KeyTarget extends RedisTarget {
  key: Buffer;
  /** The key's type when the call came from a tree node. */
  type?: string;
}

/** Profile and db from plain arguments (db defaults to the profile's). */
export function targetFromArgs(deps: Pick<RedisUiDeps, 'profiles'>, args: Args): RedisTarget {
  const profile = deps.profiles.redis(args.profile);
  return { profile, db: num(args, 'db', { min: 0 }) ?? profile.db };
}

/** The database node a tree node belongs to, if any. */
export function dbNodeOf(node: TreeNode | undefined): DatabaseNode | undefined {
  for (let n = node; n; n = n.parent) if (n instanceof DatabaseNode) return n;
  return undefined;
}

/** Profile and db from a tree node, without asking. */
export function targetFromNode(node: TreeNode | undefined): RedisTarget | undefined {
  const dbNode = dbNodeOf(node);
  if (dbNode) return { profile: dbNode.profile, db: dbNode.db };
  for (let n = node; n; n = n.parent) if (n instanceof RedisProfileNode) return { profile: n.profile, db: n.profile.db };
  return undefined;
}

export function keyFromNode(node: TreeNode | undefined): KeyTarget | undefined {
  if (!(node instanceof KeyNode)) return undefined;
  return { profile: node.dbNode.profile, db: node.dbNode.db, key: node.key, type: node.info.type };
}

/** Asks for a profile (skipped when there is one) and, when `askDb`, a database. */
export async function pickTarget(prompts: Prompts, deps: Pick<RedisUiDeps, 'profiles'>, title: string, askDb = true): Promise<RedisTarget> {
  const profiles = deps.profiles.redisProfiles().profiles;
  if (profiles.length === 0) throw new InputError('There are no Redis profiles yet: add one with "Add Redis Connection".');
  const profile =
    profiles.length === 1
      ? profiles[0]
      : (
          await prompts.pick(
            profiles.map((p) => ({ label: p.name, description: endpoint(p), profile: p })),
            { title: `${title}: profile` },
          )
        ).profile;
  if (!askDb) return { profile, db: profile.db };
  const dbText = await prompts.ask(`${title}: database of "${profile.name}"`, {
    value: String(profile.db),
    validate: (v) => checkDb(v),
  });
  return { profile, db: Number(dbText) };
}

/** The target of a call: arguments, then a tree node, then prompts. */
export async function resolveTarget(
  deps: Pick<RedisUiDeps, 'profiles'>,
  call: CommandCall,
  title: string,
  askDb = true,
): Promise<RedisTarget> {
  if (call.args) return targetFromArgs(deps, call.args);
  return targetFromNode(call.node) ?? pickTarget(call.prompts, deps, title, askDb);
}

/** A key from arguments (`key`), a key node, or a prompt. */
export async function resolveKey(deps: Pick<RedisUiDeps, 'profiles'>, call: CommandCall, title: string): Promise<KeyTarget> {
  if (call.args) return { ...targetFromArgs(deps, call.args), key: toBuffer(bytes(call.args, 'key', true), 'key') };
  const fromNode = keyFromNode(call.node);
  if (fromNode) return fromNode;
  const t = await resolveTarget(deps, call, title);
  const name = await call.prompts.ask(`${title}: key in db${t.db} of "${t.profile.name}"`, { prompt: 'The exact key name.' });
  return { ...t, key: Buffer.from(name, 'utf8') };
}

/** A dedicated RESP connection (exact replies); the caller closes it. */
export async function openResp(deps: Pick<RedisUiDeps, 'profiles'>, t: RedisTarget, connectionName: string): Promise<RespClient> {
  const password = await deps.profiles.password(t.profile);
  return openRespClient(t.profile, { db: t.db, connectionName, ...(password !== undefined ? { password } : {}) });
}

/** Cache key for the command catalog of a profile's server. */
export function catalogKey(profile: ResolvedRedisProfile): string {
  return `${profile.name}\u0000${endpoint(profile)}`;
}

export function profileRef(profile: ResolvedRedisProfile): { name: string; readOnly: boolean } {
  return { name: profile.name, readOnly: profile.readOnly };
}

/**
 * Reloads the databases touched by a change (their key groups are scanned
 * again) and the profile node's key counts, without a full reload.
 */
export function refreshDatabases(tree: RedisTree, profile: string, dbs: readonly number[]): void {
  tree.databasesChanged(profile, dbs);
}

/** A key as a readable, quotable label. */
export function keyLabel(key: Buffer): string {
  const b = fromBuffer(key);
  return typeof b === 'string' ? b : `{hex ${b.hex}}`;
}

/** Bridges a CancellationToken to an AbortSignal. */
export function abortOn(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
