/**
 * Bytes at the command API boundary: a string when it is valid UTF-8,
 * otherwise `{ hex }`. Everything inside the core is a Buffer.
 */
import * as l10n from '@vscode/l10n';
import { isUtf8 as validUtf8 } from 'node:buffer';
import { InputError } from './errors';
import { formatCount } from './units';

export interface HexBytes {
  hex: string;
}
export type BytesLike = string | HexBytes;

export function isHexBytes(value: unknown): value is HexBytes {
  return typeof value === 'object' && value !== null && typeof (value as { hex?: unknown }).hex === 'string';
}

/** Accepts a string (UTF-8), `{ hex }`, or a Buffer. */
export function toBuffer(value: BytesLike | Buffer, what = 'value'): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (isHexBytes(value)) {
    const hex = value.hex.replace(/\s+/g, '');
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
      throw new InputError(
        l10n.t('The {0} {1} is not valid hex: use an even number of 0-9 / a-f digits.', what, `{ hex: "${value.hex.slice(0, 40)}" }`),
      );
    }
    return Buffer.from(hex, 'hex');
  }
  throw new InputError(l10n.t('The {0} must be a string or { hex: "…" }.', what));
}

/** True when the bytes are valid UTF-8. */
export function isUtf8(buf: Buffer): boolean {
  return validUtf8(buf);
}

/** A string when valid UTF-8, otherwise `{ hex }`. */
export function fromBuffer(buf: Buffer): BytesLike {
  // Most fields, members and keys are short ASCII: a JS scan costs less than the native UTF-8 check (paging a collection converts thousands).
  if (buf.length <= 64) {
    let ascii = true;
    for (let i = 0; i < buf.length && ascii; i++) ascii = buf[i] < 0x80;
    if (ascii) return buf.toString('latin1');
  }
  return validUtf8(buf) ? buf.toString('utf8') : { hex: buf.toString('hex') };
}

/** Share of unprintable bytes above which bytes are shown as a hex dump rather than escaped text. */
const BINARY_RATIO = 0.3;

/** Escaped text and how many unprintable characters or bytes it escaped. */
interface Escaped {
  text: string;
  unprintable: number;
}

/**
 * One character of display text: `line` escapes line breaks, tabs, quotes
 * and backslashes the way redis-cli does (`\n`, `\"`); `multiline` keeps
 * line breaks and tabs (CRLF as one `\n`). Other C0 and C1 controls and DEL
 * become `\xHH` / `\uHHHH`, so no payload can drive a terminal.
 */
function escapeChar(c: string, multiline: boolean): { text: string; printable: boolean } {
  const code = c.charCodeAt(0);
  if (multiline) {
    if (c === '\r\n' || c === '\n') return { text: '\n', printable: true };
    if (c === '\t') return { text: c, printable: true };
    if (c === '\r') return { text: '\\r', printable: true };
    if (c === '"' || c === '\\') return { text: c, printable: true };
  } else {
    const named = LINE_ESCAPES[c];
    if (named !== undefined) return { text: named, printable: true };
  }
  if (code >= 0x80) return { text: `\\u${code.toString(16).padStart(4, '0')}`, printable: false };
  return { text: `\\x${code.toString(16).padStart(2, '0')}`, printable: false };
}

const LINE_ESCAPES: Readonly<Record<string, string>> = {
  '\r\n': '\\r\\n',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '"': '\\"',
  '\\': '\\\\',
};
const SPECIAL = /\r\n|[\u0000-\u001f\u007f-\u009f"\\]/g;
const ANY_SPECIAL = /[\u0000-\u001f\u007f-\u009f"\\]/;

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one (RFC 3629 table 3-7). */
function utf8SequenceAt(buf: Buffer, i: number): number {
  const b = buf[i] ?? 0;
  const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > buf.length) return 0;
  // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
  const second = buf[i + 1] ?? 0;
  const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
  const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
  if (second < low || second > high) return 0;
  for (let k = 2; k < len; k++) {
    const c = buf[i + k] ?? 0;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return len;
}

/** Text with everything but printable characters escaped (see escapeChar). */
function escapeText(text: string, multiline: boolean): Escaped {
  if (!ANY_SPECIAL.test(text)) return { text, unprintable: 0 };
  let unprintable = 0;
  const escaped = text.replace(SPECIAL, (c) => {
    const e = escapeChar(c, multiline);
    if (!e.printable) unprintable += 1;
    return e.text;
  });
  return { text: escaped, unprintable };
}

/**
 * Bytes as display text: valid UTF-8 kept, everything else escaped (see
 * escapeChar). In bytes that are not UTF-8 as a whole, invalid bytes are
 * `\xHH`, and so is every byte past ASCII in a one-line label.
 */
function escapeBytes(buf: Buffer, multiline: boolean): Escaped {
  if (isUtf8(buf)) return escapeText(buf.toString('utf8'), multiline);
  let text = '';
  let unprintable = 0;
  let run = 0;
  const take = (part: string): void => {
    const e = escapeText(part, multiline);
    text += e.text;
    unprintable += e.unprintable;
  };
  for (let i = 0; i < buf.length;) {
    const b = buf[i] ?? 0;
    // A label of bytes that are not UTF-8 shows every byte past ASCII as \xHH, as redis-cli does.
    const len = b < 0x80 ? 1 : multiline ? utf8SequenceAt(buf, i) : 0;
    if (len === 0) {
      if (i > run) take(buf.toString('utf8', run, i));
      text += `\\x${b.toString(16).padStart(2, '0')}`;
      unprintable += 1;
      run = i + 1;
    }
    i += Math.max(len, 1);
  }
  if (buf.length > run) take(buf.toString('utf8', run, buf.length));
  return { text, unprintable };
}

/**
 * A one-line readable label for bytes: text with control characters escaped
 * the way redis-cli does (`\n`, `\xHH`), cut at `max` characters.
 */
export function displayBytes(buf: Buffer, max = 200): string {
  const text = escapeBytes(buf.length > max * 4 ? buf.subarray(0, max * 4) : buf, false).text;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** How many bytes of bytes that are not UTF-8 as a whole a multi-line display escapes (without building it). */
function unprintableBytes(buf: Buffer): number {
  let count = 0;
  for (let i = 0; i < buf.length;) {
    const b = buf[i] ?? 0;
    if (b < 0x80) {
      if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) count += 1;
      i += 1;
      continue;
    }
    const len = utf8SequenceAt(buf, i);
    // A C1 control (U+0080–U+009F) is 0xc2 0x80–0x9f.
    if (len === 0 || (b === 0xc2 && (buf[i + 1] ?? 0) <= 0x9f)) count += 1;
    i += Math.max(len, 1);
  }
  return count;
}

/** True when more than BINARY_RATIO of the bytes are not printable text. */
export function isMostlyBinary(buf: Buffer): boolean {
  if (buf.length === 0) return false;
  const unprintable = isUtf8(buf) ? escapeText(buf.toString('utf8'), true).unprintable : unprintableBytes(buf);
  return unprintable / buf.length > BINARY_RATIO;
}

export interface HexDumpOptions {
  /** Bytes shown at most; a last line says how many there are in all (default: all). */
  maxBytes?: number;
  /** Put before each line. */
  indent?: string;
}

/** Hex dump lines: offset, 16 bytes in hex, printable ASCII. */
export function hexDump(buf: Buffer, options: HexDumpOptions = {}): string {
  const indent = options.indent ?? '';
  const shown = Math.min(buf.length, options.maxBytes ?? buf.length);
  const lines: string[] = [];
  for (let off = 0; off < shown; off += 16) {
    const end = Math.min(shown, off + 16);
    const hex = buf.toString('hex', off, end).replace(/(..)(?!$)/g, '$1 ');
    const ascii = buf.toString('latin1', off, end).replace(/[^\x20-\x7e]/g, '.');
    lines.push(`${indent}${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (buf.length > shown) lines.push(`${indent}… ${l10n.t('{0} bytes in all', formatCount(buf.length))}`);
  return lines.join('\n');
}

export interface PayloadFormat {
  /** Pretty-print a payload that parses as a JSON object or array (default false). */
  json?: boolean;
  /** Characters of text shown at most (default: all); a note says how many there are. */
  maxChars?: number;
  /** Bytes of a hex dump shown at most (default: all). */
  maxHexBytes?: number;
}

/**
 * The one payload formatter: bytes (a message body, a pub/sub payload, what
 * a TCP peer sent) as display text, lines separated by `\n`. Mostly-binary
 * bytes are a hex dump; text keeps its line breaks, with control bytes,
 * escape sequences and invalid UTF-8 escaped; JSON is pretty-printed when asked.
 */
export function formatPayload(payload: Buffer | string, format: PayloadFormat = {}): string {
  if (payload.length === 0) return '';
  const text = typeof payload === 'string' ? payload : isUtf8(payload) ? payload.toString('utf8') : undefined;
  const max = format.maxChars ?? Number.POSITIVE_INFINITY;
  // Valid JSON holds no raw control characters, so it never needs the binary test.
  const json = format.json ? text?.trim() : undefined;
  if (json !== undefined && (json.startsWith('{') || json.startsWith('[')) && json.length <= max) {
    try {
      return JSON.stringify(JSON.parse(json) as unknown, null, 2);
    } catch {
      // not JSON: shown as text
    }
  }
  if (text === undefined && unprintableBytes(toBuffer(payload)) / payload.length > BINARY_RATIO) {
    return hexDump(toBuffer(payload), { maxBytes: format.maxHexBytes });
  }
  const escaped = text !== undefined ? escapeText(text, true) : escapeBytes(toBuffer(payload), true);
  if (escaped.unprintable / payload.length > BINARY_RATIO) return hexDump(toBuffer(payload), { maxBytes: format.maxHexBytes });
  const shown = escaped.text;
  return shown.length > max ? `${shown.slice(0, max)}… (${l10n.t('{0} characters in all', formatCount(shown.length))})` : shown;
}

/** base64url of bytes, for URI path segments. */
export function toBase64Url(buf: Buffer): string {
  return buf.toString('base64url');
}

export function fromBase64Url(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

/** A byte count for people: `512 B`, `1.5 KiB`, `3.2 GiB` (powers of 1024, one decimal from KiB on). */
export function formatByteSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
