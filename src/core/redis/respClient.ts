/**
 * A dedicated RESP2 connection on a raw socket, for the console and the
 * command runner: replies come back exactly (status vs bulk, 64-bit
 * integers), and connection state (SELECT, MULTI, WATCH) belongs to its one
 * owner. The handshake (TCP, TLS, AUTH, SELECT, CLIENT SETNAME) is bounded by
 * the profile's connectTimeoutMs. No reconnect: the owner opens a new one.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { CancelledError, ConnectionError, TimeoutError } from '../errors';
import { endpoint, type ResolvedRedisProfile } from '../profiles';
import { connectWithin } from '../net/deadline';
import { tlsOptions } from '../net/tls';
import { describeRedisError } from './connection';
import type { RedisReply, ReplySource } from './reply';
import { encodeCommand, encodeCommands, RespReader } from './respParser';

export interface RespClientOptions {
  /** Database to select; the profile's own when absent. */
  db?: number;
  password?: string;
  /** Connection name shown by CLIENT LIST (default `broker-explorer:console`). */
  connectionName?: string;
  signal?: AbortSignal;
}

interface Pending {
  resolve: (reply: RedisReply) => void;
  reject: (err: Error) => void;
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Emits `close` (with the reason) once the connection is gone. */
export class RespClient extends EventEmitter<{ close: [reason: Error] }> implements ReplySource {
  private readonly queue: (Pending | undefined)[] = [];
  private head = 0;
  private closedReason: Error | undefined;
  /** The database currently selected (follows SELECT and RESET). */
  db: number;

  constructor(
    private readonly socket: net.Socket,
    readonly profile: ResolvedRedisProfile,
    db: number,
  ) {
    super();
    this.db = db;
    const reader = new RespReader((reply) => this.onReply(reply));
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.feed(chunk);
      } catch (err) {
        this.fail(
          new ConnectionError(
            `Redis profile "${profile.name}" sent a reply that is not RESP2 (${err instanceof Error ? err.message : String(err)}); the connection was closed.`,
          ),
        );
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.fail(describeRedisError(profile, err)));
    socket.on('close', () =>
      this.fail(new ConnectionError(`The connection to Redis profile "${profile.name}" (${endpoint(profile)}) was closed.`)),
    );
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
    const p = new Promise<RedisReply>((resolve, reject) => this.queue.push({ resolve, reject }));
    this.socket.write(encodeCommand(argv));
    return p.then((reply) => this.track(argv, reply));
  }

  /** Sends several commands in one write; resolves with their replies in order. */
  sendMany(argvs: readonly (readonly Buffer[])[]): Promise<RedisReply[]> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    if (argvs.length === 0) return Promise.resolve([]);
    const promises = argvs.map((argv) =>
      new Promise<RedisReply>((resolve, reject) => this.queue.push({ resolve, reject })).then((r) => this.track(argv, r)),
    );
    this.socket.write(encodeCommands(argvs));
    return Promise.all(promises);
  }

  /** Closes the connection; pending commands reject. */
  close(): void {
    this.socket.destroy();
  }

  private track(argv: readonly Buffer[], reply: RedisReply): RedisReply {
    if (reply.type !== 'status' || argv.length === 0) return reply;
    const name = argv[0].toString('latin1').toUpperCase();
    if (name === 'SELECT' && argv.length === 2) this.db = Number(argv[1].toString('latin1'));
    else if (name === 'RESET') this.db = 0;
    return reply;
  }

  private onReply(reply: RedisReply): void {
    const entry = this.queue[this.head];
    if (!entry) return;
    this.queue[this.head] = undefined;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
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
 * Opens a dedicated RESP2 connection and resolves once AUTH and SELECT are
 * done; rejects within the profile's connectTimeoutMs with one sentence.
 */
export async function openRespClient(profile: ResolvedRedisProfile, options: RespClientOptions = {}): Promise<RespClient> {
  const db = options.db ?? profile.db;
  if (options.signal?.aborted) throw new CancelledError();
  const tlsOpts = tlsOptions(profile.tls, profile.host);
  const socket: net.Socket = tlsOpts
    ? tls.connect({ ...tlsOpts, host: profile.host, port: profile.port })
    : net.connect({ host: profile.host, port: profile.port });
  socket.setNoDelay(true);
  const handshake = async (): Promise<RespClient> => {
    await new Promise<void>((resolve, reject) => {
      socket.once(tlsOpts ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', (err) => reject(describeRedisError(profile, err, db)));
    });
    const client = new RespClient(socket, profile, db);
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
          `Redis profile "${profile.name}" (${endpoint(profile)}) did not complete the connection within ${profile.connectTimeoutMs} ms. Check the host, port, TLS setting and firewall.`,
        ),
      cancelledError: () => new CancelledError(),
    });
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
