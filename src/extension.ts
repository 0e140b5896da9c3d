/**
 * activate(): builds the services, registers views and commands. Nothing
 * else lives here. Returns a small API for tests and other extensions.
 */
import * as vscode from 'vscode';
import { AmqpPool } from './core/amqp/amqpSession';
import { configureLanguage } from './core/l10n';
import { RedisPool } from './core/redis/pool';
import { profileCommands } from './ui/commands/profiles';
import { rabbitmqCommands } from './ui/commands/rabbitmq/rabbitCommands';
import { redisKeyCommands } from './ui/commands/redis/keys';
import { redisConsoleCommands, RedisConsoles } from './ui/commands/redis/console';
import { redisKeyAdminCommands } from './ui/commands/redis/keyAdmin';
import { redisOperationCommands } from './ui/commands/redis/operations';
import { redisPubSubCommands } from './ui/commands/redis/pubsub';
import { refreshDatabases, type RedisUiDeps } from './ui/commands/redis/redisTarget';
import { redisNodesCommands } from './ui/commands/redis/nodes';
import { redisRunCommands } from './ui/commands/redis/run';
import { redisScanCommands, scanKeysInteractive } from './ui/commands/redis/scan';
import { redisServerCommands } from './ui/commands/redis/serverCommands';
import { redisDashboardCommands } from './ui/commands/redis/dashboard';
import { rabbitDashboardCommands } from './ui/commands/rabbitmq/dashboard';
import { DashboardPanels } from './ui/views/dashboardPanels';
import { redisStringCommands } from './ui/commands/redis/strings';
import { redisJsonEditCommands } from './ui/commands/redis/jsonEdit';
import { redisStreamCommands } from './ui/commands/redis/streams';
import { redisStreamGroupCommands } from './ui/commands/redis/streamGroups';
import { redisStreamTailCommands } from './ui/commands/redis/streamTail';
import { RedisFileTargets } from './ui/redis/fileTargets';
import { registerRedisLanguage } from './ui/redis/redisLanguage';
import { RESULTS_SCHEME, ResultsDocuments } from './ui/views/resultsDocument';
import { STRING_SCHEME, StringFileSystem } from './ui/views/stringFileSystem';
import { registerCommands, type CommandSpec } from './ui/commands/registry';
import { Prompts } from './ui/prompts';
import { tailCommands } from './ui/commands/tails';
import { tcpCommands } from './ui/commands/tcp';
import { treeCommands } from './ui/commands/tree';
import { RabbitDrop, RedisDrop } from './ui/commands/treeDrop';
import { treeKeyboardCommands, watchKeySelection } from './ui/commands/treeKeyboard';
import { redisKeyFolderCommands } from './ui/commands/redis/keyFolders';
import { TailRegistry } from './ui/tails/tailRegistry';
import { TailStatus } from './ui/tails/tailStatus';
import { ExtensionLog } from './ui/log';
import { SshTunnels } from './core/net/sshTunnel';
import { tunnelReach, type Reach } from './core/net/reach';
import type { ResolvedProfile } from './core/profiles';
import { SshTrust } from './ui/sshTrust';
import { ProfileStore } from './ui/profileStore';
import { readSettings } from './ui/settings';
import { RabbitTree } from './ui/tree/rabbitTree';
import type { TreeNode } from './ui/tree/treeNode';
import { RedisTree } from './ui/tree/redisTree';
import { VALUE_SCHEME, ValueDocumentProvider } from './ui/views/valueDocument';
import { ValueEditors } from './ui/views/valueEditor';
import { redisValueEditorCommands } from './ui/commands/redis/valueEditor';

export interface BrokerExplorerApi {
  redisTree: RedisTree;
  rabbitTree: RabbitTree;
  tails: TailRegistry;
  profiles: ProfileStore;
  log: ExtensionLog;
  /** Open Redis consoles (their Pseudoterminals), by the id openConsole returned. */
  redisConsoles: RedisConsoles;
  /** The target of each open `.redis` document, shown in the status bar. */
  fileTargets: RedisFileTargets;
  /** The status bar item of running tails. */
  tailStatus: TailStatus;
  /** The prompts every command asks through; tests inject their answers here. */
  prompts: Prompts;
  /** The trees' drag and drop (tests drop through them). */
  drops: { redis: RedisDrop; rabbit: RabbitDrop };
  /** Milliseconds activate() took. */
  activationMs: number;
  /** The extension's log folder (context.logUri) and global storage folder, for tests that audit what was written. */
  logUri: vscode.Uri;
  globalStorageUri: vscode.Uri;
}

/** The services every view and command works with. */
interface Services {
  log: ExtensionLog;
  prompts: Prompts;
  profiles: ProfileStore;
  tunnels: SshTunnels;
  /** How every connection reaches a profile (its SSH tunnel, when it has one). */
  reach: Reach<ResolvedProfile>;
  sshTrust: SshTrust;
  tails: TailRegistry;
  redisPool: RedisPool;
  amqpPool: AmqpPool;
}

/** The trees, documents and consoles the services are shown in. */
interface Views {
  redisTree: RedisTree;
  rabbitTree: RabbitTree;
  rabbitView: vscode.TreeView<TreeNode>;
  redisView: vscode.TreeView<TreeNode>;
  drops: { redis: RedisDrop; rabbit: RabbitDrop };
  values: ValueDocumentProvider;
  results: ResultsDocuments;
  redisConsoles: RedisConsoles;
  fileTargets: RedisFileTargets;
  valueEditors: ValueEditors;
}

/** How both pools reach a profile: directly, or through its SSH bastion with the secrets from the secret storage. */
function sshReach(profiles: ProfileStore, tunnels: SshTunnels, sshTrust: SshTrust): Reach<ResolvedProfile> {
  return tunnelReach<ResolvedProfile>({
    tunnels,
    secrets: async (p) => {
      const [password, passphrase] = await Promise.all([profiles.secret(p, 'ssh'), profiles.secret(p, 'sshPassphrase')]);
      return { ...(password !== undefined ? { password } : {}), ...(passphrase !== undefined ? { passphrase } : {}) };
    },
    onUnknownHostKey: (p, hop, fingerprint) => sshTrust.onUnknownHostKey(p, hop, fingerprint),
  });
}

function createServices(context: vscode.ExtensionContext): Services {
  const log = new ExtensionLog();
  const prompts = new Prompts();
  const profiles = new ProfileStore(context.secrets, log);
  const tunnels = new SshTunnels(log);
  const sshTrust = new SshTrust(profiles);
  const reach = sshReach(profiles, tunnels, sshTrust);
  const redisPool = new RedisPool(
    {
      profile: (name) => profiles.redis(name),
      password: (p) => profiles.password(p),
      sentinelPassword: (p) => profiles.secret(p, 'sentinel'),
    },
    log,
    reach,
  );
  const tails = new TailRegistry();
  const amqpPool = new AmqpPool({ profile: (name) => profiles.rabbit(name), password: (p) => profiles.password(p) }, log, reach);
  return { log, prompts, profiles, tunnels, reach, sshTrust, tails, redisPool, amqpPool };
}

function createViews(context: vscode.ExtensionContext, services: Services): Views {
  const { profiles, redisPool, amqpPool, tails, prompts, log } = services;
  const redisTree = new RedisTree(profiles, redisPool, readSettings, tails);
  const rabbitTree = new RabbitTree(profiles, amqpPool, readSettings, tails);
  const drops = { redis: new RedisDrop(prompts, log), rabbit: new RabbitDrop(prompts, log) };
  const rabbitView = vscode.window.createTreeView('brokerExplorer.rabbitmq', {
    treeDataProvider: rabbitTree,
    showCollapseAll: true,
    canSelectMany: true,
    dragAndDropController: drops.rabbit,
  });
  const redisView = vscode.window.createTreeView('brokerExplorer.redis', {
    treeDataProvider: redisTree,
    showCollapseAll: true,
    canSelectMany: true,
    dragAndDropController: drops.redis,
  });
  rabbitTree.watch(rabbitView);
  const values = new ValueDocumentProvider(redisPool, readSettings, redisTree.onDidChangeDatabase);
  return {
    redisTree,
    rabbitTree,
    rabbitView,
    redisView,
    drops,
    values,
    results: new ResultsDocuments(),
    redisConsoles: new RedisConsoles(),
    fileTargets: new RedisFileTargets(),
    valueEditors: new ValueEditors({
      extensionUri: context.extensionUri,
      pool: redisPool,
      log: services.log,
      state: context.workspaceState,
    }),
  };
}

function redisUiDeps(context: vscode.ExtensionContext, services: Services, views: Views): RedisUiDeps {
  return {
    profiles: services.profiles,
    pool: services.redisPool,
    tree: views.redisTree,
    tails: services.tails,
    log: services.log,
    results: views.results,
    settings: readSettings,
    storageDir: () => context.globalStorageUri.fsPath,
  };
}

/** Every command but the RabbitMQ ones, which come with their own disposables. */
function commandSpecs(services: Services, views: Views, redisUi: RedisUiDeps): CommandSpec[] {
  const { profiles, redisPool, amqpPool, log, sshTrust, tails, reach } = services;
  const { redisTree, rabbitTree, values, results, fileTargets, redisConsoles } = views;
  return [
    ...treeCommands([redisTree, rabbitTree], rabbitTree),
    ...treeKeyboardCommands({ redisView: views.redisView, rabbitView: views.rabbitView, redisTree }),
    ...profileCommands({
      profiles,
      invalidate: (kind, name) => {
        if (kind === 'redis') redisPool.invalidate(name);
        else amqpPool.invalidate(name);
      },
      results,
      log,
      sshTrust,
    }),
    ...redisKeyCommands({
      profiles,
      pool: redisPool,
      tree: redisTree,
      values,
      scanKeysInteractive: (call) => scanKeysInteractive(redisUi, call),
    }),
    ...redisRunCommands(redisUi, fileTargets),
    ...redisPubSubCommands(redisUi),
    ...redisConsoleCommands(redisUi, redisConsoles),
    ...redisOperationCommands(redisUi),
    ...redisKeyAdminCommands(redisUi),
    ...redisKeyFolderCommands(redisUi),
    ...redisNodesCommands(redisUi),
    ...redisStringCommands(redisUi),
    ...redisJsonEditCommands(redisUi),
    ...redisScanCommands(redisUi),
    ...redisStreamCommands(redisUi),
    ...redisStreamGroupCommands(redisUi),
    ...redisStreamTailCommands(redisUi),
    ...redisServerCommands(redisUi),
    ...redisValueEditorCommands(redisUi, views.valueEditors),
    ...tailCommands(tails),
    ...tcpCommands({ registry: tails, profiles, reach }),
  ];
}

/** Refreshes the trees (and drops pooled Redis connections) when profiles or the grouping setting change. */
function settingsWatchers(services: Services, views: Views): vscode.Disposable[] {
  const { profiles, redisPool } = services;
  const { redisTree, rabbitTree } = views;
  return [
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
  ];
}

export function activate(context: vscode.ExtensionContext): BrokerExplorerApi {
  const started = performance.now();
  // Core's sentences and numbers follow VS Code's display language, from the same l10n bundle.
  configureLanguage(vscode.env.language, vscode.l10n.bundle);
  const services = createServices(context);
  const { log, prompts, profiles, tunnels, sshTrust, tails, redisPool, amqpPool } = services;
  const views = createViews(context, services);
  const { redisTree, rabbitTree, rabbitView, redisView, values, results, redisConsoles, fileTargets, drops } = views;
  const dashboards = new DashboardPanels(context.extensionUri, log);
  const rabbit = rabbitmqCommands(
    {
      profiles,
      pool: amqpPool,
      tree: rabbitTree,
      tails,
      settings: readSettings,
      log,
      storageDir: () => context.globalStorageUri.fsPath,
    },
    (deps) => rabbitDashboardCommands(deps, dashboards),
  );
  const redisUi = redisUiDeps(context, services, views);
  const tailStatus = new TailStatus(tails);
  const strings = new StringFileSystem(
    redisPool,
    readSettings,
    results,
    (ref) => refreshDatabases(redisTree, ref.profile, [ref.db]),
    prompts,
  );

  context.subscriptions.push(
    log,
    profiles,
    { dispose: () => void tails.dispose() },
    { dispose: () => void redisPool.dispose() },
    { dispose: () => void amqpPool.dispose() },
    { dispose: () => tunnels.dispose() },
    redisTree,
    rabbitTree,
    values,
    results,
    strings,
    redisConsoles,
    views.valueEditors,
    views.valueEditors.registerRestorer(),
    redisTree.onDidChangeDatabase(({ profile, db }) => views.valueEditors.databaseChanged(profile, db)),
    vscode.workspace.registerTextDocumentContentProvider(RESULTS_SCHEME, results),
    vscode.workspace.registerFileSystemProvider(STRING_SCHEME, strings, { isCaseSensitive: true }),
    ...registerRedisLanguage({ profiles, pool: redisPool }),
    fileTargets,
    tailStatus,
    redisView,
    watchKeySelection(redisView),
    rabbitView,
    ...rabbit.disposables,
    vscode.workspace.registerTextDocumentContentProvider(VALUE_SCHEME, values),
    ...settingsWatchers(services, views),
    dashboards,
    ...registerCommands(
      [...commandSpecs(services, views, redisUi), ...redisDashboardCommands(redisUi, dashboards), ...rabbit.commands],
      log,
      prompts,
      (work) => sshTrust.runUnattended(work),
      (name, kind) =>
        (kind !== 'rabbitmq' ? redisTree.profileNode(name) : undefined) ?? (kind !== 'redis' ? rabbitTree.profileNode(name) : undefined),
    ),
  );
  const activationMs = performance.now() - started;
  log.info(`Broker Explorer activated in ${activationMs.toFixed(1)} ms (display language ${vscode.env.language})`);
  return {
    redisTree,
    rabbitTree,
    tails,
    profiles,
    log,
    redisConsoles,
    prompts,
    fileTargets,
    tailStatus,
    drops,
    activationMs,
    logUri: context.logUri,
    globalStorageUri: context.globalStorageUri,
  };
}

export function deactivate(): void {
  // Every service is a Disposable in context.subscriptions.
}
