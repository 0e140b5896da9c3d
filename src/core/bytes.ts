/**
 * Bytes at the command API boundary: a string when it is valid UTF-8,
 * otherwise `{ hex }`. Everything inside the core is a Buffer.
 */
import { InputError } from './errors';

export interface HexBytes {
  hex: string;
}
export type BytesLike = string | HexBytes;

// ignoreBOM keeps a leading U+FEFF in the text, as Buffer#toString('utf8') does.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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
      throw new InputError(`The ${what} { hex: "${value.hex.slice(0, 40)}" } is not valid hex: use an even number of 0-9 / a-f digits.`);
    }
    return Buffer.from(hex, 'hex');
  }
  throw new InputError(`The ${what} must be a string or { hex: "…" }.`);
}

/** True when the bytes are valid UTF-8. */
export function isUtf8(buf: Buffer): boolean {
  try {
    strictUtf8.decode(buf);
    return true;
  } catch {
    return false;
  }
}

/** A string when valid UTF-8, otherwise `{ hex }`. */
export function fromBuffer(buf: Buffer): BytesLike {
  // One decode: the strict decoder's text is the string (it throws on invalid UTF-8).
  try {
    return strictUtf8.decode(buf);
  } catch {
    return { hex: buf.toString('hex') };
  }
}

/**
 * A one-line readable label for bytes: text with control characters escaped
 * the way redis-cli does (`\n`, `\xHH`), cut at `max` characters.
 */
export function displayBytes(buf: Buffer, max = 200): string {
  let text: string;
  if (isUtf8(buf)) {
    text = buf.toString('utf8').replace(/[\u0000-\u001f\u007f"\\]/g, (c) => escapeChar(c));
  } else {
    text = '';
    for (const b of buf) {
      if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) text += String.fromCharCode(b);
      else text += escapeChar(String.fromCharCode(b));
    }
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function escapeChar(c: string): string {
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    default:
      return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
}

/** Hex dump lines: offset, 16 bytes in hex, printable ASCII. */
export function hexDump(buf: Buffer): string {
  const lines: string[] = [];
  for (let off = 0; off < buf.length; off += 16) {
    const chunk = buf.subarray(off, off + 16);
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** base64url of bytes, for URI path segments. */
export function toBase64Url(buf: Buffer): string {
  return buf.toString('base64url');
}

export function fromBase64Url(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}
