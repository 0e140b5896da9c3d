/**
 * The value editor's request handlers: each turns a page request into one
 * core call (core/redis/valuePager.ts, core/redis/fieldCas.ts). The host
 * (webviewHost.ts) turns a thrown error into the sentence the page shows.
 */
import * as vscode from 'vscode';
import { displayBytes, fromBuffer, toBuffer } from '../../core/bytes';
import { InputError } from '../../core/errors';
import { formatCount } from '../../core/units';
import { addRow, deleteRows, setCellCas, setTtl, type CasOutcome, type CellEdit, type NewRow } from '../../core/redis/fieldCas';
import type { RedisSession } from '../../core/redis/session';
import {
  columnTitle,
  hasMatch,
  readValueHeader,
  readValuePage,
  VALUE_COLUMNS,
  MAX_PAGE_ROWS,
  type PagerPage,
  type ValueHeaderRead,
} from '../../core/redis/valuePager';
import type { CollectionType } from '../../core/redis/valueScanner';
import {
  PAGE_ROWS,
  type AddRowParams,
  type Cell,
  type CellFormat,
  type PageMarks,
  type SetCellResult,
  type ValueEditorProtocol,
  type ValueEditorRef,
  type ValueHeader,
  type ValueRow,
} from '../../webview/valueEditor/protocol';
import type { RequestHandlers } from './webviewHost';

const EDITABLE: Readonly<Record<CollectionType, boolean[]>> = {
  hash: [false, true],
  set: [true],
  zset: [true, true],
  list: [false, true],
  stream: [false, false],
};

export interface HandlerContext {
  ref: ValueEditorRef;
  session(): Promise<RedisSession>;
  formats: { get(pattern: string, columns: number): CellFormat[]; set(pattern: string, formats: CellFormat[]): Promise<void> };
  /** Asks the user; resolves true when confirmed. */
  confirm(message: string, action: string): Promise<boolean>;
  /** Milliseconds since the editor was asked for, and when each step happened, the first time only. */
  firstRows(page: PageMarks): { firstRowsMs: number; phases: Record<string, number> } | undefined;
  /** What the command read while the panel was loading: the header, and the first page (no MATCH), used once each. */
  prefetched?: { header: ValueHeaderRead; first: Promise<PagerPage> };
}

/** A key's pattern for remembering formats: its last ":" segment as "*" ("user:42" → "user:*"). */
export function keyPattern(key: Buffer): string {
  const text = displayBytes(key, 400);
  const i = text.lastIndexOf(':');
  return i < 0 ? text : `${text.slice(0, i + 1)}*`;
}

const buf = (cell: Cell, what: string): Buffer => toBuffer(cell, columnTitle(what));
const cell = (b: Buffer): Cell => {
  const v = fromBuffer(b);
  return typeof v === 'string' ? v : { hex: v.hex };
};
const text = (c: Cell): string => (typeof c === 'string' ? c : Buffer.from(c.hex, 'hex').toString('utf8'));

function cellEdit(type: CollectionType, row: ValueRow, column: number, value: Cell): CellEdit {
  if (!EDITABLE[type][column])
    throw new InputError(
      vscode.l10n.t('The {0} of a {1} cannot be edited in place.', columnTitle(VALUE_COLUMNS[type][column] ?? 'column'), type),
    );
  switch (type) {
    case 'hash':
      return { type, field: buf(row.id, 'field'), expected: buf(row.cells[1], 'value'), value: buf(value, 'value') };
    case 'list':
      return { type, index: Number(text(row.id)), expected: buf(row.cells[1], 'element'), value: buf(value, 'element') };
    case 'set':
      return { type, member: buf(row.id, 'member'), value: buf(value, 'member') };
    case 'zset':
      return column === 0
        ? { type, member: buf(row.id, 'member'), value: buf(value, 'member') }
        : { type: 'zset-score', member: buf(row.id, 'member'), expected: text(row.cells[1]), score: text(value) };
    case 'stream':
      throw new InputError(vscode.l10n.t('Stream entries cannot be changed: add a new entry and delete the old one instead.'));
  }
}

function casResult(outcome: CasOutcome, key: Buffer): SetCellResult {
  switch (outcome.outcome) {
    case 'saved':
      return { outcome: 'saved' };
    case 'conflict':
      return { outcome: 'conflict', current: outcome.current === null ? null : cell(outcome.current) };
    case 'gone':
      throw new InputError(
        vscode.l10n.t(
          'The key "{0}" was deleted or changed type since it was shown: nothing was written; refresh the editor.',
          displayBytes(key, 80),
        ),
      );
    case 'busy':
      throw new InputError(
        vscode.l10n.t('The key "{0}" kept changing while saving: nothing was written; try again.', displayBytes(key, 80)),
      );
  }
}

function newRow(type: CollectionType, p: AddRowParams): NewRow {
  const c = (i: number, what: string): Buffer => {
    const v = p.cells[i];
    if (v === undefined) throw new InputError(vscode.l10n.t('The new row needs a {0}.', columnTitle(what)));
    return buf(v, what);
  };
  switch (type) {
    case 'hash':
      return { type, field: c(0, 'field'), value: c(1, 'value') };
    case 'set':
      return { type, member: c(0, 'member') };
    case 'zset':
      return { type, member: c(0, 'member'), score: c(1, 'score').toString('utf8') };
    case 'list':
      return { type, value: c(0, 'element'), end: p.end === 'head' ? 'head' : 'tail' };
    case 'stream': {
      const id = c(0, 'entry id').toString('utf8').trim();
      let fields: unknown;
      try {
        fields = JSON.parse(c(1, 'fields').toString('utf8'));
      } catch {
        throw new InputError(vscode.l10n.t('The fields of a stream entry are not valid JSON: give an object such as {"name": "value"}.'));
      }
      if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
        throw new InputError(vscode.l10n.t('The fields of a stream entry must be a JSON object such as {"name": "value"}.'));
      const pairs = Object.entries(fields).map(([f, v]): [Buffer, Buffer] => [
        Buffer.from(f),
        Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)),
      ]);
      return { type, ...(id && id !== '*' ? { id } : {}), fields: pairs };
    }
  }
}

export function valueEditorHandlers(ctx: HandlerContext): RequestHandlers<ValueEditorProtocol> {
  const key = Buffer.from(ctx.ref.keyHex, 'hex');
  const pattern = keyPattern(key);
  let type: CollectionType | undefined;
  let headerAhead = ctx.prefetched?.header;
  let firstAhead = ctx.prefetched?.first;
  const known = (): CollectionType => {
    if (!type) throw new InputError(vscode.l10n.t('The value editor asked for rows before reading the key: refresh the editor.'));
    return type;
  };
  return {
    header: async (): Promise<ValueHeader> => {
      const session = await ctx.session();
      const h = headerAhead ?? (await readValueHeader(await session.client(), key));
      headerAhead = undefined;
      type = h.type;
      const columns = [...VALUE_COLUMNS[h.type]];
      return {
        ref: ctx.ref,
        keyLabel: displayBytes(key, 400),
        ...h,
        readOnly: session.profile.readOnly,
        columns,
        titles: columns.map(columnTitle),
        editable: session.profile.readOnly ? columns.map(() => false) : [...EDITABLE[h.type]],
        formats: ctx.formats.get(pattern, columns.length),
        pattern,
        hasMatch: hasMatch(h.type),
      };
    },
    page: async (p) => {
      const ahead = firstAhead;
      firstAhead = undefined;
      if (ahead && String(p.cursor) === '0' && !p.match && p.limit === PAGE_ROWS) return ahead;
      const session = await ctx.session();
      const match = p.match ? Buffer.from(p.match, 'utf8') : undefined;
      const limit = Math.min(Math.max(1, Math.floor(Number(p.limit) || 1)), MAX_PAGE_ROWS);
      return readValuePage(await session.client(), key, known(), { cursor: String(p.cursor), limit, ...(match ? { match } : {}) });
    },
    setCell: async (p) => {
      const outcome = await setCellCas(await ctx.session(), key, cellEdit(known(), p.row, p.column, p.value), { force: p.force === true });
      return casResult(outcome, key);
    },
    addRow: async (p) => {
      const out = await addRow(await ctx.session(), key, newRow(known(), p));
      if (out.outcome === 'exists')
        throw new InputError(
          known() === 'hash'
            ? vscode.l10n.t('That field is already in "{0}": edit its row instead.', displayBytes(key, 80))
            : vscode.l10n.t('That member is already in "{0}": edit its row instead.', displayBytes(key, 80)),
        );
      if (out.outcome === 'gone')
        throw new InputError(vscode.l10n.t('The key "{0}" was deleted or changed type: nothing was added.', displayBytes(key, 80)));
      return { added: true, ...(out.id !== undefined ? { id: out.id } : {}) };
    },
    deleteRows: async (p) => {
      const t = known();
      if (p.rows.length === 0) return { deleted: 0 };
      const session = await ctx.session();
      const shown = displayBytes(key, 80);
      session.assertWritable(vscode.l10n.t('deleting rows of "{0}"', shown));
      const question =
        p.rows.length === 1
          ? vscode.l10n.t(
              'Delete {0} row of "{1}" (db{2} of "{3}")? This cannot be undone.',
              formatCount(1),
              shown,
              ctx.ref.db,
              ctx.ref.profile,
            )
          : vscode.l10n.t(
              'Delete {0} rows of "{1}" (db{2} of "{3}")? This cannot be undone.',
              formatCount(p.rows.length),
              shown,
              ctx.ref.db,
              ctx.ref.profile,
            );
      if (!(await ctx.confirm(question, vscode.l10n.t('Delete')))) return { deleted: 0, cancelled: true };
      const out =
        t === 'list'
          ? await deleteRows(session, key, {
              type: t,
              items: p.rows.map((r) => ({ index: Number(text(r.id)), expected: buf(r.cells[1], 'element') })),
            })
          : t === 'stream'
            ? await deleteRows(session, key, { type: t, ids: p.rows.map((r) => text(r.id)) })
            : await deleteRows(session, key, { type: t, ids: p.rows.map((r) => buf(r.id, 'row')) });
      if (out.outcome === 'deleted') return { deleted: out.count };
      throw new InputError(
        out.outcome === 'conflict'
          ? vscode.l10n.t('The list "{0}" changed since it was shown: nothing was deleted; refresh and try again.', shown)
          : out.outcome === 'gone'
            ? vscode.l10n.t('The key "{0}" is gone: nothing was deleted.', shown)
            : vscode.l10n.t('The key "{0}" kept changing: nothing was deleted.', shown),
      );
    },
    setTtl: async (p) => {
      const session = await ctx.session();
      await setTtl(session, key, p.seconds);
      return { ttl: Number(await (await session.client()).ttl(key)) };
    },
    setFormats: async (p) => {
      await ctx.formats.set(pattern, p.formats);
      return {};
    },
    copy: async (p) => {
      await vscode.env.clipboard.writeText(String(p.text));
      return {};
    },
    rendered: (p) => ctx.firstRows(p.marks) ?? {},
  };
}
