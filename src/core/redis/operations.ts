/**
 * Every typed operation in one table (it also drives the ui forms), and
 * the one way to run them: validate the arguments (InputError before
 * anything is sent), refuse writes on a read-only profile, send, convert the
 * reply to JSON, and turn server errors into one sentence — a wrong type
 * reads "The key "k" holds a list, not a hash.".
 */
import type { Redis } from 'ioredis';
import { displayBytes } from '../bytes';
import { BrokerError, CancelledError, InputError, PreconditionError, ReadOnlyError, errorMessage, throwIfAborted } from '../errors';
import { HASH_OPS } from './hashOps';
import { KEY_OPS } from './keyOps';
import { LIST_OPS } from './listOps';
import { convertResult, parseArgs, type Args, type ArgsOf, type OpContext, type OperationSpec } from './opsSpec';
import { errorReply } from './reply';
import { commandError, type JsonValue } from './replyJson';
import { SET_OPS } from './setOps';
import { STRING_OPS } from './stringOps';
import { ZSET_OPS } from './zsetOps';

export const OPERATIONS = [...STRING_OPS, ...HASH_OPS, ...LIST_OPS, ...SET_OPS, ...ZSET_OPS, ...KEY_OPS] as const;

export type Operation = (typeof OPERATIONS)[number];
export type OperationName = Operation['name'];
/** The argument object of an operation, typed from its spec. */
export type OperationArgs<N extends OperationName> = ArgsOf<Extract<Operation, { name: N }>>;

const byName: ReadonlyMap<string, OperationSpec> = new Map(OPERATIONS.map((op) => [op.name, op as OperationSpec]));

export function findOperation(name: string): OperationSpec | undefined {
  return byName.get(name);
}

/** Runs a typed operation; see runOperationUnchecked. */
export function runOperation<N extends OperationName>(
  client: Redis,
  name: N,
  args: OperationArgs<N>,
  ctx: OpContext = {},
): Promise<JsonValue> {
  return runOperationUnchecked(client, name, args, ctx);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  hash: 'a hash',
  list: 'a list',
  set: 'a set',
  zset: 'a sorted set',
  stream: 'a stream',
};
const typeName = (t: string): string => TYPE_NAMES[t] ?? `a ${t}`;

function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

/** The keys an operation names, for finding the one of the wrong type. */
function keyArguments(spec: OperationSpec, args: Args): Buffer[] {
  const out: Buffer[] = [];
  for (const a of spec.args) {
    if (!args.has(a.name)) continue;
    if (a.kind === 'key') out.push(args.buf(a.name));
    else if (a.kind === 'keys') out.push(...args.bufs(a.name));
  }
  return out;
}

async function wrongTypeError(client: Redis, spec: OperationSpec, args: Args): Promise<PreconditionError | undefined> {
  const expected = spec.keyTypes ?? [];
  const keys = keyArguments(spec, args);
  if (keys.length === 0 || expected.length === 0) return undefined;
  const pipeline = client.pipeline();
  for (const k of keys) pipeline.type(k);
  const types = ((await pipeline.exec()) ?? []).map(([, t]) => String(t));
  const i = types.findIndex((t) => t !== 'none' && !expected.includes(t));
  if (i < 0) return undefined;
  const wanted = expected.map(typeName).join(' or ');
  return new PreconditionError(`The key "${displayBytes(keys[i], 80)}" holds ${typeName(types[i])}, not ${wanted}.`);
}

/** Runs a command on a dedicated connection, closing it afterwards; abort closes it at once. */
async function runBlocking(spec: OperationSpec, argv: (string | Buffer)[], ctx: OpContext): Promise<unknown> {
  if (!ctx.openDedicated)
    throw new InputError(
      `${spec.command} waits on its connection: it needs a dedicated one (openDedicated), so that nothing else waits behind it.`,
    );
  throwIfAborted(ctx.signal);
  const conn = await ctx.openDedicated();
  const onAbort = (): void => conn.disconnect();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await conn.callBuffer(spec.command, ...argv);
  } catch (err) {
    if (ctx.signal?.aborted) throw new CancelledError();
    throw err;
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    conn.disconnect();
  }
}

/**
 * Runs an operation by name with a plain argument object (from a form or
 * the command API): validated first, refused on a read-only profile when it
 * writes, then sent; resolves with JSON.
 */
export async function runOperationUnchecked(client: Redis, name: string, input: unknown, ctx: OpContext = {}): Promise<JsonValue> {
  const spec = byName.get(name);
  if (!spec) throw new InputError(`"${name}" is not a known operation.`);
  const args = parseArgs(spec, input);
  if (spec.write && ctx.profile?.readOnly) {
    throw new ReadOnlyError(`Profile "${ctx.profile.name}" is read-only: ${spec.command} writes, so it was not sent.`);
  }
  throwIfAborted(ctx.signal);
  try {
    if (spec.run) return await spec.run(client, args, ctx);
    const argv = spec.argv ? spec.argv(args) : [];
    const raw = spec.blocking ? await runBlocking(spec, argv, ctx) : await client.callBuffer(spec.command, ...argv);
    const result = spec.result ?? 'status';
    return typeof result === 'function' ? result(raw, args) : convertResult(result, raw);
  } catch (err) {
    if (err instanceof BrokerError) throw err;
    if (isReplyError(err)) {
      if (/^WRONGTYPE/.test(err.message)) {
        const wrong = await wrongTypeError(client, spec, args).catch(() => undefined);
        if (wrong) throw wrong;
      }
      throw commandError(errorReply(err.message), spec.command, ctx.profile?.name);
    }
    throw new BrokerError(
      `${spec.command} failed${ctx.profile ? ` on profile "${ctx.profile.name}"` : ''}: ${errorMessage(err).replace(/[.\s]+$/, '')}.`,
    );
  }
}
