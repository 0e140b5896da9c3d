/**
 * Raw RabbitMQ management API calls as guest, for fixtures only (the code
 * under test has its own client). No amqplib, no mocha: the bench and the
 * extension-host suite use it too.
 */
export const MANAGEMENT_URL = 'http://127.0.0.1:15672';
export const PASSWORD = 'guest';
export const MGMT_AUTH = `Basic ${Buffer.from(`guest:${PASSWORD}`).toString('base64')}`;

export interface MgmtReply {
  status: number;
  body: unknown;
}

/** One call; the body comes back parsed when it is JSON, as text otherwise. Gives up after two minutes. */
export async function mgmt(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<MgmtReply> {
  const init: RequestInit = {
    method,
    headers: { authorization: MGMT_AUTH, 'content-type': 'application/json', ...headers },
    signal: AbortSignal.timeout(120_000),
  };
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

/** A call that must succeed: throws on a status of 400 or more (a 404 on DELETE is fine). */
export async function mgmtOk(method: string, path: string, body?: unknown): Promise<MgmtReply> {
  const reply = await mgmt(method, path, body);
  if (reply.status >= 400 && !(method === 'DELETE' && reply.status === 404)) {
    throw new Error(`${method} ${path} → ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply;
}
