/**
 * Connection profiles from settings (global and workspace, merged by name,
 * workspace profiles ignored when untrusted) and their passwords in
 * SecretStorage, bound to each profile's identity.
 */
import * as vscode from 'vscode';
import { InputError, NotFoundError } from '../core/errors';
import {
  mergeProfiles,
  resolveRabbitProfile,
  resolveRedisProfile,
  secretKey,
  type SecretName,
  type ProfileKind,
  type ProfileProblem,
  type ResolvedProfile,
  type ResolvedRabbitProfile,
  type ResolvedRedisProfile,
} from '../core/profiles';
import { hopLabel, type SshHop } from '../core/net/sshTunnel';
import type { ExtensionLog } from './log';

const SECTION = 'brokerExplorer';
const settingKey = (kind: ProfileKind): string => `${kind}.profiles`;

export type ProfileTarget = 'global' | 'workspace';

export class ProfileStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ProfileKind | undefined>();
  /** Fires after profiles or passwords change; the kind, or undefined for both. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private cache: {
    redis?: { profiles: ResolvedRedisProfile[]; problems: ProfileProblem[] };
    rabbitmq?: { profiles: ResolvedRabbitProfile[]; problems: ProfileProblem[] };
  } = {};

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: ExtensionLog,
  ) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        for (const kind of ['redis', 'rabbitmq'] as const) {
          if (e.affectsConfiguration(`${SECTION}.${settingKey(kind)}`)) {
            delete this.cache[kind];
            this.changed.fire(kind);
          }
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.cache = {};
        this.changed.fire(undefined);
      }),
    );
  }

  private raw(kind: ProfileKind): { global: unknown[]; workspace: unknown[] } {
    const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown[]>(settingKey(kind));
    const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    return {
      global: list(inspected?.globalValue),
      workspace: [...list(inspected?.workspaceValue), ...list(inspected?.workspaceFolderValue)],
    };
  }

  redisProfiles(): { profiles: ResolvedRedisProfile[]; problems: ProfileProblem[] } {
    if (!this.cache.redis) {
      const { global, workspace } = this.raw('redis');
      this.cache.redis = mergeProfiles(global, workspace, vscode.workspace.isTrusted, resolveRedisProfile);
      for (const p of this.cache.redis.problems) this.log.warn(`${p.scope} setting: ${p.message}`);
    }
    return this.cache.redis;
  }

  rabbitProfiles(): { profiles: ResolvedRabbitProfile[]; problems: ProfileProblem[] } {
    if (!this.cache.rabbitmq) {
      const { global, workspace } = this.raw('rabbitmq');
      this.cache.rabbitmq = mergeProfiles(global, workspace, vscode.workspace.isTrusted, resolveRabbitProfile);
      for (const p of this.cache.rabbitmq.problems) this.log.warn(`${p.scope} setting: ${p.message}`);
    }
    return this.cache.rabbitmq;
  }

  list(kind: ProfileKind): ResolvedProfile[] {
    return kind === 'redis' ? this.redisProfiles().profiles : this.rabbitProfiles().profiles;
  }

  redis(name: unknown): ResolvedRedisProfile {
    return this.find('redis', name, this.redisProfiles());
  }

  rabbit(name: unknown): ResolvedRabbitProfile {
    return this.find('rabbitmq', name, this.rabbitProfiles());
  }

  private find<P extends ResolvedProfile>(kind: ProfileKind, name: unknown, merged: { profiles: P[]; problems: ProfileProblem[] }): P {
    if (typeof name !== 'string' || name === '') throw new InputError(vscode.l10n.t('Name a {0} profile ("profile": "…").', label(kind)));
    const found = merged.profiles.find((p) => p.name === name);
    if (found) return found;
    const problem = merged.problems.find((p) => p.name === name);
    if (problem) throw new InputError(problem.message);
    const names = merged.profiles.map((p) => p.name);
    throw new NotFoundError(
      names.length
        ? vscode.l10n.t('There is no {0} profile "{1}" (there are: {2}): add it first.', label(kind), name, names.join(', '))
        : vscode.l10n.t('There is no {0} profile "{1}": add it first.', label(kind), name),
    );
  }

  async password(profile: ResolvedProfile): Promise<string | undefined> {
    return this.secret(profile, 'password');
  }

  /** One of the profile's secrets (data password, sentinel password, SSH password or key passphrase). */
  async secret(profile: ResolvedProfile, name: SecretName): Promise<string | undefined> {
    const secret = await this.secrets.get(secretKey(profile, name));
    this.log.addSecret(secret);
    return secret;
  }

  async setPassword(profile: ResolvedProfile, password: string | undefined, name: SecretName = 'password'): Promise<void> {
    if (password === undefined || password === '') await this.secrets.delete(secretKey(profile, name));
    else {
      this.log.addSecret(password);
      await this.secrets.store(secretKey(profile, name), password);
    }
    this.changed.fire(profile.kind);
  }

  /** The raw list at one level of settings. */
  stored(kind: ProfileKind, target: ProfileTarget): Record<string, unknown>[] {
    const { global, workspace } = this.raw(kind);
    const list = target === 'global' ? global : workspace;
    return list.filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null && !Array.isArray(p));
  }

  /** Where a profile of this name is defined (workspace first). */
  targetOf(kind: ProfileKind, name: string): ProfileTarget | undefined {
    if (vscode.workspace.isTrusted && this.stored(kind, 'workspace').some((p) => p.name === name)) return 'workspace';
    if (this.stored(kind, 'global').some((p) => p.name === name)) return 'global';
    return undefined;
  }

  async write(kind: ProfileKind, target: ProfileTarget, list: Record<string, unknown>[]): Promise<void> {
    if (target === 'workspace' && !vscode.workspace.workspaceFolders?.length) {
      throw new InputError(
        vscode.l10n.t('There is no workspace open to save a workspace profile in: open a folder, or save the profile to user settings.'),
      );
    }
    const configTarget = target === 'global' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace;
    await vscode.workspace.getConfiguration(SECTION).update(settingKey(kind), list, configTarget);
    delete this.cache[kind];
    this.changed.fire(kind);
  }

  /**
   * Pins an SSH hop's host key fingerprint into the profile, in the settings
   * scope that defines it (the bastion's `ssh.hostKey`, or that jump host's).
   */
  async pinHostKey(profile: ResolvedProfile, hop: SshHop, fingerprint: string): Promise<void> {
    const target = this.targetOf(profile.kind, profile.name);
    if (!target)
      throw new InputError(
        vscode.l10n.t(
          'Profile "{0}" is not in the settings any more, so the host key of {1} could not be pinned.',
          profile.name,
          hopLabel(hop),
        ),
      );
    const list = this.stored(profile.kind, target).map((p) => ({ ...p }));
    const entry = list.find((p) => p.name === profile.name);
    const ssh = entry && typeof entry.ssh === 'object' && entry.ssh !== null ? { ...(entry.ssh as Record<string, unknown>) } : undefined;
    if (!entry || !ssh)
      throw new InputError(
        vscode.l10n.t('Profile "{0}" has no "ssh" settings to pin the host key of {1} into.', profile.name, hopLabel(hop)),
      );
    const same = (h: Record<string, unknown>): boolean =>
      h.host === hop.host && Number(h.port ?? 22) === (hop.port ?? 22) && h.username === hop.username;
    if (same(ssh)) ssh.hostKey = fingerprint;
    else {
      const jumps = Array.isArray(ssh.jumpHosts) ? (ssh.jumpHosts as Record<string, unknown>[]).map((j) => ({ ...j })) : [];
      const jump = jumps.find(same);
      if (!jump)
        throw new InputError(
          vscode.l10n.t('Profile "{0}" does not list {1} any more, so its host key was not pinned.', profile.name, hopLabel(hop)),
        );
      jump.hostKey = fingerprint;
      ssh.jumpHosts = jumps;
    }
    entry.ssh = ssh;
    await this.write(profile.kind, target, list);
    this.log.info(`Pinned the host key ${fingerprint} of ${hopLabel(hop)} in profile "${profile.name}" (${target} settings).`);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function label(kind: ProfileKind): string {
  return kind === 'redis' ? 'Redis' : 'RabbitMQ';
}
