/**
 * "Test connection" on a profile: each layer of the connection checked in
 * turn — dns, tcp, tls (when used) over raw sockets, then the protocol:
 * Redis AUTH (when a password is given) and PING / INFO server, read by the
 * one RESP reader (a RespClient on the tested socket); AMQP's
 * protocol header and connection.start, then a real amqplib login and the
 * management API. Each step is timed; the first failing step ends the test
 * with one sentence, and later steps are not run. No password ever appears
 * in a result.
 */
import type * as net from 'node:net';
import {
  AuthError,
  type BrokerError,
  CancelledError,
  ConnectionError,
  NotFoundError,
  TimeoutError,
  errorMessage,
  throwIfAborted,
} from '../errors';
import { displayBytes } from '../bytes';
import { dialEndpoint, endpoint, type Endpoint, type ResolvedRabbitProfile, type ResolvedRedisProfile, type TlsOptions } from '../profiles';
import { AMQP_PROTOCOL_HEADER, describeBroker, parseAmqpGreeting } from './amqpGreeting';
import type { SshTunnel } from '../net/sshTunnel';
import { StepFailed, StepRecorder, secretsOf, sshSteps, type ConnectionTestOptions, type ConnectionTestResult } from './testSteps';
import { connectTcp, describeTls, hostPort, now, resolveHost, roundMs, SocketReader, upgradeTls, type DialFailure } from '../net/dial';
import { adviceFor } from '../net/socketErrors';
import type { RedisReply } from '../redis/reply';
import { formatReply } from '../redis/replyFormat';
import { RespClient } from '../redis/respClient';
import { amqpLogin, managementOverview, rabbitUsesTls } from './rabbitChecks';

export type { ConnectionTestOptions, ConnectionTestResult, TestStep, TestStepName } from './testSteps';

/**
 * The result as lines a person reads (a document, the log): what was
 * tested, the outcome (with the failing step's sentence), then one line per
 * step with its time and what it found or why it failed.
 */
export function connectionTestLines(profile: ResolvedRedisProfile | ResolvedRabbitProfile, result: ConnectionTestResult): string[] {
  const kind = profile.kind === 'redis' ? 'Redis' : 'RabbitMQ';
  const outcome = result.ok
    ? `It works${result.serverVersion ? `: server version ${result.serverVersion}` : ''}.`
    : `It failed: ${result.error ?? 'a step failed'}`;
  const width = Math.max(0, ...result.steps.map((s) => s.step.length));
  const steps = result.steps.map((s) => {
    const said = s.ok ? (s.detail ?? '') : (s.error ?? '');
    return `${s.ok ? '✓' : '✗'} ${s.step.padEnd(width)} ${s.ms.toFixed(1).padStart(8)} ms  ${said}`.trimEnd();
  });
  return [`Test Connection: ${kind} profile "${profile.name}" (${endpoint(profile)})`, outcome, '', ...steps];
}
function dialError(where: string, failure: DialFailure): BrokerError {
  if (failure.kind === 'cancelled') return new CancelledError();
  const message = `${where}: ${failure.reason}. ${adviceFor(failure.kind)}`;
  return failure.kind === 'timeout' ? new TimeoutError(message) : new ConnectionError(message);
}
/** The dns, tcp and tls steps; resolves with the connected (and secured) socket. */
async function openSteps(
  rec: StepRecorder,
  where: string,
  dial: Endpoint,
  tlsHost: string,
  tls: TlsOptions | undefined,
  signal?: AbortSignal,
): Promise<net.Socket> {
  const { host, port } = dial;
  const address = await rec.run('dns', async () => {
    const r = await resolveHost(host, rec.remaining(), signal);
    if (!r.ok) throw dialError(where, r);
    const detail = r.value.lookedUp ? `${host} resolved to ${r.value.address}` : `${host} is an IP address: no lookup needed`;
    return { value: r.value.address, detail };
  });
  const raw = await rec.run('tcp', async () => {
    const r = await connectTcp(address, port, rec.remaining(), signal, rec.budgetMs);
    if (!r.ok) throw dialError(where, r);
    const s = r.value;
    return {
      value: s,
      detail: `connected ${hostPort(s.localAddress ?? '?', s.localPort ?? 0)} -> ${hostPort(s.remoteAddress ?? address, s.remotePort ?? port)}`,
    };
  });
  raw.setNoDelay(true);
  if (!tls) return raw;
  return rec.run('tls', async () => {
    const r = await upgradeTls(raw, tlsHost, port, tls, rec.remaining(), signal, rec.budgetMs);
    if (!r.ok) throw dialError(where, r);
    return { value: r.value.socket, detail: describeTls(r.value.info) };
  });
}

// ---------------------------------------------------------------- Redis: request / reply over the one RESP client

/** The Redis steps' connection: the one RESP reader (RespClient over respParser) on the tested socket. */
interface RedisWire {
  client: RespClient;
  /** The last socket error, for the sentence when the server drops the connection. */
  socketError: Error | undefined;
}

/** A reply in one line, for a sentence. */
function shown(reply: RedisReply): string {
  if (reply.type === 'status') return reply.value;
  if (reply.type === 'error') return reply.message;
  if (reply.type === 'bulk') return displayBytes(reply.value, 80);
  return formatReply(reply).replace(/\n/g, ' ');
}

/** One request, one reply, within the handshake budget. */
async function call(wire: RedisWire, rec: StepRecorder, where: string, argv: string[], signal?: AbortSignal): Promise<RedisReply> {
  throwIfAborted(signal);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<'timeout' | 'cancelled'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), rec.remaining());
    onAbort = (): void => resolve('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const outcome = await Promise.race([wire.client.send(argv.map((a) => Buffer.from(a, 'utf8'))), stop]);
    if (outcome === 'cancelled') throw new CancelledError();
    if (outcome === 'timeout')
      throw new TimeoutError(
        `${where} did not answer ${argv[0]} before the connect timeout ran out. Check that the port is a Redis server and the TLS setting.`,
      );
    return outcome;
  } catch (err) {
    if (err instanceof TimeoutError || err instanceof CancelledError) throw err;
    const bad = wire.client.protocolError;
    if (bad)
      throw new ConnectionError(
        `${where} did not answer ${argv[0]} like a Redis server: it sent "${displayBytes(bad.received, 80)}". Check the port and the TLS setting.`,
      );
    const why = wire.socketError ? `: ${errorMessage(wire.socketError).replace(/[.\s]+$/, '')}` : '';
    throw new ConnectionError(
      `${where} ended the connection after ${argv[0]}${why}. Check that the port is a Redis server and the TLS setting.`,
    );
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** What a protocol's steps get: the recorder, the open socket, the profile as dialled (through the tunnel) and where to put the version. */
interface Probe<P> {
  rec: StepRecorder;
  socket: net.Socket;
  dialled: P;
  serverVersion?: string;
}

/**
 * ssh (when used), dns, tcp and tls, then the protocol's `steps`. The result carries the server version the steps found
 * (also when a later step failed); the socket and the tunnel are closed after.
 */
async function probeProfile<P extends ResolvedRedisProfile | ResolvedRabbitProfile>(
  where: string,
  profile: P,
  tls: TlsOptions | undefined,
  password: string | undefined,
  options: ConnectionTestOptions,
  steps: (probe: Probe<P>) => Promise<void>,
): Promise<ConnectionTestResult> {
  const { signal } = options;
  const rec = new StepRecorder(profile.connectTimeoutMs, secretsOf(password, options), signal);
  let probe: Probe<P> | undefined;
  let tunnel: SshTunnel | undefined;
  const withVersion = (result: ConnectionTestResult): ConnectionTestResult => {
    if (probe?.serverVersion) result.serverVersion = probe.serverVersion;
    return result;
  };
  try {
    const reached = await sshSteps(rec, profile, options);
    tunnel = reached.tunnel;
    const socket = await openSteps(rec, where, dialEndpoint(reached.profile), profile.host, tls, signal);
    probe = { rec, socket, dialled: reached.profile };
    await steps(probe);
    return withVersion({ ok: true, steps: rec.steps });
  } catch (err) {
    if (err instanceof StepFailed) return withVersion({ ok: false, steps: rec.steps, error: err.message });
    throw err;
  } finally {
    probe?.socket.destroy();
    tunnel?.close();
  }
}

// ---------------------------------------------------------------- Redis

/** dns, tcp, tls (when used), auth (when a password is given), greeting. */
export async function testRedisProfile(
  profile: ResolvedRedisProfile,
  password?: string,
  options: ConnectionTestOptions = {},
): Promise<ConnectionTestResult> {
  const { signal } = options;
  const where = `Redis profile "${profile.name}" (${endpoint(profile)})`;
  const tls = profile.tls && profile.tls.enabled !== false ? profile.tls : undefined;
  return probeProfile(where, profile, tls, password, options, async (probe) => {
    const { rec, socket: s } = probe;
    const wire: RedisWire = { client: new RespClient(s, profile, 0), socketError: undefined };
    s.on('error', (err) => (wire.socketError = err));
    if (password !== undefined && password !== '') {
      await rec.run('auth', async () => {
        const argv = profile.username ? ['AUTH', profile.username, password] : ['AUTH', password];
        const reply = await call(wire, rec, where, argv, signal);
        if (reply.type === 'status')
          return { value: undefined, detail: `AUTH accepted${profile.username ? ` for user "${profile.username}"` : ''}` };
        const text = shown(reply);
        if (reply.type === 'error' && /without any password configured/i.test(text))
          return { value: undefined, detail: 'the server needs no password: the one given is not used' };
        if (reply.type === 'error' && /WRONGPASS|invalid (username-)?password/i.test(text)) {
          throw new AuthError(
            `${where} refused the login${profile.username ? ` of user "${profile.username}"` : ''}: wrong user name or password. Set the right password with "Set Password".`,
          );
        }
        throw new AuthError(`${where} refused AUTH: ${text}. Check the user name and password.`);
      });
    }
    probe.serverVersion = await rec.run('greeting', async () => {
      const started = now();
      const pong = await call(wire, rec, where, ['PING'], signal);
      const pingMs = roundMs(now() - started);
      if (pong.type === 'error' && /NOAUTH/i.test(pong.message)) {
        throw new AuthError(
          `${where} requires a password (NOAUTH): set it with "Set Password"${profile.username ? '' : ', and the user name if it uses ACL users'}.`,
        );
      }
      if (pong.type !== 'status' || pong.value !== 'PONG')
        throw new ConnectionError(`${where} answered PING with "${shown(pong)}" instead of PONG. Check that the port is a Redis server.`);
      if (profile.db !== 0) {
        const selected = await call(wire, rec, where, ['SELECT', String(profile.db)], signal);
        if (selected.type === 'error')
          throw new NotFoundError(`${where} refused database ${profile.db}: ${selected.message}. Pick a database the server has.`);
      }
      const info = await call(wire, rec, where, ['INFO', 'server'], signal);
      const text = info.type === 'bulk' ? info.value.toString('utf8') : '';
      const field = (name: string): string | undefined => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
      const version = field('redis_version');
      const mode = field('redis_mode');
      const parts = [`PONG in ${pingMs} ms`];
      if (version) parts.push(`Redis ${version}${mode ? ` (${mode})` : ''}`);
      else parts.push(`INFO server gave no version${info.type === 'error' ? ` (${info.message})` : ''}`);
      if (profile.db !== 0) parts.push(`database ${profile.db} selected`);
      return { value: version, detail: parts.join('; ') };
    });
  });
}

// ---------------------------------------------------------------- RabbitMQ

/** dns, tcp, tls (when used), greeting (AMQP header → connection.start), auth (amqplib login), management. */
export async function testRabbitProfile(
  profile: ResolvedRabbitProfile,
  password?: string,
  options: ConnectionTestOptions = {},
): Promise<ConnectionTestResult> {
  const { signal } = options;
  const where = `RabbitMQ profile "${profile.name}" (${endpoint(profile)})`;
  const tls = rabbitUsesTls(profile) ? { ...profile.tls } : undefined;
  return probeProfile(where, profile, tls, password, options, async (probe) => {
    const { rec, socket: s, dialled } = probe;
    const reader = new SocketReader(s, profile.host, profile.port);
    probe.serverVersion = await rec.run('greeting', async () => {
      s.write(AMQP_PROTOCOL_HEADER);
      const r = await reader.read(parseAmqpGreeting, rec.remaining(), signal);
      if (!r.ok) {
        if (r.reason === 'cancelled') throw new CancelledError();
        if (r.timedOut)
          throw new TimeoutError(
            `${where} did not answer the AMQP protocol header within the connect timeout (${profile.connectTimeoutMs} ms). Check that the port is an AMQP port and the TLS setting (amqp:// or amqps://).`,
          );
        throw new ConnectionError(
          `${where} ended the connection after the AMQP protocol header: ${r.reason}. Check that the port is an AMQP 0-9-1 port and the TLS setting.`,
        );
      }
      const g = r.value;
      if (g.kind === 'protocolHeader')
        throw new ConnectionError(
          `${where} speaks AMQP ${g.version}, not 0-9-1. Point the profile at an AMQP 0-9-1 listener (RabbitMQ's default is 5672).`,
        );
      if (g.kind === 'unexpected')
        throw new ConnectionError(
          `${where} did not answer like an AMQP broker: it sent "${g.preview}". Check the port and the TLS setting.`,
        );
      const broker = describeBroker(g.start.serverProperties);
      const detail = `connection.start from ${broker.product ?? 'an unnamed broker'}${broker.version ? ` ${broker.version}` : ''}${broker.platform ? ` on ${broker.platform}` : ''} (AMQP ${g.start.versionMajor}-${g.start.versionMinor}, mechanisms ${g.start.mechanisms.join(' ')})`;
      s.end();
      return { value: broker.version, detail };
    });
    s.destroy();
    await rec.run('auth', async () => ({ value: undefined, detail: await amqpLogin(dialled, password, rec.remaining(), signal) }));
    await rec.run('management', async () => {
      const o = await managementOverview(dialled, password, profile.connectTimeoutMs, signal);
      probe.serverVersion ??= o.rabbitmqVersion;
      const parts: string[] = [];
      if (o.managementVersion) parts.push(`management_version ${o.managementVersion}`);
      if (o.rabbitmqVersion) parts.push(`rabbitmq_version ${o.rabbitmqVersion}`);
      if (o.clusterName) parts.push(`cluster ${o.clusterName}`);
      return { value: undefined, detail: parts.length > 0 ? parts.join(', ') : 'GET /api/overview answered' };
    });
  });
}
