/**
 * Showing and parsing a cell's bytes in the format chosen for its column:
 * text (UTF-8; binary bytes show as hex), JSON (pretty, validated), hex,
 * base64 and MessagePack (shown as JSON). Browser code: no Buffer.
 */
import { decode, encode } from '@msgpack/msgpack';
import * as l10n from '@vscode/l10n';
import type { Cell, CellFormat } from './protocol';

/** A value the user typed that the format refuses: the message is the sentence to show. */
export class FormatError extends Error {
  override name = 'FormatError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/^0x/i, '').replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new FormatError(l10n.t('That is not hex: give pairs of hex digits such as 0a ff 10.'));
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function cellBytes(cell: Cell): Uint8Array {
  return typeof cell === 'string' ? new TextEncoder().encode(cell) : hexToBytes(cell.hex);
}

/** Bytes as a cell: UTF-8 text when valid, else hex (as the host sends them). */
export function bytesCell(bytes: Uint8Array): Cell {
  try {
    return utf8.decode(bytes);
  } catch {
    return { hex: bytesToHex(bytes) };
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1)
    throw new FormatError(l10n.t('That is not base64: check for stray characters.'));
  const s = atob(clean);
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** MessagePack values made JSON-safe: byte arrays as { hex }, big integers as strings. */
function jsonSafe(value: unknown): unknown {
  if (value instanceof Uint8Array) return { hex: bytesToHex(value) };
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), jsonSafe(v)]));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

/** The format a cell is actually shown in: text of binary bytes shows as hex. */
export function effectiveFormat(cell: Cell, format: CellFormat): CellFormat {
  return format === 'text' && typeof cell !== 'string' ? 'hex' : format;
}

/** A cell as text in `format`; `pretty` for the editor (multi-line JSON). Unreadable in that format: hex, with ok false. */
export function showCell(cell: Cell, format: CellFormat, pretty = false): { text: string; ok: boolean; shownAs: CellFormat } {
  const f = effectiveFormat(cell, format);
  const bytes = (): Uint8Array => cellBytes(cell);
  try {
    switch (f) {
      case 'text':
        return { text: cell as string, ok: true, shownAs: f };
      case 'hex':
        return { text: bytesToHex(bytes()), ok: true, shownAs: f };
      case 'base64':
        return { text: toBase64(bytes()), ok: true, shownAs: f };
      case 'json': {
        const parsed: unknown = JSON.parse(typeof cell === 'string' ? cell : '\u0000');
        return { text: pretty ? JSON.stringify(parsed, null, 2) : JSON.stringify(parsed), ok: true, shownAs: f };
      }
      case 'msgpack': {
        const value = jsonSafe(decode(bytes()));
        return { text: pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value), ok: true, shownAs: f };
      }
    }
  } catch {
    return { text: bytesToHex(bytes()), ok: false, shownAs: 'hex' };
  }
}

/** What the user typed in `format` as a cell; a FormatError (nothing is sent) when it does not parse. */
export function parseCell(text: string, format: CellFormat): Cell {
  switch (format) {
    case 'text':
      return text;
    case 'hex':
      return bytesCell(hexToBytes(text));
    case 'base64':
      return bytesCell(fromBase64(text));
    case 'json':
      try {
        JSON.parse(text);
      } catch (err) {
        throw new FormatError(l10n.t('That is not valid JSON ({0}): nothing was saved.', err instanceof Error ? err.message : String(err)));
      }
      return text;
    case 'msgpack': {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new FormatError(
          l10n.t(
            'MessagePack cells are edited as JSON, and that is not valid JSON ({0}).',
            err instanceof Error ? err.message : String(err),
          ),
        );
      }
      return bytesCell(encode(value));
    }
  }
}
