/**
 * A string value's bytes as document text: plain text when it round-trips
 * through an editor byte for byte, otherwise a hex listing.
 */
import * as vscode from 'vscode';
import { isUtf8 } from '../../core/bytes';

/** Text round-trips through an editor byte for byte: valid UTF-8, no NUL or BOM, one kind of line ending. */
export function editableAsText(buf: Buffer): boolean {
  if (!isUtf8(buf) || buf.includes(0) || (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)) return false;
  const text = buf.toString('latin1');
  const lf = (text.match(/\n/g) ?? []).length;
  const cr = (text.match(/\r/g) ?? []).length;
  const crlf = (text.match(/\r\n/g) ?? []).length;
  return cr === 0 || (cr === crlf && lf === crlf);
}

export function toHexText(buf: Buffer): string {
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i += 16)
    lines.push(
      buf
        .subarray(i, i + 16)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 '),
    );
  return `${lines.join('\n')}\n`;
}

export function fromHexText(text: string): Buffer {
  const hex = text.replace(/\s+/g, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
    throw new Error(vscode.l10n.t('The document is not valid hex: use pairs of 0-9 / a-f digits (spaces and line breaks are ignored).'));
  return Buffer.from(hex, 'hex');
}
