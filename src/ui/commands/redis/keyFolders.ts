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
    const text = await call.prompts.ask('Key prefix (a namespace such as user:)', {
      prompt: 'The exact start of the key names; no pattern characters are interpreted.',
      validate: (v) => (v === '' ? 'Give a prefix.' : undefined),
    });
    const buf = Buffer.from(text, 'utf8');
    return { prefix: buf, pattern: prefixPattern(buf), label: `starting with ${displayBytes(buf, 80)}` };
  }
  if (node instanceof NamespaceNode && node.prefix.length > 0) {
    return { prefix: node.prefix, pattern: prefixPattern(node.prefix), label: `starting with ${displayBytes(node.prefix, 80)}` };
  }
  if (node instanceof TypeGroupNode) return typeScope(node.type, filterOf());
  const args = call.args ?? {};
  const prefix = bytes(args, 'prefix');
  const type = str(args, 'type');
  if ((prefix === undefined) === (type === undefined)) throw new InputError('Give either "prefix" (a namespace) or "type" (a type group).');
  if (prefix !== undefined) {
    const buf = toBuffer(prefix, 'prefix');
    if (buf.length === 0) throw new InputError('The prefix is empty: use "Flush Database" to delete every key.');
    return { prefix: buf, pattern: prefixPattern(buf), label: `starting with ${displayBytes(buf, 80)}` };
  }
  checkKeyType(type);
  return typeScope(type as string, str(args, 'match'));
}

function typeScope(type: string, filter: string | undefined): FolderScope {
  const pattern = Buffer.from(filter ?? '*', 'utf8');
  return { pattern, type, label: `of type ${type}${filter !== undefined ? ` matching ${filter}` : ''}` };
}

async function deleteFolder(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, 'Delete Keys in Folder');
  const scope = await folderScope(call, () => deps.tree.ctx.filters.get(`${t.profile.name}/${t.db}`));
  if (call.args) {
    try {
      const result = await deleteByPattern(t.session, { hex: scope.pattern.toString('hex') }, scope.type ? { type: scope.type } : {});
      return { deleted: result.deleted };
    } finally {
      refreshDatabases(deps.tree, t.profile.name, [t.db]);
    }
  }
  t.session.assertWritable('deleting the keys of a folder');
  return deletePattern(call.prompts, deps, t, scope);
}

async function filterToPrefix(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, 'Filter to This Prefix');
  const scope = await folderScope(call, () => undefined);
  if (!scope.prefix) throw new InputError('"Filter to This Prefix" works on a namespace folder (a type group has no prefix).');
  const pattern = fromBuffer(scope.pattern);
  if (typeof pattern !== 'string')
    throw new InputError('This prefix is not UTF-8 text, so it cannot be a filter: use "Scan Keys" with a hex pattern.');
  return vscode.commands.executeCommand('brokerExplorer.redis.filter', { profile: t.profile.name, db: t.db, match: pattern });
}

async function copyPrefix(call: CommandCall): Promise<unknown> {
  const scope = await folderScope(call, () => undefined);
  if (!scope.prefix) throw new InputError('"Copy Prefix" works on a namespace folder (a type group has no prefix).');
  const b = fromBuffer(scope.prefix);
  const text = typeof b === 'string' ? b : b.hex;
  await vscode.env.clipboard.writeText(text);
  if (call.interactive) vscode.window.setStatusBarMessage(`$(copy) Copied prefix ${displayBytes(scope.prefix, 80)}`, 3000);
  return { text };
}

export function redisKeyFolderCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.redis.deleteFolder', run: (call) => deleteFolder(deps, call) },
    { id: 'brokerExplorer.redis.filterToPrefix', run: (call) => filterToPrefix(deps, call) },
    { id: 'brokerExplorer.redis.copyPrefix', run: (call) => copyPrefix(call) },
  ];
}
