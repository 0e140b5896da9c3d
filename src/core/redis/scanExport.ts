/**
 * Whole-keyspace and whole-collection walks streamed to a file (JSON lines
 * or CSV) with progress and cancel, so memory stays flat however large the
 * data. Cancel stops the walk before the next SCAN is sent.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Redis } from 'ioredis';
import type { BytesLike } from '../bytes';
import { CancelledError, InputError } from '../errors';
import { iterateKeys, type IterateKeysOptions } from './keyScanner';
import { bytesToJson, type JsonValue } from './replyJson';
import { iterateValue, type ScanValueOptions } from './valueScanner';

export { iterateKeys, type IterateKeysOptions, type KeyBatch } from './keyScanner';

export type ExportFormat = 'jsonl' | 'csv';

export interface ExportProgress {
  /** Rows written so far. */
  rows: number;
  /** Keys or elements examined so far, when known. */
  scanned?: number;
}

export interface ExportResult extends ExportProgress {
  path: string;
  /** False when cancelled; the file then holds the rows written until then. */
  complete: boolean;
}

export interface ExportOptions {
  format?: ExportFormat;
  onProgress?: (progress: ExportProgress) => void;
  signal?: AbortSignal;
}

type Row = Record<string, JsonValue>;

function csvCell(value: JsonValue | undefined): string {
  const text =
    value === undefined || value === null
      ? ''
      : typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes batches of rows to a file as JSON lines or CSV (header from
 * `columns`; bytes that are not UTF-8 appear as `{"hex":"…"}`), waiting for
 * the disk when it is slower than the source. A CancelledError from the
 * source ends the export with `complete: false`.
 */
export async function writeRows(
  source: AsyncIterable<{ rows: Row[]; scanned?: number }>,
  path: string,
  columns: readonly string[],
  options: ExportOptions = {},
): Promise<ExportResult> {
  const format = options.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new InputError(`The export format "${String(format)}" is not known: use jsonl or csv.`);
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  const result: ExportResult = { path, rows: 0, complete: false };
  try {
    if (format === 'csv') await write(`${columns.join(',')}\n`);
    for await (const batch of source) {
      let text = '';
      for (const row of batch.rows) {
        text += format === 'csv' ? `${columns.map((c) => csvCell(row[c])).join(',')}\n` : `${JSON.stringify(row)}\n`;
      }
      await write(text);
      result.rows += batch.rows.length;
      if (batch.scanned !== undefined) result.scanned = batch.scanned;
      options.onProgress?.({ rows: result.rows, ...(result.scanned !== undefined ? { scanned: result.scanned } : {}) });
    }
    result.complete = true;
  } catch (err) {
    if (!(err instanceof CancelledError)) {
      out.destroy();
      throw err;
    }
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return result;
}

/** Streams every key matching the options to a file: rows `{ key, type, ttl }` (or `{ key }`). */
export function exportKeys(client: Redis, path: string, options: IterateKeysOptions & ExportOptions = {}): Promise<ExportResult> {
  const withInfo = options.withInfo ?? true;
  async function* rows(): AsyncGenerator<{ rows: Row[]; scanned: number }> {
    for await (const batch of iterateKeys(client, { ...options, withInfo })) {
      yield {
        scanned: batch.scanned,
        rows: batch.keys.map((k): Row => (withInfo ? { key: bytesToJson(k.key), type: k.type, ttl: k.ttl } : { key: bytesToJson(k.key) })),
      };
    }
  }
  return writeRows(rows(), path, withInfo ? ['key', 'type', 'ttl'] : ['key'], options);
}

const VALUE_COLUMNS = {
  hash: ['field', 'value'],
  set: ['member'],
  zset: ['member', 'score'],
  list: ['index', 'value'],
  listMatched: ['value'],
  stream: ['id', 'fields'],
} as const;

/** Streams a whole collection to a file, page by page. */
export async function exportValue(
  client: Redis,
  key: BytesLike | Buffer,
  path: string,
  options: Omit<ScanValueOptions, 'limit'> & ExportOptions = {},
): Promise<ExportResult> {
  const pages = iterateValue(client, key, options);
  const first = await pages.next();
  if (first.done) throw new InputError('The key has no value to export.');
  const type = first.value.type;
  let index = Number(type === 'list' ? (options.cursor ?? '0') : 0);
  let scanned = 0;
  const indexed = options.match === undefined;
  async function* rows(): AsyncGenerator<{ rows: Row[]; scanned: number }> {
    let page = first.value;
    for (;;) {
      const items = page.items as unknown[];
      scanned += items.length;
      const out: Row[] = items.map((item) => {
        if (type === 'set') return { member: item as JsonValue };
        if (type === 'list') return indexed ? { index: index++, value: item as JsonValue } : { value: item as JsonValue };
        return item as Row;
      });
      yield { rows: out, scanned };
      if (page.complete) return;
      const next = await pages.next();
      if (next.done) return;
      page = next.value;
    }
  }
  return writeRows(rows(), path, VALUE_COLUMNS[type === 'list' && !indexed ? 'listMatched' : type], options);
}
