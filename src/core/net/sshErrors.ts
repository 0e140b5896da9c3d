/** One sentence for each way an SSH hop can fail (ssh2's errors and socket errors). */
import { BrokerError, ConnectionError, InputError, SshAuthError, TimeoutError, errorMessage } from '../errors';

/** One sentence for an ssh2 error of a hop. */
export function describeSshError(err: unknown, where: string, timeoutMs: number): BrokerError {
  if (err instanceof BrokerError) return err;
  const raw = errorMessage(err);
  const level = typeof err === 'object' && err !== null ? (err as { level?: unknown }).level : undefined;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (/passphrase|Encrypted private/i.test(raw)) {
    return new SshAuthError(
      `The SSH key for ${where} could not be decrypted: the passphrase is missing or wrong. Set it with "Set Password" (SSH key passphrase).`,
    );
  }
  if (/Cannot parse privateKey|Unsupported key format/i.test(raw)) {
    return new InputError(`The SSH key for ${where} is not a private key ssh2 can read (${raw}); use an OpenSSH or PEM private key.`);
  }
  if (level === 'client-authentication') {
    return new SshAuthError(
      `The SSH server ${where} refused the login (all authentication methods failed): check the user name, the key or the SSH password.`,
    );
  }
  if (level === 'client-timeout' || /Timed out while waiting for handshake/i.test(raw)) {
    return new TimeoutError(
      `The SSH server ${where} did not complete the handshake within ${timeoutMs} ms. Check the host, port and firewall.`,
    );
  }
  if (code === 'ECONNREFUSED')
    return new ConnectionError(
      `Cannot connect to the SSH server ${where}: the connection was refused. Check that sshd runs and the port is right.`,
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new ConnectionError(`Cannot connect to the SSH server ${where}: the host name was not found. Check the host.`);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new ConnectionError(`Cannot connect to the SSH server ${where}: the host is unreachable.`);
  return new ConnectionError(`SSH connection to ${where} failed: ${raw.replace(/[.\s]+$/, '')}.`);
}
