/**
 * brokerExplorer.profiles.setPassword: the secrets a profile has (its
 * password, the sentinels', the bastion's SSH password and key passphrase),
 * which one a call sets, and setting it. Secrets go to SecretStorage only.
 */
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import type { ResolvedProfile, SecretName } from '../../core/profiles';
import { str } from './args';
import { pickProfile, type ProfileCommandDeps } from './profilePicker';
import type { CommandCall } from './registry';

/** Every secret a profile can have, in the order they are listed. */
export const SECRET_NAMES: readonly SecretName[] = ['password', 'sentinel', 'ssh', 'sshPassphrase'];
const secretLabel = (name: SecretName): string =>
  ({
    password: vscode.l10n.t('Password'),
    sentinel: vscode.l10n.t('Sentinel password'),
    ssh: vscode.l10n.t('SSH password of the bastion'),
    sshPassphrase: vscode.l10n.t('SSH key passphrase'),
  })[name];

/** Which secret a call sets: `secret` in the arguments, or asked when the profile has an SSH bastion. */
async function secretOf(call: CommandCall, profile: ResolvedProfile): Promise<SecretName> {
  if (call.args) {
    const name = str(call.args, 'secret') ?? 'password';
    if (!(SECRET_NAMES as readonly string[]).includes(name))
      throw new InputError(
        vscode.l10n.t(
          '"secret" must be one of {0}; "{1}" is not a secret a profile has.',
          SECRET_NAMES.map((n) => `"${n}"`).join(', '),
          name,
        ),
      );
    return name as SecretName;
  }
  if (!profile.ssh) return 'password';
  const names: SecretName[] = ['password', 'ssh', 'sshPassphrase'];
  const pick = await call.prompts.pick(
    names.map((n) => ({ label: secretLabel(n), secret: n })),
    { title: vscode.l10n.t('Which secret of {0}?', profile.name) },
  );
  return pick.secret;
}

/** Sets (or, when empty, removes) one secret of a profile and drops its pooled connections. */
export async function setPassword(deps: ProfileCommandDeps, call: CommandCall): Promise<Record<string, never>> {
  const profile = await pickProfile(deps, call);
  const secret = await secretOf(call, profile);
  const password = call.args
    ? (str(call.args, 'password') ?? '')
    : await call.prompts.ask(vscode.l10n.t('{0} for {1} (empty to remove it)', secretLabel(secret), profile.name), { password: true });
  await deps.profiles.setPassword(profile, password, secret);
  deps.invalidate(profile.kind, profile.name);
  return {};
}
