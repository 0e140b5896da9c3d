/**
 * The value editor panels (the extension side): one panel per (profile, db,
 * key), opened by "Open in Value Editor", restored after a window reload,
 * told to reload when we write the key's database elsewhere. All Redis work
 * goes through core, in valueEditorHandlers.ts.
 */
import * as vscode from 'vscode';
import { displayBytes } from '../../core/bytes';
import type { RedisPool } from '../../core/redis/pool';
import { readValueHeader, readValuePage, type PagerPage, type ValueHeaderRead } from '../../core/redis/valuePager';
import type { CollectionType } from '../../core/redis/valueScanner';
import {
  CELL_FORMATS,
  PAGE_ROWS,
  type CellFormat,
  type ValueEditorProtocol,
  type ValueEditorInitial,
  type ValueEditorRef,
} from '../../webview/valueEditor/protocol';
import type { ExtensionLog } from '../log';
import { valueEditorHandlers } from './valueEditorHandlers';
import { openPanel, registerPanelRestorer, WebviewHost, type WebviewPageSpec } from './webviewHost';

export const VALUE_EDITOR_VIEW_TYPE = 'brokerExplorer.valueEditor';
const FORMATS_STATE = 'brokerExplorer.valueEditor.formats';

export interface ValueEditorDeps {
  extensionUri: vscode.Uri;
  pool: RedisPool;
  log: ExtensionLog;
  /** Where column formats are remembered per key pattern. */
  state: vscode.Memento;
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

function isFormat(value: unknown): value is CellFormat {
  return typeof value === 'string' && (CELL_FORMATS as readonly string[]).includes(value);
}

export class ValueEditors implements vscode.Disposable {
  private readonly open = new Map<string, WebviewHost<ValueEditorProtocol>>();
  /** When each editor was asked for (performance.now()) and reached each host step (Date.now()), until its first rows are on screen. */
  private readonly asked = new Map<string, { started: number; marks: Record<string, number> }>();

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

  /**
   * Opens (or reveals) the editor of a key; reads its header first so a missing key or a string fails
   * before a panel opens. The panel is created at once; its first page is read meanwhile and written
   * into the page's HTML, so the rows show without a request.
   */
  async openEditor(profile: string, db: number, key: Buffer): Promise<OpenedValueEditor> {
    const started = performance.now();
    const marks: Record<string, number> = { command: Date.now() };
    const session = await this.deps.pool.session(profile, db);
    const client = await session.client();
    const header = await readValueHeader(client, key);
    marks.header = Date.now();
    const ref: ValueEditorRef = { profile, db, keyHex: key.toString('hex') };
    const existing = this.open.get(refId(ref));
    if (existing) {
      existing.panel.reveal();
      existing.push('changed', {});
    } else {
      this.asked.set(refId(ref), { started, marks });
      const first = readValuePage(client, key, header.type, { cursor: '0', limit: PAGE_ROWS });
      first.catch(() => undefined);
      const spec = this.pageSpec(ref, { header, first });
      const initial = Promise.all([spec.handlers.header({}), spec.handlers.page({ cursor: '0', limit: PAGE_ROWS })]).then(
        ([h, page]): ValueEditorInitial => {
          marks.data = Date.now();
          return { header: h, page };
        },
      );
      const host = openPanel(
        this.deps.extensionUri,
        { viewType: VALUE_EDITOR_VIEW_TYPE, title: `${displayBytes(key, 40)} (${profile} db${db})` },
        { ...spec, initial },
      );
      marks.panel = Date.now();
      this.attach(host, ref);
    }
    return { opened: true, type: header.type, length: header.length };
  }

  /** A database was written through the extension: its open editors reload. */
  databaseChanged(profile: string, db: number): void {
    for (const [id, host] of this.open) if (id.startsWith(`${profile}\u0000${db}\u0000`)) host.push('changed', {});
  }

  private attach(host: WebviewHost<ValueEditorProtocol>, ref: ValueEditorRef): void {
    const id = refId(ref);
    this.open.get(id)?.dispose();
    this.open.set(id, host);
    host.onDidDispose(() => {
      if (this.open.get(id) === host) this.open.delete(id);
      this.asked.delete(id);
    });
  }

  private pageSpec(
    ref: ValueEditorRef,
    prefetched?: { header: ValueHeaderRead; first: Promise<PagerPage> },
  ): WebviewPageSpec<ValueEditorProtocol> {
    const id = refId(ref);
    const handlers = valueEditorHandlers({
      ref,
      ...(prefetched ? { prefetched } : {}),
      session: () => this.deps.pool.session(ref.profile, ref.db),
      formats: {
        get: (pattern, columns) => {
          const saved = this.deps.state.get<Record<string, unknown[]>>(FORMATS_STATE, {})[pattern] ?? [];
          return Array.from({ length: columns }, (_, i) => (isFormat(saved[i]) ? saved[i] : 'text'));
        },
        set: async (pattern, formats) => {
          const all = { ...this.deps.state.get<Record<string, unknown[]>>(FORMATS_STATE, {}) };
          all[pattern] = formats.map((f) => (isFormat(f) ? f : 'text'));
          await this.deps.state.update(FORMATS_STATE, all);
        },
      },
      confirm: async (message, action) => (await vscode.window.showWarningMessage(message, { modal: true }, action)) === action,
      firstRows: (page) => {
        const t = this.asked.get(id);
        this.asked.delete(id);
        if (t === undefined) return undefined;
        const firstRowsMs = Math.round(performance.now() - t.started);
        const html = this.open.get(id)?.htmlSetAt;
        const at: Record<string, number> = { ...t.marks, ...(html !== undefined ? { html } : {}), ...page };
        const phases = Object.fromEntries(Object.entries(at).map(([step, when]) => [step, when - t.marks.command]));
        this.deps.log.info(
          `Value editor: first rows in ${firstRowsMs} ms (${Object.entries(phases)
            .map(([step, ms]) => `${step} +${ms}`)
            .join(', ')})`,
        );
        return { firstRowsMs, phases };
      },
    });
    return { bundle: 'valueEditor', title: vscode.l10n.t('Value Editor'), handlers, log: this.deps.log, inline: true };
  }

  dispose(): void {
    for (const host of this.open.values()) host.dispose();
    this.open.clear();
  }
}
