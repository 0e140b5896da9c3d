/**
 * Drag and drop inside the trees: a queue dropped on an exchange binds it
 * (asking for the routing key), a key dropped on another database of the
 * same server is MOVEd there (asking first). Both run the ordinary commands
 * (`brokerExplorer.rabbitmq.bind`, `brokerExplorer.redis.move`) with
 * arguments, so the guards and refreshes are theirs.
 */
import * as vscode from 'vscode';
import { displayBytes, fromBuffer } from '../../core/bytes';
import { CancelledError, errorMessage, InputError } from '../../core/errors';
import { formatCount } from '../../core/units';
import type { ExtensionLog } from '../log';
import type { Prompts } from '../prompts';
import { ExchangeNode, QueueNode } from '../tree/rabbitItems';
import { KeyNode } from '../tree/redisNodes';
import type { TreeNode } from '../tree/treeNode';
import { dbNodeOf } from './redis/redisTarget';

export const REDIS_TREE_MIME = 'application/vnd.code.tree.brokerexplorer.redis';
export const RABBIT_TREE_MIME = 'application/vnd.code.tree.brokerexplorer.rabbitmq';

/** What a drop did, for tests and the API. */
export interface DropResult {
  done: number;
  skipped: string[];
}

abstract class NodeDrop<T extends TreeNode> implements vscode.TreeDragAndDropController<TreeNode> {
  readonly dragMimeTypes: readonly string[];
  readonly dropMimeTypes: readonly string[];

  constructor(
    private readonly mime: string,
    /** Which nodes can be dragged. */
    private readonly draggable: (node: TreeNode) => node is T,
    protected readonly prompts: Prompts,
    private readonly log: ExtensionLog,
  ) {
    this.dragMimeTypes = [mime];
    this.dropMimeTypes = [mime];
  }
  /** Does the work; throws a one-sentence error or CancelledError. */
  protected abstract drop(sources: T[], target: TreeNode | undefined): Promise<DropResult | undefined>;

  handleDrag(source: readonly TreeNode[], data: vscode.DataTransfer): void {
    const nodes = source.filter((n) => this.draggable(n));
    if (nodes.length > 0) data.set(this.mime, new vscode.DataTransferItem(nodes));
  }

  async handleDrop(target: TreeNode | undefined, data: vscode.DataTransfer): Promise<void> {
    await this.dropData(target, data, true);
  }

  /** The drop itself; `report` false lets tests see the error instead of a notification. */
  async dropData(target: TreeNode | undefined, data: vscode.DataTransfer, report = false): Promise<DropResult | undefined> {
    const value: unknown = data.get(this.mime)?.value;
    const sources = Array.isArray(value)
      ? value.filter((n: unknown): n is T => typeof n === 'object' && n !== null && this.draggable(n as TreeNode))
      : [];
    if (sources.length === 0) return undefined;
    try {
      return await this.drop(sources, target);
    } catch (err) {
      if (err instanceof CancelledError) return undefined;
      if (!report) throw err;
      const message = this.log.redact(errorMessage(err));
      this.log.error(`drop: ${message}`);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
  }
}

/** Keys onto another database of the same profile: MOVE, after one question. */
export class RedisDrop extends NodeDrop<KeyNode> {
  constructor(prompts: Prompts, log: ExtensionLog) {
    super(REDIS_TREE_MIME, (n): n is KeyNode => n instanceof KeyNode, prompts, log);
  }

  protected async drop(keys: KeyNode[], target: TreeNode | undefined): Promise<DropResult | undefined> {
    const to = dbNodeOf(target);
    if (!to) return undefined;
    const from = keys[0].dbNode;
    if (keys.some((k) => k.dbNode.profile.name !== to.profile.name))
      throw new InputError(vscode.l10n.t('MOVE works within one server: drop the keys on a database of "{0}".', from.profile.name));
    const moving = keys.filter((k) => k.dbNode.db !== to.db);
    if (moving.length === 0) return undefined;
    await this.prompts.confirm(
      moving.length === 1
        ? vscode.l10n.t('Move the key "{0}" to db{1} of "{2}"?', displayBytes(moving[0].key, 80), to.db, to.profile.name)
        : vscode.l10n.t('Move {0} keys to db{1} of "{2}"?', formatCount(moving.length), to.db, to.profile.name),
      vscode.l10n.t('Move'),
      vscode.l10n.t('MOVE leaves a key where it is when db{0} has a key of the same name.', to.db),
    );
    const result: DropResult = { done: 0, skipped: [] };
    for (const k of moving) {
      const moved = await vscode.commands.executeCommand<boolean>('brokerExplorer.redis.move', {
        profile: k.dbNode.profile.name,
        db: k.dbNode.db,
        args: { key: fromBuffer(k.key), db: to.db },
      });
      if (moved === true) result.done++;
      else result.skipped.push(displayBytes(k.key, 80));
    }
    if (result.skipped.length > 0) {
      const skipped = formatCount(result.skipped.length);
      const of = formatCount(moving.length);
      this.prompts.info(
        result.skipped.length === 1
          ? vscode.l10n.t('{0} of {1} keys stayed where they were: db{2} already has "{3}".', skipped, of, to.db, result.skipped[0])
          : vscode.l10n.t('{0} of {1} keys stayed where they were: db{2} already has keys of those names.', skipped, of, to.db),
      );
    }
    return result;
  }
}

/** Queues onto an exchange of the same vhost: bind, asking for the routing key. */
export class RabbitDrop extends NodeDrop<QueueNode> {
  constructor(prompts: Prompts, log: ExtensionLog) {
    super(RABBIT_TREE_MIME, (n): n is QueueNode => n instanceof QueueNode, prompts, log);
  }

  protected async drop(queues: QueueNode[], target: TreeNode | undefined): Promise<DropResult | undefined> {
    if (!(target instanceof ExchangeNode)) return undefined;
    const x = target.info;
    if (x.name === '')
      throw new InputError(vscode.l10n.t('Every queue is bound to the default exchange already: drop the queue on another exchange.'));
    if (queues.some((q) => q.profile.name !== target.profile.name || q.vhost !== target.vhost))
      throw new InputError(
        vscode.l10n.t('A queue binds only to an exchange of its own vhost: drop it on an exchange of vhost "{0}".', queues[0].vhost),
      );
    const names = queues.map((q) => q.info.name);
    const routingKey =
      x.type === 'fanout' || x.type === 'headers'
        ? ''
        : await this.prompts.ask(
            names.length === 1
              ? vscode.l10n.t('Bind queue "{0}" to {1} exchange "{2}": routing key', names[0], x.type, x.name)
              : vscode.l10n.t('Bind {0} queues to {1} exchange "{2}": routing key', formatCount(names.length), x.type, x.name),
            {
              value: names.length === 1 && x.type === 'direct' ? names[0] : '',
              prompt:
                x.type === 'topic'
                  ? vscode.l10n.t('A topic pattern: words separated by ".", * one word, # zero or more.')
                  : vscode.l10n.t('The routing key (may be empty).'),
            },
          );
    for (const name of names) {
      await vscode.commands.executeCommand('brokerExplorer.rabbitmq.bind', {
        profile: target.profile.name,
        vhost: target.vhost,
        source: x.name,
        destination: name,
        destinationType: 'queue',
        routingKey,
      });
    }
    return { done: names.length, skipped: [] };
  }
}
