/**
 * String values as editable documents (scheme `broker-redis-string`). The
 * URI path is `/p<profile>/<db>/k<key>/<label>`: profile and key each one
 * base64url segment (keys may hold `/`, newlines, be empty or not UTF-8),
 * then a readable label. The document holds the exact bytes — UTF-8 text,
 * or hex when the value is not plain text — and saving writes back exactly
 * what was written with `SET … KEEPTTL` inside WATCH / MULTI / EXEC on a
 * connection of its own: a value changed on the server since it was read
 * is never overwritten silently. A value larger than maxValueBytes opens
 * truncated and read-only.
 *
 * The same file system holds the JSON documents of collections (hash,
 * list, set, sorted set up to maxEditableItems items) and RedisJSON keys
 * (label ending in `.json`; see jsonDocuments.ts): problems in the text are
 * shown at their place and refused before anything is sent; a save writes
 * the minimal change with the same conflict flow.
 */
import * as vscode from 'vscode';
import { displayBytes, fromBase64Url, isUtf8, toBase64Url } from '../../core/bytes';
import { editableAsText, fromHexText, toHexText } from './stringText';
import { errorMessage, ReadOnlyError } from '../../core/errors';
import { TooLargeError } from '../../core/redis/collectionEdit';
import { JsonSourceError } from '../../core/redis/jsonSource';
import type { ResolvedRedisProfile } from '../../core/profiles';
import type { RedisPool } from '../../core/redis/pool';
import { saveStringCas, type SaveOutcome } from '../../core/redis/stringOps';
import { readOnlyError } from '../../core/readOnly';
import { REJSON_TYPE } from '../../core/redis/redisJsonDoc';
import { readString } from '../../core/redis/values';
import { formatCount } from '../../core/units';
import type { Prompts } from '../prompts';
import { UserCancelled } from '../prompts';
import type { Settings } from '../settings';
import { JsonDiagnostics, placeOf } from './jsonDiagnostics';
import {
  checkJsonDocument,
  isJsonDocumentType,
  itemCount,
  keyGoneNote,
  lengthChangeQuestion,
  notSavedSentence,
  readJsonDocument,
  saveJsonDocument,
  tooLargeSentence,
  type JsonDocumentBase,
  type JsonDocumentOutcome,
} from './jsonDocuments';
import type { ResultsDocuments } from './resultsDocument';
import { typeNoun } from '../../core/redis/typeWords';

export const STRING_SCHEME = 'broker-redis-string';

export interface StringRef {
  profile: string;
  db: number;
  key: Buffer;
}

/** The document of a key: its exact bytes for a string; with `json`, the JSON document of a collection or RedisJSON key. */
export function stringUri(ref: StringRef, json = false): vscode.Uri {
  const label = (displayBytes(ref.key, 60).replace(/\//g, '∕') || vscode.l10n.t('(empty key)')) + (json ? '.json' : '');
  return vscode.Uri.from({
    scheme: STRING_SCHEME,
    path: `/p${toBase64Url(Buffer.from(ref.profile, 'utf8'))}/${ref.db}/k${toBase64Url(ref.key)}/${label}`,
  });
}

export function parseStringUri(uri: vscode.Uri): StringRef {
  const [, p, db, k] = uri.path.split('/');
  if (!p?.startsWith('p') || !k?.startsWith('k') || !/^\d+$/.test(db ?? '')) throw vscode.FileSystemError.FileNotFound(uri);
  return { profile: fromBase64Url(p.slice(1)).toString('utf8'), db: Number(db), key: fromBase64Url(k.slice(1)) };
}

interface State {
  mtime: number;
  size: number;
  /** The bytes the editor was given (undefined until read). */
  base: Buffer | undefined;
  mode: 'text' | 'hex' | 'json';
  readOnly: string | undefined;
  /** A JSON document's value as opened (mode "json"). */
  json?: JsonDocumentBase;
}

interface Meta {
  type: string;
  length: number;
  readOnly: string | undefined;
}

/** The error a failed save throws: the read-only refusal (the session's guard, before anything is sent) or one sentence. */
function saveFailure(err: unknown): vscode.FileSystemError {
  if (err instanceof vscode.FileSystemError) return err;
  if (err instanceof ReadOnlyError) return vscode.FileSystemError.NoPermissions(err.message);
  return vscode.FileSystemError.Unavailable(errorMessage(err));
}

export class StringFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly states = new Map<string, State>();
  /** URIs whose next save overwrites whatever the server holds (the user chose Overwrite). */
  private readonly force = new Set<string>();
  /** Problems of the JSON documents, at their place. */
  readonly diagnostics = new JsonDiagnostics(STRING_SCHEME, (uri, text) => {
    const json = this.states.get(uri.toString())?.json;
    return json ? checkJsonDocument(json, text) : undefined;
  });

  constructor(
    private readonly pool: RedisPool,
    private readonly settings: () => Settings,
    private readonly results: ResultsDocuments,
    private readonly onWritten: (ref: StringRef) => void = () => undefined,
    /** Asks before a save that changes a list's length (tests inject answers). */
    private readonly prompts?: Prompts,
  ) {}

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  private profile(ref: StringRef): ResolvedRedisProfile {
    return this.pool.profile(ref.profile);
  }

  private async meta(ref: StringRef): Promise<Meta> {
    const client = await this.pool.get(ref.profile, ref.db);
    const [typeReply, lengthReply] = (await client.pipeline().type(ref.key).strlen(ref.key).exec()) ?? [];
    const type = typeReply && !typeReply[0] ? String(typeReply[1]) : 'none';
    const name = displayBytes(ref.key, 80);
    if (type === 'none')
      throw vscode.FileSystemError.FileNotFound(
        vscode.l10n.t('The key "{0}" does not exist in db{1} of "{2}" (it may have expired or been deleted).', name, ref.db, ref.profile),
      );
    const guard = this.profile(ref).readOnly ? readOnlyError(this.profile(ref), vscode.l10n.t('saving this value')).message : undefined;
    if (isJsonDocumentType(type)) {
      const length = await itemCount(await this.pool.session(ref.profile, ref.db), ref.key, type);
      const max = this.settings().maxEditableItems;
      if (length > max) throw vscode.FileSystemError.Unavailable(tooLargeSentence(ref.key, type, length, max));
      return { type, length, readOnly: guard };
    }
    if (type !== 'string')
      throw vscode.FileSystemError.FileIsADirectory(
        vscode.l10n.t('The key "{0}" holds a {1}, which does not open as a document: open it from the tree instead.', name, type),
      );
    const length = lengthReply && !lengthReply[0] ? Number(lengthReply[1]) : 0;
    const max = this.settings().maxValueBytes;
    const readOnly =
      guard ??
      (length > max
        ? vscode.l10n.t(
            'The value is {0} bytes, more than brokerExplorer.redis.maxValueBytes ({1}): it opened truncated and read-only.',
            formatCount(length),
            formatCount(max),
          )
        : undefined);
    return { type, length, readOnly };
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    // The segments before the label are folders (VS Code checks the parent folder before writing).
    if (uri.path.split('/').length < 5) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const key = uri.toString();
    let state = this.states.get(key);
    if (!state) {
      const m = await this.meta(parseStringUri(uri));
      state = { mtime: Date.now(), size: m.length, base: undefined, mode: 'text', readOnly: m.readOnly };
      this.states.set(key, state);
    }
    return {
      type: vscode.FileType.File,
      ctime: 0,
      mtime: state.mtime,
      size: state.size,
      ...(state.readOnly ? { permissions: vscode.FilePermission.Readonly } : {}),
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const ref = parseStringUri(uri);
    const m = await this.meta(ref);
    if (isJsonDocumentType(m.type)) return this.readJson(uri, ref, m);
    const client = await this.pool.get(ref.profile, ref.db);
    const read = await readString(client, ref.key, m.length, this.settings().maxValueBytes);
    let bytes = read.bytes;
    // A cut value may end inside a UTF-8 character: drop the partial one rather than show it all as hex.
    if (read.truncated) for (let cut = 0; cut < 4 && !isUtf8(bytes); cut++) bytes = read.bytes.subarray(0, read.bytes.length - cut - 1);
    const mode = editableAsText(bytes) ? 'text' : 'hex';
    const shown = mode === 'text' ? bytes : read.bytes;
    const content = mode === 'text' ? shown : Buffer.from(toHexText(shown), 'utf8');
    const previous = this.states.get(uri.toString());
    this.states.set(uri.toString(), {
      mtime: previous?.mtime ?? Date.now(),
      size: content.length,
      base: read.truncated ? undefined : read.bytes,
      mode,
      readOnly: m.readOnly,
    });
    return content;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const ref = parseStringUri(uri);
    const key = uri.toString();
    const state = this.states.get(key);
    const what = vscode.l10n.t('The value of "{0}"', displayBytes(ref.key, 80));
    if (state?.readOnly) throw vscode.FileSystemError.NoPermissions(state.readOnly);
    if (state?.json) return this.writeJson(uri, ref, state, state.json, Buffer.from(content).toString('utf8'));
    let bytes: Buffer;
    try {
      bytes = state?.mode === 'hex' ? fromHexText(Buffer.from(content).toString('utf8')) : Buffer.from(content);
    } catch (err) {
      throw vscode.FileSystemError.Unavailable(vscode.l10n.t('{0} was not saved: {1}', what, errorMessage(err)));
    }
    const forced = this.force.delete(key);
    const session = await this.pool.session(ref.profile, ref.db);
    let saved: SaveOutcome;
    try {
      saved = await saveStringCas(session, ref.key, state?.base, bytes, { force: forced });
    } catch (err) {
      throw saveFailure(err);
    }
    if (saved.outcome !== 'saved') {
      const server = saved.outcome === 'conflict' ? saved.current : null;
      throw this.conflict(
        uri,
        notSavedSentence(what, saved, state?.base !== undefined),
        server === null ? keyGoneNote() : state?.mode === 'hex' || !editableAsText(server) ? toHexText(server) : server.toString('utf8'),
      );
    }
    const mode = state?.mode ?? (editableAsText(bytes) ? 'text' : 'hex');
    this.states.set(key, {
      mtime: Math.max(Date.now(), (state?.mtime ?? 0) + 1),
      size: content.length,
      base: bytes,
      mode,
      readOnly: undefined,
    });
    this.onWritten(ref);
  }

  private async readJson(uri: vscode.Uri, ref: StringRef, m: Meta): Promise<Uint8Array> {
    if (!isJsonDocumentType(m.type)) throw vscode.FileSystemError.FileIsADirectory(uri);
    const session = await this.pool.session(ref.profile, ref.db);
    let read: Awaited<ReturnType<typeof readJsonDocument>>;
    try {
      read = await readJsonDocument(session, ref.key, m.type, this.settings().maxEditableItems);
    } catch (err) {
      if (err instanceof TooLargeError) throw vscode.FileSystemError.Unavailable(err.message);
      throw err;
    }
    const content = Buffer.from(read.text, 'utf8');
    const previous = this.states.get(uri.toString());
    this.states.set(uri.toString(), {
      mtime: previous?.mtime ?? Date.now(),
      size: content.length,
      base: undefined,
      mode: 'json',
      readOnly: m.readOnly,
      json: read.base,
    });
    this.diagnostics.clear(uri);
    return content;
  }

  /** Saves a JSON document: checked first (a problem is shown at its place, nothing sent), then the minimal change with a compare-and-set. */
  private async writeJson(uri: vscode.Uri, ref: StringRef, state: State, base: JsonDocumentBase, text: string): Promise<void> {
    const type = base.kind === 'collection' ? base.value.type : REJSON_TYPE;
    const what = vscode.l10n.t('The {0} "{1}"', typeNoun(type), displayBytes(ref.key, 80));
    const problem = checkJsonDocument(base, text);
    if (problem) {
      this.diagnostics.show(uri, text, problem);
      throw vscode.FileSystemError.Unavailable(
        vscode.l10n.t('{0} was not saved ({1}): {2}', what, placeOf(text, problem), problem.message),
      );
    }
    this.diagnostics.clear(uri);
    const key = uri.toString();
    const options = { force: this.force.delete(key), allowLengthChange: false, maxItems: this.settings().maxEditableItems };
    const session = await this.pool.session(ref.profile, ref.db);
    let saved: JsonDocumentOutcome;
    try {
      saved = await saveJsonDocument(session, ref.key, base, text, options);
      if (saved.outcome === 'lengthChange') {
        const { from, to } = saved;
        try {
          const question = lengthChangeQuestion(ref.key, from, to);
          await (this.prompts?.confirm(question, vscode.l10n.t('Save')) ?? Promise.reject(new UserCancelled()));
        } catch (err) {
          if (err instanceof UserCancelled)
            throw vscode.FileSystemError.Unavailable(
              vscode.l10n.t('{0} was not saved: changing its length from {1} to {2} was not confirmed.', what, from, to),
            );
          throw err;
        }
        saved = await saveJsonDocument(session, ref.key, base, text, { ...options, allowLengthChange: true });
      }
    } catch (err) {
      if (err instanceof JsonSourceError)
        throw vscode.FileSystemError.Unavailable(vscode.l10n.t('{0} was not saved: {1}', what, err.message));
      throw saveFailure(err);
    }
    if (saved.outcome === 'lengthChange')
      throw vscode.FileSystemError.Unavailable(vscode.l10n.t('{0} was not saved: its length changed again meanwhile.', what));
    if (saved.outcome !== 'saved') {
      throw this.conflict(
        uri,
        notSavedSentence(what, saved, true),
        saved.outcome === 'conflict'
          ? saved.server
          : saved.outcome === 'gone'
            ? keyGoneNote()
            : vscode.l10n.t('(the key now holds a {0})', saved.type),
      );
    }
    this.states.set(key, {
      ...state,
      mtime: Math.max(Date.now(), state.mtime + 1),
      size: Buffer.byteLength(text),
      json: saved.base,
      readOnly: undefined,
    });
    this.onWritten(ref);
  }

  /** The conflict error; when the document is open, also offers Overwrite / Reload / Compare. */
  private conflict(uri: vscode.Uri, message: string, server: string): vscode.FileSystemError {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc) void this.offer(doc, message, server);
    return vscode.FileSystemError.Unavailable(message);
  }

  private async offer(doc: vscode.TextDocument, message: string, server: string): Promise<void> {
    const [overwrite, reload, compare] = [vscode.l10n.t('Overwrite'), vscode.l10n.t('Reload'), vscode.l10n.t('Compare')];
    const choice = await vscode.window.showWarningMessage(message, overwrite, reload, compare);
    if (choice === overwrite) {
      this.force.add(doc.uri.toString());
      await doc.save();
    } else if (choice === reload) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    } else if (choice === compare) {
      const name = vscode.l10n.t('server value of {0}', doc.uri.path.split('/').pop() ?? vscode.l10n.t('key'));
      const handle = this.results.create(name, { maxLines: 1_000_000 });
      handle.append(...server.split('\n'));
      handle.flush();
      await vscode.commands.executeCommand(
        'vscode.diff',
        handle.uri,
        doc.uri,
        vscode.l10n.t('Server ↔ Yours (save again and choose Overwrite to keep yours)'),
      );
    }
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(
      vscode.l10n.t('Delete keys from the Redis view: {0} was not deleted.', uri.path.split('/').pop() ?? ''),
    );
  }
  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(
      vscode.l10n.t('Rename keys with "Rename…" in the Redis view: {0} was not renamed.', uri.path.split('/').pop() ?? ''),
    );
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.emitter.dispose();
    this.states.clear();
  }
}
