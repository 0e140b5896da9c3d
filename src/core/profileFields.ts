/**
 * Checks of single profile fields (name, host, port, database, timeout) and
 * the helpers that read a raw settings object field by field. No I/O here.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from './errors';

/** Why a profile name is unusable, or undefined when it is fine. */
export function checkName(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') return l10n.t('A profile needs a name.');
  if (name !== name.trim()) return l10n.t('The profile name "{0}" has spaces at its ends: remove them.', name);
  if (name.length > 100) return l10n.t('A profile name is at most 100 characters.');
  if ([...name].some((c) => c.charCodeAt(0) < 0x20)) return l10n.t('A profile name cannot contain control characters.');
  return undefined;
}

export function checkHost(host: unknown): string | undefined {
  if (typeof host !== 'string' || host === '') return l10n.t('The host is empty: give a host name or an IP address, such as 127.0.0.1.');
  if (/\s/.test(host)) return l10n.t('The host "{0}" contains spaces: give a host name or an IP address without spaces.', host);
  if (!/^[A-Za-z0-9._\-:[\]%]+$/.test(host)) return l10n.t('The host "{0}" has characters a host name cannot have.', host);
  return undefined;
}

export function checkPort(port: unknown): string | undefined {
  const n = typeof port === 'string' && /^\d+$/.test(port.trim()) ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n))
    return l10n.t('The port "{0}" is not a number: give a whole number from 1 to 65535.', String(port));
  if (n < 1 || n > 65535) return l10n.t('The port {0} is out of range: give a whole number from 1 to 65535.', n);
  return undefined;
}

export function checkDb(db: unknown): string | undefined {
  const n = typeof db === 'string' && /^\d+$/.test(db.trim()) ? Number(db) : db;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1_000_000) {
    return l10n.t('The database "{0}" is not valid: give a whole number from 0 (most servers have 0 to 15).', String(db));
  }
  return undefined;
}

export function checkTimeout(ms: unknown): string | undefined {
  if (ms === undefined) return undefined;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 100 || ms > 600_000) {
    return l10n.t(
      'The connect timeout {0} ms is not valid: give a number of milliseconds from 100 to 600000.',
      JSON.stringify(ms) ?? 'undefined',
    );
  }
  return undefined;
}

/** Throws an InputError naming the profile. */
export function failProfile(profileName: string, reason: string): never {
  throw new InputError(l10n.t('Profile "{0}": {1}', profileName, reason));
}

/** The value as a plain object, or an InputError naming `what`. */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(l10n.t('{0} must be an object.', what));
  }
  return value as Record<string, unknown>;
}

/** A text field, undefined when absent or empty; an InputError naming the profile when not text. */
export function optString(o: Record<string, unknown>, key: string, profileName: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') failProfile(profileName, l10n.t('"{0}" must be text.', key));
  return v;
}

/**
 * A list of endpoints (`[{ host, port }]`, or "host:port" strings), at least
 * one; an InputError naming the profile and the field when one is wrong.
 */
export function parseEndpointList(
  value: unknown,
  field: string,
  profileName: string,
  defaultPort: number,
): { host: string; port: number }[] {
  if (!Array.isArray(value) || value.length === 0)
    failProfile(
      profileName,
      l10n.t(
        '"{0}" must be a list of at least one { "host", "port" } (for example {1}).',
        field,
        `[{ "host": "10.0.0.1", "port": ${defaultPort} }]`,
      ),
    );
  return value.map((entry: unknown, i) => {
    let host: unknown;
    let port: unknown = defaultPort;
    if (typeof entry === 'string') {
      const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(entry.trim());
      host = m?.[1];
      if (m?.[2] !== undefined) port = Number(m[2]);
    } else if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
      const o = entry as Record<string, unknown>;
      host = o.host;
      if (o.port !== undefined) port = o.port;
    } else {
      failProfile(profileName, l10n.t('"{0}[{1}]" must be { "host", "port" } or "host:port".', field, i));
    }
    const hostProblem = checkHost(host);
    if (hostProblem) failProfile(profileName, `"${field}[${i}]": ${hostProblem}`);
    const portProblem = checkPort(port);
    if (portProblem) failProfile(profileName, `"${field}[${i}]": ${portProblem}`);
    return { host: host as string, port: Number(port) };
  });
}
