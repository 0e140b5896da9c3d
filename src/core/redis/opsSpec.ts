/**
 * The shape of a typed operation: a name, a family, an argument schema
 * (which also drives the ui forms), the argv it sends and how its reply
 * becomes JSON. Arguments are validated here, before anything is sent.
 */
import * as l10n from '@vscode/l10n';
import type { RedisClient } from './redisClient';
import { displayBytes, isHexBytes, toBuffer, type BytesLike } from '../bytes';
import { BrokerError, InputError } from '../errors';
import { bytesToJson, integerToJson, type JsonValue } from './replyJson';
import type { RedisSession } from './session';
import { scoreToJson, type JsonBytes } from './valueScanner';

export type OpFamily = 'string' | 'hash' | 'list' | 'set' | 'zset' | 'key';

export type ArgKind =
  /** One key (string or `{ hex }`). */
  | 'key'
  /** One or more keys. */
  | 'keys'
  /** A value, field or member. */
  | 'bytes'
  /** One or more values, fields or members. */
  | 'bytesList'
  /** A whole number (a decimal string for 64-bit values past 2^53). */
  | 'integer'
  /** A number; "inf" / "-inf" where `allowInf`. */
  | 'float'
  /** One or more numbers (WEIGHTS). */
  | 'floats'
  /** One of `values` (case-insensitive). */
  | 'enum'
  | 'flag'
  /** `[{ field, value }]` (names from `pairNames`) or a plain object. */
  | 'pairs'
  /** `[{ member, score }]`. */
  | 'scoreMembers'
  /** A score bound: a number, `(1.5` (exclusive), `-inf`, `+inf`. */
  | 'scoreBound'
  /** A lex bound: `[a` (inclusive), `(a` (exclusive), `-` or `+`. */
  | 'lexBound'
  /** A range bound whose meaning depends on another argument (ZRANGE). */
  | 'bound';

export interface ArgSpec {
  readonly name: string;
  readonly kind: ArgKind;
  /** Label for a form field. */
  readonly label: string;
  readonly optional?: boolean;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly allowInf?: boolean;
  readonly pairNames?: readonly [string, string];
  /** One line of help for the form. */
  readonly help?: string;
}

export type ResultKind = 'ok' | 'integer' | 'boolean' | 'bytes' | 'bytesList' | 'float' | 'score' | 'scored' | 'pairs' | 'status';

/** What an operation runs with: its session (profile, db, guard, connections) and a signal. */
export interface OpContext {
  readonly session: RedisSession;
  readonly signal?: AbortSignal;
}

/** What a destructive operation destroys, for the question the ui asks before it runs. */
export interface Destructive {
  /** `delete` always asks; `overwrite` asks when one of the keys exists. */
  readonly effect: 'delete' | 'overwrite';
  /** How the question names the operation: `"k" exists: renaming replaces it`. */
  readonly verb: string;
  /** The keys it deletes or overwrites. */
  readonly keys: (a: Args) => Buffer[];
  /** Destructive only when this holds (SET without NX / XX, COPY with REPLACE). */
  readonly when?: (a: Args) => boolean;
  /** The database the keys are in when not the session's (COPY … DB). */
  readonly db?: (a: Args) => number | undefined;
}

export interface OperationSpec {
  /** Operation id (lower case, as the command where there is one). */
  readonly name: string;
  readonly family: OpFamily;
  /** The Redis command it sends. */
  readonly command: string;
  readonly summary: string;
  readonly args: readonly ArgSpec[];
  readonly write: boolean;
  /** Deletes or overwrites data the user may want back: the ui asks first. */
  readonly destructive?: Destructive;
  /** The integer reply must stay exact past 2^53: read on the session's stringNumbers connection. */
  readonly exact?: boolean;
  /** Types the key arguments must hold (for "holds a list, not a hash"). */
  readonly keyTypes?: readonly string[];
  /** Runs on a dedicated connection (BLPOP, …). */
  readonly blocking?: boolean;
  /** Cross-argument checks: a sentence when invalid. */
  readonly check?: (a: Args) => string | undefined;
  /** The command line (after the command name). */
  readonly argv?: (a: Args) => (string | Buffer)[];
  readonly result?: ResultKind | ((raw: unknown, a: Args) => JsonValue);
  /** Custom execution, for paging, exact integers and blocking. */
  readonly run?: (client: RedisClient, a: Args, ctx: OpContext) => Promise<JsonValue>;
}

/** Keeps the literal names of a spec table for typed arguments. */
export function defineOps<const T extends readonly OperationSpec[]>(ops: T): T {
  return ops;
}

// ---------------------------------------------------------------- validation

type Parsed = Buffer | Buffer[] | string | string[] | boolean | [Buffer, Buffer][] | [string, Buffer][];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value)?.slice(0, 40) ?? String(value);
}

function parseFloatText(value: unknown, label: string, allowInf: boolean): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text !== undefined) {
    const lower = text.toLowerCase();
    if (allowInf && (lower === 'inf' || lower === '+inf' || lower === '-inf')) return lower === 'inf' ? '+inf' : lower;
    if (text !== '' && Number.isFinite(Number(text))) return typeof value === 'number' ? String(value) : text;
  }
  throw new InputError(
    allowInf
      ? l10n.t('The {0} {1} is not a number (or inf / -inf).', label, describe(value))
      : l10n.t('The {0} {1} is not a number.', label, describe(value)),
  );
}

function parseBytesList(value: unknown, label: string): Buffer[] {
  if (!Array.isArray(value) || value.length === 0) throw new InputError(l10n.t('The {0} must be a list of at least one item.', label));
  return value.map((v, i) => toBuffer(v as BytesLike, l10n.t('{0} #{1}', label, i + 1)));
}

/** A whole number within 64 bits and the spec's min / max, as a decimal string. */
function parseInteger(spec: ArgSpec, value: unknown, label: string): string {
  const text =
    typeof value === 'number' && Number.isSafeInteger(value)
      ? String(value)
      : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
        ? value.trim()
        : undefined;
  const n = text === undefined ? undefined : BigInt(text);
  if (n === undefined || n < INT64_MIN || n > INT64_MAX)
    throw new InputError(l10n.t('The {0} {1} is not a whole number (64-bit).', label, describe(value)));
  if (spec.min !== undefined && n < BigInt(spec.min))
    throw new InputError(l10n.t('The {0} {1} is too small: it must be at least {2}.', label, n.toString(), spec.min));
  if (spec.max !== undefined && n > BigInt(spec.max))
    throw new InputError(l10n.t('The {0} {1} is too large: it must be at most {2}.', label, n.toString(), spec.max));
  return n.toString();
}

/** `[{ field, value }]` (names from `pairNames`) or a plain object, as byte pairs. */
function parsePairs(spec: ArgSpec, value: unknown, label: string): [Buffer, Buffer][] {
  const [a, b] = spec.pairNames ?? ['field', 'value'];
  const entries: [unknown, unknown][] = Array.isArray(value)
    ? value.map((p) =>
        typeof p === 'object' && p !== null
          ? [(p as Record<string, unknown>)[a], (p as Record<string, unknown>)[b]]
          : [undefined, undefined],
      )
    : typeof value === 'object' && value !== null && !isHexBytes(value)
      ? Object.entries(value as Record<string, unknown>)
      : [];
  if (entries.length === 0) throw new InputError(l10n.t('The {0} must hold at least one {1} and {2}.', label, a, b));
  return entries.map(([x, y], i) => {
    if (x === undefined || y === undefined) throw new InputError(l10n.t('Item {0} of the {1} needs a {2} and a {3}.', i + 1, label, a, b));
    return [toBuffer(x as BytesLike, a), toBuffer(y as BytesLike, b)] as [Buffer, Buffer];
  });
}

/** `[{ member, score }]` as (score text, member) pairs, in ZADD's order. */
function parseScoreMembers(value: unknown, label: string): [string, Buffer][] {
  if (!Array.isArray(value) || value.length === 0) throw new InputError(l10n.t('The {0} must hold at least one { member, score }.', label));
  return value.map((p: unknown, i) => {
    const o = typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : {};
    if (o.member === undefined || o.score === undefined)
      throw new InputError(l10n.t('Item {0} of the {1} needs a member and a score.', i + 1, label));
    return [parseFloatText(o.score, 'score', true), toBuffer(o.member as BytesLike, 'member')] as [string, Buffer];
  });
}

function parseArg(spec: ArgSpec, value: unknown): Parsed {
  const label = spec.label.toLowerCase();
  switch (spec.kind) {
    case 'key':
    case 'bytes':
      if (typeof value !== 'string' && !isHexBytes(value) && !Buffer.isBuffer(value))
        throw new InputError(l10n.t('The {0} must be text or { hex: "…" }.', label));
      return toBuffer(value, label);
    case 'keys':
    case 'bytesList':
      return parseBytesList(value, label);
    case 'integer':
      return parseInteger(spec, value, label);
    case 'float': {
      const text = parseFloatText(value, label, spec.allowInf === true);
      if (spec.min !== undefined && Number(text) < spec.min)
        throw new InputError(l10n.t('The {0} {1} is too small: it must be at least {2}.', label, text, spec.min));
      return text;
    }
    case 'floats':
      if (!Array.isArray(value) || value.length === 0)
        throw new InputError(l10n.t('The {0} must be a list of at least one number.', label));
      return value.map((v) => parseFloatText(v, label, spec.allowInf === true));
    case 'enum': {
      const text = typeof value === 'string' ? value.toUpperCase() : '';
      if (!(spec.values ?? []).includes(text))
        throw new InputError(l10n.t('The {0} {1} is not one of {2}.', label, describe(value), (spec.values ?? []).join(', ')));
      return text;
    }
    case 'flag':
      if (typeof value !== 'boolean') throw new InputError(l10n.t('The {0} must be true or false.', label));
      return value;
    case 'pairs':
      return parsePairs(spec, value, label);
    case 'scoreMembers':
      return parseScoreMembers(value, label);
    case 'scoreBound': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      const inner = text.startsWith('(') ? text.slice(1) : text;
      const lower = inner.toLowerCase();
      if (lower === 'inf' || lower === '+inf' || lower === '-inf' || (inner !== '' && Number.isFinite(Number(inner)))) return text;
      throw new InputError(
        l10n.t('The {0} {1} is not a score bound: give a number, (number for exclusive, -inf or +inf.', label, describe(value)),
      );
    }
    case 'lexBound': {
      const buf = toBuffer(value as BytesLike, label);
      const first = buf[0];
      if ((buf.length === 1 && (first === 0x2d || first === 0x2b)) || first === 0x5b || first === 0x28) return buf;
      throw new InputError(
        l10n.t(
          'The {0} "{1}" is not a lex bound: start it with [ (inclusive) or ( (exclusive), or use - or +.',
          label,
          displayBytes(buf, 40),
        ),
      );
    }
    case 'bound':
      if (typeof value === 'number') return String(value);
      return toBuffer(value as BytesLike, label);
  }
}

/** Validated arguments, read by name. */
export class Args {
  constructor(private readonly values: ReadonlyMap<string, Parsed>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }
  buf(name: string): Buffer {
    return this.values.get(name) as Buffer;
  }
  bufs(name: string): Buffer[] {
    return this.values.get(name) as Buffer[];
  }
  /** Integer or float as its decimal text; enum value; undefined when absent. */
  text(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : undefined;
  }
  str(name: string): string {
    return this.text(name) ?? '';
  }
  texts(name: string): string[] {
    return (this.values.get(name) as string[] | undefined) ?? [];
  }
  num(name: string): number {
    return Number(this.text(name));
  }
  flag(name: string): boolean {
    return this.values.get(name) === true;
  }
  pairs(name: string): [Buffer, Buffer][] {
    return this.values.get(name) as [Buffer, Buffer][];
  }
  scored(name: string): [string, Buffer][] {
    return this.values.get(name) as [string, Buffer][];
  }
  /** A bound argument as raw bytes (for `bound`). */
  raw(name: string): Buffer | string | undefined {
    return this.values.get(name) as Buffer | string | undefined;
  }
}

/** Validates a plain argument object against a spec; InputError on the first problem. */
export function parseArgs(spec: OperationSpec, input: unknown): Args {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new InputError(l10n.t('The arguments of {0} must be an object.', spec.name));
  }
  const given = (input ?? {}) as Record<string, unknown>;
  const known = new Set(spec.args.map((a) => a.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name) && given[name] !== undefined) {
      throw new InputError(
        l10n.t('{0} has no argument "{1}": it takes {2}.', spec.name, name, spec.args.map((a) => a.name).join(', ') || l10n.t('none')),
      );
    }
  }
  const values = new Map<string, Parsed>();
  for (const arg of spec.args) {
    const value = given[arg.name];
    if (value === undefined || value === null) {
      if (!arg.optional) throw new InputError(l10n.t('{0} needs the {1} ("{2}").', spec.name, arg.label.toLowerCase(), arg.name));
      continue;
    }
    values.set(arg.name, parseArg(arg, value));
  }
  const args = new Args(values);
  const problem = spec.check?.(args);
  if (problem) throw new InputError(problem);
  return args;
}

// ---------------------------------------------------------------- results

/** A number from an ioredis integer reply, kept exact as a string when it is not safe. */
export function intResult(raw: unknown): number | string {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) return integerToJson(BigInt(raw.toString()));
  throw new BrokerError(l10n.t('Redis sent {0} where a whole number was expected.', describe(raw)));
}

/** A reply scalar (status, integer, bulk) as text. */
function replyText(raw: unknown): string {
  if (Buffer.isBuffer(raw)) return raw.toString('latin1');
  return typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean' ? String(raw) : '';
}

export function bytesResult(raw: unknown): JsonBytes | null {
  if (raw === null || raw === undefined) return null;
  return bytesToJson(Buffer.isBuffer(raw) ? raw : Buffer.from(replyText(raw)));
}

export function scoreResult(raw: unknown): number | string | null {
  if (raw === null || raw === undefined) return null;
  return scoreToJson(replyText(raw));
}

export function convertResult(kind: ResultKind, raw: unknown): JsonValue {
  switch (kind) {
    case 'ok':
      return raw !== null && raw !== undefined;
    case 'status':
      return raw === null || raw === undefined ? null : replyText(raw);
    case 'integer':
      return raw === null || raw === undefined ? null : intResult(raw);
    case 'boolean':
      return Number(raw) === 1;
    case 'bytes':
      return bytesResult(raw);
    case 'bytesList':
      return Array.isArray(raw)
        ? raw.map((r) => (Array.isArray(r) ? r.map(bytesResult) : bytesResult(r)))
        : raw === null
          ? null
          : [bytesResult(raw)];
    case 'float':
    case 'score':
      return scoreResult(raw);
    case 'scored': {
      const list = Array.isArray(raw) ? raw : [];
      const out: JsonValue[] = [];
      for (let i = 0; i + 1 < list.length; i += 2) out.push({ member: bytesResult(list[i]), score: scoreResult(list[i + 1]) });
      return out;
    }
    case 'pairs': {
      const list = Array.isArray(raw) ? raw : [];
      const out: JsonValue[] = [];
      for (let i = 0; i + 1 < list.length; i += 2) out.push({ field: bytesResult(list[i]), value: bytesResult(list[i + 1]) });
      return out;
    }
  }
}

/** The most items a single non-paged read returns; more asks for a narrower range or a scan. */
export const MAX_RESULT_ITEMS = 10_000;

// ---------------------------------------------------------------- spec helpers

/** Label and help are functions: spec tables are built when modules load, before the display language is set. */
type ArgExtra = Omit<ArgSpec, 'name' | 'kind' | 'label' | 'optional' | 'help'> & { readonly help?: () => string };

/** `label` and `help` as getters, so each read is in the display language of that moment. */
function withText<T extends object>(spec: T, label: () => string, help: (() => string) | undefined): T & { label: string; help?: string } {
  Object.defineProperty(spec, 'label', { get: label, enumerable: true });
  if (help) Object.defineProperty(spec, 'help', { get: help, enumerable: true });
  return spec as T & { label: string; help?: string };
}

/** A required argument (literal name and kind kept for typing). */
export function arg<const N extends string, const K extends ArgKind, const E extends ArgExtra = Record<never, never>>(
  name: N,
  kind: K,
  label: () => string,
  extra?: E,
): { name: N; kind: K; label: string; help?: string } & Omit<E, 'help'> {
  const { help, ...rest } = extra ?? ({} as E);
  return withText({ name, kind, ...rest }, label, help);
}

/** An optional argument. */
export function opt<const N extends string, const K extends ArgKind, const E extends ArgExtra = Record<never, never>>(
  name: N,
  kind: K,
  label: () => string,
  extra?: E,
): { name: N; kind: K; label: string; help?: string; optional: true } & Omit<E, 'help'> {
  const { help, ...rest } = extra ?? ({} as E);
  return withText({ name, kind, optional: true as const, ...rest }, label, help);
}
