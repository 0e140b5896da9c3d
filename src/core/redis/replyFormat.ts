/**
 * Replies as redis-cli prints them on a terminal (`cliFormatReplyTTY`):
 * `(integer) 1`, `(nil)`, `"quoted bulk"` with sdscatrepr escapes, a status
 * unquoted, `(error) ERR …`, `(empty array)`, and numbered nested arrays
 * indented under their index. Also the `--raw` form.
 */
import type { RedisReply } from './reply';

/** A bulk string quoted the way redis-cli does (sdscatrepr): bytes outside 0x20–0x7e as \xHH. */
export function quoteBulk(buf: Buffer): string {
  let out = '"';
  for (const b of buf) {
    switch (b) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    }
  }
  return `${out}"`;
}

/** The reply as redis-cli shows it in a terminal, without the final newline. */
export function formatReply(reply: RedisReply): string {
  return formatTty(reply, '').replace(/\n$/, '');
}

function formatTty(reply: RedisReply, prefix: string): string {
  switch (reply.type) {
    case 'error':
      return `(error) ${reply.message}\n`;
    case 'status':
      return `${reply.value}\n`;
    case 'integer':
      return `(integer) ${reply.value.toString()}\n`;
    case 'bulk':
      return `${quoteBulk(reply.value)}\n`;
    case 'nil':
      return '(nil)\n';
    case 'array': {
      if (reply.items.length === 0) return '(empty array)\n';
      const idxlen = String(reply.items.length).length;
      const childPrefix = prefix + ' '.repeat(idxlen + 2);
      let out = '';
      reply.items.forEach((item, i) => {
        out += `${i === 0 ? '' : prefix}${String(i + 1).padStart(idxlen)}) `;
        out += formatTty(item, childPrefix);
      });
      return out;
    }
  }
}

/** The reply as `redis-cli --raw` prints it: bytes as they are, array elements on their own lines, a final newline. */
export function formatReplyRaw(reply: RedisReply): Buffer {
  return Buffer.concat([raw(reply), NEWLINE]);
}

const NEWLINE = Buffer.from('\n');

function raw(reply: RedisReply): Buffer {
  switch (reply.type) {
    case 'error':
      return Buffer.from(`${reply.message}\n`);
    case 'status':
      return Buffer.from(reply.value);
    case 'integer':
      return Buffer.from(reply.value.toString());
    case 'bulk':
      return reply.value;
    case 'nil':
      return Buffer.alloc(0);
    case 'array': {
      const parts: Buffer[] = [];
      reply.items.forEach((item, i) => {
        if (i > 0) parts.push(NEWLINE);
        parts.push(raw(item));
      });
      return Buffer.concat(parts);
    }
  }
}
