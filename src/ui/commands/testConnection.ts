/**
 * brokerExplorer.profiles.test: times each step of reaching a profile (SSH,
 * host key, DNS, TCP, TLS, login) and shows the steps in a document and the log.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { SshHop } from '../../core/net/sshTunnel';
import type { ResolvedProfile } from '../../core/profiles';
import {
  connectionTestLines,
  testRabbitProfile,
  testRedisProfile,
  type ConnectionTestOptions,
  type ConnectionTestResult,
} from '../../core/tcp/connectionTest';
import { label } from '../profileStore';
import type { SshTrust } from '../sshTrust';
import type { ResultsDocuments } from '../views/resultsDocument';
import { pickProfile, type ProfileCommandDeps } from './profilePicker';
import type { CommandCall } from './registry';

/** Where Test Connection shows its timed steps: a document, and the extension log that keeps them. */
export interface TestConnectionDeps {
  results: Pick<ResultsDocuments, 'show'>;
  log: Logger;
  /** Asks about (and pins) an unknown SSH host key; never asked for a call with arguments. */
  sshTrust?: Pick<SshTrust, 'onUnknownHostKey'>;
}

/** Runs the timed steps on `profile` (saved or not): with a cancellable progress notification when a person waits for it. */
export async function timedTest(
  profile: ResolvedProfile,
  password: string | undefined,
  options: ConnectionTestOptions,
  interactive: boolean,
): Promise<ConnectionTestResult> {
  const run = (signal: AbortSignal): Promise<ConnectionTestResult> =>
    profile.kind === 'redis'
      ? testRedisProfile(profile, password, { ...options, signal })
      : testRabbitProfile(profile, password, { ...options, signal });
  if (!interactive) return run(AbortSignal.timeout(profile.connectTimeoutMs * 4));
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Testing {0} profile "{1}"…', label(profile.kind), profile.name),
      cancellable: true,
    },
    (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return run(controller.signal);
    },
  );
}

/** Test Connection: the timed steps; a failed step is a result, not a throw. */
export async function testConnection(deps: ProfileCommandDeps & TestConnectionDeps, call: CommandCall): Promise<ConnectionTestResult> {
  const profile = await pickProfile(deps, call);
  const password = await deps.profiles.password(profile);
  const options: ConnectionTestOptions = {};
  if (profile.ssh) {
    const [sshPassword, passphrase] = await Promise.all([
      deps.profiles.secret(profile, 'ssh'),
      deps.profiles.secret(profile, 'sshPassphrase'),
    ]);
    const trust = call.interactive ? deps.sshTrust : undefined;
    options.ssh = {
      secrets: { ...(sshPassword !== undefined ? { password: sshPassword } : {}), ...(passphrase !== undefined ? { passphrase } : {}) },
      ...(trust ? { onUnknownHostKey: (hop: SshHop, fingerprint: string) => trust.onUnknownHostKey(profile, hop, fingerprint) } : {}),
    };
  }
  const result = await timedTest(profile, password, options, call.interactive);
  // The timed steps go where they can be read: the log always, and a document when a person asked
  // (a non-modal notification's `detail` is never shown).
  logResult(deps.log, profile, result);
  if (!call.interactive) return result;
  await deps.results.show(vscode.l10n.t('Test Connection {0}', profile.name), connectionTestLines(profile, result).join('\n'));
  if (!result.ok)
    void vscode.window.showErrorMessage(result.error ?? vscode.l10n.t('Test Connection failed for "{0}": see the document.', profile.name));
  return result;
}

/** The timed steps into the extension log (a warning when a step failed). */
export function logResult(log: Logger, profile: ResolvedProfile, result: ConnectionTestResult): void {
  const text = connectionTestLines(profile, result).join('\n');
  if (result.ok) log.info(text);
  else log.warn(text);
}
