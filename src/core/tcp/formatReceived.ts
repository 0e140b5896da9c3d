/**
 * How received bytes are shown in a terminal: text stays text (line breaks
 * kept; control bytes, escape sequences and invalid UTF-8 shown as `\xHH`),
 * and a mostly-binary chunk becomes a hex dump. Pure.
 */
import { hexDump } from '../bytes';

/** Share of non-printable bytes above which a chunk is shown as a hex dump. */
export const BINARY_RATIO = 0.3;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

interface Piece {
  text: string;
  printable: boolean;
}

function hexEscape(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one. */
function utf8SequenceAt(buf: Buffer, i: number): number {
  const b = buf[i] ?? 0;
  const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > buf.length) return 0;
  try {
    strictUtf8.decode(buf.subarray(i, i + len));
    return len;
  } catch {
    return 0;
  }
}

/** Splits bytes into display pieces, each printable or not. */
function pieces(buf: Buffer): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] ?? 0;
    if (b === 0x0d && buf[i + 1] === 0x0a) {
      out.push({ text: '\n', printable: true });
      i += 2;
    } else if (b === 0x0a || b === 0x09) {
      out.push({ text: String.fromCharCode(b), printable: true });
      i += 1;
    } else if (b === 0x0d) {
      out.push({ text: '\\r', printable: true });
      i += 1;
    } else if (b >= 0x20 && b < 0x7f) {
      out.push({ text: String.fromCharCode(b), printable: true });
      i += 1;
    } else if (b < 0x80) {
      out.push({ text: hexEscape(b), printable: false });
      i += 1;
    } else {
      const len = utf8SequenceAt(buf, i);
      if (len === 0) {
        out.push({ text: hexEscape(b), printable: false });
        i += 1;
      } else {
        const char = buf.subarray(i, i + len).toString('utf8');
        const code = char.codePointAt(0) ?? 0;
        // C1 controls (U+0080–U+009F) can drive a terminal: escape them too.
        if (code >= 0x80 && code <= 0x9f) out.push({ text: `\\u${code.toString(16).padStart(4, '0')}`, printable: false });
        else out.push({ text: char, printable: true });
        i += len;
      }
    }
  }
  return out;
}

/** True when more than BINARY_RATIO of the bytes are not printable text. */
export function isMostlyBinary(buf: Buffer): boolean {
  if (buf.length === 0) return false;
  let unprintable = 0;
  for (const piece of pieces(buf)) if (!piece.printable) unprintable += 1;
  return unprintable / buf.length > BINARY_RATIO;
}

/**
 * Received bytes for display, lines separated by `\n` (CRLF shows as one
 * line break). Mostly-binary chunks are a hex dump (offset, hex, ASCII).
 */
export function formatReceived(buf: Buffer): string {
  if (buf.length === 0) return '';
  const parts = pieces(buf);
  const unprintable = parts.reduce((n, p) => n + (p.printable ? 0 : 1), 0);
  if (unprintable / buf.length > BINARY_RATIO) return hexDump(buf);
  return parts.map((p) => p.text).join('');
}
