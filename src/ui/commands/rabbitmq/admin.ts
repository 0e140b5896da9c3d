/**
 * Policies and users: "Set Policy…" (create or edit, the definition checked
 * as JSON against the known keys while typing), "Delete Policy…", "Set
 * User…" (the password is typed masked and goes to the broker only), "Delete
 * User…" (asks first), "Set Permissions…" and the access listing
 * (permissions, topic permissions, vhost limits).
 */
import * as vscode from 'vscode';
import {
  deletePolicy,
  deleteUser,
  listAccess,
  listPolicies,
  listUsers,
  setPermissions,
  setPolicy,
  setUser,
  type SetPolicyArgs,
} from '../../../core/amqp/managementAdmin';
import { checkPolicyDefinition, checkRegex } from '../../../core/amqp/policyDefinition';
import { errorMessage } from '../../../core/errors';
import type { PolicyInfo } from '../../../core/amqp/operationsTypes';
import { ActivityItem } from '../../tree/rabbitActivityNodes';
import { UserNode } from '../../tree/rabbitUserNodes';
import { bool, list, num, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { pickVhost, target, where, type RabbitDeps, type Target } from './common';

function validator(check: (text: string) => unknown): (text: string) => string | undefined {
  return (text) => {
    try {
      check(text);
      return undefined;
    } catch (err) {
      return errorMessage(err);
    }
  };
}

async function askPolicy(t: Target, call: CommandCall): Promise<SetPolicyArgs> {
  const existing = (await listPolicies(t.session.management(), t.vhost, { pageSize: 500 })).items;
  const picked = await call.prompts.pick(
    [
      { label: `$(add) ${vscode.l10n.t('New policy…')}`, policy: undefined },
      ...existing.map((p) => ({ label: p.name, description: policyDescription(p, `${p.pattern} → ${p.applyTo}`), policy: p })),
    ],
    { title: vscode.l10n.t('Set a policy in {0}', where(t)) },
  );
  const p = picked.policy;
  const operatorPolicy = vscode.l10n.t('Operator Policy');
  const operator = p
    ? p.operator
    : (await call.prompts.choose(vscode.l10n.t('Which kind of policy?'), [vscode.l10n.t('Policy'), operatorPolicy])) === operatorPolicy;
  const name = p?.name ?? (await call.prompts.ask(vscode.l10n.t('Policy name'), { validate: requireName }));
  const pattern = await call.prompts.ask(vscode.l10n.t('Pattern (a regular expression on queue / exchange names)'), {
    value: p?.pattern ?? '^',
    validate: validator((v) => checkRegex(v, 'pattern')),
  });
  const applyTo = (
    await call.prompts.pick(
      ['queues', 'exchanges', 'all', 'classic_queues', 'quorum_queues', 'streams'].map((label) => ({
        label,
        picked: label === p?.applyTo,
      })),
      { title: vscode.l10n.t('Apply to') },
    )
  ).label;
  const definition = await call.prompts.ask(vscode.l10n.t('Definition (JSON)'), {
    value: JSON.stringify(p?.definition ?? { 'max-length': 10000 }),
    prompt: vscode.l10n.t(
      'Keys such as {0}',
      'dead-letter-exchange, message-ttl, max-length, overflow, queue-mode, delivery-limit, ha-mode, federation-upstream',
    ),
    validate: validator((v) => checkPolicyDefinition(v, operator)),
  });
  const priority = Number(await call.prompts.ask(vscode.l10n.t('Priority (higher wins)'), { value: String(p?.priority ?? 0) }));
  return { vhost: t.vhost, name, pattern, applyTo, definition, priority, operator };
}

/** A policy's quick pick description: `operator · ^orders → queues`. */
function policyDescription(p: PolicyInfo, rest: string): string {
  return p.operator ? vscode.l10n.t('operator · {0}', rest) : rest;
}

/** A name prompt's check: something must be typed. */
function requireName(v: string): string | undefined {
  return v.trim() === '' ? vscode.l10n.t('Give a name.') : undefined;
}

/** `Delete policy "p" of vhost "/" of "local"?` */
function deletePolicyQuestion(operator: boolean | undefined, name: string, t: Target): string {
  return operator
    ? vscode.l10n.t('Delete operator policy "{0}" of {1}?', name, where(t))
    : vscode.l10n.t('Delete policy "{0}" of {1}?', name, where(t));
}

async function doSetPolicy(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  const t = await target(deps, call);
  let args: SetPolicyArgs;
  if (call.args) {
    const a = call.args;
    args = { vhost: t.vhost, name: str(a, 'name', true), pattern: str(a, 'pattern', true), definition: a.definition };
    const applyTo = str(a, 'applyTo');
    const priority = num(a, 'priority', { min: 0 });
    const operator = bool(a, 'operator');
    if (applyTo !== undefined) args.applyTo = applyTo;
    if (priority !== undefined) args.priority = priority;
    if (operator !== undefined) args.operator = operator;
  } else {
    t.session.assertWritable(vscode.l10n.t('setting a policy'));
    args = await askPolicy(t, call);
  }
  await setPolicy(t.session.management(), args);
  deps.tree.refreshFolder(t.profile.name, t.vhost, 'queues', 'exchanges');
  return {};
}

async function doDeletePolicy(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  const t = await target(deps, call);
  const m = t.session.management();
  let name: string;
  let operator: boolean | undefined;
  if (call.args) {
    name = str(call.args, 'name', true);
    operator = bool(call.args, 'operator');
  } else if (call.node instanceof ActivityItem && call.node.list.kind === 'policies') {
    t.session.assertWritable(vscode.l10n.t('deleting a policy'));
    const policy = call.node.info as PolicyInfo;
    name = policy.name;
    operator = policy.operator;
    await call.prompts.confirm(deletePolicyQuestion(operator, name, t), vscode.l10n.t('Delete'));
  } else {
    t.session.assertWritable(vscode.l10n.t('deleting a policy'));
    const policies = (await listPolicies(m, t.vhost, { pageSize: 500 })).items;
    const picked = await call.prompts.pick(
      policies.map((p) => ({ label: p.name, description: policyDescription(p, p.pattern), policy: p })),
      { title: vscode.l10n.t('Delete which policy of {0}?', where(t)) },
    );
    name = picked.policy.name;
    operator = picked.policy.operator;
    await call.prompts.confirm(deletePolicyQuestion(operator, name, t), vscode.l10n.t('Delete'));
  }
  await deletePolicy(m, { vhost: t.vhost, name, ...(operator !== undefined ? { operator } : {}) });
  deps.tree.refreshFolder(t.profile.name, t.vhost, 'queues', 'exchanges');
  return {};
}

async function doSetUser(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  const t = await target(deps, call);
  const m = t.session.management();
  if (call.args) {
    const password = str(call.args, 'password');
    const tags = list(call.args, 'tags');
    await setUser(m, { name: str(call.args, 'name', true), ...(password !== undefined ? { password } : {}), ...(tags ? { tags } : {}) });
    return {};
  }
  t.session.assertWritable(vscode.l10n.t('setting a user'));
  const node = call.node instanceof UserNode ? call.node.user : undefined;
  const name = node?.name ?? (await call.prompts.ask(vscode.l10n.t('User name'), { validate: requireName }));
  const password = await call.prompts.ask(
    vscode.l10n.t('Password for "{0}" (sent to the broker only; empty keeps the current one)', name),
    {
      password: true,
    },
  );
  const tags = await call.prompts.pickMany(
    ['management', 'policymaker', 'monitoring', 'administrator'].map((label) => ({
      label,
      picked: node ? node.tags.includes(label) : label === 'management',
    })),
    { title: vscode.l10n.t('Tags of "{0}"', name) },
  );
  await setUser(m, { name, ...(password !== '' ? { password } : {}), tags: tags.map((x) => x.label) });
  deps.tree.refreshUsers(t.profile.name);
  return {};
}

async function doDeleteUser(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  const t = await target(deps, call);
  const m = t.session.management();
  let name: string;
  if (call.args) name = str(call.args, 'name', true);
  else {
    t.session.assertWritable(vscode.l10n.t('deleting a user'));
    if (call.node instanceof UserNode) name = call.node.user.name;
    else {
      const users = (await listUsers(m, { pageSize: 500 })).items;
      name = (
        await call.prompts.pick(
          users.map((u) => ({ label: u.name, description: u.tags.join(', ') })),
          { title: vscode.l10n.t('Delete which user?') },
        )
      ).label;
    }
    await call.prompts.confirm(
      vscode.l10n.t('Delete user "{0}" on "{1}"?', name, t.profile.name),
      vscode.l10n.t('Delete User'),
      vscode.l10n.t('Its connections are closed and its permissions removed.'),
    );
  }
  await deleteUser(m, name);
  if (call.interactive) deps.tree.refreshUsers(t.profile.name);
  return {};
}

async function doSetPermissions(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  let t = await target(deps, call);
  // A user node carries no vhost: ask which one the permissions are for.
  if (!call.args && call.node instanceof UserNode) t = { ...t, vhost: await pickVhost(deps, call.prompts, t.profile) };
  const m = t.session.management();
  if (call.args) {
    const a = call.args;
    await setPermissions(m, {
      vhost: t.vhost,
      user: str(a, 'user', true),
      configure: str(a, 'configure') ?? '',
      write: str(a, 'write') ?? '',
      read: str(a, 'read') ?? '',
    });
    return {};
  }
  t.session.assertWritable(vscode.l10n.t('setting permissions'));
  const user =
    call.node instanceof UserNode
      ? call.node.user.name
      : (
          await call.prompts.pick(
            (await listUsers(m, { pageSize: 500 })).items.map((u) => ({ label: u.name })),
            { title: vscode.l10n.t('Permissions on {0} for which user?', where(t)) },
          )
        ).label;
  const regex = validator((v) => checkRegex(v, 'permission'));
  const configure = await call.prompts.ask(vscode.l10n.t('Configure (regex; empty for none)'), { value: '.*', validate: regex });
  const write = await call.prompts.ask(vscode.l10n.t('Write (regex; empty for none)'), { value: '.*', validate: regex });
  const read = await call.prompts.ask(vscode.l10n.t('Read (regex; empty for none)'), { value: '.*', validate: regex });
  await setPermissions(m, { vhost: t.vhost, user, configure, write, read });
  deps.tree.refreshUsers(t.profile.name);
  return {};
}

async function doAccess(deps: RabbitDeps, call: CommandCall): Promise<unknown> {
  const t = await target(deps, call);
  const allVhosts = call.args ? bool(call.args, 'allVhosts') : false;
  const access = await listAccess(t.session.management(), allVhosts ? undefined : t.vhost);
  if (call.interactive) await deps.documents.show(`${t.profile.name} ${t.vhost} access.json`, `${JSON.stringify(access, null, 2)}\n`);
  return access;
}

export function rabbitAdminCommands(deps: RabbitDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.setPolicy', run: (call) => doSetPolicy(deps, call) },
    { id: 'brokerExplorer.rabbitmq.deletePolicy', run: (call) => doDeletePolicy(deps, call) },
    { id: 'brokerExplorer.rabbitmq.setUser', run: (call) => doSetUser(deps, call) },
    { id: 'brokerExplorer.rabbitmq.deleteUser', run: (call) => doDeleteUser(deps, call) },
    { id: 'brokerExplorer.rabbitmq.setPermissions', run: (call) => doSetPermissions(deps, call) },
    { id: 'brokerExplorer.rabbitmq.access', run: (call) => doAccess(deps, call) },
  ];
}
