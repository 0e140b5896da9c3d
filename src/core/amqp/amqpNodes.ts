/**
 * The nodes of a RabbitMQ profile (its `urls`, in order) and connecting to
 * the first one that answers, starting anywhere in the list (round robin):
 * each node within connectTimeoutMs, a refusal that no other node would
 * change (login, vhost, TLS files, cancel) at once, and one sentence naming
 * every node tried when none answers.
 */
import * as l10n from '@vscode/l10n';
import type { ChannelModel } from 'amqplib';
import { AuthError, BrokerError, CancelledError, InputError, NotFoundError, PreconditionError, errorMessage } from '../errors';
import { socketError, socketFailureOf, type SocketFailure } from '../net/socketErrors';
import { endpoint, type ResolvedRabbitProfile } from '../profiles';
import { parseAmqpUrl } from '../profileUrls';
import { connectAmqp, type AmqpConnectOptions } from './amqpConnection';

/** One node of a profile: its place in `urls`, the profile as that node's connections dial it, and its `host:port`. */
export interface AmqpNode {
  index: number;
  profile: ResolvedRabbitProfile;
  address: string;
}

/** A connection and the node it reached. */
export interface NodeConnection {
  model: ChannelModel;
  node: AmqpNode;
}

/**
 * The profile's nodes in the order of `urls`. Behind SSH each node dials
 * its own forward (`urlVias`); a profile reached with only `via` (one
 * forward) dials only its first node.
 */
export function amqpNodes(profile: ResolvedRabbitProfile): AmqpNode[] {
  const urls = (profile.via && !profile.urlVias) || profile.urls.length === 0 ? [profile.url] : profile.urls;
  return urls.map((url, index) => {
    if (index === 0) return { index, profile, address: endpoint(profile) };
    const parsed = parseAmqpUrl(url);
    const nodeProfile: ResolvedRabbitProfile = { ...profile, url, host: parsed.host, port: parsed.port };
    const via = profile.urlVias?.[index];
    if (via) nodeProfile.via = via;
    else delete nodeProfile.via;
    return { index, profile: nodeProfile, address: endpoint(nodeProfile) };
  });
}

/** Errors that another node would answer the same way: the cluster shares users, vhosts and our TLS files. */
function sameOnEveryNode(err: unknown): boolean {
  return (
    err instanceof AuthError ||
    err instanceof NotFoundError ||
    err instanceof InputError ||
    err instanceof PreconditionError ||
    err instanceof CancelledError
  );
}

/** Why one node did not answer, as a short phrase. */
function nodeFailure(node: AmqpNode, err: unknown): string {
  const failure = socketFailureOf(err);
  switch (failure?.code) {
    case 'refused':
      return l10n.t('{0} refused the connection', node.address);
    case 'timeout':
      return l10n.t('{0} did not answer within {1} ms', node.address, node.profile.connectTimeoutMs);
    case 'notFound':
      return l10n.t('{0}: host name not found', node.address);
    case 'unreachable':
      return l10n.t('{0} is unreachable', node.address);
    case 'reset':
    case 'closed':
      return l10n.t('{0} closed the connection', node.address);
    default:
      return `${node.address}: ${errorMessage(err).replace(/[.\s]+$/, '')}`;
  }
}

export interface ConnectNodeOptions extends AmqpConnectOptions {
  /** The node to try first (an index into `urls`); the others follow round robin. Default 0. */
  startAt?: number;
}

/**
 * Connects to the first node that answers, trying them round robin from
 * `startAt`. With one node it fails with that node's own sentence; with
 * several, with one sentence naming every node tried and why each failed.
 */
export async function connectAnyNode(profile: ResolvedRabbitProfile, options: ConnectNodeOptions = {}): Promise<NodeConnection> {
  const nodes = amqpNodes(profile);
  const start = (((options.startAt ?? 0) % nodes.length) + nodes.length) % nodes.length;
  const { startAt: _ignored, ...connectOptions } = options;
  const failures: string[] = [];
  let last: unknown;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[(start + i) % nodes.length];
    try {
      return { model: await connectAmqp(node.profile, connectOptions), node };
    } catch (err) {
      if (nodes.length === 1 || sameOnEveryNode(err) || !(err instanceof BrokerError)) throw err;
      last = err;
      failures.push(nodeFailure(node, err));
      options.logger?.debug(`AMQP "${profile.name}": node ${node.address} did not answer (${errorMessage(err)}); trying the next node`);
    }
  }
  const vhost = options.vhost ?? profile.vhost;
  const cause: SocketFailure = socketFailureOf(last) ?? { code: 'other', detail: errorMessage(last) };
  throw socketError(
    cause,
    l10n.t(
      'Connecting to profile "{0}" (vhost "{1}") failed on every node of its {2} URLs: {3}; check that at least one node of the cluster runs and that "urls" is right.',
      profile.name,
      vhost,
      nodes.length,
      failures.join('; '),
    ),
  );
}
