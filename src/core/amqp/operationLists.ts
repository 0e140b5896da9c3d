/**
 * The operations lists (connections, channels, consumers, policies, users)
 * by kind: one dispatch for the `list` command and the tree's Activity
 * folders. `allVhosts` lists connections, channels and consumers of the
 * whole broker.
 */
import { listPolicies, listUsers } from './managementAdmin';
import { listChannels, listConsumers, type ScopeOptions } from './managementBrowse';
import type { ManagementClient } from './managementClient';
import type { ListOptions } from './managementPaging';
import type { ConnectionInfo, Page } from './managementTypes';
import type { ChannelInfo, ConsumerInfo, PolicyInfo, UserInfo } from './operationsTypes';

export const OPERATION_KINDS = ['connections', 'channels', 'consumers', 'policies', 'users'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];
/** The kinds a vhost's Activity folder shows. */
export type ActivityKind = Exclude<OperationKind, 'users'>;
export type ActivityInfo = ConnectionInfo | ChannelInfo | ConsumerInfo | PolicyInfo;

export function isOperationKind(kind: string): kind is OperationKind {
  return (OPERATION_KINDS as readonly string[]).includes(kind);
}

/** One page of an operations list of `vhost` (or, with `allVhosts`, of the whole broker where the kind allows). */
export function listOperation(
  m: ManagementClient,
  kind: ActivityKind,
  vhost: string,
  options: ListOptions & { allVhosts?: boolean },
): Promise<Page<ActivityInfo>>;
export function listOperation(
  m: ManagementClient,
  kind: OperationKind,
  vhost: string,
  options: ListOptions & { allVhosts?: boolean },
): Promise<Page<ActivityInfo | UserInfo>>;
export function listOperation(
  m: ManagementClient,
  kind: OperationKind,
  vhost: string,
  options: ListOptions & { allVhosts?: boolean },
): Promise<Page<ActivityInfo | UserInfo>> {
  const scope: ScopeOptions = { ...options, ...(options.allVhosts ? {} : { vhost }) };
  delete (scope as { allVhosts?: boolean }).allVhosts;
  switch (kind) {
    case 'connections':
      return m.listConnections(scope);
    case 'channels':
      return listChannels(m, scope);
    case 'consumers':
      return listConsumers(m, scope);
    case 'policies':
      return listPolicies(m, vhost, options);
    case 'users':
      return listUsers(m, options);
  }
}
