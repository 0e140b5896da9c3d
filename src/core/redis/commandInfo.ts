/**
 * What the server says about its commands (`COMMAND`, `COMMAND DOCS`): the
 * read-only classification of a command line, and the command list for
 * completion and HELP. Loaded here, cached by the session (per profile and
 * db, cleared on reconnect); no module state. When `COMMAND` is unavailable (renamed or denied by ACL) the
 * classification falls back to `@ioredis/commands` and treats unknown
 * commands as writes.
 */
import * as l10n from '@vscode/l10n';
import * as ioredisCommands from '@ioredis/commands';
import type { ReadOnlyError } from '../errors';
import { readOnlyError, type GuardedProfile } from '../readOnly';
import type { RedisReply, ReplySource } from './reply';

export interface CommandDescription {
  /** Lower case; subcommands as `config|set`. */
  name: string;
  arity: number;
  flags: readonly string[];
  firstKey: number;
  lastKey: number;
  step: number;
  subcommands: readonly CommandDescription[];
}

export interface Classification {
  /** Upper case, with the subcommand when there is one (`CONFIG SET`). */
  display: string;
  /** The catalog name (`config|set`), or the lower-case first word when unknown. */
  name: string;
  known: boolean;
  write: boolean;
  /** Why it counts as a write (`write flag`, `admin command`, `runs a script`, …). */
  reason?: string;
}

/** Commands the flags do not mark `write` but that change data or the server. */
const EXTRA_WRITES: ReadonlyMap<string, () => string> = new Map([
  ['eval', (): string => l10n.t('runs a script that may write, unlike EVAL_RO')],
  ['evalsha', (): string => l10n.t('runs a script that may write, unlike EVALSHA_RO')],
  ['fcall', (): string => l10n.t('calls a function that may write, unlike FCALL_RO')],
  ['publish', (): string => l10n.t('publishes a message')],
  ['spublish', (): string => l10n.t('publishes a message')],
  ['script|load', (): string => l10n.t('loads a script into the server')],
  ['script|flush', (): string => l10n.t('removes the server’s scripts')],
  ['script|kill', (): string => l10n.t('stops a running script')],
  ['function|kill', (): string => l10n.t('stops a running function')],
  ['client|kill', (): string => l10n.t('disconnects other clients')],
  ['client|unblock', (): string => l10n.t('interrupts another client')],
  ['shutdown', (): string => l10n.t('stops the server')],
  ['memory|purge', (): string => l10n.t('changes the server’s memory')],
]);

/** Admin commands that only read. */
const ADMIN_READS: ReadonlySet<string> = new Set([
  'config|get',
  'client|list',
  'client|info',
  'slowlog|get',
  'slowlog|len',
  'slowlog|help',
  'acl|list',
  'acl|getuser',
  'acl|users',
  'acl|whoami',
  'acl|cat',
  'acl|genpass',
  'acl|dryrun',
  'acl|help',
  'latency|latest',
  'latency|history',
  'latency|doctor',
  'latency|graph',
  'latency|histogram',
  'latency|help',
  'config|help',
  'client|help',
  'monitor',
]);

/** Subcommands that write, for the fallback when COMMAND gives no subcommands. */
const FALLBACK_SUB_WRITES: ReadonlySet<string> = new Set([
  'config|set',
  'config|rewrite',
  'config|resetstat',
  'script|load',
  'script|flush',
  'script|kill',
  'function|load',
  'function|delete',
  'function|flush',
  'function|restore',
  'function|kill',
  'client|kill',
  'client|pause',
  'client|unpause',
  'client|unblock',
  'acl|setuser',
  'acl|deluser',
  'acl|load',
  'acl|save',
  'slowlog|reset',
  'latency|reset',
  'memory|purge',
  'object|freq',
]);

const KNOWN_SUBCOMMANDS: ReadonlySet<string> = new Set([
  ...FALLBACK_SUB_WRITES,
  ...[...EXTRA_WRITES.keys()].filter((n) => n.includes('|')),
  ...[...ADMIN_READS].filter((n) => n.includes('|')),
]);

function text(reply: RedisReply | undefined): string {
  if (!reply) return '';
  if (reply.type === 'bulk') return reply.value.toString('utf8');
  if (reply.type === 'status') return reply.value;
  if (reply.type === 'integer') return reply.value.toString();
  return '';
}

function num(reply: RedisReply | undefined): number {
  return reply?.type === 'integer' ? Number(reply.value) : Number(text(reply));
}

function parseDescription(reply: RedisReply): CommandDescription | undefined {
  if (reply.type !== 'array' || reply.items.length < 6) return undefined;
  const [name, arity, flags, first, last, step] = reply.items;
  const subs = reply.items[9];
  return {
    name: text(name).toLowerCase(),
    arity: num(arity),
    flags: flags.type === 'array' ? flags.items.map((f) => text(f).toLowerCase()) : [],
    firstKey: num(first),
    lastKey: num(last),
    step: num(step),
    subcommands: subs?.type === 'array' ? subs.items.map(parseDescription).filter((d): d is CommandDescription => d !== undefined) : [],
  };
}

export class CommandCatalog {
  private readonly byName = new Map<string, CommandDescription>();

  /** `live`: built from the server's COMMAND reply; otherwise from @ioredis/commands. */
  constructor(
    descriptions: readonly CommandDescription[],
    readonly live: boolean,
  ) {
    for (const d of descriptions) {
      this.byName.set(d.name, d);
      for (const s of d.subcommands) this.byName.set(s.name, s);
    }
  }

  get(name: string): CommandDescription | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Top-level commands, sorted by name. */
  list(): CommandDescription[] {
    return [...this.byName.values()].filter((d) => !d.name.includes('|')).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Finds the command (and subcommand) of an argv and tells whether it writes. */
  classify(argv: readonly Buffer[]): Classification {
    const first = (argv[0] ?? Buffer.alloc(0)).toString('utf8').toLowerCase();
    const second = argv[1]?.toString('utf8').toLowerCase();
    const top = this.get(first);
    let name = first;
    let desc = top;
    if (second !== undefined) {
      const subName = `${first}|${second}`;
      if (this.live ? (top?.subcommands.length ?? 0) > 0 : KNOWN_SUBCOMMANDS.has(subName)) {
        name = subName;
        desc = this.live ? this.get(subName) : top;
      }
    }
    const display = name.replace('|', ' ').toUpperCase();
    const known = desc !== undefined;
    const result = (write: boolean, reason?: string): Classification =>
      reason === undefined ? { display, name, known, write } : { display, name, known, write, reason };
    const extra = EXTRA_WRITES.get(name);
    if (extra) return result(true, extra());
    if (!this.live && FALLBACK_SUB_WRITES.has(name)) return result(true, l10n.t('changes the server'));
    const args = argv.slice(1).map((a) => a.toString('latin1').toUpperCase());
    if (name === 'sort' || name === 'georadius' || name === 'georadiusbymember') {
      return args.includes('STORE') || args.includes('STOREDIST') ? result(true, l10n.t('stores its result')) : result(false);
    }
    if (name === 'acl|log') return args.includes('RESET') ? result(true, l10n.t('resets the ACL log')) : result(false);
    // Unknown to the live server: it will refuse it. Unknown to the fallback list: be careful.
    if (!desc) return this.live ? result(false) : result(true, l10n.t('is not a known read-only command'));
    if (desc.flags.includes('write')) return result(true, l10n.t('writes data'));
    if (desc.flags.includes('admin') && !ADMIN_READS.has(name)) return result(true, l10n.t('is an admin command'));
    return result(false);
  }
}

/** Builds a catalog from the reply of `COMMAND`. */
export function catalogFromReply(reply: RedisReply): CommandCatalog {
  const items = reply.type === 'array' ? reply.items : [];
  return new CommandCatalog(
    items.map(parseDescription).filter((d): d is CommandDescription => d !== undefined),
    true,
  );
}

/** A catalog from @ioredis/commands (no subcommands, no live truth). */
export function fallbackCatalog(): CommandCatalog {
  const descriptions: CommandDescription[] = ioredisCommands.list.map((name) => ({
    name,
    arity: 0,
    flags: ['write', 'admin', 'readonly'].filter((f) => ioredisCommands.hasFlag(name, f)),
    firstKey: 0,
    lastKey: 0,
    step: 0,
    subcommands: [],
  }));
  return new CommandCatalog(descriptions, false);
}

/**
 * The command catalog of the server behind `source`, from `COMMAND`; falls
 * back to @ioredis/commands when COMMAND is refused (renamed, ACL).
 */
export async function loadCommandCatalog(source: ReplySource): Promise<CommandCatalog> {
  try {
    const reply = await source.send([Buffer.from('COMMAND')]);
    return reply.type === 'array' && reply.items.length > 0 ? catalogFromReply(reply) : fallbackCatalog();
  } catch {
    return fallbackCatalog();
  }
}

/**
 * The refusal for a command on a read-only profile when it would write, or
 * undefined when it may be sent. `line` is named in the sentence.
 */
export function commandRefusal(
  profile: GuardedProfile,
  catalog: CommandCatalog,
  argv: readonly Buffer[],
  line?: number,
): ReadOnlyError | undefined {
  if (!profile.readOnly) return undefined;
  const c = catalog.classify(argv);
  if (!c.write) return undefined;
  const reason = c.reason ?? l10n.t('writes');
  return readOnlyError(
    profile,
    line === undefined ? l10n.t('{0} (it {1})', c.display, reason) : l10n.t('{0} on line {1} (it {2})', c.display, line, reason),
  );
}

// ---------------------------------------------------------------- docs, for completion and HELP

export interface CommandDoc {
  /** Upper case, subcommands with a space (`CONFIG SET`). */
  name: string;
  summary: string;
  since?: string;
  group?: string;
  complexity?: string;
  /** Argument syntax as in the Redis docs: `key value [NX | XX] …`. */
  syntax: string;
  arity?: number;
}

function mapOf(reply: RedisReply | undefined): Map<string, RedisReply> {
  const out = new Map<string, RedisReply>();
  if (reply?.type !== 'array') return out;
  for (let i = 0; i + 1 < reply.items.length; i += 2) out.set(text(reply.items[i]), reply.items[i + 1]);
  return out;
}

function argSyntax(arg: Map<string, RedisReply>): string {
  const type = text(arg.get('type'));
  const token = arg.has('token') ? text(arg.get('token')) : undefined;
  const flagsReply = arg.get('flags');
  const flags = flagsReply?.type === 'array' ? flagsReply.items.map(text) : [];
  const nested = arg.get('arguments');
  const children = nested?.type === 'array' ? nested.items.map((a) => argSyntax(mapOf(a))) : [];
  let body: string;
  if (type === 'pure-token') body = token ?? text(arg.get('name'));
  else if (type === 'oneof') body = children.join(' | ');
  else if (type === 'block') body = children.join(' ');
  else body = text(arg.get('name'));
  if (token !== undefined && type !== 'pure-token') body = type === 'oneof' ? `${token} ${body}` : `${token} ${body}`;
  if (flags.includes('multiple')) body = `${body} [${body} ...]`;
  if (flags.includes('optional')) return `[${body}]`;
  return type === 'oneof' && !flags.includes('optional') ? `<${body}>` : body;
}

function parseDocs(reply: RedisReply, catalog: CommandCatalog | undefined, parent?: string): CommandDoc[] {
  const out: CommandDoc[] = [];
  if (reply.type !== 'array') return out;
  for (let i = 0; i + 1 < reply.items.length; i += 2) {
    const name = text(reply.items[i]);
    const fields = mapOf(reply.items[i + 1]);
    const args = fields.get('arguments');
    const doc: CommandDoc = {
      name: (parent ? name.replace('|', ' ') : name).toUpperCase(),
      summary: text(fields.get('summary')),
      syntax: args?.type === 'array' ? args.items.map((a) => argSyntax(mapOf(a))).join(' ') : '',
    };
    if (fields.has('since')) doc.since = text(fields.get('since'));
    if (fields.has('group')) doc.group = text(fields.get('group'));
    if (fields.has('complexity')) doc.complexity = text(fields.get('complexity'));
    const arity = catalog?.get(name)?.arity;
    if (arity !== undefined) doc.arity = arity;
    out.push(doc);
    const subs = fields.get('subcommands');
    if (subs) out.push(...parseDocs(subs, catalog, name));
  }
  return out;
}

/**
 * Every command and subcommand with summary, syntax and arity (from
 * `COMMAND DOCS`, Redis 7+), sorted by name. An older server gives names
 * and arities only.
 */
export async function getCommandDocsFrom(source: ReplySource, catalog: CommandCatalog): Promise<CommandDoc[]> {
  const reply = await source.send([Buffer.from('COMMAND'), Buffer.from('DOCS')]);
  let docs = parseDocs(reply, catalog);
  if (docs.length === 0) {
    docs = catalog.list().map((d) => ({ name: d.name.toUpperCase(), summary: '', syntax: '', arity: d.arity }));
  }
  return docs.sort((a, b) => a.name.localeCompare(b.name));
}

/** The docs of the command an argv starts with (subcommand first), for HELP. */
export function findDoc(docs: readonly CommandDoc[], words: readonly string[]): CommandDoc | undefined {
  const first = (words[0] ?? '').toUpperCase();
  const second = words[1]?.toUpperCase();
  return (second !== undefined ? docs.find((d) => d.name === `${first} ${second}`) : undefined) ?? docs.find((d) => d.name === first);
}
