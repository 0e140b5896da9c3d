/**
 * Policies and operator policies (listed together, set with the definition
 * checked against the keys the broker knows), users, permissions, topic
 * permissions and vhost limits. Writes are refused on read-only profiles
 * before anything is sent; a password goes to the broker and nowhere else
 * (never logged, never returned); a user without the administrator tag gets
 * one sentence saying so.
 */
import * as l10n from '@vscode/l10n';
import { AuthError, InputError, PermissionError } from '../errors';
import { assertWritable } from '../readOnly';
import type { ManagementClient, RequestOptions } from './managementClient';
import { encodeName, type HttpCall } from './managementHttp';
import { checkPaging, cmp, pageLocally, type ListOptions } from './managementPaging';
import { isObject, replyItems, type Page } from './managementTypes';
import {
  parsePermission,
  parsePolicy,
  parseTopicPermission,
  parseUser,
  parseVhostLimit,
  type PermissionInfo,
  type PolicyInfo,
  type TopicPermissionInfo,
  type UserInfo,
  type VhostLimitInfo,
} from './operationsTypes';
import { checkPolicyDefinition, checkRegex } from './policyDefinition';

function sig(options: RequestOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

/** Calls that need the administrator tag: a 401 / 403 becomes the one sentence that says so. */
async function adminCall(m: ManagementClient, call: HttpCall): Promise<unknown> {
  try {
    return (await m.request(call)).body;
  } catch (err) {
    // A refused login or a missing tag: either way this profile's user cannot administer.
    if (err instanceof AuthError) {
      throw new PermissionError(
        l10n.t(
          '{0} on profile "{1}" needs a user with the "administrator" tag, and user "{2}" does not have it (or its password is wrong); use an administrator\'s profile.',
          call.what.charAt(0).toUpperCase() + call.what.slice(1),
          m.profile.name,
          m.profile.username,
        ),
      );
    }
    throw err;
  }
}

// ---------------------------------------------------------------- policies

/** Policies and operator policies of a vhost, by name (operator ones flagged), paged here. */
export async function listPolicies(m: ManagementClient, vhost: string, options: ListOptions = {}): Promise<Page<PolicyInfo>> {
  checkPaging(options);
  const v = encodeName(vhost);
  const [user, operator] = await Promise.all([
    m.request({
      path: `/api/policies/${v}`,
      what: l10n.t('listing the policies of vhost "{0}"', vhost),
      notFound: l10n.t('vhost "{0}"', vhost),
      ...sig(options),
    }),
    m.request({
      path: `/api/operator-policies/${v}`,
      what: l10n.t('listing the operator policies of vhost "{0}"', vhost),
      notFound: l10n.t('vhost "{0}"', vhost),
      ...sig(options),
    }),
  ]);
  const all = [...replyItems(user.body).map((o) => parsePolicy(o, false)), ...replyItems(operator.body).map((o) => parsePolicy(o, true))];
  all.sort((a, b) => cmp(a.name, b.name) || Number(a.operator) - Number(b.operator));
  return pageLocally(all, options, (p) => [p.name, p.pattern]);
}

export interface SetPolicyArgs {
  vhost: string;
  name: string;
  pattern: string;
  applyTo?: string;
  definition: unknown;
  priority?: number;
  operator?: boolean;
}

const APPLY_TO = ['all', 'queues', 'exchanges', 'classic_queues', 'quorum_queues', 'streams'];

function policyPath(vhost: string, name: string, operator: boolean | undefined): string {
  return `/api/${operator ? 'operator-policies' : 'policies'}/${encodeName(vhost)}/${encodeName(name)}`;
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InputError(l10n.t('The {0} is empty: give a name.', what));
  return value;
}

/** Creates or replaces a policy; the definition is checked before anything is sent. */
export async function setPolicy(m: ManagementClient, args: SetPolicyArgs, options: RequestOptions = {}): Promise<void> {
  const name = checkName(args.name, l10n.t('policy name'));
  const pattern = checkRegex(args.pattern, l10n.t('policy pattern'));
  const applyTo = args.applyTo ?? 'all';
  if (!APPLY_TO.includes(applyTo))
    throw new InputError(l10n.t('"applyTo" must be one of {0}, not {1}.', APPLY_TO.join(', '), JSON.stringify(applyTo)));
  const priority = args.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0)
    throw new InputError(l10n.t('The priority must be a whole number from 0, not {0}.', JSON.stringify(priority)));
  const definition = checkPolicyDefinition(args.definition, args.operator === true);
  const op = args.operator === true;
  assertWritable(m.profile, op ? l10n.t('setting operator policy "{0}"', name) : l10n.t('setting policy "{0}"', name));
  await m.request(
    {
      method: 'PUT',
      path: policyPath(args.vhost, name, args.operator),
      body: { pattern, definition, priority, 'apply-to': applyTo },
      what: op
        ? l10n.t('setting operator policy "{0}" in vhost "{1}"', name, args.vhost)
        : l10n.t('setting policy "{0}" in vhost "{1}"', name, args.vhost),
      notFound: l10n.t('vhost "{0}"', args.vhost),
      ...sig(options),
    },
    { vhost: args.vhost },
  );
}

export async function deletePolicy(
  m: ManagementClient,
  args: { vhost: string; name: string; operator?: boolean },
  options: RequestOptions = {},
): Promise<void> {
  const name = checkName(args.name, l10n.t('policy name'));
  const op = args.operator === true;
  assertWritable(m.profile, op ? l10n.t('deleting operator policy "{0}"', name) : l10n.t('deleting policy "{0}"', name));
  await m.request(
    {
      method: 'DELETE',
      path: policyPath(args.vhost, name, args.operator),
      what: op
        ? l10n.t('deleting operator policy "{0}" in vhost "{1}"', name, args.vhost)
        : l10n.t('deleting policy "{0}" in vhost "{1}"', name, args.vhost),
      notFound: op
        ? l10n.t('operator policy "{0}" in vhost "{1}"', name, args.vhost)
        : l10n.t('policy "{0}" in vhost "{1}"', name, args.vhost),
      ...sig(options),
    },
    { vhost: args.vhost },
  );
}

// ---------------------------------------------------------------- users

export async function listUsers(m: ManagementClient, options: ListOptions = {}): Promise<Page<UserInfo>> {
  checkPaging(options);
  const all = replyItems(await adminCall(m, { path: '/api/users', what: l10n.t('listing users'), ...sig(options) })).map(parseUser);
  all.sort((a, b) => cmp(a.name, b.name));
  return pageLocally(all, options, (u) => [u.name, u.tags.join(',')]);
}

/** Permissions, topic permissions (of one vhost, or all) and vhost limits: what an administrator sees of access. */
export async function listAccess(
  m: ManagementClient,
  vhost: string | undefined,
  options: RequestOptions = {},
): Promise<{ permissions: PermissionInfo[]; topicPermissions: TopicPermissionInfo[]; limits: VhostLimitInfo[] }> {
  const ev = vhost === undefined ? '' : encodeName(vhost);
  const [perms, topics, limits] = await Promise.all([
    adminCall(m, {
      path: vhost === undefined ? '/api/permissions' : `/api/vhosts/${ev}/permissions`,
      what: vhost === undefined ? l10n.t('listing permissions') : l10n.t('listing permissions of vhost "{0}"', vhost),
      ...sig(options),
    }),
    adminCall(m, {
      path: vhost === undefined ? '/api/topic-permissions' : `/api/vhosts/${ev}/topic-permissions`,
      what: vhost === undefined ? l10n.t('listing topic permissions') : l10n.t('listing topic permissions of vhost "{0}"', vhost),
      ...sig(options),
    }),
    adminCall(m, {
      path: vhost === undefined ? '/api/vhost-limits' : `/api/vhost-limits/${ev}`,
      what: vhost === undefined ? l10n.t('listing vhost limits') : l10n.t('listing vhost limits of vhost "{0}"', vhost),
      ...sig(options),
    }),
  ]);
  const inScope = <T extends { vhost: string }>(x: T): boolean => vhost === undefined || x.vhost === vhost;
  return {
    permissions: replyItems(perms).map(parsePermission).filter(inScope),
    topicPermissions: replyItems(topics).map(parseTopicPermission).filter(inScope),
    limits: replyItems(limits).map(parseVhostLimit).filter(inScope),
  };
}

export interface SetUserArgs {
  name: string;
  /** Sent to the broker only. Absent for an existing user: its password is kept. */
  password?: string;
  /** Tag names (checked): management, policymaker, monitoring, administrator, … */
  tags?: readonly unknown[];
}

const KNOWN_TAGS = ['administrator', 'monitoring', 'policymaker', 'management', 'impersonator'];

/** Creates a user or changes its tags / password. */
export async function setUser(m: ManagementClient, args: SetUserArgs, options: RequestOptions = {}): Promise<void> {
  const name = checkName(args.name, l10n.t('user name'));
  const given: readonly unknown[] = Array.isArray(args.tags) ? args.tags : args.tags === undefined ? [] : [args.tags];
  const tags = given.filter((t): t is string => typeof t === 'string' && /^[\w-]+$/.test(t));
  if (tags.length !== given.length)
    throw new InputError(l10n.t('"tags" must be a list of tag names such as ["management"] (known: {0}).', KNOWN_TAGS.join(', ')));
  if (args.password !== undefined && (typeof args.password !== 'string' || args.password === ''))
    throw new InputError(l10n.t('The password is empty: give one, or leave it out to keep the current one.'));
  assertWritable(m.profile, l10n.t('setting user "{0}"', name));
  const path = `/api/users/${encodeName(name)}`;
  const body: Record<string, unknown> = { tags: tags.join(',') };
  if (args.password !== undefined) body.password = args.password;
  else {
    const existing = await m.request({ path, what: l10n.t('reading user "{0}"', name), ...sig(options) }, { accept: [404] });
    if (existing.status === 404 || !isObject(existing.body))
      throw new InputError(l10n.t('User "{0}" does not exist yet: give a password to create it.', name));
    body.password_hash = existing.body.password_hash;
    body.hashing_algorithm = existing.body.hashing_algorithm;
  }
  await adminCall(m, { method: 'PUT', path, body, what: l10n.t('setting user "{0}"', name), ...sig(options) });
}

export async function deleteUser(m: ManagementClient, name: string, options: RequestOptions = {}): Promise<void> {
  checkName(name, l10n.t('user name'));
  if (name === m.profile.username)
    throw new InputError(l10n.t('User "{0}" is the one this profile logs in with: delete it from another profile.', name));
  assertWritable(m.profile, l10n.t('deleting user "{0}"', name));
  const reply = await m.request(
    { method: 'DELETE', path: `/api/users/${encodeName(name)}`, what: l10n.t('deleting user "{0}"', name), ...sig(options) },
    { accept: [404] },
  );
  if (reply.status === 404)
    throw new InputError(l10n.t('User "{0}" does not exist on profile "{1}": check the name.', name, m.profile.name));
}

export interface SetPermissionsArgs {
  vhost: string;
  user: string;
  configure: string;
  write: string;
  read: string;
}

export async function setPermissions(m: ManagementClient, args: SetPermissionsArgs, options: RequestOptions = {}): Promise<void> {
  const user = checkName(args.user, l10n.t('user name'));
  const body = {
    configure: checkRegex(args.configure, l10n.t('configure permission')),
    write: checkRegex(args.write, l10n.t('write permission')),
    read: checkRegex(args.read, l10n.t('read permission')),
  };
  assertWritable(m.profile, l10n.t('setting the permissions of user "{0}" on vhost "{1}"', user, args.vhost));
  await adminCall(m, {
    method: 'PUT',
    path: `/api/permissions/${encodeName(args.vhost)}/${encodeName(user)}`,
    body,
    what: l10n.t('setting the permissions of user "{0}" on vhost "{1}"', user, args.vhost),
    notFound: l10n.t('vhost "{0}" or user "{1}"', args.vhost, user),
    ...sig(options),
  });
}

/** One user's permissions and topic permissions, on every vhost (for the tree's user node). */
export async function listUserAccess(
  m: ManagementClient,
  user: string,
  options: RequestOptions = {},
): Promise<{ permissions: PermissionInfo[]; topicPermissions: TopicPermissionInfo[] }> {
  const u = encodeName(checkName(user, l10n.t('user name')));
  const [perms, topics] = await Promise.all([
    adminCall(m, {
      path: `/api/users/${u}/permissions`,
      what: l10n.t('listing the permissions of user "{0}"', user),
      notFound: l10n.t('user "{0}"', user),
      ...sig(options),
    }),
    adminCall(m, {
      path: `/api/users/${u}/topic-permissions`,
      what: l10n.t('listing the topic permissions of user "{0}"', user),
      notFound: l10n.t('user "{0}"', user),
      ...sig(options),
    }),
  ]);
  const byVhost = <T extends { vhost: string }>(a: T, b: T): number => cmp(a.vhost, b.vhost);
  return {
    permissions: replyItems(perms).map(parsePermission).sort(byVhost),
    topicPermissions: replyItems(topics).map(parseTopicPermission).sort(byVhost),
  };
}

/** The limits of every vhost that has some (max-connections, max-queues), by vhost name. */
export async function listVhostLimits(m: ManagementClient, options: RequestOptions = {}): Promise<Map<string, Record<string, number>>> {
  const body = await adminCall(m, { path: '/api/vhost-limits', what: l10n.t('listing vhost limits'), ...sig(options) });
  return new Map(
    replyItems(body)
      .map(parseVhostLimit)
      .map((l) => [l.vhost, l.limits]),
  );
}
