/**
 * What every Redis command of issue 3 shares: its services, finding the
 * profile / database / key a call is about (from arguments, a tree node or
 * prompts), dedicated connections, confirmations and refreshing the tree
 * after a change.
 */
import * as vscode from 'vscode';
import { fromBuffer, toBuffer } from '../../../core/bytes';
import { InputError } from '../../../core/errors';
import { checkDb, type ResolvedRedisProfile } from '../../../core/profiles';
import type { RedisPool } from '../../../core/redis/pool';
import type { RedisSession } from '../../../core/redis/session';
import type { ExtensionLog } from '../../log';
import type { ProfileStore } from '../../profileStore';
import type { Settings } from '../../settings';
import type { TailRegistry } from '../../tails/tailRegistry';
import { DatabaseNode, KeyNode, RedisProfileNode } from '../../tree/redisNodes';
import type { RedisTree } from '../../tree/redisTree';
import type { TreeNode } from '../../tree/treeNode';
import type { ResultsDocuments } from '../../views/resultsDocument';
import { bytes, num } from '../args';
import type { CommandCall } from '../registry';
import { resolveTargetOf, type TargetKind } from '../target';

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
  /** The session bound to (profile, db): connections, catalog and the read-only guard. */
  session: RedisSession;
}

export interface KeyTarget extends RedisTarget {
  key: Buffer;
  /** The key's type when the call came from a tree node. */
  type?: string;
}

/** The database node a tree node belongs to, if any. */
export function dbNodeOf(node: TreeNode | undefined): DatabaseNode | undefined {
  for (let n = node; n; n = n.parent) if (n instanceof DatabaseNode) return n;
  return undefined;
}

/** How Redis targets are found: profile → database, sessions from the pool. */
function redisKind(deps: Pick<RedisUiDeps, 'pool'>): TargetKind<ResolvedRedisProfile, number, RedisSession> {
  return {
    kind: 'redis',
    pick: { skipSingle: true },
    fromNode: (node) => {
      const dbNode = dbNodeOf(node);
      if (dbNode) return { profile: dbNode.profile, part: dbNode.db };
      for (let n = node; n; n = n.parent) if (n instanceof RedisProfileNode) return { profile: n.profile, part: n.profile.db };
      return undefined;
    },
    partFromArgs: (args, profile) => {
      const db = num(args, 'db', { min: 0 }) ?? profile.db;
      if (profile.mode === 'cluster' && db !== 0) throw new InputError(clusterDbOnly(profile, db));
      return db;
    },
    defaultPart: (profile) => profile.db,
    askPart: async (profile, title, prompts) =>
      profile.mode === 'cluster'
        ? 0
        : Number(
            await prompts.ask(vscode.l10n.t('{0}: database of "{1}"', title, profile.name), {
              value: String(profile.db),
              validate: (v) => checkDb(v),
            }),
          ),
    session: (profile, db) => deps.pool.session(profile.name, db),
  };
}

/** The sentence for a database other than 0 asked of a cluster. */
export function clusterDbOnly(profile: ResolvedRedisProfile, db: number): string {
  return vscode.l10n.t(
    'Redis Cluster: database 0 only — "{0}" has no database {1} (keys are spread over the nodes by hash slot instead).',
    profile.name,
    db,
  );
}

/** The target of a call: arguments, then a tree node, then prompts (the database only when `askDb`). */
export async function resolveTarget(
  deps: Pick<RedisUiDeps, 'profiles' | 'pool'>,
  call: CommandCall,
  title: string,
  askDb = true,
): Promise<RedisTarget> {
  const t = await resolveTargetOf(redisKind(deps), deps.profiles, call, title, askDb);
  return { profile: t.profile, db: t.part, session: t.session };
}

/** A key from arguments (`key`), a key node, or a prompt. */
export async function resolveKey(deps: Pick<RedisUiDeps, 'profiles' | 'pool'>, call: CommandCall, title: string): Promise<KeyTarget> {
  if (call.args) return { ...(await resolveTarget(deps, call, title)), key: toBuffer(bytes(call.args, 'key', true), 'key') };
  if (call.node instanceof KeyNode) {
    const node = call.node;
    return { ...(await resolveTarget(deps, call, title)), key: node.key, type: node.info.type };
  }
  const t = await resolveTarget(deps, call, title);
  const name = await call.prompts.ask(vscode.l10n.t('{0}: key in db{1} of "{2}"', title, t.db, t.profile.name), {
    prompt: vscode.l10n.t('The exact key name.'),
  });
  return { ...t, key: Buffer.from(name, 'utf8') };
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
