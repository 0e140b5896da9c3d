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
 */
import * as vscode from 'vscode';
import { displayBytes, fromBase64Url, isUtf8, toBase64Url } from '../../core/bytes';
import { errorMessage, ReadOnlyError } from '../../core/errors';
import type { ResolvedRedisProfile } from '../../core/profiles';
import type { RedisPool } from '../../core/redis/pool';
import { saveStringCas, type SaveOutcome } from '../../core/redis/stringOps';
import { readOnlyError } from '../../core/readOnly';
import { readString } from '../../core/redis/values';
import type { Settings } from '../settings';
import type { ResultsDocuments } from './resultsDocument';

export const STRING_SCHEME = 'broker-redis-string';

export interface StringRef {
  profile: string;
  db: number;
  key: Buffer;
}

export function stringUri(ref: StringRef): vscode.Uri {
  const label = displayBytes(ref.key, 60).replace(/\//g, '∕') || '(empty key)';
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

/** Text round-trips through an editor byte for byte: valid UTF-8, no NUL or BOM, one kind of line ending. */
export function editableAsText(buf: Buffer): boolean {
  if (!isUtf8(buf) || buf.includes(0) || (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)) return false;
  const text = buf.toString('latin1');
  const lf = (text.match(/\n/g) ?? []).length;
  const cr = (text.match(/\r/g) ?? []).length;
  const crlf = (text.match(/\r\n/g) ?? []).length;
  return cr === 0 || (cr === crlf && lf === crlf);
}

export function toHexText(buf: Buffer): string {
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i += 16)
    lines.push(
      buf
        .subarray(i, i + 16)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 '),
    );
  return `${lines.join('\n')}\n`;
}

export function fromHexText(text: string): Buffer {
  const hex = text.replace(/\s+/g, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
    throw new Error('The document is not valid hex: use pairs of 0-9 / a-f digits (spaces and line breaks are ignored).');
  return Buffer.from(hex, 'hex');
}

interface State {
  mtime: number;
  size: number;
  /** The bytes the editor was given (undefined until read). */
  base: Buffer | undefined;
  mode: 'text' | 'hex';
  readOnly: string | undefined;
}

export class StringFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly states = new Map<string, State>();
  /** URIs whose next save overwrites whatever the server holds (the user chose Overwrite). */
  private readonly force = new Set<string>();

  constructor(
    private readonly pool: RedisPool,
    private readonly settings: () => Settings,
    private readonly results: ResultsDocuments,
    private readonly onWritten: (ref: StringRef) => void = () => undefined,
  ) {}

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  private profile(ref: StringRef): ResolvedRedisProfile {
    return this.pool.profile(ref.profile);
  }

  private async meta(ref: StringRef): Promise<{ length: number; readOnly: string | undefined }> {
    const client = await this.pool.get(ref.profile, ref.db);
    const [typeReply, lengthReply] = (await client.pipeline().type(ref.key).strlen(ref.key).exec()) ?? [];
    const type = typeReply && !typeReply[0] ? String(typeReply[1]) : 'none';
    const name = displayBytes(ref.key, 80);
    if (type === 'none')
      throw vscode.FileSystemError.FileNotFound(
        `The key "${name}" does not exist in db${ref.db} of "${ref.profile}" (it may have expired or been deleted).`,
      );
    if (type !== 'string')
      throw vscode.FileSystemError.FileIsADirectory(`The key "${name}" holds a ${type}, not a string: open it from the tree instead.`);
    const length = lengthReply && !lengthReply[0] ? Number(lengthReply[1]) : 0;
    const max = this.settings().maxValueBytes;
    const readOnly = this.profile(ref).readOnly
      ? readOnlyError(this.profile(ref), 'saving this value').message
      : length > max
        ? `The value is ${length.toLocaleString('en-US')} bytes, more than brokerExplorer.redis.maxValueBytes (${max.toLocaleString('en-US')}): it opened truncated and read-only.`
        : undefined;
    return { length, readOnly };
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
    const name = displayBytes(ref.key, 80);
    if (state?.readOnly) throw vscode.FileSystemError.NoPermissions(state.readOnly);
    let bytes: Buffer;
    try {
      bytes = state?.mode === 'hex' ? fromHexText(Buffer.from(content).toString('utf8')) : Buffer.from(content);
    } catch (err) {
      throw vscode.FileSystemError.Unavailable(`The value of "${name}" was not saved: ${errorMessage(err)}`);
    }
    const forced = this.force.delete(key);
    const session = await this.pool.session(ref.profile, ref.db);
    let saved: SaveOutcome;
    try {
      saved = await saveStringCas(session, ref.key, state?.base, bytes, { force: forced });
    } catch (err) {
      // The session's guard refuses on a read-only profile, before anything is sent.
      if (err instanceof ReadOnlyError) throw vscode.FileSystemError.NoPermissions(err.message);
      throw vscode.FileSystemError.Unavailable(errorMessage(err));
    }
    if (saved.outcome !== 'saved') {
      const why =
        saved.outcome === 'gone'
          ? 'was deleted on the server'
          : saved.outcome === 'wrongType'
            ? `now holds a ${saved.type} on the server`
            : state?.base === undefined
              ? 'exists on the server and was not opened here'
              : 'changed on the server';
      throw this.conflict(
        uri,
        `The value of "${name}" ${why} since it was opened: it was not overwritten. Reload it, compare, or save again choosing Overwrite.`,
        saved.outcome === 'conflict' ? saved.current : null,
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

  /** The conflict error; when the document is open, also offers Overwrite / Reload / Compare. */
  private conflict(uri: vscode.Uri, message: string, server: Buffer | null): vscode.FileSystemError {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc) void this.offer(doc, message, server);
    return vscode.FileSystemError.Unavailable(message);
  }

  private async offer(doc: vscode.TextDocument, message: string, server: Buffer | null): Promise<void> {
    const choice = await vscode.window.showWarningMessage(message, 'Overwrite', 'Reload', 'Compare');
    if (choice === 'Overwrite') {
      this.force.add(doc.uri.toString());
      await doc.save();
    } else if (choice === 'Reload') {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    } else if (choice === 'Compare') {
      const state = this.states.get(doc.uri.toString());
      const text =
        server === null
          ? '(the key no longer exists)'
          : state?.mode === 'hex' || !editableAsText(server)
            ? toHexText(server)
            : server.toString('utf8');
      const handle = this.results.create(`server value of ${doc.uri.path.split('/').pop() ?? 'key'}`, { maxLines: 1_000_000 });
      handle.append(...text.split('\n'));
      handle.flush();
      await vscode.commands.executeCommand(
        'vscode.diff',
        handle.uri,
        doc.uri,
        'Server ↔ Yours (save again and choose Overwrite to keep yours)',
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
    throw vscode.FileSystemError.NoPermissions(`Delete keys from the Redis view: ${uri.path.split('/').pop() ?? ''} was not deleted.`);
  }
  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(
      `Rename keys with "Rename…" in the Redis view: ${uri.path.split('/').pop() ?? ''} was not renamed.`,
    );
  }

  dispose(): void {
    this.emitter.dispose();
    this.states.clear();
  }
}
