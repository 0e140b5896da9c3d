/**
 * The menu of namespace folders and type groups: delete every key under the
 * folder (counted, confirmed, batched, with progress and Cancel), filter the
 * database to the folder's prefix, copy the prefix.
 */
import * as vscode from 'vscode';
import { displayBytes, fromBuffer, toBuffer } from '../../../core/bytes';
import { InputError } from '../../../core/errors';
import { deleteByPattern } from '../../../core/redis/keyOps';
import { checkKeyType, escapeGlob } from '../../../core/redis/keyScanner';
import { NamespaceNode, TypeGroupNode } from '../../tree/redisNodes';
import { bytes, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { deletePattern, type PatternScope } from './keyAdmin';
import { refreshDatabases, resolveTarget, type RedisUiDeps } from './redisTarget';

/** The keys a folder stands for: its prefix (namespace) or its type within the database's filter (type group). */
interface FolderScope extends PatternScope {
  /** The namespace prefix; absent for a type group. */
  prefix?: Buffer;
}

function prefixPattern(prefix: Buffer): Buffer {
  return Buffer.concat([escapeGlob(prefix), Buffer.from('*')]);
}

/** The folder a call is about: the node, `prefix` / `type` arguments, or (palette) a prefix asked for. */
async function folderScope(call: CommandCall, filterOf: () => string | undefined): Promise<FolderScope> {
  const node = call.node;
  if (!call.args && !(node instanceof NamespaceNode || node instanceof TypeGroupNode)) {
    const text = await call.prompts.ask(vscode.l10n.t('Key prefix (a namespace such as user:)'), {
      prompt: vscode.l10n.t('The exact start of the key names; no pattern characters are interpreted.'),
      validate: (v) => (v === '' ? vscode.l10n.t('Give a prefix.') : undefined),
    });
    return prefixScope(Buffer.from(text, 'utf8'));
  }
  if (node instanceof NamespaceNode && node.prefix.length > 0) return prefixScope(node.prefix);
  if (node instanceof TypeGroupNode) return typeScope(node.type, filterOf());
  const args = call.args ?? {};
  const prefix = bytes(args, 'prefix');
  const type = str(args, 'type');
  if ((prefix === undefined) === (type === undefined))
    throw new InputError(vscode.l10n.t('Give either "prefix" (a namespace) or "type" (a type group).'));
  if (prefix !== undefined) {
    const buf = toBuffer(prefix, 'prefix');
    if (buf.length === 0) throw new InputError(vscode.l10n.t('The prefix is empty: use "Flush Database" to delete every key.'));
    return prefixScope(buf);
  }
  checkKeyType(type);
  return typeScope(type as string, str(args, 'match'));
}

/** The keys of a namespace folder: those whose name starts with `prefix`. */
function prefixScope(prefix: Buffer): FolderScope {
  return { prefix, pattern: prefixPattern(prefix), label: vscode.l10n.t('starting with {0}', displayBytes(prefix, 80)) };
}

function typeScope(type: string, filter: string | undefined): FolderScope {
  const pattern = Buffer.from(filter ?? '*', 'utf8');
  const label = filter !== undefined ? vscode.l10n.t('of type {0} matching {1}', type, filter) : vscode.l10n.t('of type {0}', type);
  return { pattern, type, label };
}

async function deleteFolder(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, vscode.l10n.t('Delete Keys in Folder'));
  const scope = await folderScope(call, () => deps.tree.ctx.filters.get(`${t.profile.name}/${t.db}`));
  if (call.args) {
    try {
      const result = await deleteByPattern(t.session, { hex: scope.pattern.toString('hex') }, scope.type ? { type: scope.type } : {});
      return { deleted: result.deleted };
    } finally {
      refreshDatabases(deps.tree, t.profile.name, [t.db]);
    }
  }
  t.session.assertWritable(vscode.l10n.t('deleting the keys of a folder'));
  return deletePattern(call.prompts, deps, t, scope);
}

async function filterToPrefix(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, vscode.l10n.t('Filter to This Prefix'));
  const scope = await folderScope(call, () => undefined);
  if (!scope.prefix)
    throw new InputError(vscode.l10n.t('"Filter to This Prefix" works on a namespace folder (a type group has no prefix).'));
  const pattern = fromBuffer(scope.pattern);
  if (typeof pattern !== 'string')
    throw new InputError(vscode.l10n.t('This prefix is not UTF-8 text, so it cannot be a filter: use "Scan Keys" with a hex pattern.'));
  return vscode.commands.executeCommand('brokerExplorer.redis.filter', { profile: t.profile.name, db: t.db, match: pattern });
}

async function copyPrefix(call: CommandCall): Promise<unknown> {
  const scope = await folderScope(call, () => undefined);
  if (!scope.prefix) throw new InputError(vscode.l10n.t('"Copy Prefix" works on a namespace folder (a type group has no prefix).'));
  const b = fromBuffer(scope.prefix);
  const text = typeof b === 'string' ? b : b.hex;
  await vscode.env.clipboard.writeText(text);
  if (call.interactive) vscode.window.setStatusBarMessage(vscode.l10n.t('$(copy) Copied prefix {0}', displayBytes(scope.prefix, 80)), 3000);
  return { text };
}

export function redisKeyFolderCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.deleteFolder', run: (call) => deleteFolder(deps, call) },
    { id: 'brokerExplorer.redis.filterToPrefix', run: (call) => filterToPrefix(deps, call) },
    { id: 'brokerExplorer.redis.copyPrefix', run: (call) => copyPrefix(call) },
  ];
}
