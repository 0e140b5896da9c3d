/**
 * The value editor panels (the extension side): one panel per (profile, db,
 * key), opened by "Open in Value Editor", restored after a window reload,
 * told to reload when we write the key. All Redis work goes through core
 * (core/redis/valuePager.ts).
 */
import type * as vscode from 'vscode';
import { displayBytes } from '../../core/bytes';
import { InputError } from '../../core/errors';
import type { RedisPool } from '../../core/redis/pool';
import type { RedisClient } from '../../core/redis/redisClient';
import { readValueHeader, readValuePage, VALUE_COLUMNS } from '../../core/redis/valuePager';
import type { CollectionType } from '../../core/redis/valueScanner';
import type { ValueEditorProtocol, ValueEditorRef, ValueHeader } from '../../webview/valueEditor/protocol';
import type { ExtensionLog } from '../log';
import { registerPanelRestorer, openPanel, WebviewHost, type RequestHandlers } from './webviewHost';

export const VALUE_EDITOR_VIEW_TYPE = 'brokerExplorer.valueEditor';
const MAX_PAGE = 1000;

export interface ValueEditorDeps {
  extensionUri: vscode.Uri;
  pool: RedisPool;
  log: ExtensionLog;
}

export interface OpenedValueEditor {
  opened: true;
  type: CollectionType;
  length: number;
}

function refId(ref: ValueEditorRef): string {
  return `${ref.profile}\u0000${ref.db}\u0000${ref.keyHex}`;
}

function isRef(value: unknown): value is ValueEditorRef {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.profile === 'string' && typeof v.db === 'number' && typeof v.keyHex === 'string' && /^([0-9a-f]{2})*$/.test(v.keyHex);
}

export class ValueEditors implements vscode.Disposable {
  private readonly open = new Map<string, WebviewHost<ValueEditorProtocol>>();

  constructor(private readonly deps: ValueEditorDeps) {}

  /** Registers the restorer of panels left open at the last window reload. */
  registerRestorer(): vscode.Disposable {
    return registerPanelRestorer(VALUE_EDITOR_VIEW_TYPE, (panel, state) => {
      const ref = typeof state === 'object' && state !== null ? (state as { ref?: unknown }).ref : undefined;
      if (!isRef(ref)) {
        panel.dispose();
        return Promise.resolve();
      }
      this.attach(new WebviewHost(panel, this.deps.extensionUri, this.pageSpec(ref)), ref);
      return Promise.resolve();
    });
  }

  /** Opens (or reveals) the editor of a key; reads its header first so a missing key or a string fails before a panel opens. */
  async openEditor(profile: string, db: number, key: Buffer): Promise<OpenedValueEditor> {
    const session = await this.deps.pool.session(profile, db);
    const header = await readValueHeader(await session.client(), key);
    const ref: ValueEditorRef = { profile, db, keyHex: key.toString('hex') };
    const existing = this.open.get(refId(ref));
    if (existing) {
      existing.panel.reveal();
      existing.push('changed', {});
    } else {
      const host = openPanel(
        this.deps.extensionUri,
        { viewType: VALUE_EDITOR_VIEW_TYPE, title: `${displayBytes(key, 40)} (${profile} db${db})` },
        this.pageSpec(ref),
      );
      this.attach(host, ref);
    }
    return { opened: true, type: header.type, length: header.length };
  }

  /** Tells the open editor of a key (if any) to reload: we wrote it. */
  keyChanged(profile: string, db: number, key: Buffer): void {
    this.open.get(refId({ profile, db, keyHex: key.toString('hex') }))?.push('changed', {});
  }

  private attach(host: WebviewHost<ValueEditorProtocol>, ref: ValueEditorRef): void {
    const id = refId(ref);
    this.open.get(id)?.dispose();
    this.open.set(id, host);
    host.onDidDispose(() => {
      if (this.open.get(id) === host) this.open.delete(id);
    });
  }

  private pageSpec(ref: ValueEditorRef): {
    bundle: string;
    title: string;
    handlers: RequestHandlers<ValueEditorProtocol>;
    log: ExtensionLog;
  } {
    const key = Buffer.from(ref.keyHex, 'hex');
    const client = async (): Promise<RedisClient> => (await this.deps.pool.session(ref.profile, ref.db)).client();
    let type: CollectionType | undefined;
    const handlers: RequestHandlers<ValueEditorProtocol> = {
      header: async (): Promise<ValueHeader> => {
        const session = await this.deps.pool.session(ref.profile, ref.db);
        const h = await readValueHeader(await session.client(), key);
        type = h.type;
        return {
          ref,
          keyLabel: displayBytes(key, 400),
          ...h,
          readOnly: session.profile.readOnly === true,
          columns: [...VALUE_COLUMNS[h.type]],
        };
      },
      page: async (params) => {
        if (!type) throw new InputError('The value editor asked for rows before reading the key: reload the editor.');
        const limit = Math.min(Math.max(1, Math.floor(params.limit)), MAX_PAGE);
        return readValuePage(await client(), key, type, String(params.cursor), limit);
      },
    };
    return { bundle: 'valueEditor', title: 'Value Editor', handlers, log: this.deps.log };
  }

  dispose(): void {
    for (const host of this.open.values()) host.dispose();
    this.open.clear();
  }
}
