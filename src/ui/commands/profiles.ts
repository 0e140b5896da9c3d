/**
 * brokerExplorer.profiles.*: add, edit, remove, add from URL, use local
 * defaults. Passwords go to SecretStorage only (profileSecrets.ts sets them);
 * Test Connection is in testConnection.ts, the profile picker in profilePicker.ts.
 */
import * as vscode from 'vscode';
import { InputError, NotFoundError } from '../../core/errors';
import type { SshSecrets } from '../../core/net/sshTunnel';
import {
  checkName,
  LOCAL_RABBIT_PASSWORD,
  LOCAL_RABBIT_PROFILE,
  LOCAL_REDIS_PROFILE,
  parseAmqpUrl,
  parseRedisUrl,
  parseSshUrl,
  resolveRabbitProfile,
  resolveRedisProfile,
  stripPassword,
  type ProfileKind,
  type ResolvedProfile,
} from '../../core/profiles';
import { label, type ProfileTarget } from '../profileStore';
import type { Prompts } from '../prompts';
import { str, obj } from './args';
import { kindArg, pickKind, pickProfile, type ProfileCommandDeps } from './profilePicker';
import { SECRET_NAMES, setPassword } from './profileSecrets';
import type { CommandCall, CommandSpec } from './registry';
import { askSsh, wantsSsh } from './sshPrompts';
import { runProfileWizard, type WizardDeps } from './profileWizard';
import { editedProfile, stateFromProfile } from './profileWizardState';
import { logResult, testConnection, timedTest, type TestConnectionDeps } from './testConnection';

async function pickTarget(prompts: Prompts): Promise<ProfileTarget> {
  if (!vscode.workspace.workspaceFolders?.length) return 'global';
  const pick = await prompts.pick(
    [
      { label: vscode.l10n.t('User settings'), description: vscode.l10n.t('available in every workspace'), target: 'global' as const },
      { label: vscode.l10n.t('Workspace settings'), description: vscode.l10n.t('only in this workspace'), target: 'workspace' as const },
    ],
    { title: vscode.l10n.t('Save the profile in') },
  );
  return pick.target;
}

function resolveRaw(kind: ProfileKind, raw: Record<string, unknown>): ResolvedProfile {
  return kind === 'redis' ? resolveRedisProfile(raw) : resolveRabbitProfile(raw);
}

async function saveNew(
  deps: ProfileCommandDeps,
  kind: ProfileKind,
  raw: Record<string, unknown>,
  password: string | undefined,
  target: ProfileTarget,
  sshSecrets: SshSecrets = {},
): Promise<{ name: string }> {
  const cleaned: Record<string, unknown> = { ...raw };
  let secret = password;
  if (typeof cleaned.url === 'string') {
    const parsed = kind === 'redis' ? parseRedisUrl(cleaned.url) : parseAmqpUrl(cleaned.url);
    if (parsed.password !== undefined) {
      secret = secret ?? parsed.password;
      cleaned.url = stripPassword(cleaned.url);
    }
  }
  if ('password' in cleaned) {
    throw new InputError(
      vscode.l10n.t('Pass the password as "password" beside "profile", not inside it: it goes to the secret storage, never to settings.'),
    );
  }
  const resolved = resolveRaw(kind, cleaned);
  const list = deps.profiles.stored(kind, target);
  if (list.some((p) => p.name === resolved.name)) {
    throw new InputError(
      target === 'global'
        ? vscode.l10n.t(
            'A {0} profile named "{1}" already exists in user settings: edit it, or pick another name.',
            label(kind),
            resolved.name,
          )
        : vscode.l10n.t(
            'A {0} profile named "{1}" already exists in workspace settings: edit it, or pick another name.',
            label(kind),
            resolved.name,
          ),
    );
  }
  await deps.profiles.write(kind, target, [...list, cleaned]);
  if (secret !== undefined) {
    const stored = kind === 'redis' ? deps.profiles.redis(resolved.name) : deps.profiles.rabbit(resolved.name);
    await deps.profiles.setPassword(stored, secret);
  }
  await storeSshSecrets(deps, kind, resolved.name, sshSecrets);
  deps.invalidate(kind, resolved.name);
  return { name: resolved.name };
}

/** Puts the bastion's password and key passphrase (those given; an empty one is removed) in the secret storage, bound to the saved profile. */
async function storeSshSecrets(deps: ProfileCommandDeps, kind: ProfileKind, name: string, secrets: SshSecrets): Promise<void> {
  const stored = (): ResolvedProfile => (kind === 'redis' ? deps.profiles.redis(name) : deps.profiles.rabbit(name));
  if (secrets.password !== undefined) await deps.profiles.setPassword(stored(), secrets.password, 'ssh');
  if (secrets.passphrase !== undefined) await deps.profiles.setPassword(stored(), secrets.passphrase, 'sshPassphrase');
}

async function add(
  deps: ProfileCommandDeps & TestConnectionDeps,
  call: CommandCall,
  presetKind?: ProfileKind,
): Promise<{ name: string } | undefined> {
  if (call.args) {
    const kind = kindArg(call.args);
    const profile = obj(call.args, 'profile');
    if (!profile) throw new InputError(vscode.l10n.t('The argument "profile" is missing: give the profile\'s fields as an object.'));
    const target = (str(call.args, 'target') ?? 'global') as ProfileTarget;
    if (target !== 'global' && target !== 'workspace') throw new InputError(vscode.l10n.t('"target" must be "global" or "workspace".'));
    return saveNew(deps, kind, profile, str(call.args, 'password'), target);
  }
  const made = await runProfileWizard(wizardDeps(deps, call), presetKind);
  const saved = await saveNew(deps, made.kind, made.raw, made.password, made.target, made.sshSecrets);
  if (made.sentinelPassword !== undefined)
    await deps.profiles.setPassword(deps.profiles.redis(saved.name), made.sentinelPassword, 'sentinel');
  if (made.tested) call.prompts.info(connectedSentence(saved.name, made.tested.serverVersion));
  return saved;
}

function connectedSentence(name: string, serverVersion: string | undefined): string {
  return serverVersion
    ? vscode.l10n.t('Connected to "{0}" and saved it (server {1}).', name, serverVersion)
    : vscode.l10n.t('Connected to "{0}" and saved it.', name);
}

/** What the guided flow needs; `editing`: the name of the profile being edited (its own name is not taken). */
function wizardDeps(deps: ProfileCommandDeps & TestConnectionDeps, call: CommandCall, editing?: string): WizardDeps {
  return {
    prompts: call.prompts,
    taken: (kind) =>
      new Set(
        deps.profiles
          .list(kind)
          .map((p) => p.name)
          .filter((n) => n !== editing),
      ),
    hasWorkspace: (vscode.workspace.workspaceFolders?.length ?? 0) > 0,
    test: async (profile, password, options) => {
      const result = await timedTest(profile, password, options, true);
      logResult(deps.log, profile, result);
      return result;
    },
  };
}

function stored(deps: ProfileCommandDeps, kind: ProfileKind, name: string): ResolvedProfile {
  return kind === 'redis' ? deps.profiles.redis(name) : deps.profiles.rabbit(name);
}

async function addFromUrl(deps: ProfileCommandDeps, call: CommandCall): Promise<{ name: string }> {
  if (call.args) {
    const kind = kindArg(call.args);
    const raw: Record<string, unknown> = { name: str(call.args, 'name', true), url: str(call.args, 'url', true) };
    const via = str(call.args, 'via');
    const bastion = via === undefined ? undefined : parseSshUrl(via);
    if (bastion) raw.ssh = bastion.hop;
    return saveNew(deps, kind, raw, undefined, 'global', bastion?.password !== undefined ? { password: bastion.password } : {});
  }
  const kind = await pickKind(call.prompts);
  const url = await call.prompts.ask(vscode.l10n.t('{0} URL', label(kind)), {
    placeHolder: kind === 'redis' ? 'redis://user:password@host:6379/0' : 'amqp://user:password@host:5672/vhost',
    prompt: vscode.l10n.t('A password in the URL is moved to the secret storage and removed from the saved URL.'),
    validate: (v) => {
      try {
        if (kind === 'redis') parseRedisUrl(v);
        else parseAmqpUrl(v);
        return undefined;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
  });
  const name = await call.prompts.ask(vscode.l10n.t('Name'), { validate: checkName });
  const bastion = (await wantsSsh(call.prompts)) ? await askSsh(call.prompts) : undefined;
  const raw = { name, url, ...(bastion ? { ssh: bastion.ssh } : {}) };
  return saveNew(deps, kind, raw, undefined, await pickTarget(call.prompts), bastion?.secrets);
}

async function edit(deps: ProfileCommandDeps & TestConnectionDeps, call: CommandCall): Promise<{ name: string }> {
  const profile = await pickProfile(deps, call);
  const kind = profile.kind;
  const target = deps.profiles.targetOf(kind, profile.name);
  if (!target) throw new NotFoundError(vscode.l10n.t('The {0} profile "{1}" is not in settings.', label(kind), profile.name));
  const list = deps.profiles.stored(kind, target);
  const index = list.findIndex((p) => p.name === profile.name);
  const current = list[index];
  if (!call.args) return editInWizard(deps, call, profile, target);
  const changes = obj(call.args, 'changes') ?? {};
  if ('password' in changes) throw new InputError(vscode.l10n.t('Passwords are not profile fields: use "Set Password".'));
  const updated: Record<string, unknown> = { ...current, ...changes };
  for (const [k, v] of Object.entries(updated)) if (v === undefined || v === null) delete updated[k];
  const before = resolveRaw(kind, current);
  const after = resolveRaw(kind, updated);
  if (after.name !== before.name && list.some((p, i) => i !== index && p.name === after.name)) {
    throw new InputError(vscode.l10n.t('A {0} profile named "{1}" already exists.', label(kind), after.name));
  }
  const next = [...list];
  next[index] = updated;
  // Keep the password when only non-identity fields change; the identity binding drops it otherwise.
  const password = await deps.profiles.password(before);
  await deps.profiles.write(kind, target, next);
  const reResolved = stored(deps, kind, after.name);
  if (password !== undefined && (await deps.profiles.password(reResolved)) === undefined && sameEndpoint(before, reResolved)) {
    await deps.profiles.setPassword(reResolved, password);
  }
  if (before.ssh && !after.ssh)
    for (const secret of ['ssh', 'sshPassphrase'] as const) await deps.profiles.setPassword(before, undefined, secret);
  deps.invalidate(kind, profile.name);
  return { name: after.name };
}

/**
 * Edit Connection from the palette or the tree: the guided flow, started
 * from the profile's answers, saved over it (in the same settings). A
 * rename moves the secrets; a new address or user asks the password again
 * (the flow empties it); the bastion's secrets stay with an unchanged bastion.
 */
async function editInWizard(
  deps: ProfileCommandDeps & TestConnectionDeps,
  call: CommandCall,
  profile: ResolvedProfile,
  target: ProfileTarget,
): Promise<{ name: string }> {
  const kind = profile.kind;
  const sentinel = profile.kind === 'redis' && profile.mode === 'sentinel';
  const old = {
    password: await deps.profiles.password(profile),
    sentinelPassword: sentinel ? await deps.profiles.secret(profile, 'sentinel') : undefined,
    ssh: await deps.profiles.secret(profile, 'ssh'),
    sshPassphrase: await deps.profiles.secret(profile, 'sshPassphrase'),
  };
  const original = deps.profiles.stored(kind, target).find((p) => p.name === profile.name) ?? {};
  const start = stateFromProfile(profile, original, old, target);
  const made = await runProfileWizard(wizardDeps(deps, call, profile.name), kind, start);
  // Read the list again: settings may have changed while the flow was open.
  const list = deps.profiles.stored(kind, target);
  const index = list.findIndex((p) => p.name === profile.name);
  if (index < 0) throw new NotFoundError(vscode.l10n.t('The {0} profile "{1}" is not in settings.', label(kind), profile.name));
  const updated = editedProfile(list[index], made.state);
  resolveRaw(kind, updated);
  const next = [...list];
  next[index] = updated;
  for (const secret of SECRET_NAMES) await deps.profiles.setPassword(profile, undefined, secret);
  await deps.profiles.write(kind, target, next);
  const name = made.state.name;
  const saved = stored(deps, kind, name);
  await deps.profiles.setPassword(saved, made.password);
  if (saved.kind === 'redis' && saved.mode === 'sentinel') await deps.profiles.setPassword(saved, made.sentinelPassword, 'sentinel');
  const sshChanged = Object.keys(made.sshSecrets).length > 0;
  if (sshChanged) await storeSshSecrets(deps, kind, name, made.sshSecrets);
  else if (saved.ssh) {
    await deps.profiles.setPassword(saved, old.ssh, 'ssh');
    await deps.profiles.setPassword(saved, old.sshPassphrase, 'sshPassphrase');
  }
  deps.invalidate(kind, profile.name);
  if (name !== profile.name) deps.invalidate(kind, name);
  if (made.tested) call.prompts.info(connectedSentence(name, made.tested.serverVersion));
  return { name };
}

function sameEndpoint(a: ResolvedProfile, b: ResolvedProfile): boolean {
  return a.host === b.host && a.port === b.port && a.username === b.username;
}

async function remove(deps: ProfileCommandDeps, call: CommandCall): Promise<{ removed: boolean }> {
  let profile: ResolvedProfile;
  try {
    profile = await pickProfile(deps, call);
  } catch (err) {
    if (call.args && err instanceof NotFoundError) return { removed: false };
    throw err;
  }
  if (call.interactive) {
    await call.prompts.confirm(
      vscode.l10n.t('Remove the {0} profile "{1}" and its stored password?', label(profile.kind), profile.name),
      vscode.l10n.t('Remove'),
    );
  }
  const target = deps.profiles.targetOf(profile.kind, profile.name);
  if (!target) return { removed: false };
  for (const secret of SECRET_NAMES) await deps.profiles.setPassword(profile, undefined, secret);
  await deps.profiles.write(
    profile.kind,
    target,
    deps.profiles.stored(profile.kind, target).filter((p) => p.name !== profile.name),
  );
  deps.invalidate(profile.kind, profile.name);
  return { removed: true };
}

async function useLocalDefaults(deps: ProfileCommandDeps): Promise<{ redis: string; rabbitmq: string }> {
  const redisTaken = deps.profiles.list('redis').some((p) => p.name === LOCAL_REDIS_PROFILE.name);
  if (!redisTaken) await saveNew(deps, 'redis', { ...LOCAL_REDIS_PROFILE }, undefined, 'global');
  const rabbitTaken = deps.profiles.list('rabbitmq').some((p) => p.name === LOCAL_RABBIT_PROFILE.name);
  if (!rabbitTaken) await saveNew(deps, 'rabbitmq', { ...LOCAL_RABBIT_PROFILE }, LOCAL_RABBIT_PASSWORD, 'global');
  return { redis: LOCAL_REDIS_PROFILE.name, rabbitmq: LOCAL_RABBIT_PROFILE.name };
}

export function profileCommands(deps: ProfileCommandDeps & TestConnectionDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.profiles.add', run: (call) => add(deps, call) },
    { id: 'brokerExplorer.profiles.addRedis', run: (call) => add(deps, call, 'redis') },
    { id: 'brokerExplorer.profiles.addRabbitmq', run: (call) => add(deps, call, 'rabbitmq') },
    { id: 'brokerExplorer.profiles.addFromUrl', run: (call) => addFromUrl(deps, call) },
    { id: 'brokerExplorer.profiles.edit', run: (call) => edit(deps, call) },
    { id: 'brokerExplorer.profiles.remove', run: (call) => remove(deps, call) },
    { id: 'brokerExplorer.profiles.setPassword', run: (call) => setPassword(deps, call) },
    { id: 'brokerExplorer.profiles.test', run: (call) => testConnection(deps, call) },
    { id: 'brokerExplorer.profiles.useLocalDefaults', run: () => useLocalDefaults(deps) },
  ];
}
