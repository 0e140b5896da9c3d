/**
 * activate(): builds the services, registers views and commands. Nothing
 * else lives here. Returns a small API for tests and other extensions.
 */
import * as vscode from 'vscode';
import { RedisPool } from './core/redis/pool';
import { profileCommands } from './ui/commands/profiles';
import { redisKeyCommands } from './ui/commands/redis/keys';
import { registerCommands } from './ui/commands/registry';
import { tailCommands } from './ui/commands/tails';
import { tcpCommands } from './ui/commands/tcp';
import { treeCommands } from './ui/commands/tree';
import { TailRegistry } from './ui/tails/tailRegistry';
import { ExtensionLog } from './ui/log';
import { ProfileStore } from './ui/profileStore';
import { readSettings } from './ui/settings';
import { RabbitTree } from './ui/tree/rabbitTree';
import { RedisTree } from './ui/tree/redisTree';
import { VALUE_SCHEME, ValueDocumentProvider } from './ui/views/valueDocument';

export interface BrokerExplorerApi {
  redisTree: RedisTree;
  rabbitTree: RabbitTree;
  tails: TailRegistry;
  profiles: ProfileStore;
  log: ExtensionLog;
  /** Milliseconds activate() took. */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): BrokerExplorerApi {
  const started = performance.now();
  const log = new ExtensionLog();
  const profiles = new ProfileStore(context.secrets, log);
  const redisPool = new RedisPool({ profile: (name) => profiles.redis(name), password: (p) => profiles.password(p) }, log);
  const tails = new TailRegistry();
  const redisTree = new RedisTree(profiles, redisPool, readSettings, tails);
  const rabbitTree = new RabbitTree(profiles);
  const values = new ValueDocumentProvider(redisPool, readSettings);

  context.subscriptions.push(
    log,
    profiles,
    { dispose: () => void tails.dispose() },
    { dispose: () => redisPool.dispose() },
    redisTree,
    rabbitTree,
    values,
    vscode.window.createTreeView('brokerExplorer.redis', { treeDataProvider: redisTree, showCollapseAll: true }),
    vscode.window.createTreeView('brokerExplorer.rabbitmq', { treeDataProvider: rabbitTree, showCollapseAll: true }),
    vscode.workspace.registerTextDocumentContentProvider(VALUE_SCHEME, values),
    profiles.onDidChange((kind) => {
      if (kind !== 'rabbitmq') {
        redisPool.invalidate();
        redisTree.refresh();
      }
      if (kind !== 'redis') rabbitTree.refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('brokerExplorer.redis.grouping')) redisTree.refresh();
    }),
    ...registerCommands(
      [
        ...treeCommands([redisTree, rabbitTree], rabbitTree),
        ...profileCommands({
          profiles,
          invalidate: (kind, name) => {
            if (kind === 'redis') redisPool.invalidate(name);
          },
        }),
        ...redisKeyCommands({ profiles, pool: redisPool, tree: redisTree, values }),
        ...tailCommands(tails),
        ...tcpCommands(tails),
      ],
      log,
    ),
  );
  const activationMs = performance.now() - started;
  log.info(`Broker Explorer activated in ${activationMs.toFixed(1)} ms`);
  return { redisTree, rabbitTree, tails, profiles, log, activationMs };
}

export function deactivate(): void {
  // Every service is a Disposable in context.subscriptions.
}
