/**
 * Running typed-in commands on a dedicated RespClient: one command, a
 * pipeline, or a MULTI/EXEC transaction, streamed in batches. Replies are
 * exact (see reply.ts); an error on one line of a pipeline never hides the
 * others; a transaction that does not run says why in one sentence and
 * keeps each line's own error; a read-only profile refuses writes before
 * anything is sent (classified with the server's live COMMAND table).
 */
import * as l10n from '@vscode/l10n';
import { toBuffer, type BytesLike } from '../bytes';
import { CancelledError, InputError, errorMessage, throwIfAborted, type ReadOnlyError } from '../errors';
import { commandRefusal, type CommandCatalog } from './commandInfo';
import { ClusterRouter } from './clusterRouter';
import { errorReply, NIL, type RedisReply } from './reply';
import { lineRefusal, ScriptSink, type CommandChannel } from './scriptSink';
import type { RedisSession } from './session';

/**
 * Where typed-in commands run: the session (profile, read-only guard,
 * command catalog) and the RESP connection it opened for them (on a Redis
 * Cluster, a router over one connection per node).
 */
export interface RespTarget {
  readonly session: RedisSession;
  readonly client: CommandChannel;
}

export interface RunContext {
  signal?: AbortSignal;
  /** On a cluster, where keyless commands go (`host:port`); `all` is runCommandOnAll's. */
  node?: string;
}

const STREAMING: Record<string, string> = {
  SUBSCRIBE: 'subscribe',
  PSUBSCRIBE: 'subscribe',
  SSUBSCRIBE: 'subscribe',
  MONITOR: 'monitor',
  SYNC: 'replication',
  PSYNC: 'replication',
};

/** `subscribe` / `monitor` when the command switches the connection to a stream of pushes. */
export function streamingMode(argv: readonly Buffer[]): string | undefined {
  return argv.length > 0 ? STREAMING[argv[0].toString('latin1').toUpperCase()] : undefined;
}

/** Why a command cannot run through request/reply (undefined when it can). */
export function refusal(argv: readonly Buffer[]): string | undefined {
  if (argv.length === 0) return l10n.t('The command is empty: type a command name first.');
  const name = argv[0].toString('latin1').toUpperCase();
  const mode = streamingMode(argv);
  if (mode === 'subscribe') return l10n.t("{0} streams messages: use Subscribe (or the console's subscribe mode) instead.", name);
  if (mode) return l10n.t('{0} streams from the server and cannot run here.', name);
  const sub = argv[1]?.toString('latin1').toUpperCase();
  if (name === 'HELLO' && sub !== undefined && sub !== '2')
    return l10n.t('Only RESP2 is supported here: run HELLO without a protocol version, or with 2.');
  if (name === 'CLIENT' && sub === 'REPLY') return l10n.t('CLIENT REPLY would make replies go missing: it cannot run here.');
  return undefined;
}

function asArgv(argv: readonly (Buffer | BytesLike)[]): Buffer[] {
  return argv.map((a, i) => toBuffer(a, `argument ${i + 1}`));
}

function commandName(argv: readonly Buffer[]): string {
  return argv.length > 0 ? argv[0].toString('utf8').toUpperCase() : '';
}

/** The catalog to classify writes with; none needed on a writable profile. */
async function catalogFor(session: RedisSession): Promise<CommandCatalog | undefined> {
  return session.profile.readOnly ? session.catalog() : undefined;
}

function withAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(errorMessage(e)));
      },
    );
  });
}

/**
 * Sends one command and resolves with its exact reply; an error reply is a
 * value, not a rejection. Rejects (before sending) with InputError for a
 * command that cannot run as request/reply, ReadOnlyError for a write on a
 * read-only profile, and CancelledError when the signal aborts (a reply that
 * still comes is then dropped).
 */
export async function runCommand(target: RespTarget, argv: readonly (Buffer | BytesLike)[], ctx: RunContext = {}): Promise<RedisReply> {
  const { client } = target;
  const args = await checkCommand(target, argv, ctx);
  if (client instanceof ClusterRouter) return withAbort(client.send(args, ctx.node), ctx.signal);
  if (ctx.node !== undefined && ctx.node !== client.address) throw notThisNode(target, ctx.node);
  return withAbort(client.send(args), ctx.signal);
}

/**
 * Runs a command on every node at once (`node: "all"`): each primary of a
 * cluster, or the one server; `{ [host:port]: reply }`.
 */
export async function runCommandOnAll(
  target: RespTarget,
  argv: readonly (Buffer | BytesLike)[],
  ctx: RunContext = {},
): Promise<Map<string, RedisReply>> {
  const { client } = target;
  const args = await checkCommand(target, argv, ctx);
  if (client instanceof ClusterRouter) return withAbort(client.sendAll(args), ctx.signal);
  return new Map([[client.address, await withAbort(client.send(args), ctx.signal)]]);
}

function notThisNode(target: RespTarget, node: string): InputError {
  return new InputError(
    l10n.t(
      '"node" {0} is not the server of Redis profile "{1}" ({2}): leave "node" out, or give "all".',
      node,
      target.session.profile.name,
      target.client instanceof ClusterRouter ? '' : target.client.address,
    ),
  );
}

/** The argv as Buffers once it may be sent: streaming commands and writes on a read-only profile are refused. */
async function checkCommand(target: RespTarget, argv: readonly (Buffer | BytesLike)[], ctx: RunContext): Promise<Buffer[]> {
  const args = asArgv(argv);
  const refused = refusal(args);
  if (refused) throw new InputError(refused);
  throwIfAborted(ctx.signal);
  const catalog = await catalogFor(target.session);
  const refusedWrite = catalog ? commandRefusal(target.session.profile, catalog, args) : undefined;
  if (refusedWrite) throw refusedWrite;
  return args;
}

// ---------------------------------------------------------------- pipelines and transactions

/** One line of a script: a command, or the reason it could not be read. */
export interface ScriptEntry {
  line: number;
  argv?: Buffer[];
  /** A parse error (unterminated quote, …): the line is not sent. */
  error?: string;
}

export interface LineResult {
  line: number;
  /** Upper-case command name, for display. */
  command: string;
  reply: RedisReply;
}

export interface ScriptOptions extends RunContext {
  /** Wrap everything in MULTI / EXEC (default false). */
  transaction?: boolean;
  /** Commands per write (default 1000). */
  batchSize?: number;
  /** Receives results as they are known (per batch; a transaction's at the end). */
  onResults?: (results: LineResult[]) => void;
  onProgress?: (progress: { lines: number; errors: number }) => void;
  /** Keep every result in the returned value (default true; false for very large scripts). */
  collect?: boolean;
}

export interface ScriptResult {
  results: LineResult[];
  /** Lines run (or queued) so far. */
  lines: number;
  /** Lines whose reply is an error. */
  errors: number;
  /** False when cancelled. */
  complete: boolean;
  /** For a transaction that did not run: why, in one sentence (nothing was changed). */
  aborted?: string;
}

const TX_CONTROL = new Set(['MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH']);

function describeLines(bad: readonly LineResult[]): string {
  const first = bad[0];
  const text = first.reply.type === 'error' ? first.reply.message.replace(/[.\s]+$/, '') : l10n.t('refused');
  return bad.length === 1
    ? l10n.t('line {0} ({1}) was refused: {2}', first.line, first.command, text)
    : l10n.t('{0} lines were refused, the first is line {1} ({2}): {3}', bad.length, first.line, first.command, text);
}

interface PreparedBatch {
  lineResults: LineResult[];
  toSend: Buffer[][];
  /** Index in lineResults of each command sent. */
  sentAt: number[];
}

/** Sorts a batch into lines to send and lines refused with their reason; the refusal when a line writes on a read-only profile. */
function prepareBatch(
  entries: readonly ScriptEntry[],
  tx: boolean,
  catalog: CommandCatalog | undefined,
  session: RedisSession,
): PreparedBatch | ReadOnlyError {
  const out: PreparedBatch = { lineResults: [], toSend: [], sentAt: [] };
  for (const entry of entries) {
    const argv = entry.argv ?? [];
    const name = commandName(argv);
    let problem = entry.error ?? refusal(argv);
    if (!problem && tx && TX_CONTROL.has(name))
      problem = l10n.t('{0} cannot be used inside a transaction that runs as a whole: remove it, or run as a pipeline.', name);
    const refusedWrite = !problem && catalog ? commandRefusal(session.profile, catalog, argv, entry.line) : undefined;
    if (refusedWrite) return refusedWrite;
    if (problem) {
      out.lineResults.push({ line: entry.line, command: name, reply: errorReply(problem) });
    } else {
      out.sentAt.push(out.lineResults.length);
      out.lineResults.push({ line: entry.line, command: name, reply: NIL });
      out.toSend.push(argv);
    }
  }
  return out;
}

/** Gives each queued line its EXEC reply; the sentence when the transaction did not run. */
function applyExec(exec: RedisReply, queued: LineResult[], bad: readonly LineResult[]): string | undefined {
  if (exec.type === 'array') {
    exec.items.forEach((item, i) => {
      if (queued[i]) queued[i].reply = item;
    });
    return undefined;
  }
  if (exec.type === 'nil') {
    for (const q of queued) q.reply = NIL;
    return l10n.t('The transaction was not run because a watched key changed (WATCH): nothing was changed.');
  }
  if (exec.type !== 'error') return undefined;
  for (const q of queued) if (q.reply.type !== 'error') q.reply = exec;
  return bad.length > 0
    ? l10n.t('The transaction was not run (EXECABORT) because {0}; nothing was changed.', describeLines(bad))
    : l10n.t('The transaction was not run: {0}.', exec.message);
}

/** The batch size asked for (1000 by default); InputError when it is not a whole number of at least 1. */
function batchSizeOf(options: ScriptOptions): number {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new InputError(l10n.t('The batch size {0} is not valid: give a whole number of at least 1.', batchSize));
  return batchSize;
}

/** Counts a batch of finished lines into the result (keeping them when `collect`), then reports them and the progress. */
function deliverBatch(result: ScriptResult, batch: LineResult[], options: ScriptOptions): void {
  for (const r of batch) if (r.reply.type === 'error') result.errors++;
  result.lines += batch.length;
  if (options.collect ?? true) for (const r of batch) result.results.push(r);
  if (batch.length > 0) options.onResults?.(batch);
  options.onProgress?.({ lines: result.lines, errors: result.errors });
}

/** Lines still only QUEUED when a transaction is cancelled get a DISCARDED error. */
function markCancelled(queued: LineResult[]): void {
  for (const q of queued)
    if (q.reply.type === 'status' && q.reply.value === 'QUEUED') q.reply = errorReply('DISCARDED the transaction was cancelled');
}

/**
 * Ends an open transaction: DISCARD when a line was already refused (as
 * EXECABORT), else EXEC; gives each queued line its reply and returns the
 * sentence when the transaction did not run.
 */
async function finishTransaction(sink: ScriptSink, queued: LineResult[]): Promise<string | undefined> {
  const bad = queued.filter((q) => q.reply.type === 'error');
  let exec: RedisReply;
  if (bad.length > 0) {
    await sink.discard();
    exec = errorReply('EXECABORT Transaction discarded because of previous errors.');
  } else {
    exec = await sink.exec();
  }
  return applyExec(exec, queued, bad);
}

/**
 * Runs commands from any (async) iterable in batches on a dedicated client.
 * Pipeline mode: every line runs, each with its own reply. Transaction
 * mode: MULTI, the lines, then EXEC — or DISCARD when a line could not be
 * read or refused, when the signal aborts, or EXECABORT from the server; then
 * `aborted` says why and each line keeps its own error. A read-only profile
 * throws ReadOnlyError at the first write, before it is sent (a transaction
 * is discarded first).
 */
export async function runScript(
  target: RespTarget,
  source: AsyncIterable<ScriptEntry> | Iterable<ScriptEntry>,
  options: ScriptOptions = {},
): Promise<ScriptResult> {
  const { session } = target;
  const batchSize = batchSizeOf(options);
  const tx = options.transaction === true;
  const catalog = await catalogFor(session);
  const result: ScriptResult = { results: [], lines: 0, errors: 0, complete: false };
  const deliver = (batch: LineResult[]): void => deliverBatch(result, batch, options);
  // Transaction state: every line in order, with its queueing reply until EXEC.
  const queued: LineResult[] = [];
  let queuedErrors = 0;
  const sink = new ScriptSink(target.client, tx, options.node);
  await sink.begin();
  let batch: ScriptEntry[] = [];
  const flush = async (): Promise<void> => {
    const entries = batch;
    batch = [];
    const prepared = prepareBatch(entries, tx, catalog, session);
    if (prepared instanceof Error) {
      await sink.discard();
      throw prepared;
    }
    const { lineResults, toSend, sentAt } = prepared;
    const replies = await sink.send(
      toSend,
      sentAt.map((i) => lineResults[i].line),
    );
    replies.forEach((reply, i) => {
      lineResults[sentAt[i]].reply = reply;
    });
    if (tx) {
      for (const r of lineResults) {
        queued.push(r);
        if (r.reply.type === 'error') queuedErrors++;
      }
      options.onProgress?.({ lines: queued.length, errors: queuedErrors });
    } else deliver(lineResults);
  };
  try {
    for await (const entry of source) {
      throwIfAborted(options.signal);
      batch.push(entry);
      if (batch.length >= batchSize) await flush();
    }
    throwIfAborted(options.signal);
    if (batch.length > 0) await flush();
  } catch (err) {
    if (err instanceof CancelledError) {
      if (tx) {
        await sink.discard();
        result.aborted = l10n.t('The transaction was cancelled and discarded: nothing was changed.');
        markCancelled(queued);
        deliver(queued);
      }
      return result;
    }
    if (tx && sink.connected) await sink.discard().catch(() => undefined);
    throw err;
  }
  if (tx) {
    const aborted = await finishTransaction(sink, queued);
    if (aborted) result.aborted = aborted;
    deliver(queued);
  }
  result.complete = true;
  return result;
}

export interface PipelineResult {
  replies: RedisReply[];
  errors: number;
  complete: boolean;
  aborted?: string;
}

/**
 * Runs in-memory commands as a pipeline or a transaction; a read-only
 * profile refuses the whole list before anything is sent when any command
 * writes.
 */
export async function runPipeline(
  target: RespTarget,
  commands: readonly (readonly (Buffer | BytesLike)[])[],
  options: Omit<ScriptOptions, 'collect'> = {},
): Promise<PipelineResult> {
  const entries: ScriptEntry[] = commands.map((argv, i) => ({ line: i + 1, argv: asArgv(argv) }));
  const catalog = await catalogFor(target.session);
  if (catalog) {
    for (const e of entries) {
      const refusedWrite = commandRefusal(target.session.profile, catalog, e.argv ?? [], e.line);
      if (refusedWrite) throw refusedWrite;
    }
  }
  // On a cluster every line is routed first, so a CROSSSLOT or keyless refusal sends nothing.
  const router = target.client;
  if (router instanceof ClusterRouter && !options.transaction) {
    for (const e of entries)
      await router.route(e.argv ?? [], options.node).catch((err: unknown) => Promise.reject(lineRefusal(err, e.line)));
  }
  const run = await runScript(target, entries, { ...options, collect: true });
  const out: PipelineResult = { replies: run.results.map((r) => r.reply), errors: run.errors, complete: run.complete };
  if (run.aborted) out.aborted = run.aborted;
  return out;
}
