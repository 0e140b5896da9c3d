/**
 * The two RabbitMQ checks of "Test connection" that go past the raw
 * greeting: a real AMQP login with amqplib (credentials, vhost) and a GET of
 * the management API's /api/overview with basic auth. Each resolves with a
 * detail phrase or throws one sentence; the password never appears in either.
 */
import * as l10n from '@vscode/l10n';
import * as https from 'node:https';
import { connect as amqpConnect, type ChannelModel, type Options, type SocketOptions } from 'amqplib';
import { AuthError, BrokerError, CancelledError, ConnectionError, NotFoundError, TimeoutError, errorMessage } from '../errors';
import {
  dialEndpoint,
  endpoint,
  managementEndpoint,
  managementRequestUrl,
  managementTargets,
  redactText,
  type ResolvedRabbitProfile,
} from '../profiles';
import { connectWithin } from '../net/deadline';
import { describeSocketError } from '../net/dial';
import { tlsOptions } from '../net/tls';

/** Whether the profile's AMQP connection uses TLS. */
export function rabbitUsesTls(profile: ResolvedRabbitProfile): boolean {
  return profile.amqps || profile.tls?.enabled === true;
}

function where(profile: ResolvedRabbitProfile): string {
  return l10n.t('RabbitMQ profile "{0}" ({1})', profile.name, endpoint(profile));
}

/** Turns an amqplib connect error into one sentence. */
export function describeAmqpLoginError(profile: ResolvedRabbitProfile, err: unknown, password: string | undefined): BrokerError {
  if (err instanceof BrokerError) return err;
  const raw = redactText(errorMessage(err), password ? [password] : []);
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (/ACCESS[-_]REFUSED|403/.test(raw)) {
    const why = password === undefined ? l10n.t('no password is stored for it') : l10n.t('wrong user name or password');
    return new AuthError(
      l10n.t(
        '{0} refused the login of user "{1}": {2} (ACCESS_REFUSED). Set the right password with "Set Password".',
        where(profile),
        profile.username,
        why,
      ),
    );
  }
  // amqplib drops the close reason when the broker refuses connection.open: that is the vhost.
  if (/NOT[-_]ALLOWED|vhost .* not found|530|Expected ConnectionOpenOk; got <ConnectionClose/.test(raw)) {
    return new NotFoundError(
      l10n.t(
        '{0} refused the virtual host "{1}": it does not exist or user "{2}" has no access to it. Check the vhost in the profile\'s URL and the user\'s permissions.',
        where(profile),
        profile.vhost,
        profile.username,
      ),
    );
  }
  if (typeof code === 'string' || /ECONN|ETIMEDOUT|ENOTFOUND/.test(raw)) {
    return new ConnectionError(
      l10n.t(
        '{0}: the AMQP connection failed: {1}. Check the host and port.',
        where(profile),
        describeSocketError(err, 'tcp', profile.host, profile.port).reason,
      ),
    );
  }
  return new ConnectionError(
    l10n.t("{0}: the AMQP login failed: {1}. Check the profile's URL, user and password.", where(profile), raw.replace(/[.\s]+$/, '')),
  );
}

/**
 * Opens a real amqplib connection with the profile's credentials and closes
 * it again. Resolves with a detail phrase.
 */
export async function amqpLogin(
  profile: ResolvedRabbitProfile,
  password: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const url: Options.Connect = {
    protocol: rabbitUsesTls(profile) ? 'amqps' : 'amqp',
    hostname: dialEndpoint(profile).host,
    port: dialEndpoint(profile).port,
    username: profile.username,
    password: password ?? '',
    // amqplib unescapes the vhost of an object URL, so escape it here.
    vhost: encodeURIComponent(profile.vhost),
    heartbeat: 0,
  };
  const socketOptions: SocketOptions = {
    noDelay: true,
    timeout: Math.max(1, Math.round(timeoutMs)),
    clientProperties: { connection_name: `Broker Explorer connection test (${profile.name})` },
  };
  if (rabbitUsesTls(profile)) Object.assign(socketOptions, tlsOptions({ ...profile.tls, enabled: true }, profile.host) ?? {});
  let model: ChannelModel;
  try {
    model = await connectWithin(amqpConnect(url, socketOptions), {
      timeoutMs,
      signal,
      timeoutError: () =>
        new TimeoutError(
          l10n.t(
            '{0} did not complete the AMQP login within {1} ms. Check the host, port, TLS setting and firewall.',
            where(profile),
            Math.round(timeoutMs),
          ),
        ),
      cancelledError: () => new CancelledError(),
      // A connection that opens after we gave up is closed at once.
      discard: (late) => {
        late.on('error', () => undefined);
        void late.close().catch(() => undefined);
      },
    });
  } catch (err) {
    throw describeAmqpLoginError(profile, err, password);
  }
  model.on('error', () => undefined);
  const props = model.connection.serverProperties;
  try {
    await model.close();
  } catch {
    // Closing a connection that the broker already closed is not a failure of the login.
  }
  const product =
    typeof props.product === 'string'
      ? `${props.product} ${typeof props.version === 'string' ? props.version : ''}`.trim()
      : l10n.t('the broker');
  return l10n.t('logged in as "{0}" to vhost "{1}" of {2}, then closed', profile.username, profile.vhost, product);
}

export interface ManagementOverview {
  managementVersion?: string;
  rabbitmqVersion?: string;
  productName?: string;
  productVersion?: string;
  clusterName?: string;
}

interface HttpAnswer {
  status: number;
  body: string;
}

/** GET with basic auth: fetch for plain http, node:https when the profile's TLS files or self-signed setting matter. */
async function httpGet(url: string, authorization: string, profile: ResolvedRabbitProfile, signal: AbortSignal): Promise<HttpAnswer> {
  const custom = url.startsWith('https:') && profile.tls !== undefined;
  if (!custom) {
    const res = await fetch(url, { headers: { authorization, accept: 'application/json' }, signal, redirect: 'error' });
    return { status: res.status, body: await res.text() };
  }
  const options: https.RequestOptions = {
    ...(tlsOptions({ ...profile.tls, enabled: true }, new URL(url).hostname) ?? {}),
    headers: { authorization, accept: 'application/json' },
    signal,
  };
  return new Promise((resolve, reject) => {
    const req = https.get(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function causeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'cause' in err ? ((err as { cause?: unknown }).cause ?? err) : err;
}

/**
 * GET /api/overview with the profile's user and password, on the first of
 * its management URLs that can be reached (each within `timeoutMs`; behind
 * SSH only the first, which the tunnel forwards). An HTTP answer is final;
 * when no URL can be reached, one sentence names every URL tried.
 */
export async function managementOverview(
  profile: ResolvedRabbitProfile,
  password: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ManagementOverview & { answeredBy: string }> {
  const targets = managementTargets(profile);
  const failures: string[] = [];
  let last: unknown;
  for (const { url: base, via } of targets) {
    try {
      const url = managementRequestUrl({ managementUrl: base, managementVia: via }, '/api/overview');
      return { ...(await overviewAt(profile, base, url, password, timeoutMs, signal)), answeredBy: base };
    } catch (err) {
      if (targets.length === 1 || !(err instanceof ConnectionError || err instanceof TimeoutError) || err instanceof UnreadableAnswer)
        throw err;
      last = err;
      failures.push(
        errorMessage(err)
          .replace(/^The management API of RabbitMQ profile "[^"]*" at /, '')
          .replace(/\. Check .*$/, ''),
      );
    }
  }
  throw new (last instanceof TimeoutError ? TimeoutError : ConnectionError)(
    l10n.t(
      'No management API of RabbitMQ profile "{0}" could be reached: {1}. Check "managementUrls" and that at least one node runs with the rabbitmq_management plugin enabled.',
      profile.name,
      failures.join('; '),
    ),
  );
}

/** An answer that is not RabbitMQ's (a status other than 2xx, or not JSON): the URL was reached, so no other one is tried. */
class UnreadableAnswer extends ConnectionError {}

async function overviewAt(
  profile: ResolvedRabbitProfile,
  base: string,
  url: string,
  password: string | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<ManagementOverview> {
  const authorization = `Basic ${Buffer.from(`${profile.username}:${password ?? ''}`).toString('base64')}`;
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(timeoutMs)));
  const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
  let answer: HttpAnswer;
  try {
    answer = await httpGet(url, authorization, profile, combined);
  } catch (err) {
    if (signal?.aborted) throw new CancelledError();
    if (timeout.aborted)
      throw new TimeoutError(
        l10n.t(
          'The management API of RabbitMQ profile "{0}" at {1} did not answer within {2} ms. Check "managementUrl" and that the rabbitmq_management plugin is enabled.',
          profile.name,
          base,
          Math.round(timeoutMs),
        ),
      );
    const cause = causeOf(err);
    const u = new URL(base);
    const { port } = managementEndpoint(base);
    const reason = describeSocketError(
      cause,
      u.protocol === 'https:' && /certificate|SSL|TLS/i.test(errorMessage(cause)) ? 'tls' : 'tcp',
      u.hostname,
      port,
    ).reason;
    throw new ConnectionError(
      l10n.t(
        'The management API of RabbitMQ profile "{0}" at {1} cannot be reached: {2}. Check "managementUrl" and that the rabbitmq_management plugin is enabled.',
        profile.name,
        base,
        redactText(reason, password ? [password] : []),
      ),
    );
  }
  if (answer.status === 401) {
    throw new AuthError(
      l10n.t(
        'The management API of RabbitMQ profile "{0}" at {1} refused the login of user "{2}" (HTTP 401): {3}. Set the right password with "Set Password" or give the user the "management" tag.',
        profile.name,
        base,
        profile.username,
        password === undefined ? l10n.t('no password is stored for it') : l10n.t('wrong password, or the user has no management tag'),
      ),
    );
  }
  if (answer.status === 404) {
    throw new NotFoundError(
      l10n.t(
        'The management API of RabbitMQ profile "{0}" was not found at {1} (HTTP 404 for /api/overview). Check "managementUrl".',
        profile.name,
        base,
      ),
    );
  }
  if (answer.status < 200 || answer.status >= 300) {
    throw new UnreadableAnswer(
      l10n.t(
        'The management API of RabbitMQ profile "{0}" at {1} answered HTTP {2} for /api/overview. Check "managementUrl" and the broker\'s log.',
        profile.name,
        base,
        answer.status,
      ),
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    throw new UnreadableAnswer(
      l10n.t(
        'The management API of RabbitMQ profile "{0}" at {1} did not answer JSON for /api/overview: is it a RabbitMQ management endpoint? Check "managementUrl".',
        profile.name,
        base,
      ),
    );
  }
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (key: string): string | undefined => (typeof o[key] === 'string' ? o[key] : undefined);
  const out: ManagementOverview = {};
  const fields: [keyof ManagementOverview, string][] = [
    ['managementVersion', 'management_version'],
    ['rabbitmqVersion', 'rabbitmq_version'],
    ['productName', 'product_name'],
    ['productVersion', 'product_version'],
    ['clusterName', 'cluster_name'],
  ];
  for (const [key, field] of fields) {
    const v = text(field);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
