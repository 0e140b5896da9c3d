/** Commands shared by every tree: retry a failed load, load the next page. */
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import { ErrorNode, LoadMoreNode } from '../tree/treeNode';
import type { NodeTreeProvider } from '../tree/treeNode';
import type { CommandSpec } from './registry';

export function treeCommands(trees: readonly NodeTreeProvider[], rabbitTree: NodeTreeProvider): CommandSpec[] {
  const refreshAll = (node: ErrorNode): void => {
    for (const tree of trees) tree.refresh(node.parent);
  };
  return [
    {
      id: 'brokerExplorer.rabbitmq.refresh',
      run: (call) => {
        rabbitTree.refresh(call.node);
        return Promise.resolve({});
      },
    },
    {
      id: 'brokerExplorer.retry',
      run: (call) => {
        if (!(call.node instanceof ErrorNode))
          return Promise.reject(new InputError(vscode.l10n.t('Retry works on an error in a Broker Explorer view.')));
        refreshAll(call.node);
        return Promise.resolve({});
      },
    },
    {
      id: 'brokerExplorer.loadMore',
      run: async (call) => {
        if (!(call.node instanceof LoadMoreNode))
          throw new InputError(vscode.l10n.t('"Load More" works on a "Load more…" item in a Broker Explorer view.'));
        await call.node.load();
        return {};
      },
    },
  ];
}
