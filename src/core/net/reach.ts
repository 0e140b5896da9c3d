/**
 * How a profile reaches an address: directly, or through its SSH bastion.
 * Every protocol asks `reach(profile, host, port)` for the endpoint to dial
 * and lets go of it when its connection is closed for good; a profile
 * behind a bastion gets a local forward of the shared tunnel (and keeps the
 * original host name for TLS: SNI and the certificate check).
 */
import { TunnelNatMap } from './sshNatMap';
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

/** Per-node forwards for a cluster's or a sentinel set's nodes (ioredis `natMap`), and how to let go of them. */
export interface NodeMap {
  natMap: (address: string) => { host: string; port: number } | null;
  release(): void;
}

export type Reach<P extends ReachProfile = ReachProfile> = ((profile: P, host: string, port: number) => Promise<Reached>) & {
  /** Behind SSH: forwards for `seeds` now and for every node announced later, made on demand. */
  nodeMap?: (profile: P, seeds: { host: string; port: number }[]) => Promise<NodeMap>;
};

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
  const { onUnknownHostKey } = options;
  /** A use of the profile's shared tunnel, ready; `release` lets go of it once. */
  const acquire = async (profile: P & { ssh: SshConfig }): Promise<{ tunnel: SshTunnel; release: () => void }> => {
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
      return { tunnel, release };
    } catch (err) {
      release();
      throw err;
    }
  };
  const reach: Reach<P> = async (profile, host, port) => {
    if (!profile.ssh) return directReach(profile, host, port);
    const { tunnel, release } = await acquire({ ...profile, ssh: profile.ssh });
    try {
      const local = await tunnel.forward(host, port);
      return { host: local.host, port: local.port, servername: host, tunnelled: true, release };
    } catch (err) {
      release();
      throw err;
    }
  };
  reach.nodeMap = async (profile, seeds) => {
    if (!profile.ssh) return { natMap: () => null, release: () => undefined };
    const { tunnel, release } = await acquire({ ...profile, ssh: profile.ssh });
    try {
      const map = await TunnelNatMap.open(tunnel, seeds);
      return {
        natMap: map.natMap,
        release: () => {
          map.close();
          release();
        },
      };
    } catch (err) {
      release();
      throw err;
    }
  };
  return reach;
}

/**
 * The profile as its connections dial it: unchanged without SSH; with SSH,
 * a copy whose `via` (and, for RabbitMQ, `managementVia`) point at local
 * forwards of the tunnel. `release` lets go of every forward it took.
 */
export async function reachProfile<
  P extends ReachProfile & {
    host: string;
    port: number;
    managementUrl?: string;
    urls?: string[];
    managementUrls?: string[];
    mode?: string;
    nodes?: { host: string; port: number }[];
    sentinels?: { host: string; port: number }[];
  },
>(reach: Reach<P>, profile: P): Promise<{ profile: P; release: () => void }> {
  if (!profile.ssh) return { profile, release: () => undefined };
  const releases: (() => void)[] = [];
  const release = (): void => {
    for (const r of releases.splice(0)) r();
  };
  const forward = async (host: string, port: number): Promise<{ host: string; port: number }> => {
    const reached = await reach(profile, host, port);
    releases.push(() => reached.release());
    return { host: reached.host, port: reached.port };
  };
  const nodes = profile.mode === 'cluster' ? profile.nodes : profile.mode === 'sentinel' ? profile.sentinels : undefined;
  try {
    if (nodes && reach.nodeMap) {
      // A cluster or a sentinel set: every node it announces gets a forward on demand.
      const map = await reach.nodeMap(profile, nodes);
      releases.push(() => map.release());
      const via = map.natMap(`${profile.host}:${profile.port}`);
      return { profile: { ...profile, natMap: map.natMap, ...(via ? { via } : {}) }, release };
    }
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
