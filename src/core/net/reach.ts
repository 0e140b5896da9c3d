/**
 * How a profile reaches an address: directly, or through its SSH bastion.
 * Every protocol asks `reach(profile, host, port)` for the endpoint to dial
 * and lets go of it when its connection is closed for good; a profile
 * behind a bastion gets a local forward of the shared tunnel (and keeps the
 * original host name for TLS: SNI and the certificate check).
 */
import type { SshConfig, SshHop, SshSecrets, SshTunnel, SshTunnels } from './sshTunnel';
import { managementEndpoint } from '../profiles';
import { parseAmqpUrl } from '../profileUrls';

/** Where to dial, and how to let go of it. */
export interface Reached {
  host: string;
  port: number;
  /** The name TLS must check (the address as the profile names it). */
  servername: string;
  /** True when it goes through an SSH tunnel. */
  tunnelled: boolean;
  release(): void;
}

export interface ReachProfile {
  name: string;
  connectTimeoutMs: number;
  ssh?: SshConfig;
}

export type Reach<P extends ReachProfile = ReachProfile> = (profile: P, host: string, port: number) => Promise<Reached>;

/** Straight to the address: no tunnel. */
export const directReach: Reach = (_profile, host, port) =>
  Promise.resolve({ host, port, servername: host, tunnelled: false, release: () => undefined });

export interface TunnelReachOptions<P extends ReachProfile> {
  tunnels: SshTunnels;
  /** The bastion's SSH password and key passphrase of a profile. */
  secrets: (profile: P) => Promise<SshSecrets>;
  /** Asked when a hop's host key is neither pinned nor in known_hosts; true trusts it (and pins it). */
  onUnknownHostKey?: (profile: P, hop: SshHop, fingerprint: string) => Promise<boolean>;
  knownHostsPath?: string;
}

/** Direct for profiles without `ssh`; through the shared tunnel for the others. */
export function tunnelReach<P extends ReachProfile>(options: TunnelReachOptions<P>): Reach<P> {
  return async (profile, host, port) => {
    if (!profile.ssh) return directReach(profile, host, port);
    const { onUnknownHostKey } = options;
    const tunnel: SshTunnel = options.tunnels.acquire(profile.ssh, {
      timeoutMs: profile.connectTimeoutMs,
      secrets: () => options.secrets(profile),
      ...(onUnknownHostKey ? { onUnknownHostKey: (hop, fingerprint) => onUnknownHostKey(profile, hop, fingerprint) } : {}),
      ...(options.knownHostsPath ? { knownHostsPath: options.knownHostsPath } : {}),
    });
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      tunnel.release();
    };
    try {
      await tunnel.ready();
      const local = await tunnel.forward(host, port);
      return { host: local.host, port: local.port, servername: host, tunnelled: true, release };
    } catch (err) {
      release();
      throw err;
    }
  };
}

/**
 * The profile as its connections dial it: unchanged without SSH; with SSH,
 * a copy whose `via` (and, for RabbitMQ, `managementVia`) point at local
 * forwards of the tunnel. `release` lets go of every forward it took.
 */
export async function reachProfile<
  P extends ReachProfile & { host: string; port: number; managementUrl?: string; urls?: string[]; managementUrls?: string[] },
>(reach: Reach<P>, profile: P): Promise<{ profile: P; release: () => void }> {
  if (!profile.ssh) return { profile, release: () => undefined };
  const taken: Reached[] = [];
  const release = (): void => {
    for (const r of taken.splice(0)) r.release();
  };
  const forward = async (host: string, port: number): Promise<{ host: string; port: number }> => {
    const reached = await reach(profile, host, port);
    taken.push(reached);
    return { host: reached.host, port: reached.port };
  };
  try {
    const via = await forward(profile.host, profile.port);
    const reached: P = { ...profile, via };
    // A RabbitMQ cluster: every node and every management URL gets a forward of its own, so failover works through the bastion.
    if (profile.urls && profile.urls.length > 1) {
      const urlVias = [via];
      for (const url of profile.urls.slice(1)) {
        const target = amqpEndpoint(url);
        urlVias.push(await forward(target.host, target.port));
      }
      Object.assign(reached, { urlVias });
    }
    const managementUrls = profile.managementUrls?.length ? profile.managementUrls : profile.managementUrl ? [profile.managementUrl] : [];
    const managementVias: { host: string; port: number }[] = [];
    for (const url of managementUrls) {
      const target = managementEndpoint(url);
      managementVias.push(await forward(target.host, target.port));
    }
    if (managementVias.length > 0) Object.assign(reached, { managementVia: managementVias[0], managementVias });
    return { profile: reached, release };
  } catch (err) {
    release();
    throw err;
  }
}

/** The host and port of an AMQP URL (5672, or 5671 for amqps, when it names none). */
function amqpEndpoint(url: string): { host: string; port: number } {
  const parsed = parseAmqpUrl(url);
  return { host: parsed.host, port: parsed.port };
}
