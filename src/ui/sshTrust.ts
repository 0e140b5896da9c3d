/**
 * The user's side of SSH host keys: on first contact with a hop that has no
 * pin and no known_hosts entry, show its fingerprint and pin it into the
 * profile only when the user accepts. A command called with arguments runs
 * "unattended" and never asks: the connection is refused with a sentence
 * that gives the fingerprint to pin.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as vscode from 'vscode';
import { hopLabel, type SshHop } from '../core/net/sshTunnel';
import type { ResolvedProfile } from '../core/profiles';
import type { ProfileStore } from './profileStore';

export class SshTrust {
  private readonly unattended = new AsyncLocalStorage<boolean>();

  constructor(
    private readonly profiles: ProfileStore,
    private readonly window: Pick<typeof vscode.window, 'showWarningMessage'> = vscode.window,
  ) {}

  /** Runs `work` so that no host-key question is asked from within it. */
  runUnattended<T>(work: () => Promise<T>): Promise<T> {
    return this.unattended.run(true, work);
  }

  /** Asks the user (unless unattended); pins and resolves true when the key is accepted. */
  async onUnknownHostKey(profile: ResolvedProfile, hop: SshHop, fingerprint: string): Promise<boolean> {
    if (this.unattended.getStore() === true) return false;
    const trust = vscode.l10n.t('Trust and Pin');
    const answer = await this.window.showWarningMessage(
      vscode.l10n.t('The SSH host key of {0} is not known. Trust it for profile "{1}"?', hopLabel(hop), profile.name),
      {
        modal: true,
        detail: vscode.l10n.t(
          "Fingerprint: {0}\n\nCompare it with the one the server's administrator gives you (ssh-keygen -lf on the server's host key). \"{1}\" saves it as the hop's hostKey in the profile's settings; a different key later is refused.",
          fingerprint,
          trust,
        ),
      },
      trust,
    );
    if (answer !== trust) return false;
    await this.profiles.pinHostKey(profile, hop, fingerprint);
    return true;
  }
}
