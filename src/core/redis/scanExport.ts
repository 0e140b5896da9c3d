/**
 * Whole-keyspace and whole-collection walks streamed to a file (JSON lines
 * or CSV) with progress and cancel, so memory stays flat however large the
 * data. Cancel stops the walk before the next SCAN is sent.
 */
import * as l10n from '@vscode/l10n';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { RedisClient } from './redisClient';
import { toBuffer, type BytesLike } from '../bytes';
import { CancelledError, InputError } from '../errors';
import { iterateKeys, type IterateKeysOptions } from './keyScanner';
import { bytesToJson, type JsonValue } from './replyJson';
import { collectionType, iterateValue, type CollectionType, type ScanValueOptions } from './valueScanner';

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

/** One row of an export: what one line of JSON lines holds. */
export type ExportRow = Record<string, JsonValue>;

export interface ExportOptions {
  format?: ExportFormat;
  /** After each batch is written. */
  onProgress?: (progress: ExportProgress) => void;
  /** Each batch of rows as it is written (for example to show the first rows at once). */
  onRows?: (rows: readonly ExportRow[]) => void;
  signal?: AbortSignal;
}

type Row = ExportRow;

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
async function writeRows(
  source: AsyncIterable<{ rows: Row[]; scanned?: number }>,
  path: string,
  columns: readonly string[],
  options: ExportOptions = {},
): Promise<ExportResult> {
  const format = options.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv')
    throw new InputError(l10n.t('The export format "{0}" is not known: use jsonl or csv.', String(format)));
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
      options.onRows?.(batch.rows);
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

/**
 * Streams every key matching the options to a file: rows `{ key, type, ttl }`
 * (keys deleted between SCAN and TYPE left out), or `{ key }` without info.
 */
export function exportKeys(client: RedisClient, path: string, options: IterateKeysOptions & ExportOptions = {}): Promise<ExportResult> {
  const withInfo = options.withInfo ?? true;
  async function* rows(): AsyncGenerator<{ rows: Row[]; scanned: number }> {
    for await (const batch of iterateKeys(client, { ...options, withInfo })) {
      const keys = withInfo ? batch.keys.filter((k) => k.type !== 'none') : batch.keys;
      yield {
        scanned: batch.scanned,
        rows: keys.map((k): Row => (withInfo ? { key: bytesToJson(k.key), type: k.type, ttl: k.ttl } : { key: bytesToJson(k.key) })),
      };
    }
  }
  return writeRows(rows(), path, withInfo ? ['key', 'type', 'ttl'] : ['key'], options);
}

/** The columns of a collection's export; a list read with a MATCH has no index. */
export function valueColumns(type: CollectionType, indexed: boolean): readonly string[] {
  if (type === 'hash') return ['field', 'value'];
  if (type === 'set') return ['member'];
  if (type === 'zset') return ['member', 'score'];
  if (type === 'stream') return ['id', 'fields'];
  return indexed ? ['index', 'value'] : ['value'];
}

/**
 * Streams a whole collection to a file, page by page: rows as valueColumns
 * names them. A missing key or a string is refused before the file is made.
 */
export async function exportValue(
  client: RedisClient,
  key: BytesLike | Buffer,
  path: string,
  options: Omit<ScanValueOptions, 'limit'> & ExportOptions = {},
): Promise<ExportResult> {
  const k = toBuffer(key, 'key');
  const type = options.type ?? (await collectionType(client, k));
  const match = options.match === undefined ? undefined : toBuffer(options.match, l10n.t('MATCH pattern'));
  // A list is read by index without a MATCH ("*" is none): then each row carries its index.
  const indexed = type === 'list' && (match === undefined || (match.length === 1 && match[0] === 0x2a));
  let index = indexed ? Number(options.cursor ?? '0') : 0;
  let scanned = 0;
  const toRow = (item: unknown): Row => {
    if (type === 'set') return { member: item as JsonValue };
    if (type === 'list') return indexed ? { index: index++, value: item as JsonValue } : { value: item as JsonValue };
    return item as Row;
  };
  async function* rows(): AsyncGenerator<{ rows: Row[]; scanned: number }> {
    for await (const page of iterateValue(client, k, { ...options, type })) {
      const items = page.items as unknown[];
      scanned += items.length;
      yield { rows: items.map(toRow), scanned };
    }
  }
  return writeRows(rows(), path, valueColumns(type, indexed), options);
}
