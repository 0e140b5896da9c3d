/**
 * The management API's transport: JSON over node:http / node:https (a
 * profile's own CA or client certificate needs node:https; Node's fetch
 * cannot take them), basic auth, keep-alive, every request bounded by the
 * profile's connectTimeoutMs, and failures as typed one-sentence errors.
 */
import * as l10n from '@vscode/l10n';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { AuthError, BrokerError, CancelledError, ConnectionError, InputError, NotFoundError, PermissionError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { managementRequestUrl, managementTargets, redactText, type Endpoint, type ResolvedRabbitProfile } from '../profiles';
import { classifySocketError, socketError, socketFailureOf, type SocketFailure } from '../net/socketErrors';
import { tlsOptions } from '../net/tls';

export type QueryValue = string | number | boolean | undefined;

export interface HttpCall {
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path under the management base URL, every name already percent-encoded: `/api/queues/%2F`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** What is being done, for error sentences: `listing queues of vhost "/"`. */
  what: string;
  /** What a 404 means here, for its sentence: `queue "a" in vhost "/"`. */
  notFound?: string;
}

export interface HttpReply {
  status: number;
  body: unknown;
}

/** Largest reply body accepted (bindings are unpaged on the broker's side). */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** `%2F` for `/`: every name in a management path goes through this. */
export function encodeName(name: string): string {
  return encodeURIComponent(name);
}

/** One management API base URL and the keep-alive agent for it. */
interface Target {
  url: string;
  /** Its SSH forward, when the profile has one. */
  via?: Endpoint;
  base: URL;
  agent: HttpAgent | HttpsAgent;
}

/** Failures below HTTP after which the next management URL is tried (an HTTP status is an answer, never a failover). */
const FAILOVER_CODES: ReadonlySet<string> = new Set(['refused', 'notFound', 'unreachable', 'timeout', 'reset', 'closed']);

export class ManagementHttp {
  /** The profile's management URLs, each with its SSH forward when it has one. */
  private readonly targets: Target[];
  /** The URL that answered last: calls go there first. */
  private current = 0;
  private readonly auth: string;

  constructor(
    readonly profile: ResolvedRabbitProfile,
    private readonly password: string | undefined,
    private readonly logger: Logger = silentLogger,
  ) {
    this.auth = `Basic ${Buffer.from(`${profile.username}:${password ?? ''}`).toString('base64')}`;
    this.targets = managementTargets(profile).map(({ url, via }) => {
      const base = new URL(url);
      const agent =
        base.protocol === 'https:'
          ? new HttpsAgent({ keepAlive: true, maxSockets: 8, ...tlsOptions(profile.tls ?? { enabled: true }, base.hostname) })
          : new HttpAgent({ keepAlive: true, maxSockets: 8 });
      return via ? { url, via, base, agent } : { url, base, agent };
    });
  }

  /** The management URL calls go to first (the one that answered last). */
  get activeUrl(): string {
    return this.targets[this.current].url;
  }

  private redact(text: string): string {
    return redactText(text, this.password ? [this.password] : []);
  }

  private where(call: HttpCall, target: Target = this.targets[this.current]): string {
    return l10n.t('{0} through the management API of profile "{1}" ({2})', capitalized(call.what), this.profile.name, target.url);
  }

  /** Sends a call; any status ≥ 400 other than the ones the caller accepts becomes a typed error. */
  async send(call: HttpCall, accept: readonly number[] = []): Promise<HttpReply> {
    const reply = await this.raw(call);
    if (reply.status < 400 || accept.includes(reply.status)) return reply;
    throw this.statusError(call, reply);
  }

  statusError(call: HttpCall, reply: HttpReply): BrokerError {
    const where = this.where(call);
    const reason = this.redact(replyReason(reply.body));
    switch (reply.status) {
      case 401:
        return new AuthError(
          l10n.t(
            '{0} failed: the login of user "{1}" was refused; set the right password with "Set Password" (the user also needs the "management" tag).',
            where,
            this.profile.username,
          ),
        );
      case 403:
        return new PermissionError(
          l10n.t(
            '{0} failed: user "{1}" is not allowed to do this ({2}); give it the needed tag or vhost permission.',
            where,
            this.profile.username,
            reason,
          ),
        );
      case 404:
        return new NotFoundError(l10n.t('{0} failed: {1} was not found; check the name.', where, call.notFound ?? l10n.t('the object')));
      case 400:
        return new InputError(l10n.t('{0} failed: the broker refused the request ({1}).', where, reason));
      default:
        return new BrokerError(l10n.t('{0} failed: HTTP {1} ({2}).', where, reply.status, reason));
    }
  }

  /**
   * Sends a call and returns status and parsed JSON body, whatever the
   * status. A URL that cannot be reached (refused, no answer within
   * connectTimeoutMs, …) hands the call to the next one; when none answers,
   * one sentence names every URL tried.
   */
  async raw(call: HttpCall): Promise<HttpReply> {
    const n = this.targets.length;
    const start = this.current;
    const failures: string[] = [];
    let last: BrokerError | undefined;
    for (let i = 0; i < n; i++) {
      const index = (start + i) % n;
      const target = this.targets[index];
      try {
        const reply = await this.rawOn(target, call);
        this.current = index;
        return reply;
      } catch (err) {
        const failure = socketFailureOf(err);
        if (n === 1 || !(err instanceof BrokerError) || !failure || !FAILOVER_CODES.has(failure.code)) throw err;
        last = err;
        failures.push(
          `${target.url} (${failure.code === 'timeout' ? l10n.t('no answer within {0} ms', this.profile.connectTimeoutMs) : failure.detail.replace(/[.\s]+$/, '')})`,
        );
        this.logger.debug(`management API of "${this.profile.name}": ${target.url} did not answer (${failure.code}); trying the next URL`);
      }
    }
    const cause = socketFailureOf(last) ?? { code: 'other' as const, detail: l10n.t('no URL answered') };
    throw socketError(
      cause,
      l10n.t(
        '{0} through the management API of profile "{1}" failed on every management URL: {2}; check that at least one node runs with the management plugin and that "managementUrls" is right.',
        capitalized(call.what),
        this.profile.name,
        failures.join(', '),
      ),
    );
  }

  /** One call to one management URL (through its SSH forward, when it has one). */
  private async rawOn(target: Target, call: HttpCall): Promise<HttpReply> {
    const where = this.where(call, target);
    if (call.signal?.aborted) throw new CancelledError(l10n.t('{0} was cancelled.', where));
    const url = new URL(managementRequestUrl({ managementUrl: target.url, managementVia: target.via }, call.path));
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const timeout = AbortSignal.timeout(this.profile.connectTimeoutMs);
    const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
    const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    const started = Date.now();
    try {
      const reply = await new Promise<HttpReply>((resolve, reject) => {
        const headers: Record<string, string> = { authorization: this.auth, accept: 'application/json', ...call.headers };
        if (payload) {
          headers['content-type'] = 'application/json';
          headers['content-length'] = String(payload.length);
        }
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(url, { method: call.method ?? 'GET', headers, agent: target.agent, signal }, (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_REPLY_BYTES) {
              req.destroy(new Error(l10n.t('the reply is larger than {0} bytes', MAX_REPLY_BYTES)));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            if (text !== '') {
              try {
                body = JSON.parse(text) as unknown;
              } catch {
                body = text;
              }
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        });
        req.on('error', reject);
        req.end(payload);
      });
      this.logger.trace(`management ${call.method ?? 'GET'} ${url.pathname}${url.search} → ${reply.status} in ${Date.now() - started} ms`);
      return reply;
    } catch (err) {
      if (call.signal?.aborted) throw this.failure(call, { code: 'cancelled', detail: 'cancelled' }, target);
      if (timeout.aborted)
        throw this.failure(call, { code: 'timeout', detail: l10n.t('no answer within {0} ms', this.profile.connectTimeoutMs) }, target);
      throw this.failure(call, err, target);
    }
  }

  /** The sentence for a call that failed below HTTP: the error (or its failure) is classified by the one classifier. */
  failure(call: HttpCall, err: unknown, target: Target = this.targets[this.current]): BrokerError {
    const where = this.where(call, target);
    const classified = isFailure(err) ? err : classifySocketError(err);
    const failure: SocketFailure = { ...classified, detail: this.redact(classified.detail) };
    const detail = failure.detail.replace(/[.\s]+$/, '');
    switch (failure.code) {
      case 'refused':
        return socketError(
          failure,
          l10n.t('{0} failed: the connection was refused; check the management URL and that the management plugin is enabled.', where),
        );
      case 'notFound':
        return socketError(
          failure,
          l10n.t('{0} failed: the host name "{1}" was not found; check the management URL.', where, target.base.hostname),
        );
      case 'unreachable':
        return socketError(failure, l10n.t('{0} failed: the host is unreachable; check the network and the management URL.', where));
      case 'tls':
        return socketError(
          failure,
          l10n.t(
            '{0} failed: the TLS handshake failed ({1}); check the CA file, or allow self-signed certificates in the profile.',
            where,
            detail,
          ),
        );
      case 'timeout':
        return socketError(
          failure,
          l10n.t(
            '{0} got no answer within {1} ms; check the management URL and that the management plugin is enabled.',
            where,
            this.profile.connectTimeoutMs,
          ),
        );
      case 'reset':
      case 'closed':
        return socketError(
          failure,
          l10n.t('{0} failed: the connection was lost ({1}); check the management URL, then try again.', where, detail),
        );
      case 'cancelled':
        return socketError(failure, l10n.t('{0} was cancelled.', where));
      case 'other':
        return new ConnectionError(l10n.t('{0} failed: {1}.', where, detail));
    }
  }

  /** Closes idle keep-alive sockets. */
  dispose(): void {
    for (const target of this.targets) target.agent.destroy();
  }
}

function capitalized(what: string): string {
  return `${what.charAt(0).toUpperCase()}${what.slice(1)}`;
}

function isFailure(value: unknown): value is SocketFailure {
  return typeof value === 'object' && value !== null && !(value instanceof Error) && 'code' in value && 'detail' in value;
}

/** The `reason` (or `error`) of a management API error body. */
export function replyReason(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const o = body as { reason?: unknown; error?: unknown };
    if (typeof o.reason === 'string') return o.reason;
    if (typeof o.error === 'string') return o.error;
  }
  return typeof body === 'string' ? body.slice(0, 200) : l10n.t('no reason given');
}

/** True for the 400 the broker gives for a page past the end. */
export function isPageOutOfRange(reply: HttpReply): boolean {
  if (reply.status !== 400 || typeof reply.body !== 'object' || reply.body === null) return false;
  return (reply.body as { error?: unknown }).error === 'page_out_of_range';
}
