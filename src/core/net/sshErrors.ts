/** One sentence for each way an SSH hop can fail (ssh2's errors and socket errors). */
import * as l10n from '@vscode/l10n';
import { BrokerError, ConnectionError, InputError, SshAuthError, TimeoutError, errorMessage } from '../errors';

/** One sentence for an ssh2 error of a hop. */
export function describeSshError(err: unknown, where: string, timeoutMs: number): BrokerError {
  if (err instanceof BrokerError) return err;
  const raw = errorMessage(err);
  const level = typeof err === 'object' && err !== null ? (err as { level?: unknown }).level : undefined;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (/passphrase|Encrypted private/i.test(raw)) {
    return new SshAuthError(
      l10n.t(
        'The SSH key for {0} could not be decrypted: the passphrase is missing or wrong. Set it with "Set Password" (SSH key passphrase).',
        where,
      ),
    );
  }
  if (/Cannot parse privateKey|Unsupported key format/i.test(raw)) {
    return new InputError(
      l10n.t('The SSH key for {0} is not a private key ssh2 can read ({1}); use an OpenSSH or PEM private key.', where, raw),
    );
  }
  if (level === 'client-authentication') {
    return new SshAuthError(
      l10n.t(
        'The SSH server {0} refused the login (all authentication methods failed): check the user name, the key or the SSH password.',
        where,
      ),
    );
  }
  if (level === 'client-timeout' || /Timed out while waiting for handshake/i.test(raw)) {
    return new TimeoutError(
      l10n.t('The SSH server {0} did not complete the handshake within {1} ms. Check the host, port and firewall.', where, timeoutMs),
    );
  }
  if (code === 'ECONNREFUSED')
    return new ConnectionError(
      l10n.t('Cannot connect to the SSH server {0}: the connection was refused. Check that sshd runs and the port is right.', where),
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new ConnectionError(l10n.t('Cannot connect to the SSH server {0}: the host name was not found. Check the host.', where));
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new ConnectionError(l10n.t('Cannot connect to the SSH server {0}: the host is unreachable.', where));
  return new ConnectionError(l10n.t('SSH connection to {0} failed: {1}.', where, raw.replace(/[.\s]+$/, '')));
}
