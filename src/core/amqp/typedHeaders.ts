/**
 * Message headers with their AMQP field types. amqplib decodes a field table
 * to plain JS (every integer width and both float widths become a number)
 * and guesses a type again on publish, so an exported `long` 5 would come
 * back as a `byte`. This reads the same bytes amqplib reads (a passive tap
 * on the connection's socket `read()`), finds each content-header frame,
 * and decodes its `headers` table keeping the types: a number whose type is
 * not the one amqplib would guess is written `{ "!": type, value }`, which
 * amqplib's encoder (and toAmqpTable) accept as is.
 */
import * as l10n from '@vscode/l10n';
import type { ChannelModel } from 'amqplib';

const FRAME_HEADER = 2;
const FRAME_END = 0xce;
const HEADERS_FLAG = 1 << 13;
const CONTENT_TYPE_FLAG = 1 << 15;
const CONTENT_ENCODING_FLAG = 1 << 14;

/** The type amqplib picks for a JS number on publish (codec.js encodeFieldValue). */
export function guessedType(n: number): string {
  if (!Number.isInteger(n)) return 'double';
  if (n < 128 && n >= -128) return 'byte';
  if (n >= -0x8000 && n < 0x8000) return 'short';
  if (n >= -0x80000000 && n < 0x80000000) return 'int';
  return 'long';
}

function typedNumber(type: string, value: number): unknown {
  return guessedType(value) === type ? value : { '!': type, value };
}

class TableReader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}

  table(end: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.offset < end) {
      const len = this.buf.readUInt8(this.offset);
      const key = this.buf.toString('utf8', this.offset + 1, this.offset + 1 + len);
      this.offset += 1 + len;
      out[key] = this.value();
    }
    return out;
  }

  private take(n: number): number {
    const at = this.offset;
    this.offset += n;
    return at;
  }

  private value(): unknown {
    const b = this.buf;
    const tag = String.fromCharCode(b.readUInt8(this.take(1)));
    switch (tag) {
      case 't':
        return b.readUInt8(this.take(1)) !== 0;
      case 'b':
        return typedNumber('byte', b.readInt8(this.take(1)));
      case 'B':
        return typedNumber('unsignedbyte', b.readUInt8(this.take(1)));
      case 's':
        return typedNumber('short', b.readInt16BE(this.take(2)));
      case 'u':
        return typedNumber('unsignedshort', b.readUInt16BE(this.take(2)));
      case 'I':
        return typedNumber('int', b.readInt32BE(this.take(4)));
      case 'i':
        return typedNumber('unsignedint', b.readUInt32BE(this.take(4)));
      case 'l':
        return typedNumber('long', Number(b.readBigInt64BE(this.take(8))));
      case 'f':
        return { '!': 'float', value: b.readFloatBE(this.take(4)) };
      case 'd':
        return typedNumber('double', b.readDoubleBE(this.take(8)));
      case 'D': {
        const places = b.readUInt8(this.take(1));
        return { '!': 'decimal', value: { places, digits: b.readUInt32BE(this.take(4)) } };
      }
      case 'T':
        return { '!': 'timestamp', value: Number(b.readBigUInt64BE(this.take(8))) };
      case 'S': {
        const len = b.readUInt32BE(this.take(4));
        return b.toString('utf8', this.take(len), this.offset);
      }
      case 'x': {
        const len = b.readUInt32BE(this.take(4));
        return { hex: b.toString('hex', this.take(len), this.offset) };
      }
      case 'F': {
        const len = b.readUInt32BE(this.take(4));
        return this.table(this.offset + len);
      }
      case 'A': {
        const end = b.readUInt32BE(this.take(4)) + this.offset;
        const items: unknown[] = [];
        while (this.offset < end) items.push(this.value());
        return items;
      }
      case 'V':
        return null;
      default:
        throw new Error(l10n.t('unknown AMQP field type "{0}"', tag));
    }
  }
}

/** The typed `headers` of a content-header frame's payload; undefined when it has none. */
export function typedHeadersOf(payload: Buffer): Record<string, unknown> | undefined {
  // class id (2), weight (2), body size (8), property flags (2)
  const flags = payload.readUInt16BE(12);
  if ((flags & HEADERS_FLAG) === 0) return undefined;
  let offset = 14;
  if (flags & CONTENT_TYPE_FLAG) offset += 1 + payload.readUInt8(offset);
  if (flags & CONTENT_ENCODING_FLAG) offset += 1 + payload.readUInt8(offset);
  const len = payload.readUInt32BE(offset);
  const reader = new TableReader(payload);
  reader.offset = offset + 4;
  return reader.table(offset + 4 + len);
}

/** What the tap needs of amqplib's connection: its socket and the bytes it read but has not parsed yet. */
interface TappableConnection {
  stream: { read(size?: number): Buffer | null };
  rest: Buffer;
}

function isTappable(value: unknown): value is TappableConnection {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as { stream?: { read?: unknown }; rest?: unknown };
  return typeof c.stream?.read === 'function' && Buffer.isBuffer(c.rest);
}

/**
 * Typed headers of every message on one connection, in arrival order per
 * channel: `next(channel)` gives those of the message amqplib delivers next
 * there (call it once per delivered message, from the delivery callback).
 */
export class HeaderTap {
  private pending: Buffer = Buffer.alloc(0);
  private readonly queues = new Map<number, (Record<string, unknown> | undefined)[]>();
  private broken = false;

  private constructor() {}

  /** Installs the tap; undefined when this amqplib does not look as expected (then types are not kept). */
  static install(model: ChannelModel): HeaderTap | undefined {
    const connection = (model as unknown as { connection?: unknown }).connection;
    if (!isTappable(connection)) return undefined;
    const tap = new HeaderTap();
    tap.pending = Buffer.from(connection.rest);
    const stream = connection.stream;
    const read = stream.read.bind(stream);
    stream.read = (size?: number): Buffer | null => {
      const chunk = read(size);
      if (chunk) tap.push(chunk);
      return chunk;
    };
    return tap;
  }

  /** False once the byte stream could not be followed (the headers then come from amqplib, untyped). */
  get working(): boolean {
    return !this.broken;
  }

  next(channel: number): Record<string, unknown> | undefined {
    return this.queues.get(channel)?.shift();
  }

  private push(chunk: Buffer): void {
    if (this.broken) return;
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    try {
      while (buf.length >= 8) {
        const size = buf.readUInt32BE(3);
        if (buf.length < size + 8) break;
        if (buf.readUInt8(size + 7) !== FRAME_END) throw new Error(l10n.t('frame end missing'));
        if (buf.readUInt8(0) === FRAME_HEADER) {
          const channel = buf.readUInt16BE(1);
          const list = this.queues.get(channel) ?? [];
          list.push(typedHeadersOf(buf.subarray(7, 7 + size)));
          this.queues.set(channel, list);
        }
        buf = buf.subarray(size + 8);
      }
      this.pending = Buffer.from(buf);
    } catch {
      this.broken = true;
      this.queues.clear();
    }
  }
}
