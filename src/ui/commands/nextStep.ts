/**
 * A command that failed on a connection says what to do next: its error
 * notification offers Test Connection, Edit Connection and Show Log. The
 * profile is the one of the tree node the command ran on, or the one the
 * sentence names (of the command's kind: redis.* or rabbitmq.*); without
 * either, the profile command asks for it.
 */
import * as vscode from 'vscode';
import type { ProfileKind } from '../../core/profiles';
import { EDIT_CONNECTION, isConnectionFailure, TEST_CONNECTION } from '../errorRemedy';
import type { ExtensionLog } from '../log';
import type { Prompts } from '../prompts';
import type { TreeNode } from '../tree/treeNode';

/** The tree node of a profile, when its view has shown it. */
export type ProfileNodeLookup = (name: string, kind: ProfileKind | undefined) => TreeNode | undefined;

/**
 * The node a profile command should act on: the profile above `node`, else the first quoted name in the
 * sentence that is a profile (in any display language: the sentences quote names with ASCII quotes).
 */
function profileTarget(
  node: TreeNode | undefined,
  message: string,
  lookup: ProfileNodeLookup | undefined,
  kind: ProfileKind | undefined,
): TreeNode | undefined {
  for (let n = node; n; n = n.parent) {
    const profile = (n as { profile?: { kind?: unknown } }).profile;
    if (typeof profile === 'object' && profile !== null && typeof profile.kind === 'string') return n;
  }
  if (!lookup) return undefined;
  for (const [, named] of message.matchAll(/"([^"]+)"/g)) {
    const found = lookup(named, kind);
    if (found) return found;
  }
  return undefined;
}

/** Shows a command's failure: with the next steps when it is a connection or login failure, plainly otherwise. */
export async function reportFailure(
  err: unknown,
  message: string,
  node: TreeNode | undefined,
  deps: { prompts: Prompts; log: ExtensionLog; lookup?: ProfileNodeLookup; kind?: ProfileKind | undefined },
): Promise<void> {
  if (!isConnectionFailure(err)) {
    await vscode.window.showErrorMessage(message);
    return;
  }
  const test = vscode.l10n.t('Test Connection');
  const edit = vscode.l10n.t('Edit Connection');
  const showLog = vscode.l10n.t('Show Log');
  const choice = await deps.prompts.notifyError(message, [test, edit, showLog]);
  if (choice === showLog) deps.log.channel.show(true);
  else if (choice !== undefined) {
    const target = profileTarget(node, message, deps.lookup, deps.kind);
    await vscode.commands.executeCommand(choice === test ? TEST_CONNECTION : EDIT_CONNECTION, target);
  }
}
