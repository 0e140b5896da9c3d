/**
 * RESP2 on the wire: an incremental, resumable reader (linear in the bytes
 * received, however the replies are split into chunks) and the command
 * encoder.
 */
import type { RedisReply } from './reply';
import { NIL } from './reply';

const CR = 13;
const CRLF = Buffer.from('\r\n');

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(argv: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    parts.push(Buffer.from(`$${arg.length}\r\n`), arg, CRLF);
  }
  return Buffer.concat(parts);
}

/** Encodes several commands into one write. */
export function encodeCommands(argvs: readonly (readonly Buffer[])[]): Buffer {
  return Buffer.concat(argvs.map(encodeCommand));
}

interface Frame {
  items: RedisReply[];
  remaining: number;
}

/** A RESP line (`+…`, `-…`, `:…`, a length) longer than this is not RESP: the reader stops there. */
const MAX_LINE = 1024 * 1024;

/** The server sent bytes that are not RESP2; `received` holds the first of them (up to 64 bytes). */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly received: Buffer,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** A length or count header: a whole number from -1 up. */
function lengthOf(line: string): number | undefined {
  const n = Number(line);
  return Number.isSafeInteger(n) && n >= -1 && line !== '' ? n : undefined;
}

function integerOf(line: string): bigint | undefined {
  try {
    return line === '' ? undefined : BigInt(line);
  } catch {
    return undefined;
  }
}

export class RespReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks held while waiting for a large bulk string to arrive in full. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private needed = 0;
  private readonly stack: Frame[] = [];

  constructor(private readonly onReply: (reply: RedisReply) => void) {}

  /** Feeds received bytes; calls onReply for each complete top-level reply. */
  feed(chunk: Buffer): void {
    if (this.needed > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.needed) return;
      this.buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.needed = 0;
    } else if (this.pos < this.buf.length) {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    } else {
      this.buf = chunk;
    }
    this.pos = 0;
    this.drain();
  }

  private drain(): void {
    const buf = this.buf;
    for (;;) {
      if (this.pos >= buf.length) {
        this.buf = Buffer.alloc(0);
        this.pos = 0;
        return;
      }
      const kind = buf[this.pos];
      if (kind !== 0x2b && kind !== 0x2d && kind !== 0x3a && kind !== 0x24 && kind !== 0x2a)
        this.fail(`unexpected RESP type byte 0x${(kind ?? 0).toString(16)}`);
      const lineEnd = buf.indexOf(CR, this.pos + 1);
      if (lineEnd < 0 || lineEnd + 1 >= buf.length) {
        if (buf.length - this.pos > MAX_LINE) this.fail(`no line end within ${MAX_LINE} bytes`);
        return this.keepRest(0);
      }
      const line = buf.toString('latin1', this.pos + 1, lineEnd);
      let value: RedisReply | undefined;
      let next = lineEnd + 2;
      switch (kind) {
        case 0x2b: // +
          value = { type: 'status', value: buf.toString('utf8', this.pos + 1, lineEnd) };
          break;
        case 0x2d: // -
          value = { type: 'error', message: buf.toString('utf8', this.pos + 1, lineEnd) };
          break;
        case 0x3a: // :
          value = { type: 'integer', value: integerOf(line) ?? this.fail(`"${line.slice(0, 40)}" is not an integer`) };
          break;
        case 0x24: {
          // $
          const len = lengthOf(line) ?? this.fail(`"${line.slice(0, 40)}" is not a bulk length`);
          if (len < 0) {
            value = NIL;
            break;
          }
          if (next + len + 2 > buf.length) return this.keepRest(next + len + 2 - this.pos);
          value = { type: 'bulk', value: Buffer.from(buf.subarray(next, next + len)) };
          next += len + 2;
          break;
        }
        case 0x2a: {
          // *
          const count = lengthOf(line) ?? this.fail(`"${line.slice(0, 40)}" is not an array length`);
          if (count < 0) value = NIL;
          else if (count === 0) value = { type: 'array', items: [] };
          else this.stack.push({ items: [], remaining: count });
          break;
        }
        default:
          return this.fail('unexpected RESP type byte');
      }
      this.pos = next;
      if (value !== undefined) this.emit(value);
    }
  }

  /** Stops reading: what follows is not RESP2. */
  private fail(reason: string): never {
    throw new ProtocolError(reason, Buffer.from(this.buf.subarray(this.pos, this.pos + 64)));
  }

  private emit(reply: RedisReply): void {
    let value = reply;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        this.onReply(value);
        return;
      }
      top.items.push(value);
      top.remaining -= 1;
      if (top.remaining > 0) return;
      this.stack.pop();
      value = { type: 'array', items: top.items };
    }
  }

  /** Keeps the unread bytes; `need` is how many bytes the next token needs at least (0 = unknown). */
  private keepRest(need: number): void {
    const rest = this.buf.subarray(this.pos);
    this.buf = rest;
    this.pos = 0;
    if (need > rest.length) {
      this.pending = [rest];
      this.pendingBytes = rest.length;
      this.needed = need;
      this.buf = Buffer.alloc(0);
    }
  }
}
