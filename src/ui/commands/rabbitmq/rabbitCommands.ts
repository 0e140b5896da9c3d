/**
 * Every RabbitMQ command, with the services they own: the read-only result
 * documents and the output channels of tails and consumers.
 */
import * as vscode from 'vscode';
import type { CommandSpec } from '../registry';
import { rabbitAdminCommands } from './admin';
import { rabbitBrowseCommands } from './browse';
import type { RabbitDeps } from './common';
import { RABBIT_DOC_SCHEME, RabbitDocuments } from './documents';
import { rabbitManageCommands } from './manage';
import { rabbitComposerCommands } from './composer';
import { rabbitMessageCommands } from './messages';
import { rabbitMoveCommands } from './move';
import { rabbitOperationCommands } from './operations';
import { rabbitTransferCommands } from './transfer';
import { rabbitStreamBrowseCommands } from './streamBrowse';
import { rabbitStreamCommands, StreamOutputs } from './streams';

export interface RabbitCommandSet {
  commands: CommandSpec[];
  /** Push into context.subscriptions. */
  disposables: vscode.Disposable[];
}

/** `more`: command families built elsewhere on the same deps (the dashboards). */
export function rabbitmqCommands(
  services: Omit<RabbitDeps, 'documents'>,
  more: (deps: RabbitDeps) => CommandSpec[] = () => [],
): RabbitCommandSet {
  const documents = new RabbitDocuments();
  const deps: RabbitDeps = { ...services, documents };
  const outputs = new StreamOutputs(deps);
  return {
    commands: [
      ...rabbitBrowseCommands(deps),
      ...rabbitManageCommands(deps),
      ...rabbitMessageCommands(deps),
      ...rabbitComposerCommands(deps),
      ...rabbitMoveCommands(deps),
      ...rabbitOperationCommands(deps),
      ...rabbitAdminCommands(deps),
      ...rabbitStreamBrowseCommands(deps),
      ...rabbitTransferCommands(deps),
      ...rabbitStreamCommands(deps, outputs),
      ...more(deps),
    ],
    disposables: [documents, vscode.workspace.registerTextDocumentContentProvider(RABBIT_DOC_SCHEME, documents), outputs],
  };
}
