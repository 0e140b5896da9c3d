/**
 * The value editor's messages (see ../protocol.ts for the envelope). Bytes
 * cross as UTF-8 text when valid, else `{ hex }`, as everywhere else.
 */
export type Cell = string | { hex: string };

export type ValueType = 'hash' | 'set' | 'zset' | 'list' | 'stream';

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
  /** Column titles, in the order of each row's cells. */
  columns: string[];
}

export interface ValueRow {
  cells: Cell[];
}

export interface PageParams {
  /** "0" for the first page, then the cursor the previous page returned. */
  cursor: string;
  limit: number;
}

export interface ValuePageResult {
  rows: ValueRow[];
  cursor: string;
  complete: boolean;
}

export interface ValueEditorProtocol {
  requests: {
    header: { params: Record<string, never>; result: ValueHeader };
    page: { params: PageParams; result: ValuePageResult };
  };
  pushes: {
    /** The key was written by us (or a refresh was asked): reload the header and the rows. */
    changed: Record<string, never>;
  };
}

/** What the page keeps with setState. */
export interface ValueEditorState {
  ref: ValueEditorRef;
}
