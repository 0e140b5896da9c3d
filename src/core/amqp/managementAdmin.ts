/**
 * Policies and operator policies (listed together, set with the definition
 * checked against the keys the broker knows), users, permissions, topic
 * permissions and vhost limits. Writes are refused on read-only profiles
 * before anything is sent; a password goes to the broker and nowhere else
 * (never logged, never returned); a user without the administrator tag gets
 * one sentence saying so.
 */
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
        `${call.what.charAt(0).toUpperCase()}${call.what.slice(1)} on profile "${m.profile.name}" needs a user with the "administrator" tag, and user "${m.profile.username}" does not have it (or its password is wrong); use an administrator's profile.`,
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
      what: `listing the policies of vhost "${vhost}"`,
      notFound: `vhost "${vhost}"`,
      ...sig(options),
    }),
    m.request({
      path: `/api/operator-policies/${v}`,
      what: `listing the operator policies of vhost "${vhost}"`,
      notFound: `vhost "${vhost}"`,
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
  if (typeof value !== 'string' || value.trim() === '') throw new InputError(`The ${what} is empty: give a name.`);
  return value;
}

/** Creates or replaces a policy; the definition is checked before anything is sent. */
export async function setPolicy(m: ManagementClient, args: SetPolicyArgs, options: RequestOptions = {}): Promise<void> {
  const name = checkName(args.name, 'policy name');
  const pattern = checkRegex(args.pattern, 'policy pattern');
  const applyTo = args.applyTo ?? 'all';
  if (!APPLY_TO.includes(applyTo)) throw new InputError(`"applyTo" must be one of ${APPLY_TO.join(', ')}, not ${JSON.stringify(applyTo)}.`);
  const priority = args.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0)
    throw new InputError(`The priority must be a whole number from 0, not ${JSON.stringify(priority)}.`);
  const definition = checkPolicyDefinition(args.definition, args.operator === true);
  const kind = args.operator ? 'operator policy' : 'policy';
  assertWritable(m.profile, `setting ${kind} "${name}"`);
  await m.request(
    {
      method: 'PUT',
      path: policyPath(args.vhost, name, args.operator),
      body: { pattern, definition, priority, 'apply-to': applyTo },
      what: `setting ${kind} "${name}" in vhost "${args.vhost}"`,
      notFound: `vhost "${args.vhost}"`,
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
  const name = checkName(args.name, 'policy name');
  const kind = args.operator ? 'operator policy' : 'policy';
  assertWritable(m.profile, `deleting ${kind} "${name}"`);
  await m.request(
    {
      method: 'DELETE',
      path: policyPath(args.vhost, name, args.operator),
      what: `deleting ${kind} "${name}" in vhost "${args.vhost}"`,
      notFound: `${kind} "${name}" in vhost "${args.vhost}"`,
      ...sig(options),
    },
    { vhost: args.vhost },
  );
}

// ---------------------------------------------------------------- users

export async function listUsers(m: ManagementClient, options: ListOptions = {}): Promise<Page<UserInfo>> {
  checkPaging(options);
  const all = replyItems(await adminCall(m, { path: '/api/users', what: 'listing users', ...sig(options) })).map(parseUser);
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
  const scope = vhost === undefined ? '' : ` of vhost "${vhost}"`;
  const [perms, topics, limits] = await Promise.all([
    adminCall(m, {
      path: vhost === undefined ? '/api/permissions' : `/api/vhosts/${ev}/permissions`,
      what: `listing permissions${scope}`,
      ...sig(options),
    }),
    adminCall(m, {
      path: vhost === undefined ? '/api/topic-permissions' : `/api/vhosts/${ev}/topic-permissions`,
      what: `listing topic permissions${scope}`,
      ...sig(options),
    }),
    adminCall(m, {
      path: vhost === undefined ? '/api/vhost-limits' : `/api/vhost-limits/${ev}`,
      what: `listing vhost limits${scope}`,
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
  const name = checkName(args.name, 'user name');
  const given: readonly unknown[] = Array.isArray(args.tags) ? args.tags : args.tags === undefined ? [] : [args.tags];
  const tags = given.filter((t): t is string => typeof t === 'string' && /^[\w-]+$/.test(t));
  if (tags.length !== given.length)
    throw new InputError(`"tags" must be a list of tag names such as ["management"] (known: ${KNOWN_TAGS.join(', ')}).`);
  if (args.password !== undefined && (typeof args.password !== 'string' || args.password === ''))
    throw new InputError('The password is empty: give one, or leave it out to keep the current one.');
  assertWritable(m.profile, `setting user "${name}"`);
  const path = `/api/users/${encodeName(name)}`;
  const body: Record<string, unknown> = { tags: tags.join(',') };
  if (args.password !== undefined) body.password = args.password;
  else {
    const existing = await m.request({ path, what: `reading user "${name}"`, ...sig(options) }, { accept: [404] });
    if (existing.status === 404 || !isObject(existing.body))
      throw new InputError(`User "${name}" does not exist yet: give a password to create it.`);
    body.password_hash = existing.body.password_hash;
    body.hashing_algorithm = existing.body.hashing_algorithm;
  }
  await adminCall(m, { method: 'PUT', path, body, what: `setting user "${name}"`, ...sig(options) });
}

export async function deleteUser(m: ManagementClient, name: string, options: RequestOptions = {}): Promise<void> {
  checkName(name, 'user name');
  if (name === m.profile.username)
    throw new InputError(`User "${name}" is the one this profile logs in with: delete it from another profile.`);
  assertWritable(m.profile, `deleting user "${name}"`);
  const reply = await m.request(
    { method: 'DELETE', path: `/api/users/${encodeName(name)}`, what: `deleting user "${name}"`, ...sig(options) },
    { accept: [404] },
  );
  if (reply.status === 404) throw new InputError(`User "${name}" does not exist on profile "${m.profile.name}": check the name.`);
}

export interface SetPermissionsArgs {
  vhost: string;
  user: string;
  configure: string;
  write: string;
  read: string;
}

export async function setPermissions(m: ManagementClient, args: SetPermissionsArgs, options: RequestOptions = {}): Promise<void> {
  const user = checkName(args.user, 'user name');
  const body = {
    configure: checkRegex(args.configure, 'configure permission'),
    write: checkRegex(args.write, 'write permission'),
    read: checkRegex(args.read, 'read permission'),
  };
  assertWritable(m.profile, `setting the permissions of user "${user}" on vhost "${args.vhost}"`);
  await adminCall(m, {
    method: 'PUT',
    path: `/api/permissions/${encodeName(args.vhost)}/${encodeName(user)}`,
    body,
    what: `setting the permissions of user "${user}" on vhost "${args.vhost}"`,
    notFound: `vhost "${args.vhost}" or user "${user}"`,
    ...sig(options),
  });
}

/** One user's permissions and topic permissions, on every vhost (for the tree's user node). */
export async function listUserAccess(
  m: ManagementClient,
  user: string,
  options: RequestOptions = {},
): Promise<{ permissions: PermissionInfo[]; topicPermissions: TopicPermissionInfo[] }> {
  const u = encodeName(checkName(user, 'user name'));
  const [perms, topics] = await Promise.all([
    adminCall(m, {
      path: `/api/users/${u}/permissions`,
      what: `listing the permissions of user "${user}"`,
      notFound: `user "${user}"`,
      ...sig(options),
    }),
    adminCall(m, {
      path: `/api/users/${u}/topic-permissions`,
      what: `listing the topic permissions of user "${user}"`,
      notFound: `user "${user}"`,
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
  const body = await adminCall(m, { path: '/api/vhost-limits', what: 'listing vhost limits', ...sig(options) });
  return new Map(
    replyItems(body)
      .map(parseVhostLimit)
      .map((l) => [l.vhost, l.limits]),
  );
}
