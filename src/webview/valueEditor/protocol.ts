/**
 * The value editor's messages (see ../protocol.ts for the envelope). Bytes
 * cross as UTF-8 text when valid, else `{ hex }`, as everywhere else.
 */
export type Cell = string | { hex: string };

export type ValueType = 'hash' | 'set' | 'zset' | 'list' | 'stream';

/** Rows per page the page asks for; the host reads the first page ahead while the page loads. */
export const PAGE_ROWS = 500;

export type CellFormat = 'text' | 'json' | 'hex' | 'base64' | 'msgpack';
export const CELL_FORMATS: readonly CellFormat[] = ['text', 'json', 'hex', 'base64', 'msgpack'];

/** The key the panel shows: what it saves with setState so a reload restores it. */
export interface ValueEditorRef {
  profile: string;
  db: number;
  /** The key's bytes as hex. */
  keyHex: string;
}

export interface ValueHeader {
  ref: ValueEditorRef;
  /** The key for display. */
  keyLabel: string;
  type: ValueType;
  /** Fields / members / elements / entries. */
  length: number;
  /** Seconds; -1 when none. */
  ttl: number;
  encoding?: string;
  memoryBytes?: number;
  readOnly: boolean;
  /** Column ids (field, value, member, score, index, element, id, fields), in the order of each row's cells. */
  columns: string[];
  /** Their titles as shown (in the display language). */
  titles: string[];
  /** Which columns can be edited in place. */
  editable: boolean[];
  /** The remembered format of each column (for the key's pattern, e.g. "user:*"). */
  formats: CellFormat[];
  pattern: string;
  /** True when the type has a server-side MATCH. */
  hasMatch: boolean;
}

export interface ValueRow {
  /** The field, member, index or stream id. */
  id: Cell;
  cells: Cell[];
}

export interface PageParams {
  /** "0" for the first page, then the cursor the previous page returned; a list index / zset rank to jump. */
  cursor: string;
  limit: number;
  /** A MATCH glob (hashes, sets, sorted sets); empty for none. */
  match?: string;
}

export interface ValuePageResult {
  rows: ValueRow[];
  cursor: string;
  complete: boolean;
  examined: number;
}

export interface SetCellParams {
  row: ValueRow;
  column: number;
  value: Cell;
  /** Write even though the server's value changed (the user chose theirs). */
  force?: boolean;
}

export type SetCellResult =
  | { outcome: 'saved' }
  /** The element changed since it was shown: nothing was written. */
  | { outcome: 'conflict'; current: Cell | null };

export interface AddRowParams {
  /** hash [field, value]; set [member]; zset [member, score]; list [element]; stream [id or "*", fields as a JSON object]. */
  cells: Cell[];
  /** Lists: where the element goes. */
  end?: 'head' | 'tail';
}

export interface ValueEditorProtocol {
  requests: {
    header: { params: Record<string, never>; result: ValueHeader };
    page: { params: PageParams; result: ValuePageResult };
    setCell: { params: SetCellParams; result: SetCellResult };
    addRow: { params: AddRowParams; result: { added: boolean; id?: string } };
    /** The host asks the user to confirm; `deleted` 0 and `cancelled` when they did not. */
    deleteRows: { params: { rows: ValueRow[] }; result: { deleted: number; cancelled?: boolean } };
    setTtl: { params: { seconds: number }; result: { ttl: number } };
    setFormats: { params: { formats: CellFormat[] }; result: Record<string, never> };
    copy: { params: { text: string }; result: Record<string, never> };
    /**
     * The first rows are on screen: the host answers how long since the editor was asked for (ms), and
     * when each step happened (ms since then: the host's own steps and the page's `marks`), once.
     */
    rendered: { params: { rows: number; marks: PageMarks }; result: { firstRowsMs?: number; phases?: Record<string, number> } };
  };
  pushes: {
    /** The key was written elsewhere by us (or a refresh was asked): reload the header and the rows. */
    changed: Record<string, never>;
  };
}

/** The page's first data, in its HTML (PageData.initial) when the command opened it: shown without a request. */
export interface ValueEditorInitial {
  header: ValueHeader;
  page: ValuePageResult;
}

/** When the page reached each step of its start (Date.now() clock, shared with the host on one machine). */
export interface PageMarks {
  /** The page's document began loading (performance.timeOrigin). */
  frame: number;
  /** The frame's placeholder document had arrived (its response end). */
  fetched: number;
  /** The page's HTML began to be parsed. */
  doc: number;
  /** The bundle began to run. */
  script: number;
  /** The web components were defined and the page began to build. */
  build: number;
  /** The first rows were in the DOM. */
  rows: number;
}

/** What the page keeps with setState (survives hiding the tab and reloading the window). */
export interface ValueEditorState {
  ref: ValueEditorRef;
  match?: string;
  scrollTop?: number;
}
