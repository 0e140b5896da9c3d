/**
 * How a profile reaches an address: directly, or through its SSH bastion.
 * Every protocol asks `reach(profile, host, port)` for the endpoint to dial
 * and lets go of it when its connection is closed for good; a profile
 * behind a bastion gets a local forward of the shared tunnel (and keeps the
 * original host name for TLS: SNI and the certificate check).
 */
import type { SshConfig, SshHop, SshSecrets, SshTunnel, SshTunnels } from './sshTunnel';
import { managementEndpoint } from '../profiles';

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
export async function reachProfile<P extends ReachProfile & { host: string; port: number; managementUrl?: string }>(
  reach: Reach<P>,
  profile: P,
): Promise<{ profile: P; release: () => void }> {
  if (!profile.ssh) return { profile, release: () => undefined };
  const taken: Reached[] = [];
  const release = (): void => {
    for (const r of taken.splice(0)) r.release();
  };
  try {
    const main = await reach(profile, profile.host, profile.port);
    taken.push(main);
    const reached: P = { ...profile, via: { host: main.host, port: main.port } };
    if (profile.managementUrl) {
      const target = managementEndpoint(profile.managementUrl);
      const management = await reach(profile, target.host, target.port);
      taken.push(management);
      Object.assign(reached, { managementVia: { host: management.host, port: management.port } });
    }
    return { profile: reached, release };
  } catch (err) {
    release();
    throw err;
  }
}
