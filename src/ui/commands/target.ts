/**
 * The one way to find what a command works on, for both brokers: a profile,
 * a part of it (a Redis database, a RabbitMQ vhost) and the session bound to
 * both — from the plain arguments, then a tree node, then prompts.
 */
import * as vscode from 'vscode';
import type { ResolvedProfile } from '../../core/profiles';
import type { ProfileStore } from '../profileStore';
import type { TreeNode } from '../tree/treeNode';
import type { Args } from './args';
import { pickProfile, type PickProfileOptions } from './profilePicker';
import type { Prompts } from '../prompts';
import type { CommandCall } from './registry';

/** How one broker names its parts and opens its sessions. */
export interface TargetKind<P extends ResolvedProfile, Part, S> {
  readonly kind: P['kind'];
  /** Pick options for the profile prompt. */
  readonly pick?: PickProfileOptions;
  /** The profile and, when it has one, the part a tree node stands for (no part: asked, like a prompt). */
  fromNode(node: TreeNode | undefined): { profile: P; part?: Part } | undefined;
  /** The part named in the arguments, or the profile's own. */
  partFromArgs(args: Args, profile: P): Part;
  /** The profile's own part. */
  defaultPart(profile: P): Part;
  /** Asks for the part. */
  askPart(profile: P, title: string, prompts: Prompts): Promise<Part>;
  session(profile: P, part: Part): Promise<S>;
}

export interface Resolved<P, Part, S> {
  profile: P;
  part: Part;
  session: S;
}

/**
 * The target of a call: arguments (asking nothing), then the tree node,
 * then prompts (the part only when `askPart`).
 */
export async function resolveTargetOf<P extends ResolvedProfile, Part, S>(
  kind: TargetKind<P, Part, S>,
  profiles: ProfileStore,
  call: CommandCall,
  title: string,
  askPart = true,
): Promise<Resolved<P, Part, S>> {
  let profile: P;
  let part: Part;
  const fromNode = call.args ? undefined : kind.fromNode(call.node);
  if (call.args) {
    // `profile` names the profile here; `name` belongs to the command (a queue, an exchange).
    profile = (kind.kind === 'redis' ? profiles.redis(call.args.profile) : profiles.rabbit(call.args.profile)) as P;
    part = kind.partFromArgs(call.args, profile);
  } else if (fromNode) {
    profile = fromNode.profile;
    part = fromNode.part ?? (askPart ? await kind.askPart(profile, title, call.prompts) : kind.defaultPart(profile));
  } else {
    profile = (await pickProfile({ profiles }, { interactive: true, prompts: call.prompts }, kind.kind, {
      title: vscode.l10n.t('{0}: profile', title),
      ...kind.pick,
    })) as P;
    part = askPart ? await kind.askPart(profile, title, call.prompts) : kind.defaultPart(profile);
  }
  return { profile, part, session: await kind.session(profile, part) };
}
