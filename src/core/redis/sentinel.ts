/**
 * Asking a Sentinel set about the primary it watches: the current primary's
 * address (SENTINEL GET-MASTER-ADDR-BY-NAME), and for the tree and the
 * nodes API the primary, its replicas and the sentinels with their state.
 * Sentinels are tried in the profile's order; the first that answers wins.
 * The dial is passed in, so this file opens no socket of its own.
 */
import * as l10n from '@vscode/l10n';
import { AuthError, ConnectionError, NotFoundError, errorMessage } from '../errors';
import { endpoint, type Endpoint, type ResolvedRedisProfile } from '../profiles';
import { replyText, type RedisReply, type ReplySource } from './reply';
import { parseAddress } from './slotMap';

/** A connection to one sentinel, closed by whoever asked. */
export interface SentinelLink extends ReplySource {
  close(): void;
}

/** Opens a connection to one sentinel (user sentinelUsername, the sentinel password). */
export type SentinelDial = (sentinel: Endpoint) => Promise<SentinelLink>;

/** One server as a sentinel describes it. */
export interface SentinelNode {
  address: string;
  /** The sentinel's flags: `master`, `slave`, `s_down`, `o_down`, `disconnected`, … */
  flags: string[];
  /** False when the sentinel sees it down or disconnected. */
  up: boolean;
  /** For a replica: `master-link-status` is ok. */
  linkUp?: boolean;
}

export interface SentinelView {
  /** The sentinel that answered. */
  askedAt: string;
  primary: SentinelNode;
  replicas: SentinelNode[];
  /** The sentinel that answered first, then the others it knows. */
  sentinels: SentinelNode[];
}

function sentinelsOf(profile: ResolvedRedisProfile): Endpoint[] {
  return profile.sentinels ?? [{ host: profile.host, port: profile.port }];
}

/** The fields of a `SENTINEL MASTER` / `REPLICAS` entry (a flat name/value array) as a map. */
function fields(reply: RedisReply): Map<string, string> {
  const out = new Map<string, string>();
  if (reply.type !== 'array') return out;
  for (let i = 0; i + 1 < reply.items.length; i += 2) out.set(replyText(reply.items[i]) ?? '', replyText(reply.items[i + 1]) ?? '');
  return out;
}

function nodeOf(f: Map<string, string>): SentinelNode {
  const flags = (f.get('flags') ?? '').split(',').filter(Boolean);
  const node: SentinelNode = {
    address: endpoint({ host: f.get('ip') ?? '?', port: Number(f.get('port') ?? 0) }),
    flags,
    up: !flags.some((x) => x === 's_down' || x === 'o_down' || x === 'disconnected'),
  };
  if (f.has('master-link-status')) node.linkUp = f.get('master-link-status') === 'ok';
  return node;
}

function errorText(reply: RedisReply): string | undefined {
  return reply.type === 'error' ? reply.message : undefined;
}

/**
 * Runs `ask` on the first sentinel that answers; a sentinel that cannot be
 * reached, or whose answer `ask` rejects, passes to the next. The error of
 * the last one, in one sentence, when none does.
 */
async function firstSentinel<T>(
  profile: ResolvedRedisProfile,
  dial: SentinelDial,
  ask: (link: SentinelLink, at: Endpoint) => Promise<T>,
): Promise<T> {
  const sentinels = sentinelsOf(profile);
  const reasons: string[] = [];
  let auth: AuthError | undefined;
  for (const at of sentinels) {
    let link: SentinelLink | undefined;
    try {
      link = await dial(at);
      return await ask(link, at);
    } catch (err) {
      if (err instanceof AuthError) auth = err;
      if (err instanceof NotFoundError) throw err;
      reasons.push(`${endpoint(at)}: ${errorMessage(err).replace(/[.\s]+$/, '')}`);
    } finally {
      link?.close();
    }
  }
  if (auth) throw auth;
  throw new ConnectionError(
    l10n.t(
      'No sentinel of Redis profile "{0}" answered ({1}). Check "sentinels", the sentinel password and that they run.',
      profile.name,
      reasons.join('; '),
    ),
  );
}

/** The primary's address from one sentinel; NotFoundError when it does not watch `sentinelName`. */
async function askPrimary(profile: ResolvedRedisProfile, link: SentinelLink): Promise<Endpoint> {
  const name = profile.sentinelName ?? '';
  const reply = await link.send([Buffer.from('SENTINEL'), Buffer.from('GET-MASTER-ADDR-BY-NAME'), Buffer.from(name)]);
  const failed = errorText(reply);
  if (failed) throw new ConnectionError(failed);
  if (reply.type !== 'array' || reply.items.length < 2) {
    throw new NotFoundError(
      l10n.t(
        'The sentinels of Redis profile "{0}" watch no primary named "{1}": check "sentinelName" (the name in "sentinel monitor <name> …").',
        profile.name,
        name,
      ),
    );
  }
  const ep = parseAddress(`${replyText(reply.items[0]) ?? ''}:${replyText(reply.items[1]) ?? ''}`);
  if (!ep) throw new ConnectionError(l10n.t('a sentinel gave an address that is not host:port'));
  return ep;
}

/** The current primary's address, from the first sentinel that answers. */
export function sentinelPrimary(profile: ResolvedRedisProfile, dial: SentinelDial): Promise<Endpoint> {
  return firstSentinel(profile, dial, (link) => askPrimary(profile, link));
}

/** The primary, its replicas and the sentinels, as the first sentinel that answers sees them. */
export function sentinelView(profile: ResolvedRedisProfile, dial: SentinelDial): Promise<SentinelView> {
  const name = Buffer.from(profile.sentinelName ?? '');
  const cmd = (sub: string): Buffer[] => [Buffer.from('SENTINEL'), Buffer.from(sub), name];
  return firstSentinel(profile, dial, async (link, at) => {
    await askPrimary(profile, link);
    const [master, replicas, others] = await Promise.all([
      link.send(cmd('MASTER')),
      link.send(cmd('REPLICAS')),
      link.send(cmd('SENTINELS')),
    ]);
    for (const r of [master, replicas, others]) {
      const failed = errorText(r);
      if (failed) throw new ConnectionError(failed);
    }
    const list = (r: RedisReply): SentinelNode[] => (r.type === 'array' ? r.items.map((i) => nodeOf(fields(i))) : []);
    const self: SentinelNode = { address: endpoint(at), flags: ['sentinel'], up: true };
    return { askedAt: endpoint(at), primary: nodeOf(fields(master)), replicas: list(replicas), sentinels: [self, ...list(others)] };
  });
}
