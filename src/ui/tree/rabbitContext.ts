/**
 * What the RabbitMQ tree's node files share, kept below both of them so
 * the vhost folders (rabbitNodes.ts) and their items (rabbitItems.ts) do
 * not import each other.
 */
import type { AmqpPool } from '../../core/amqp/amqpSession';
import type { ListKind } from '../../core/amqp/managementClient';
import type { ResolvedRabbitProfile } from '../../core/profiles';
import type { Settings } from '../settings';
import type { TailRegistry } from '../tails/tailRegistry';
import type { TreeNode } from './treeNode';

export interface RabbitFilter {
  text: string;
  regex: boolean;
}

export interface RabbitTreeContext {
  pool: AmqpPool;
  tails: TailRegistry;
  settings(): Settings;
  /** Redraws a node without reloading it (after "Load more"). */
  redraw(node?: TreeNode): void;
  /** Filters by `filterKey(profile, vhost, kind)`. */
  filters: Map<string, RabbitFilter>;
}

export function filterKey(profile: string, vhost: string | undefined, kind: ListKind): string {
  return kind === 'vhosts' ? `${profile}\u0000vhosts` : `${profile}\u0000${vhost ?? ''}\u0000${kind}`;
}

export function describeFilter(f: RabbitFilter): string {
  return f.regex ? `/${f.text}/` : `"${f.text}"`;
}

/** A node that can drop what it loaded so the next expand asks the broker again. */
export interface Invalidatable {
  invalidate(): void;
}

export function isInvalidatable(node: unknown): node is TreeNode & Invalidatable {
  return typeof (node as Partial<Invalidatable> | undefined)?.invalidate === 'function';
}

/** The "Exchanges" or "Queues" folder an item sits in, as the item sees it. */
export interface ItemFolder extends TreeNode {
  readonly ctx: RabbitTreeContext;
  readonly profile: ResolvedRabbitProfile;
  readonly vhost: string;
}
