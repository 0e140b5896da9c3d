/**
 * redis-cli's argument splitting (`sdssplitargs` in sds.c), exactly:
 * - blanks (space, \t, \n, \r, \v, \f) separate arguments;
 * - "double quotes" understand \n \r \t \b \a \\ \" and \xHH (two hex
 *   digits, any byte); any other escaped character stands for itself;
 * - 'single quotes' understand only \' ;
 * - a closing quote must be followed by a blank or the end of the line;
 * - a quote inside an unquoted word starts a quoted part of the same word
 *   (`a"b c"` is one argument `ab c`).
 * Text is encoded as UTF-8; `\xHH` gives the raw byte.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from '../errors';

const BLANKS = new Set([' ', '\t', '\n', '\r', '\v', '\f']);
/** Inside an unquoted word only these end it (sdssplitargs does not stop on \v or \f there). */
const WORD_END = new Set([' ', '\n', '\r', '\t', '\0']);
const HEX = /^[0-9a-fA-F]$/;
/** The letter escapes "double quotes" understand, with the byte each stands for. */
const DOUBLE_QUOTE_ESCAPES: ReadonlyMap<string, number> = new Map([
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['b', 0x08],
  ['a', 0x07],
]);

export interface Token {
  value: Buffer;
  /** 1-based column (in characters) where the argument starts. */
  column: number;
}

/** Splits a line like redis-cli does; throws InputError naming the column of a bad quote. */
export function splitArgs(line: string): Buffer[] {
  return tokenize(line).map((t) => t.value);
}

/** Like splitArgs, with the column where each argument starts. */
export function tokenize(line: string): Token[] {
  const chars = Array.from(line);
  const tokens: Token[] = [];
  let i = 0;
  const n = chars.length;
  for (;;) {
    while (i < n && BLANKS.has(chars[i])) i++;
    if (i >= n) return tokens;
    const start = i;
    const bytes: number[] = [];
    let inDouble = false;
    let inSingle = false;
    let quoteColumn = 0;
    let done = false;
    while (!done) {
      const c = i < n ? chars[i] : undefined;
      if (inDouble) {
        if (c === undefined) throw unterminated(quoteColumn);
        if (c === '\\' && chars[i + 1] === 'x' && HEX.test(chars[i + 2] ?? '') && HEX.test(chars[i + 3] ?? '')) {
          bytes.push(parseInt(chars[i + 2] + chars[i + 3], 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = chars[i];
          const escaped = DOUBLE_QUOTE_ESCAPES.get(e);
          if (escaped === undefined) pushUtf8(bytes, e);
          else bytes.push(escaped);
        } else if (c === '"') {
          if (i + 1 < n && !BLANKS.has(chars[i + 1])) throw closingQuote(i + 1);
          done = true;
        } else {
          pushUtf8(bytes, c);
        }
      } else if (inSingle) {
        if (c === undefined) throw unterminated(quoteColumn);
        if (c === '\\' && chars[i + 1] === "'") {
          i++;
          bytes.push(0x27);
        } else if (c === "'") {
          if (i + 1 < n && !BLANKS.has(chars[i + 1])) throw closingQuote(i + 1);
          done = true;
        } else {
          pushUtf8(bytes, c);
        }
      } else if (c === undefined || WORD_END.has(c)) {
        done = true;
      } else if (c === '"') {
        inDouble = true;
        quoteColumn = i + 1;
      } else if (c === "'") {
        inSingle = true;
        quoteColumn = i + 1;
      } else {
        pushUtf8(bytes, c);
      }
      if (i < n) i++;
    }
    tokens.push({ value: Buffer.from(bytes), column: start + 1 });
  }
}

/** Appends one character's UTF-8 bytes. */
function pushUtf8(bytes: number[], c: string): void {
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x80) bytes.push(code);
  else for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
}

function unterminated(column: number): InputError {
  return new InputError(l10n.t('Unterminated quote at column {0}: close it or escape it.', column));
}

function closingQuote(column: number): InputError {
  return new InputError(l10n.t('The closing quote at column {0} must be followed by a space or the end of the line.', column));
}

/**
 * Quotes one argument so that splitArgs gives it back: plain when it has no
 * blanks, quotes or backslashes and is printable ASCII, else in double
 * quotes with redis-cli's escapes.
 */
export function quoteArg(arg: Buffer): string {
  if (arg.length > 0 && arg.every((b) => b > 0x20 && b < 0x7f && b !== 0x22 && b !== 0x27 && b !== 0x5c)) return arg.toString('latin1');
  let out = '"';
  for (const b of arg) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}
