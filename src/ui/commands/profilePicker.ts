/**
 * The profile a profile command works on: from the tree node, the
 * arguments, or a quick pick; and what every profile command depends on.
 */
import * as vscode from 'vscode';
import { InputError, NotFoundError } from '../../core/errors';
import type { ProfileKind, ResolvedProfile, ResolvedRabbitProfile, ResolvedRedisProfile } from '../../core/profiles';
import { label, type ProfileStore } from '../profileStore';
import type { Prompts } from '../prompts';
import type { TreeNode } from '../tree/treeNode';
import type { Args } from './args';
import type { CommandCall } from './registry';

export interface ProfileCommandDeps {
  profiles: ProfileStore;
  /** Called after a profile's connection details or password changed. */
  invalidate(kind: ProfileKind, name?: string): void;
}

/** A tree node that stands for a profile. */
export interface ProfileBearingNode extends TreeNode {
  profile: ResolvedProfile;
}

function isProfileNode(node: TreeNode | undefined): node is ProfileBearingNode {
  return node !== undefined && typeof (node as Partial<ProfileBearingNode>).profile === 'object';
}

/** The "kind" argument of a call, checked. */
export function kindArg(args: Args): ProfileKind {
  const kind = args.kind;
  if (kind !== 'redis' && kind !== 'rabbitmq')
    throw new InputError(vscode.l10n.t('"kind" must be "redis" or "rabbitmq", not {0}.', JSON.stringify(kind) ?? 'undefined'));
  return kind;
}

/** Asks which broker a new profile is for. */
export async function pickKind(prompts: Prompts): Promise<ProfileKind> {
  const pick = await prompts.pick(
    [
      { label: 'Redis', value: 'redis' as const },
      { label: 'RabbitMQ', value: 'rabbitmq' as const },
    ],
    { title: vscode.l10n.t('Connection kind') },
  );
  return pick.value;
}

export interface PickProfileOptions {
  /** Title of the quick pick. */
  title?: string;
  /** Use the only profile of the kind without asking. */
  skipSingle?: boolean;
}

/** The profile a command works on: from the node, the args, or a pick; the one profile picker of both brokers. */
export async function pickProfile(
  deps: Pick<ProfileCommandDeps, 'profiles'>,
  call: CommandCall,
  kind: 'redis',
  options?: PickProfileOptions,
): Promise<ResolvedRedisProfile>;
export async function pickProfile(
  deps: Pick<ProfileCommandDeps, 'profiles'>,
  call: CommandCall,
  kind: 'rabbitmq',
  options?: PickProfileOptions,
): Promise<ResolvedRabbitProfile>;
export async function pickProfile(
  deps: Pick<ProfileCommandDeps, 'profiles'>,
  call: CommandCall,
  kind?: ProfileKind,
  options?: PickProfileOptions,
): Promise<ResolvedProfile>;
export async function pickProfile(
  deps: Pick<ProfileCommandDeps, 'profiles'>,
  call: CommandCall,
  kind?: ProfileKind,
  options: PickProfileOptions = {},
): Promise<ResolvedProfile> {
  if (isProfileNode(call.node) && (kind === undefined || call.node.profile.kind === kind)) return call.node.profile;
  if (call.args) {
    const k = kind ?? kindArg(call.args);
    return k === 'redis'
      ? deps.profiles.redis(call.args.name ?? call.args.profile)
      : deps.profiles.rabbit(call.args.name ?? call.args.profile);
  }
  const k = kind ?? (await pickKind(call.prompts));
  const list = deps.profiles.list(k);
  if (list.length === 0) throw new NotFoundError(vscode.l10n.t('There are no {0} profiles yet: add one with "Add Connection".', label(k)));
  if (list.length === 1 && options.skipSingle) return list[0];
  const pick = await call.prompts.pick(
    list.map((p) => ({ label: p.name, description: p.kind === 'redis' ? `${p.host}:${p.port}` : p.url, profile: p })),
    { title: options.title ?? vscode.l10n.t('{0} profile', label(k)) },
  );
  return pick.profile;
}
