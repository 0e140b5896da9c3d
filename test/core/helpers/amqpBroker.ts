/**
 * Test fixtures for the real RabbitMQ on 127.0.0.1: a vhost of the test's
 * own (created through the management API, deleted afterwards), core
 * sessions on it, and plain amqplib connections for "the other side".
 */
import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { AmqpSession } from '../../../src/core/amqp/amqpSession';
import { resolveRabbitProfile, type ResolvedRabbitProfile } from '../../../src/core/profiles';
import { MANAGEMENT_URL, PASSWORD, mgmtOk } from './mgmt';

export { MANAGEMENT_URL, PASSWORD, mgmt, type MgmtReply } from './mgmt';
export { median, sleep, waitFor } from './common';

/** Creates a vhost named for the test (with a "/" and a space, to exercise encoding) and gives guest every permission. */
export async function createVhost(label: string): Promise<string> {
  const name = `be-test/${label} ${randomBytes(4).toString('hex')}`;
  const v = encodeURIComponent(name);
  await mgmtOk('PUT', `/api/vhosts/${v}`, { description: 'Broker Explorer test vhost' });
  await mgmtOk('PUT', `/api/permissions/${v}/guest`, { configure: '.*', write: '.*', read: '.*' });
  return name;
}

export async function deleteVhost(name: string): Promise<void> {
  await mgmtOk('DELETE', `/api/vhosts/${encodeURIComponent(name)}`);
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
