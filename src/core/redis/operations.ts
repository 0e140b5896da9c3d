/**
 * Every typed operation in one table (it also drives the ui forms), and
 * the one way to run them: validate the arguments (InputError before
 * anything is sent), refuse writes through the session's read-only guard, send, convert the
 * reply to JSON, and turn server errors into one sentence — a wrong type
 * reads "The key "k" holds a list, not a hash.".
 */
import * as l10n from '@vscode/l10n';
import { typeName } from './typeWords';
import type { RedisClient } from './redisClient';
import { displayBytes } from '../bytes';
import { BrokerError, CancelledError, InputError, PreconditionError, errorMessage, throwIfAborted } from '../errors';
import { HASH_OPS } from './hashOps';
import { KEY_OPS } from './keyOps';
import { LIST_OPS } from './listOps';
import type { ArgsOf } from './opsArgs';
import { convertResult, parseArgs, type Args, type OpContext, type OperationSpec } from './opsSpec';
import { errorReply } from './reply';
import { commandError, type JsonValue } from './replyJson';
import { SET_OPS } from './setOps';
import { STRING_OPS } from './stringOps';
import { ZSET_OPS } from './zsetOps';
import type { RedisSession } from './session';

export const OPERATIONS = [...STRING_OPS, ...HASH_OPS, ...LIST_OPS, ...SET_OPS, ...ZSET_OPS, ...KEY_OPS] as const;

export type Operation = (typeof OPERATIONS)[number];
export type OperationName = Operation['name'];
/** The argument object of an operation, typed from its spec. */
export type OperationArgs<N extends OperationName> = ArgsOf<Extract<Operation, { name: N }>>;

const byName: ReadonlyMap<string, OperationSpec> = new Map(OPERATIONS.map((op) => [op.name, op as OperationSpec]));

export function findOperation(name: string): OperationSpec | undefined {
  return byName.get(name);
}

export interface RunOptions {
  signal?: AbortSignal;
}

/** Runs a typed operation; see runOperationUnchecked. */
export function runOperation<N extends OperationName>(
  session: RedisSession,
  name: N,
  args: OperationArgs<N>,
  options: RunOptions = {},
): Promise<JsonValue> {
  return runOperationUnchecked(session, name, args, options);
}

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

async function wrongTypeError(client: RedisClient, spec: OperationSpec, args: Args): Promise<PreconditionError | undefined> {
  const expected = spec.keyTypes ?? [];
  const keys = keyArguments(spec, args);
  if (keys.length === 0 || expected.length === 0) return undefined;
  const pipeline = client.pipeline();
  for (const k of keys) pipeline.type(k);
  const types = ((await pipeline.exec()) ?? []).map(([, t]) => String(t));
  const i = types.findIndex((t) => t !== 'none' && !expected.includes(t));
  if (i < 0) return undefined;
  const wanted = expected.map(typeName).reduce((a, b) => l10n.t('{0} or {1}', a, b));
  return new PreconditionError(l10n.t('The key "{0}" holds {1}, not {2}.', displayBytes(keys[i], 80), typeName(types[i]), wanted));
}

/** Runs a command on a dedicated connection, closing it afterwards; abort closes it at once. */
async function runBlocking(spec: OperationSpec, argv: (string | Buffer)[], ctx: OpContext): Promise<unknown> {
  throwIfAborted(ctx.signal);
  const conn = await ctx.session.dedicated('blocking');
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
 * the command API): validated first, refused by the session's guard when it
 * writes on a read-only profile, then sent; resolves with JSON.
 */
export async function runOperationUnchecked(
  session: RedisSession,
  name: string,
  input: unknown,
  options: RunOptions = {},
): Promise<JsonValue> {
  const spec = byName.get(name);
  if (!spec) throw new InputError(l10n.t('"{0}" is not a known operation.', name));
  const args = parseArgs(spec, input);
  if (spec.write) session.assertWritable(spec.command);
  throwIfAborted(options.signal);
  const ctx: OpContext = options.signal ? { session, signal: options.signal } : { session };
  const client = spec.exact ? await session.exactClient() : await session.client();
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
      throw commandError(errorReply(err.message), spec.command, session.profile.name);
    }
    throw new BrokerError(
      l10n.t('{0} failed on profile "{1}": {2}.', spec.command, session.profile.name, errorMessage(err).replace(/[.\s]+$/, '')),
    );
  }
}

/** What a destructive operation would destroy: the ui words its question from this. */
export interface DestructiveCheck {
  effect: 'delete' | 'overwrite';
  verb: string;
  keys: Buffer[];
  /** How many of `keys` exist (for `delete`, all of them are counted as given). */
  existing: number;
  /** The database the keys are in. */
  db: number;
}

/**
 * Whether running an operation with these arguments deletes or overwrites
 * data (from the spec's `destructive` field, never from its name); for an
 * overwrite, only when a key it names exists. `sessionOf` gives the
 * session of another database (COPY … DB).
 */
export async function destructiveCheck(
  session: RedisSession,
  name: string,
  input: unknown,
  sessionOf: (db: number) => Promise<RedisSession>,
): Promise<DestructiveCheck | undefined> {
  const spec = byName.get(name);
  const d = spec?.destructive;
  if (!spec || !d) return undefined;
  const args = parseArgs(spec, input);
  if (d.when && !d.when(args)) return undefined;
  const keys = d.keys(args);
  const db = d.db?.(args) ?? session.db;
  if (d.effect === 'delete') return { effect: d.effect, verb: d.verb, keys, existing: keys.length, db };
  const on = db === session.db ? session : await sessionOf(db);
  const existing = Number(await (await on.client()).exists(...keys));
  return existing > 0 ? { effect: d.effect, verb: d.verb, keys, existing, db } : undefined;
}
