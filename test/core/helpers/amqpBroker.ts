/**
 * Test fixtures for the real RabbitMQ on 127.0.0.1: a vhost of the test's
 * own (created through the management API, deleted afterwards), core
 * sessions on it, and plain amqplib connections for "the other side".
 */
import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { AmqpSession } from '../../../src/core/amqp/amqpSession';
import { resolveRabbitProfile, type ResolvedRabbitProfile } from '../../../src/core/profiles';

export const MANAGEMENT_URL = 'http://127.0.0.1:15672';
export const PASSWORD = 'guest';
const AUTH = `Basic ${Buffer.from(`guest:${PASSWORD}`).toString('base64')}`;

export interface MgmtReply {
  status: number;
  body: unknown;
}

/** A raw management API call (fixtures only; the code under test has its own client). */
export async function mgmt(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<MgmtReply> {
  const init: RequestInit = { method, headers: { authorization: AUTH, 'content-type': 'application/json', ...headers } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${MANAGEMENT_URL}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

async function mgmtOk(method: string, path: string, body?: unknown): Promise<unknown> {
  const reply = await mgmt(method, path, body);
  if (reply.status >= 400) throw new Error(`${method} ${path} → ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** Creates a vhost named for the test (with a "/" and a space, to exercise encoding) and gives guest every permission. */
export async function createVhost(label: string): Promise<string> {
  const name = `be-test/${label} ${randomBytes(4).toString('hex')}`;
  const v = encodeURIComponent(name);
  await mgmtOk('PUT', `/api/vhosts/${v}`, { description: 'Broker Explorer test vhost' });
  await mgmtOk('PUT', `/api/permissions/${v}/guest`, { configure: '.*', write: '.*', read: '.*' });
  return name;
}

export async function deleteVhost(name: string): Promise<void> {
  const reply = await mgmt('DELETE', `/api/vhosts/${encodeURIComponent(name)}`);
  if (reply.status >= 400 && reply.status !== 404) throw new Error(`deleting vhost ${name} → ${reply.status}`);
}

export function rabbitProfile(vhost: string, overrides: Record<string, unknown> = {}): ResolvedRabbitProfile {
  return resolveRabbitProfile({
    name: 'test',
    url: `amqp://guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
    managementUrl: MANAGEMENT_URL,
    connectTimeoutMs: 5_000,
    ...overrides,
  });
}

/** A vhost plus the sessions and raw connections opened on it; `close()` removes them all. */
export class TestVhost {
  private readonly sessions: AmqpSession[] = [];
  private readonly raws: ChannelModel[] = [];

  private constructor(readonly name: string) {}

  static async create(label: string): Promise<TestVhost> {
    return new TestVhost(await createVhost(label));
  }

  profile(overrides: Record<string, unknown> = {}): ResolvedRabbitProfile {
    return rabbitProfile(this.name, overrides);
  }

  session(overrides: Record<string, unknown> = {}): AmqpSession {
    const s = new AmqpSession(this.profile(overrides), { password: PASSWORD });
    this.sessions.push(s);
    return s;
  }

  /** A plain amqplib connection (noDelay), as a separate program would open. */
  async raw(name = 'test raw'): Promise<ChannelModel> {
    const c = await connect(`amqp://guest:${PASSWORD}@127.0.0.1:5672/${encodeURIComponent(this.name)}`, {
      noDelay: true,
      clientProperties: { connection_name: name },
    });
    c.on('error', () => undefined);
    this.raws.push(c);
    return c;
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.close().catch(() => undefined)));
    await Promise.all(this.raws.map((c) => c.close().catch(() => undefined)));
    await deleteVhost(this.name);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns a value other than undefined / false. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
