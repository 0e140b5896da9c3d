/**
 * The "ssh" field of a profile: its bastion and jump hosts, checked hop by
 * hop. Secrets never live here: they go to the secret storage.
 */
import * as l10n from '@vscode/l10n';
import type { SshConfig, SshHop } from './net/sshTunnel';
import { asObject, checkHost, checkPort, failProfile, optString } from './profileFields';

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;
const HOP_FIELDS = ['host', 'port', 'username', 'privateKeyPath', 'agent', 'hostKey'];

function checkFields(o: Record<string, unknown>, profileName: string, where: string, allowed: readonly string[]): void {
  if ('password' in o || 'passphrase' in o)
    failProfile(profileName, l10n.t('"{0}" holds a secret: remove it and use "Set Password" (SSH password or key passphrase).', where));
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    failProfile(
      profileName,
      l10n.t(
        '"{0}" has no field {1}: the fields are {2}.',
        where,
        unknown.map((k) => `"${k}"`).join(', '),
        allowed.map((k) => `"${k}"`).join(', '),
      ),
    );
}

function parseHop(value: unknown, profileName: string, where: string, allowed: readonly string[] = HOP_FIELDS): SshHop {
  const o = asObject(value, l10n.t('Profile "{0}": "{1}"', profileName, where));
  checkFields(o, profileName, where, allowed);
  const hostProblem = checkHost(o.host);
  if (hostProblem) failProfile(profileName, `"${where}.host": ${hostProblem}`);
  if (o.port !== undefined) {
    const problem = checkPort(o.port);
    if (problem) failProfile(profileName, `"${where}.port": ${problem}`);
  }
  const username = optString(o, 'username', profileName);
  if (username === undefined) failProfile(profileName, l10n.t('"{0}.username" is missing: give the SSH user name.', where));
  const hop: SshHop = { host: o.host as string, username };
  if (o.port !== undefined) hop.port = Number(o.port);
  const key = optString(o, 'privateKeyPath', profileName);
  if (key !== undefined) hop.privateKeyPath = key;
  if (o.agent !== undefined && typeof o.agent !== 'boolean') failProfile(profileName, l10n.t('"{0}.agent" must be true or false.', where));
  if (o.agent === true) hop.agent = true;
  const hostKey = optString(o, 'hostKey', profileName);
  if (hostKey !== undefined) {
    if (!FINGERPRINT.test(hostKey))
      failProfile(
        profileName,
        l10n.t('"{0}.hostKey" must be a SHA256 fingerprint as OpenSSH prints it (SHA256: and 43 base64 characters).', where),
      );
    hop.hostKey = hostKey;
  }
  return hop;
}

/** The profile's "ssh" field checked, or undefined when it has none. */
export function parseSsh(value: unknown, profileName: string): SshConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const bastion: SshConfig = parseHop(value, profileName, 'ssh', [...HOP_FIELDS, 'jumpHosts']);
  const jumps = (value as Record<string, unknown>).jumpHosts;
  if (jumps !== undefined) {
    if (!Array.isArray(jumps)) failProfile(profileName, l10n.t('"ssh.jumpHosts" must be a list of hosts.'));
    const hops = jumps.map((j, i) => parseHop(j, profileName, `ssh.jumpHosts[${i}]`));
    if (hops.length > 0) bastion.jumpHosts = hops;
  }
  return bastion;
}
