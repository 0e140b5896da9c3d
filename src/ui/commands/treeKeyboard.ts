/**
 * The trees' keyboard (Delete, F2, Ctrl/Cmd+C, Enter while a tree has focus)
 * and "Reveal in Tree" from an open value. A keybinding passes no node, so
 * these commands read the view's selection and run the ordinary command
 * with (node, selection), as a context menu would.
 */
import * as vscode from 'vscode';
import { displayBytes, fromBuffer } from '../../core/bytes';
import { InputError } from '../../core/errors';
import { escapeGlob } from '../../core/redis/keyScanner';
import { findKeyNode } from '../tree/redisReveal';
import { KeyNode, NamespaceNode, TypeGroupNode } from '../tree/redisNodes';
import type { RedisTree } from '../tree/redisTree';
import type { TreeNode } from '../tree/treeNode';
import { parseStringUri, STRING_SCHEME } from '../views/stringFileSystem';
import { parseValueUri, VALUE_SCHEME } from '../views/valueDocument';
import type { CommandSpec } from './registry';

/** The views the keyboard commands read and reveal in. */
export interface TreeViews {
  redisView: vscode.TreeView<TreeNode>;
  rabbitView: vscode.TreeView<TreeNode>;
  redisTree: RedisTree;
}

/** Runs `command` on the view's selection as a context menu would: (first node, every selected node). */
async function onSelection(view: vscode.TreeView<TreeNode>, command: string, accept: (n: TreeNode) => boolean): Promise<unknown> {
  const nodes = view.selection.filter(accept);
  if (nodes.length === 0) return {};
  return vscode.commands.executeCommand(command, nodes[0], nodes);
}

const isKey = (n: TreeNode): boolean => n instanceof KeyNode;
const isFolder = (n: TreeNode): boolean => (n instanceof NamespaceNode && n.prefix.length > 0) || n instanceof TypeGroupNode;

/** The (profile, db, key) of a Redis value document. */
function valueRefOf(uri: vscode.Uri | undefined): { profile: string; db: number; key: Buffer } | undefined {
  if (uri?.scheme === VALUE_SCHEME) return parseValueUri(uri);
  if (uri?.scheme === STRING_SCHEME) return parseStringUri(uri);
  return undefined;
}

async function revealKey(views: TreeViews, args: Record<string, unknown> | undefined): Promise<unknown> {
  const ref = valueRefOf(vscode.window.activeTextEditor?.document.uri);
  if (!ref) throw new InputError(vscode.l10n.t('"Reveal in Tree" works on an open Redis value: open a key first.'));
  const tree = views.redisTree;
  await tree.children(undefined);
  const profileNode = tree.profileNode(ref.profile);
  if (!profileNode) throw new InputError(vscode.l10n.t('The Redis profile "{0}" is not in the Redis view any more.', ref.profile));
  const db = profileNode.database(ref.db);
  const type = String(await (await db.client()).type(ref.key));
  let node = await findKeyNode(db, ref.key, type);
  let filtered = false;
  if (!node) {
    // Not in the loaded pages: narrow the database to this one key rather than scanning on.
    const pattern = fromBuffer(escapeGlob(ref.key));
    if (typeof pattern !== 'string')
      throw new InputError(
        vscode.l10n.t(
          'The key "{0}" is not in the loaded pages of db{1}: load more, then reveal again.',
          displayBytes(ref.key, 80),
          ref.db,
        ),
      );
    await vscode.commands.executeCommand('brokerExplorer.redis.filter', { profile: ref.profile, db: ref.db, match: pattern });
    filtered = true;
    node = await findKeyNode(db, ref.key, type);
  }
  if (!node)
    throw new InputError(
      vscode.l10n.t(
        'The key "{0}" was not found in db{1} of "{2}": it may have been deleted.',
        displayBytes(ref.key, 80),
        ref.db,
        ref.profile,
      ),
    );
  const focus = args?.focus !== false;
  await views.redisView.reveal(node, { select: true, focus, expand: false });
  return { revealed: node.id, filtered };
}

/** Keeps `brokerExplorer.redis.keySelected` (Enter opens, F2 renames) true while only keys are selected. */
export function watchKeySelection(view: vscode.TreeView<TreeNode>): vscode.Disposable {
  return view.onDidChangeSelection((e) => {
    const keys = e.selection.length > 0 && e.selection.every(isKey);
    void vscode.commands.executeCommand('setContext', 'brokerExplorer.redis.keySelected', keys);
  });
}

export function treeKeyboardCommands(views: TreeViews): CommandSpec[] {
  const { redisView, rabbitView } = views;
  return [
    {
      id: 'brokerExplorer.redis.deleteSelection',
      run: () =>
        redisView.selection.some(isKey)
          ? onSelection(redisView, 'brokerExplorer.redis.deleteKeys', isKey)
          : onSelection(redisView, 'brokerExplorer.redis.deleteFolder', isFolder),
    },
    { id: 'brokerExplorer.redis.renameSelection', run: () => onSelection(redisView, 'brokerExplorer.redis.rename', isKey) },
    {
      id: 'brokerExplorer.redis.copySelection',
      run: () =>
        redisView.selection.some(isKey)
          ? onSelection(redisView, 'brokerExplorer.redis.copyKeyName', isKey)
          : onSelection(redisView, 'brokerExplorer.redis.copyPrefix', (n) => n instanceof NamespaceNode),
    },
    { id: 'brokerExplorer.redis.openSelection', run: () => onSelection(redisView, 'brokerExplorer.redis.openKey', isKey) },
    { id: 'brokerExplorer.rabbitmq.copySelection', run: () => onSelection(rabbitView, 'brokerExplorer.rabbitmq.copyName', () => true) },
    { id: 'brokerExplorer.redis.revealInTree', run: (call) => revealKey(views, call.args) },
  ];
}
