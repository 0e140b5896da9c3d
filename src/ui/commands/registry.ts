/**
 * One registration table and one error wrapper for every command.
 * A command is called three ways: from the palette (no argument: it asks),
 * from a tree node's menu (the node), or through executeCommand with a plain
 * object (it asks nothing and returns its result).
 */
import * as vscode from 'vscode';
import { CancelledError, errorMessage } from '../../core/errors';
import type { ExtensionLog } from '../log';
import type { ProfileKind } from '../../core/profiles';
import { reportFailure, type ProfileNodeLookup } from './nextStep';
import type { Prompts } from '../prompts';
import { isTreeNode, type TreeNode } from '../tree/treeNode';

export interface CommandCall {
  /** The plain argument object when called programmatically. */
  args?: Record<string, unknown>;
  /** The tree node when called from a context menu or inline action. */
  node?: TreeNode;
  /** The editor lines a CodeLens runs (its command's argument is a Range). */
  range?: vscode.Range;
  /** Every selected tree node when the view allows several (the node first); at least `[node]` when there is a node. */
  nodes?: readonly TreeNode[];
  /** True when the user may be asked (palette or menu). */
  interactive: boolean;
  /** How the command asks: the one prompts service, injected when the commands are registered. */
  prompts: Prompts;
}

export interface CommandSpec {
  id: string;
  run(call: CommandCall): Promise<unknown>;
}

// The prompts' cancel contract, re-exported for the call sites that throw it themselves.
export { answered, UserCancelled } from '../prompts';

/** Runs a call made with arguments so that nothing inside it asks the user (SSH host keys, for one). */
export type Unattended = <T>(work: () => Promise<T>) => Promise<T>;

export function registerCommands(
  specs: readonly CommandSpec[],
  log: ExtensionLog,
  prompts: Prompts,
  unattended: Unattended = (work) => work(),
  lookup?: ProfileNodeLookup,
): vscode.Disposable[] {
  return specs.map((spec) =>
    vscode.commands.registerCommand(spec.id, async (arg: unknown, selected: unknown) => {
      const call: CommandCall = { ...toCall(arg, selected), prompts };
      try {
        return await (call.interactive ? spec.run(call) : unattended(() => spec.run(call)));
      } catch (err) {
        if (err instanceof CancelledError) {
          if (call.interactive) return undefined;
          // eslint-disable-next-line preserve-caught-error -- a plain Error with the sentence only crosses executeCommand
          throw new Error(err.message);
        }
        const message = log.redact(errorMessage(err));
        log.error(`${spec.id}: ${message}`);
        if (call.interactive) {
          const kind = /^brokerExplorer\.(redis|rabbitmq)\./.exec(spec.id)?.[1] as ProfileKind | undefined;
          void reportFailure(err, message, call.node, { prompts, log, kind, ...(lookup ? { lookup } : {}) });
          return undefined;
        }
        // A plain Error with the one sentence: no stack, no secret, no class surprise across the API.
        // eslint-disable-next-line preserve-caught-error -- the cause would carry the unredacted message
        throw new Error(message);
      }
    }),
  );
}

/** A tree menu passes (node, selection): the selection when it holds the node, else the node alone. */
function toCall(arg: unknown, selected: unknown): Omit<CommandCall, 'prompts'> {
  if (isTreeNode(arg)) {
    const many = Array.isArray(selected) ? selected.filter(isTreeNode) : [];
    return { node: arg, nodes: many.includes(arg) ? [arg, ...many.filter((n) => n !== arg)] : [arg], interactive: true };
  }
  if (arg instanceof vscode.Range) return { range: arg, interactive: true };
  if (typeof arg === 'object' && arg !== null && !Array.isArray(arg) && !(arg instanceof vscode.Uri)) {
    return { args: arg as Record<string, unknown>, interactive: false };
  }
  return { interactive: true };
}
