/**
 * The first exchange of AMQP 0-9-1, enough to say what answers on a port:
 * the client sends the protocol header, the broker answers with a
 * connection.start method frame whose server-properties name the product
 * and version (or, if it speaks another version, with its own header).
 * Pure parsing, no I/O.
 */
import * as l10n from '@vscode/l10n';
import { displayBytes } from '../bytes';

/** "AMQP" 0 0 9 1. */
export const AMQP_PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0x00, 0x00, 0x09, 0x01]);

const FRAME_METHOD = 1;
const FRAME_END = 0xce;
const CLASS_CONNECTION = 10;
const METHOD_START = 10;
/** A connection.start is small; anything claiming more is not an AMQP broker. */
const MAX_START_FRAME = 1024 * 1024;

export interface AmqpConnectionStart {
  versionMajor: number;
  versionMinor: number;
  serverProperties: Record<string, unknown>;
  mechanisms: string[];
  locales: string[];
}

export type AmqpGreeting =
  | { kind: 'start'; start: AmqpConnectionStart }
  /** The broker answered with its own protocol header: it does not speak 0-9-1. */
  | { kind: 'protocolHeader'; version: string }
  | { kind: 'unexpected'; preview: string };

class Reader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new RangeError(l10n.t('truncated field table'));
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.offset++);
  }
  i8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  i64(): number | string {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  u64(): number | string {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  f32(): number {
    this.need(4);
    const v = this.buf.readFloatBE(this.offset);
    this.offset += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  shortStr(): string {
    return this.bytes(this.u8()).toString('utf8');
  }
  longStr(): string {
    return this.bytes(this.u32()).toString('utf8');
  }
  table(): Record<string, unknown> {
    const end = this.u32() + this.offset;
    const out: Record<string, unknown> = {};
    while (this.offset < end) {
      const name = this.shortStr();
      out[name] = this.value();
    }
    if (this.offset !== end) throw new RangeError(l10n.t('field table overruns its length'));
    return out;
  }
  array(): unknown[] {
    const end = this.u32() + this.offset;
    const out: unknown[] = [];
    while (this.offset < end) out.push(this.value());
    if (this.offset !== end) throw new RangeError(l10n.t('field array overruns its length'));
    return out;
  }
  value(): unknown {
    const type = String.fromCharCode(this.u8());
    switch (type) {
      case 't':
        return this.u8() !== 0;
      case 'b':
        return this.i8();
      case 'B':
        return this.u8();
      case 's':
      case 'U':
        return this.i16();
      case 'u':
        return this.u16();
      case 'I':
        return this.i32();
      case 'i':
        return this.u32();
      case 'l':
      case 'L':
        return this.i64();
      case 'f':
        return this.f32();
      case 'd':
        return this.f64();
      case 'D': {
        const scale = this.u8();
        return this.u32() / 10 ** scale;
      }
      case 'S':
        return this.longStr();
      case 'x':
        return { hex: this.bytes(this.u32()).toString('hex') };
      case 'A':
        return this.array();
      case 'T':
        return this.u64();
      case 'F':
        return this.table();
      case 'V':
        return null;
      default:
        throw new RangeError(l10n.t('unknown field type "{0}"', type));
    }
  }
}

function unexpected(buf: Buffer): { value: AmqpGreeting; used: number } {
  return { value: { kind: 'unexpected', preview: displayBytes(buf.subarray(0, 60), 80) }, used: buf.length };
}

/**
 * Parses the broker's first answer to the protocol header. Returns
 * undefined while more bytes are needed.
 */
export function parseAmqpGreeting(buf: Buffer): { value: AmqpGreeting; used: number } | undefined {
  if (buf.length === 0) return undefined;
  if (buf[0] === 0x41) {
    const head = Math.min(4, buf.length);
    if (!buf.subarray(0, head).equals(AMQP_PROTOCOL_HEADER.subarray(0, head))) return unexpected(buf);
    if (buf.length < 8) return undefined;
    return { value: { kind: 'protocolHeader', version: `${buf[5] ?? 0}-${buf[6] ?? 0}-${buf[7] ?? 0}` }, used: 8 };
  }
  if (buf[0] !== FRAME_METHOD) return unexpected(buf);
  if (buf.length < 7) return undefined;
  const size = buf.readUInt32BE(3);
  if (size > MAX_START_FRAME) return unexpected(buf);
  if (buf.length < 7 + size + 1) return undefined;
  if (buf[7 + size] !== FRAME_END) return unexpected(buf);
  const r = new Reader(buf.subarray(7, 7 + size));
  try {
    const classId = r.u16();
    const methodId = r.u16();
    if (classId !== CLASS_CONNECTION || methodId !== METHOD_START) return unexpected(buf);
    const versionMajor = r.u8();
    const versionMinor = r.u8();
    const serverProperties = r.table();
    const mechanisms = r.longStr().split(/\s+/).filter(Boolean);
    const locales = r.longStr().split(/\s+/).filter(Boolean);
    return { value: { kind: 'start', start: { versionMajor, versionMinor, serverProperties, mechanisms, locales } }, used: 7 + size + 1 };
  } catch {
    return unexpected(buf);
  }
}

/** "RabbitMQ 3.10.8" from server-properties, as far as they say. */
export function describeBroker(props: Record<string, unknown>): { product?: string; version?: string; platform?: string } {
  const text = (key: string): string | undefined => (typeof props[key] === 'string' ? props[key] : undefined);
  const out: { product?: string; version?: string; platform?: string } = {};
  const product = text('product');
  const version = text('version');
  const platform = text('platform');
  if (product) out.product = product;
  if (version) out.version = version;
  if (platform) out.platform = platform;
  return out;
}
