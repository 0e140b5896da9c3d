/**
 * The advanced step of the guided connection flow (profileWizard.ts): a
 * list of the current values (read-only, connect timeout, key delimiter,
 * sentinel password, management API URL, SSH bastion); picking one changes
 * it, Continue goes on.
 */
import * as vscode from 'vscode';
import { checkTimeout } from '../../core/profiles';
import { GoBack, UserCancelled, type Prompts } from '../prompts';
import type { StepPosition } from '../stepFlow';
import type { WizardState } from './profileWizardState';
import { askSsh } from './sshPrompts';

/** Advanced settings: a list of the current values; picking one changes it, Continue goes on. */
export async function advanced(prompts: Prompts, s: WizardState, step: StepPosition): Promise<void> {
  for (;;) {
    const items: { label: string; description: string; value: string }[] = [
      { label: vscode.l10n.t('Continue'), description: vscode.l10n.t('keep these settings'), value: 'done' },
      {
        label: vscode.l10n.t('Read-only'),
        description: s.readOnly ? vscode.l10n.t('on: writes are refused') : vscode.l10n.t('off'),
        value: 'readOnly',
      },
      {
        label: vscode.l10n.t('Connect timeout'),
        description: vscode.l10n.t('{0} ms for the whole handshake', s.connectTimeoutMs),
        value: 'timeout',
      },
    ];
    if (s.kind === 'redis')
      items.push({
        label: vscode.l10n.t('Key delimiter'),
        description: vscode.l10n.t('"{0}" splits key names into folders', s.delimiter),
        value: 'delimiter',
      });
    if (s.kind === 'redis' && s.mode === 'sentinel')
      items.push({
        label: vscode.l10n.t('Sentinel password'),
        description: s.sentinelPassword ? vscode.l10n.t({ message: 'set', comment: ['a password is stored'] }) : vscode.l10n.t('none'),
        value: 'sentinelPassword',
      });
    if (s.kind === 'rabbitmq')
      items.push({
        label: vscode.l10n.t('Management API URL'),
        description: s.managementUrl || vscode.l10n.t('derived from the AMQP URL (port 15672)'),
        value: 'management',
      });
    items.push({
      label: vscode.l10n.t('SSH bastion'),
      description: s.ssh ? `${s.ssh.username}@${s.ssh.host}` : vscode.l10n.t('none: connect directly'),
      value: 'ssh',
    });
    const pick = await prompts.pick(items, { title: vscode.l10n.t('{0}: advanced settings', s.name), step });
    if (pick.value === 'done') return;
    try {
      await changeAdvanced(prompts, s, pick.value);
    } catch (err) {
      // Dismissing a setting's own prompt returns to the list; anything else ends the flow.
      if (!(err instanceof UserCancelled) || err instanceof GoBack) throw err;
    }
  }
}

async function changeAdvanced(prompts: Prompts, s: WizardState, what: string): Promise<void> {
  if (what === 'readOnly') s.readOnly = !s.readOnly;
  else if (what === 'timeout')
    s.connectTimeoutMs = Number(
      await prompts.ask(vscode.l10n.t('Connect timeout (milliseconds)'), {
        value: String(s.connectTimeoutMs),
        validate: (v) => checkTimeout(Number(v)),
      }),
    );
  else if (what === 'delimiter')
    s.delimiter = await prompts.ask(vscode.l10n.t('Key delimiter'), {
      value: s.delimiter,
      validate: (v) => (v === '' ? vscode.l10n.t('Give at least one character.') : undefined),
    });
  else if (what === 'sentinelPassword')
    s.sentinelPassword = await prompts.ask(vscode.l10n.t('Password of the sentinels (kept in the secret storage; empty for none)'), {
      password: true,
      value: s.sentinelPassword,
    });
  else if (what === 'management')
    s.managementUrl = await prompts.ask(vscode.l10n.t('Management API URL (empty: derived from the AMQP URL)'), {
      value: s.managementUrl,
      validate: (v) =>
        v === '' || /^https?:\/\/\S+$/.test(v) ? undefined : vscode.l10n.t('Give an http:// or https:// URL, or leave it empty.'),
    });
  else if (what === 'ssh') await changeSsh(prompts, s);
}

async function changeSsh(prompts: Prompts, s: WizardState): Promise<void> {
  if (s.ssh) {
    const remove = vscode.l10n.t('Remove the SSH bastion');
    const what = await prompts.pick([vscode.l10n.t('Change the SSH bastion'), remove], { title: vscode.l10n.t('{0}: SSH', s.name) });
    if (what === remove) {
      s.ssh = undefined;
      s.sshSecrets = {};
      return;
    }
  }
  const asked = await askSsh(prompts, s.ssh);
  s.ssh = asked.ssh;
  s.sshSecrets = asked.secrets;
}
