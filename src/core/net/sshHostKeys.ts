/**
 * SSH host keys: the SHA256 fingerprint as OpenSSH prints it, and what an
 * OpenSSH known_hosts file says of a host (plain, `[host]:port`, hashed
 * `|1|salt|hmac` entries, simple `*` / `?` patterns and `!` negation;
 * `@revoked` counts as a mismatch, `@cert-authority` lines are skipped).
 */
import * as l10n from '@vscode/l10n';
import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConnectionError, type BrokerError } from '../errors';

/** `SHA256:<base64 without padding>` of a host key blob, as `ssh-keygen -l` prints it. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** A pinned fingerprint compared with OpenSSH's forms (with or without `SHA256:`, padding ignored). */
export function sameFingerprint(pinned: string, actual: string): boolean {
  const norm = (f: string): string =>
    f
      .trim()
      .replace(/^SHA256:/i, '')
      .replace(/=+$/, '');
  return norm(pinned) === norm(actual);
}

export type KnownHostsVerdict = 'match' | 'mismatch' | 'unknown';

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Whether one known_hosts host field (comma-separated patterns, or one hashed name) names `name`. */
function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const raw of field.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (globToRegExp(pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** What known_hosts `text` says of `host:port` presenting `key`. */
export function checkKnownHosts(text: string, host: string, port: number, key: Buffer): KnownHostsVerdict {
  const name = port === 22 ? host : `[${host}]:${port}`;
  let listed = false;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/);
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    if (marker === '@cert-authority' || fields.length < 3) continue;
    const [hosts, , keyBase64] = fields;
    if (!hostFieldMatches(hosts, name)) continue;
    const same = Buffer.from(keyBase64, 'base64').equals(key);
    if (marker === '@revoked') {
      if (same) return 'mismatch';
      continue;
    }
    if (same) return 'match';
    listed = true;
  }
  return listed ? 'mismatch' : 'unknown';
}

/** checkKnownHosts over a file; a missing or unreadable file knows no host. */
export async function checkKnownHostsFile(path: string, host: string, port: number, key: Buffer): Promise<KnownHostsVerdict> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return 'unknown';
  }
  return checkKnownHosts(text, host, port, key);
}

export interface HostKeyCheck {
  /** `user@host:port` of the hop, for the sentences. */
  where: string;
  host: string;
  port: number;
  /** The key the server presented. */
  key: Buffer;
  /** The profile's pinned fingerprint, if any. */
  pinned?: string;
  knownHostsPath: string;
  /** Asked when neither a pin nor known_hosts knows the host; true trusts the key. */
  ask?: (fingerprint: string) => Promise<boolean>;
}

/** undefined when the key is trusted (pin, else known_hosts, else `ask`), else the refusal sentence. */
export async function verifyHostKey(check: HostKeyCheck): Promise<BrokerError | undefined> {
  const { where, pinned, knownHostsPath } = check;
  const fingerprint = hostKeyFingerprint(check.key);
  if (pinned) {
    if (sameFingerprint(pinned, fingerprint)) return undefined;
    return new ConnectionError(
      l10n.t(
        'The host key of {0} has changed: it is {1}, but the profile pins {2}. Nothing was sent; if the server\'s key really changed, update "hostKey" in the profile.',
        where,
        fingerprint,
        pinned,
      ),
    );
  }
  const verdict = await checkKnownHostsFile(knownHostsPath, check.host, check.port, check.key);
  if (verdict === 'match') return undefined;
  if (verdict === 'mismatch') {
    return new ConnectionError(
      l10n.t(
        'The host key of {0} ({1}) does not match {2}. Nothing was sent; check the server, then fix known_hosts or pin the key in the profile.',
        where,
        fingerprint,
        knownHostsPath,
      ),
    );
  }
  if (check.ask && (await check.ask(fingerprint))) return undefined;
  return new ConnectionError(
    l10n.t(
      'The host key of {0} is not known: its fingerprint is {1}. Check it with the server\'s administrator, then pin it as "hostKey" in the profile\'s ssh settings.',
      where,
      fingerprint,
    ),
  );
}
