/**
 * Node TLS options from a profile's `tls` block (CA, client certificate,
 * server name, self-signed), for every protocol: Redis, AMQP, the
 * management API over HTTPS and raw TCP.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { TlsOptions } from '../profiles';

/**
 * The options for `tls.connect`, or undefined when TLS is off. The server
 * name defaults to the host unless it is an IP address. Throws when a file
 * cannot be read.
 */
export function tlsOptions(tls: TlsOptions | undefined, host: string): ConnectionOptions | undefined {
  if (!tls || tls.enabled === false) return undefined;
  const out: ConnectionOptions = {};
  const servername = tls.servername ?? (isIP(host) === 0 ? host : undefined);
  if (servername) out.servername = servername;
  if (tls.ca) out.ca = readFileSync(tls.ca);
  if (tls.cert) out.cert = readFileSync(tls.cert);
  if (tls.key) out.key = readFileSync(tls.key);
  if (tls.allowSelfSigned) out.rejectUnauthorized = false;
  return out;
}
