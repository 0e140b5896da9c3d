/**
 * A dedicated RESP2 connection on a raw socket, for the console and the
 * command runner: replies come back exactly (status vs bulk, 64-bit
 * integers), and connection state (SELECT, MULTI, WATCH) belongs to its one
 * owner. The handshake (TCP, TLS, AUTH, SELECT, CLIENT SETNAME) is bounded by
 * the profile's connectTimeoutMs. No reconnect: the owner opens a new one.
 * On a Redis Cluster profile it connects to the first seed that answers (a
 * ClusterRouter then opens the other nodes through `dialNode`); on a
 * Sentinel profile to the primary the sentinels name now.
 */
import * as l10n from '@vscode/l10n';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { displayBytes } from '../bytes';
import { AuthError, CancelledError, ConnectionError, TimeoutError } from '../errors';
import { dialEndpoint, endpoint, type Endpoint, type ResolvedRedisProfile } from '../profiles';
import { connectWithin } from '../net/deadline';
import { tlsOptions } from '../net/tls';
import { describeRedisError } from './connection';
import type { RedisReply, ReplySource } from './reply';
import { encodeCommand, encodeCommands, ProtocolError, RespReader } from './respParser';
import { sentinelPrimary, type SentinelDial } from './sentinel';

export interface RespClientOptions {
  /** Database to select; the profile's own when absent. */
  db?: number;
  password?: string;
  /** Connection name shown by CLIENT LIST (default `broker-explorer:console`). */
  connectionName?: string;
  /** The sentinels' own password (the "sentinel" secret), for a Sentinel profile. */
  sentinelPassword?: string;
  signal?: AbortSignal;
}

interface Pending {
  resolve: (reply: RedisReply) => void;
  reject: (err: Error) => void;
  /** What the command can do to the selected db (`SELECT n`, `MULTI`, …); undefined for the rest. */
  effect: DbEffect | undefined;
}

/** The commands that decide which db a connection is on, as sent. */
type DbEffect = { kind: 'select'; db: number } | { kind: 'multi' | 'exec' | 'discard' | 'reset' };

function dbEffect(argv: readonly Buffer[]): DbEffect | undefined {
  if (argv.length === 0) return undefined;
  const name = argv[0].toString('latin1').toUpperCase();
  if (name === 'SELECT') {
    const db = argv.length === 2 ? Number(argv[1].toString('latin1')) : NaN;
    return Number.isSafeInteger(db) ? { kind: 'select', db } : undefined;
  }
  if (name === 'MULTI' || name === 'EXEC' || name === 'DISCARD' || name === 'RESET')
    return { kind: name.toLowerCase() as 'multi' | 'exec' | 'discard' | 'reset' };
  return undefined;
}

const isStatus = (reply: RedisReply, value: string): boolean => reply.type === 'status' && reply.value === value;

/**
 * The db a connection is on, followed from replies in the order they come:
 * a SELECT counts once it ran (OK outside MULTI; inside MULTI only when EXEC
 * ran and the SELECT's slot in the EXEC reply is OK); DISCARD drops queued
 * SELECTs; RESET (which runs at once, even inside MULTI) goes back to 0.
 */
class DbTracker {
  private inMulti = false;
  /** Commands queued since MULTI (each QUEUED reply is one slot of the EXEC reply). */
  private queued = 0;
  private selects: { slot: number; db: number }[] = [];

  constructor(public db: number) {}

  onReply(effect: DbEffect | undefined, reply: RedisReply): void {
    if (effect?.kind === 'reset') {
      if (isStatus(reply, 'RESET')) this.restart(0, false);
      return;
    }
    if (!this.inMulti) {
      if (effect?.kind === 'select' && isStatus(reply, 'OK')) this.db = effect.db;
      else if (effect?.kind === 'multi' && isStatus(reply, 'OK')) this.restart(this.db, true);
      return;
    }
    if (effect?.kind === 'exec') {
      let db = this.db;
      const ran = reply.type === 'array' ? reply.items : [];
      for (const s of this.selects) {
        const item = ran[s.slot];
        if (item && isStatus(item, 'OK')) db = s.db;
      }
      // Any reply to EXEC (array, nil after WATCH, EXECABORT) ends the transaction.
      this.restart(db, false);
    } else if (effect?.kind === 'discard') {
      if (isStatus(reply, 'OK')) this.restart(this.db, false);
    } else if (isStatus(reply, 'QUEUED')) {
      if (effect?.kind === 'select') this.selects.push({ slot: this.queued, db: effect.db });
      this.queued += 1;
    }
  }

  /** Leaves (or, after MULTI, enters) a transaction on `db` with nothing queued. */
  private restart(db: number, inMulti: boolean): void {
    this.db = db;
    this.inMulti = inMulti;
    this.queued = 0;
    this.selects = [];
  }
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

export interface RespClientEvents {
  /** The connection is gone (emitted once, with the reason). */
  close: [reason: Error];
  /** A reply no command waits for: what the server pushes in subscribe mode. */
  push: [reply: RedisReply];
}

/** Emits `close` once the connection is gone, and `push` for replies no command waits for. */
export class RespClient extends EventEmitter<RespClientEvents> implements ReplySource {
  private readonly queue: (Pending | undefined)[] = [];
  private head = 0;
  private closedReason: Error | undefined;
  private readonly tracker: DbTracker;
  private protocolFailure: ProtocolError | undefined;

  constructor(
    private readonly socket: net.Socket,
    readonly profile: ResolvedRedisProfile,
    db: number,
    /** The topology profile and options it was opened with, for `dialNode`. */
    private readonly origin: { profile: ResolvedRedisProfile; options: RespClientOptions } = { profile, options: {} },
  ) {
    super();
    this.tracker = new DbTracker(db);
    const reader = new RespReader((reply) => this.onReply(reply));
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.feed(chunk);
      } catch (err) {
        if (err instanceof ProtocolError) this.protocolFailure = err;
        this.fail(
          new ConnectionError(
            err instanceof ProtocolError
              ? l10n.t(
                  'Redis profile "{0}" ({1}) did not answer like a Redis server: it sent "{2}"; the connection was closed. Check the port and the TLS setting.',
                  profile.name,
                  endpoint(profile),
                  displayBytes(err.received, 80),
                )
              : l10n.t(
                  'Redis profile "{0}" ({1}) did not answer like a Redis server; the connection was closed. Check the port and the TLS setting.',
                  profile.name,
                  endpoint(profile),
                ),
          ),
        );
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.fail(describeRedisError(profile, err)));
    socket.on('close', () =>
      this.fail(new ConnectionError(l10n.t('The connection to Redis profile "{0}" ({1}) was closed.', profile.name, endpoint(profile)))),
    );
  }

  /** The database the connection is on: follows only SELECT / EXEC / DISCARD / RESET that really ran. */
  get db(): number {
    return this.tracker.db;
  }

  /** Set when the server sent bytes that are not RESP2 (the connection is then closed). */
  get protocolError(): ProtocolError | undefined {
    return this.protocolFailure;
  }

  /** True until the socket closes. */
  get connected(): boolean {
    return this.closedReason === undefined;
  }

  /** Commands sent and not answered yet. */
  get inFlight(): number {
    return this.queue.length - this.head;
  }

  /** Sends one command; resolves with its reply (an error reply is a value, not a rejection). */
  send(argv: readonly Buffer[]): Promise<RedisReply> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    const p = this.enqueue(argv);
    this.socket.write(encodeCommand(argv));
    return p;
  }

  /** Sends several commands in one write; resolves with their replies in order. */
  sendMany(argvs: readonly (readonly Buffer[])[]): Promise<RedisReply[]> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    if (argvs.length === 0) return Promise.resolve([]);
    const promises = argvs.map((argv) => this.enqueue(argv));
    this.socket.write(encodeCommands(argvs));
    return Promise.all(promises);
  }

  /**
   * Writes a command whose replies all come as `push` events: SUBSCRIBE,
   * SSUBSCRIBE and the like, which answer once per channel and then push
   * messages. Nothing may be in flight.
   */
  sendPush(argv: readonly Buffer[]): void {
    if (this.closedReason) throw this.closedReason;
    if (this.inFlight > 0) throw new Error('sendPush needs a connection with no command in flight');
    this.socket.write(encodeCommand(argv));
  }

  /** The `host:port` this connection reached (the node, not the seed list). */
  get address(): string {
    return endpoint(this.profile);
  }

  /**
   * Another connection with the same credentials and name to one node of
   * this profile's topology (a cluster node, a replica), on database 0.
   */
  dialNode(node: Endpoint, signal?: AbortSignal): Promise<RespClient> {
    const options: RespClientOptions = { ...this.origin.options, db: 0 };
    if (signal) options.signal = signal;
    else delete options.signal;
    return dialResp(nodeProfile(this.origin.profile, node), options, this.origin);
  }

  /** The profile it was opened for (a cluster's or Sentinel's, not the one node's). */
  get originProfile(): ResolvedRedisProfile {
    return this.origin.profile;
  }

  /** How to reach the profile's sentinels (their user and password), for the tree and the nodes API. */
  sentinelDial(): SentinelDial {
    return sentinelDial(this.origin.profile, this.origin.options);
  }

  /** Closes the connection; pending commands reject. */
  close(): void {
    this.socket.destroy();
  }

  private enqueue(argv: readonly Buffer[]): Promise<RedisReply> {
    const effect = dbEffect(argv);
    return new Promise<RedisReply>((resolve, reject) => this.queue.push({ resolve, reject, effect }));
  }

  private onReply(reply: RedisReply): void {
    const entry = this.queue[this.head];
    if (!entry) {
      this.emit('push', reply);
      return;
    }
    this.queue[this.head] = undefined;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.tracker.onReply(entry.effect, reply);
    entry.resolve(reply);
  }

  private fail(err: Error): void {
    if (this.closedReason) return;
    this.closedReason = err;
    const waiting = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    for (const entry of waiting) entry?.reject(err);
    this.emit('close', err);
  }
}

/**
 * The profile of one node of a topology: its host and port, standalone, the
 * rest (name, TLS, user, timeout, read-only) as the profile's. The one place
 * a topology's node is dialed from (an SSH profile's node forwards go here).
 */
export function nodeProfile(profile: ResolvedRedisProfile, node: Endpoint): ResolvedRedisProfile {
  const out: ResolvedRedisProfile = { ...profile, host: node.host, port: node.port, mode: 'standalone' };
  delete out.nodes;
  delete out.sentinels;
  delete out.sentinelName;
  delete out.sentinelUsername;
  if (node.host !== profile.host || node.port !== profile.port) delete out.via;
  // Behind SSH, a cluster's or sentinel set's node is dialled through its own forward.
  const via = profile.natMap?.(`${node.host}:${node.port}`);
  if (via) out.via = via;
  return out;
}

/** A dial to one of the profile's sentinels: the sentinel user and password, no database. */
function sentinelDial(profile: ResolvedRedisProfile, options: RespClientOptions): SentinelDial {
  return (sentinel) => {
    const target = nodeProfile(profile, sentinel);
    if (profile.sentinelUsername !== undefined) target.username = profile.sentinelUsername;
    else delete target.username;
    const opts: RespClientOptions = { db: 0, connectionName: options.connectionName ?? 'broker-explorer:sentinel' };
    if (options.sentinelPassword !== undefined) opts.password = options.sentinelPassword;
    if (options.signal) opts.signal = options.signal;
    return dialResp(target, opts);
  };
}

/** The first of `tries` that connects; the last failure when none does. */
async function firstThatConnects(tries: readonly (() => Promise<RespClient>)[]): Promise<RespClient> {
  let last: unknown;
  for (const attempt of tries) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof CancelledError || err instanceof AuthError) throw err;
      last = err;
    }
  }
  throw last instanceof Error ? last : new ConnectionError(String(last));
}

/**
 * Opens a dedicated RESP2 connection and resolves once AUTH and SELECT are
 * done; rejects within the profile's connectTimeoutMs with one sentence.
 * Cluster: the first seed that answers. Sentinel: the primary the sentinels
 * name now (asked again when it answers as a replica, as during a failover).
 */
export async function openRespClient(profile: ResolvedRedisProfile, options: RespClientOptions = {}): Promise<RespClient> {
  const origin = { profile, options };
  if (profile.mode === 'cluster') {
    const seeds = profile.nodes ?? [{ host: profile.host, port: profile.port }];
    return firstThatConnects(seeds.map((seed) => () => dialResp(nodeProfile(profile, seed), { ...options, db: 0 }, origin)));
  }
  if (profile.mode !== 'sentinel') return dialResp(profile, options, origin);
  const started = Date.now();
  for (;;) {
    const primary = await sentinelPrimary(profile, sentinelDial(profile, options));
    const client = await dialResp(nodeProfile(profile, primary), options, origin);
    const role = await client.send([utf8('ROLE')]);
    const first = role.type === 'array' ? role.items[0] : undefined;
    if (!first || first.type !== 'bulk' || first.value.toString() === 'master') return client;
    client.close();
    // A failover in progress: the sentinels still name the old primary for a moment.
    if (Date.now() - started > profile.connectTimeoutMs)
      throw new ConnectionError(
        l10n.t(
          'The sentinels of Redis profile "{0}" name {1} as the primary, but it answers as a replica: a failover is under way. Try again in a few seconds.',
          profile.name,
          endpoint(primary),
        ),
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Opens one connection to the profile's host:port (a standalone server or one node). */
async function dialResp(
  profile: ResolvedRedisProfile,
  options: RespClientOptions,
  origin?: { profile: ResolvedRedisProfile; options: RespClientOptions },
): Promise<RespClient> {
  const db = options.db ?? profile.db;
  if (options.signal?.aborted) throw new CancelledError();
  const tlsOpts = tlsOptions(profile.tls, profile.host);
  const socket: net.Socket = tlsOpts ? tls.connect({ ...tlsOpts, ...dialEndpoint(profile) }) : net.connect(dialEndpoint(profile));
  socket.setNoDelay(true);
  const handshake = async (): Promise<RespClient> => {
    await new Promise<void>((resolve, reject) => {
      socket.once(tlsOpts ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', (err) => reject(describeRedisError(profile, err, db)));
    });
    const client = new RespClient(socket, profile, db, origin);
    const commands: Buffer[][] = [];
    if (options.password !== undefined) {
      commands.push(
        profile.username ? [utf8('AUTH'), utf8(profile.username), utf8(options.password)] : [utf8('AUTH'), utf8(options.password)],
      );
    }
    if (db !== 0) commands.push([utf8('SELECT'), utf8(String(db))]);
    commands.push([utf8('CLIENT'), utf8('SETNAME'), utf8(options.connectionName ?? 'broker-explorer:console')]);
    const replies = await client.sendMany(commands);
    for (const reply of replies) {
      if (reply.type === 'error') throw describeRedisError(profile, new Error(reply.message), db);
    }
    return client;
  };
  try {
    return await connectWithin(handshake(), {
      timeoutMs: profile.connectTimeoutMs,
      signal: options.signal,
      timeoutError: () =>
        new TimeoutError(
          l10n.t(
            'Redis profile "{0}" ({1}) did not complete the connection within {2} ms. Check the host, port, TLS setting and firewall.',
            profile.name,
            endpoint(profile),
            profile.connectTimeoutMs,
          ),
        ),
      cancelledError: () => new CancelledError(),
    });
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
