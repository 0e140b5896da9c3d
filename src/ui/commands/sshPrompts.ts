/**
 * The SSH part of the add / edit profile flow: whether the profile sits
 * behind a bastion, the bastion's host, port and user, and how to log in
 * (a key file from an open dialog, the ssh-agent, or a password). Secrets
 * come back apart from the hop, for the secret storage; the hop's host key
 * is pinned on first contact (sshTrust), and jump hosts stay as they are.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SshConfig, SshSecrets } from '../../core/net/sshTunnel';
import { checkHost, checkPort } from '../../core/profiles';
import type { Prompts } from '../prompts';

/** What the user answered: the `ssh` field and the secrets to store (an empty one is removed). */
export interface AskedSsh {
  ssh: SshConfig;
  secrets: SshSecrets;
}

type Auth = 'key' | 'agent' | 'password';

/** "Reach through an SSH bastion?": true when the user says yes. */
export async function wantsSsh(prompts: Prompts): Promise<boolean> {
  const pick = await prompts.pick(
    [
      { label: vscode.l10n.t('No'), description: vscode.l10n.t('connect directly'), value: false },
      { label: vscode.l10n.t('Yes'), description: vscode.l10n.t('host, user and login of the bastion are asked next'), value: true },
    ],
    { title: vscode.l10n.t('Reach through an SSH bastion?') },
  );
  return pick.value;
}

function authOf(current: SshConfig | undefined): Auth | undefined {
  if (!current) return undefined;
  if (current.agent) return 'agent';
  return current.privateKeyPath ? 'key' : 'password';
}

/** The bastion's fields and login, starting from `current` (an edit); a pin and jump hosts are kept while the host stays. */
export async function askSsh(prompts: Prompts, current?: SshConfig): Promise<AskedSsh> {
  const host = await prompts.ask(vscode.l10n.t('SSH bastion: host'), { value: current?.host ?? '', validate: checkHost });
  const port = Number(await prompts.ask(vscode.l10n.t('SSH bastion: port'), { value: String(current?.port ?? 22), validate: checkPort }));
  const username = await prompts.ask(vscode.l10n.t('SSH bastion: user name'), {
    value: current?.username ?? process.env.USER ?? '',
    validate: (v) => (v.trim() === '' ? vscode.l10n.t('Give the user name to log in to the bastion with.') : undefined),
  });
  const was = authOf(current);
  const methods: { label: string; description: string; value: Auth }[] = [
    {
      label: vscode.l10n.t('Key file'),
      description: vscode.l10n.t('a private key (its passphrase, if any, goes to the secret storage)'),
      value: 'key',
    },
    { label: vscode.l10n.t('SSH agent'), description: vscode.l10n.t('the keys of the agent at SSH_AUTH_SOCK'), value: 'agent' },
    { label: vscode.l10n.t('Password'), description: vscode.l10n.t('kept in the secret storage'), value: 'password' },
  ];
  const auth = (
    await prompts.pick(was ? [...methods.filter((m) => m.value === was), ...methods.filter((m) => m.value !== was)] : methods, {
      title: vscode.l10n.t('SSH login of {0}@{1}', username, host),
    })
  ).value;
  const ssh: SshConfig = { host, username };
  if (port !== 22) ssh.port = port;
  const sameHost = current !== undefined && current.host === host && (current.port ?? 22) === port;
  if (sameHost && current.hostKey) ssh.hostKey = current.hostKey;
  if (current?.jumpHosts) ssh.jumpHosts = current.jumpHosts;
  // An empty secret removes a stored one: a login method leaves no secret of another behind.
  const secrets: SshSecrets = { password: '', passphrase: '' };
  if (auth === 'key') {
    ssh.privateKeyPath = await prompts.openFile(
      vscode.l10n.t('Private key to log in to {0}@{1}', username, host),
      current?.privateKeyPath ?? join(homedir(), '.ssh', 'id_ed25519'),
    );
    secrets.passphrase = await prompts.ask(vscode.l10n.t('Key passphrase (stored in the secret storage; empty for none)'), {
      password: true,
      value: '',
    });
  } else if (auth === 'agent') {
    ssh.agent = true;
  } else {
    secrets.password = await prompts.ask(vscode.l10n.t('SSH password of {0}@{1} (stored in the secret storage)', username, host), {
      password: true,
      value: '',
    });
  }
  return { ssh, secrets };
}
