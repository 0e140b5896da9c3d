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
import * as l10n from '@vscode/l10n';
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
    ? result.serverVersion
      ? l10n.t('It works: server version {0}.', result.serverVersion)
      : l10n.t('It works.')
    : l10n.t('It failed: {0}', result.error ?? l10n.t('a step failed'));
  const width = Math.max(0, ...result.steps.map((s) => s.step.length));
  const steps = result.steps.map((s) => {
    const said = s.ok ? (s.detail ?? '') : (s.error ?? '');
    return `${s.ok ? '✓' : '✗'} ${s.step.padEnd(width)} ${s.ms.toFixed(1).padStart(8)} ms  ${said}`.trimEnd();
  });
  return [l10n.t('Test Connection: {0} profile "{1}" ({2})', kind, profile.name, endpoint(profile)), outcome, '', ...steps];
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
    const detail = r.value.lookedUp
      ? l10n.t('{0} resolved to {1}', host, r.value.address)
      : l10n.t('{0} is an IP address: no lookup needed', host);
    return { value: r.value.address, detail };
  });
  const raw = await rec.run('tcp', async () => {
    const r = await connectTcp(address, port, rec.remaining(), signal, rec.budgetMs);
    if (!r.ok) throw dialError(where, r);
    const s = r.value;
    return {
      value: s,
      detail: l10n.t(
        'connected {0} -> {1}',
        hostPort(s.localAddress ?? '?', s.localPort ?? 0),
        hostPort(s.remoteAddress ?? address, s.remotePort ?? port),
      ),
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
        l10n.t(
          '{0} did not answer {1} before the connect timeout ran out. Check that the port is a Redis server and the TLS setting.',
          where,
          argv[0],
        ),
      );
    return outcome;
  } catch (err) {
    if (err instanceof TimeoutError || err instanceof CancelledError) throw err;
    const bad = wire.client.protocolError;
    if (bad)
      throw new ConnectionError(
        l10n.t(
          '{0} did not answer {1} like a Redis server: it sent "{2}". Check the port and the TLS setting.',
          where,
          argv[0],
          displayBytes(bad.received, 80),
        ),
      );
    throw new ConnectionError(
      wire.socketError
        ? l10n.t(
            '{0} ended the connection after {1}: {2}. Check that the port is a Redis server and the TLS setting.',
            where,
            argv[0],
            errorMessage(wire.socketError).replace(/[.\s]+$/, ''),
          )
        : l10n.t('{0} ended the connection after {1}. Check that the port is a Redis server and the TLS setting.', where, argv[0]),
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
  const where = l10n.t('Redis profile "{0}" ({1})', profile.name, endpoint(profile));
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
          return {
            value: undefined,
            detail: profile.username ? l10n.t('AUTH accepted for user "{0}"', profile.username) : l10n.t('AUTH accepted'),
          };
        const text = shown(reply);
        if (reply.type === 'error' && /without any password configured/i.test(text))
          return { value: undefined, detail: l10n.t('the server needs no password: the one given is not used') };
        if (reply.type === 'error' && /WRONGPASS|invalid (username-)?password/i.test(text)) {
          throw new AuthError(
            profile.username
              ? l10n.t(
                  '{0} refused the login of user "{1}": wrong user name or password. Set the right password with "Set Password".',
                  where,
                  profile.username,
                )
              : l10n.t('{0} refused the login: wrong user name or password. Set the right password with "Set Password".', where),
          );
        }
        throw new AuthError(l10n.t('{0} refused AUTH: {1}. Check the user name and password.', where, text));
      });
    }
    probe.serverVersion = await rec.run('greeting', async () => {
      const started = now();
      const pong = await call(wire, rec, where, ['PING'], signal);
      const pingMs = roundMs(now() - started);
      if (pong.type === 'error' && /NOAUTH/i.test(pong.message)) {
        throw new AuthError(
          profile.username
            ? l10n.t('{0} requires a password (NOAUTH): set it with "Set Password".', where)
            : l10n.t('{0} requires a password (NOAUTH): set it with "Set Password", and the user name if it uses ACL users.', where),
        );
      }
      if (pong.type !== 'status' || pong.value !== 'PONG')
        throw new ConnectionError(
          l10n.t('{0} answered PING with "{1}" instead of PONG. Check that the port is a Redis server.', where, shown(pong)),
        );
      if (profile.db !== 0) {
        const selected = await call(wire, rec, where, ['SELECT', String(profile.db)], signal);
        if (selected.type === 'error')
          throw new NotFoundError(
            l10n.t('{0} refused database {1}: {2}. Pick a database the server has.', where, profile.db, selected.message),
          );
      }
      const info = await call(wire, rec, where, ['INFO', 'server'], signal);
      const text = info.type === 'bulk' ? info.value.toString('utf8') : '';
      const field = (name: string): string | undefined => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
      const version = field('redis_version');
      const mode = field('redis_mode');
      const parts = [l10n.t('PONG in {0} ms', pingMs)];
      if (version) parts.push(`Redis ${version}${mode ? ` (${mode})` : ''}`);
      else
        parts.push(
          info.type === 'error' ? l10n.t('INFO server gave no version ({0})', info.message) : l10n.t('INFO server gave no version'),
        );
      if (profile.db !== 0) parts.push(l10n.t('database {0} selected', profile.db));
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
  const where = l10n.t('RabbitMQ profile "{0}" ({1})', profile.name, endpoint(profile));
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
            l10n.t(
              '{0} did not answer the AMQP protocol header within the connect timeout ({1} ms). Check that the port is an AMQP port and the TLS setting (amqp:// or amqps://).',
              where,
              profile.connectTimeoutMs,
            ),
          );
        throw new ConnectionError(
          l10n.t(
            '{0} ended the connection after the AMQP protocol header: {1}. Check that the port is an AMQP 0-9-1 port and the TLS setting.',
            where,
            r.reason,
          ),
        );
      }
      const g = r.value;
      if (g.kind === 'protocolHeader')
        throw new ConnectionError(
          l10n.t(
            "{0} speaks AMQP {1}, not 0-9-1. Point the profile at an AMQP 0-9-1 listener (RabbitMQ's default is 5672).",
            where,
            g.version,
          ),
        );
      if (g.kind === 'unexpected')
        throw new ConnectionError(
          l10n.t('{0} did not answer like an AMQP broker: it sent "{1}". Check the port and the TLS setting.', where, g.preview),
        );
      const broker = describeBroker(g.start.serverProperties);
      const name = `${broker.product ?? l10n.t('an unnamed broker')}${broker.version ? ` ${broker.version}` : ''}`;
      const { versionMajor, versionMinor } = g.start;
      const mechanisms = g.start.mechanisms.join(' ');
      const detail = broker.platform
        ? l10n.t(
            'connection.start from {0} on {1} (AMQP {2}-{3}, mechanisms {4})',
            name,
            broker.platform,
            versionMajor,
            versionMinor,
            mechanisms,
          )
        : l10n.t('connection.start from {0} (AMQP {1}-{2}, mechanisms {3})', name, versionMajor, versionMinor, mechanisms);
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
      if (o.clusterName) parts.push(l10n.t('cluster {0}', o.clusterName));
      return { value: undefined, detail: parts.length > 0 ? parts.join(', ') : l10n.t('GET /api/overview answered') };
    });
  });
}
