/**
 * The one payload formatter (src/core/bytes.ts): a one-line label for keys
 * and channels, and a multi-line display for message bodies, pub/sub
 * payloads and what a TCP peer sent — text kept, anything that could drive a
 * terminal escaped, binary as a hex dump, JSON pretty when asked.
 */
import assert from 'node:assert/strict';
import { displayBytes, formatPayload, hexDump, isMostlyBinary } from '../../src/core/bytes';

describe('one payload formatter', () => {
  describe('displayBytes: a one-line label', () => {
    it('escapes line breaks, quotes and control bytes the way redis-cli does', () => {
      assert.equal(displayBytes(Buffer.from('a\r\nb\t"c"\\\x00\x7f')), 'a\\r\\nb\\t\\"c\\"\\\\\\x00\\x7f');
    });

    it('escapes C1 control characters too (U+009B starts a terminal control sequence)', () => {
      assert.equal(displayBytes(Buffer.from('x\u009b31my')), 'x\\u009b31my');
    });

    it('shows every byte past ASCII as \\xHH when the bytes are not UTF-8 as a whole, as redis-cli does', () => {
      assert.equal(displayBytes(Buffer.from('deadbeef', 'hex')), '\\xde\\xad\\xbe\\xef');
      assert.equal(displayBytes(Buffer.concat([Buffer.from('café '), Buffer.from([0xff, 0x41])])), 'caf\\xc3\\xa9 \\xffA');
    });

    it('keeps valid UTF-8 text, and in a multi-line display the valid characters of bytes that are not UTF-8 as a whole', () => {
      assert.equal(displayBytes(Buffer.from('naïve ✓')), 'naïve ✓');
      assert.equal(formatPayload(Buffer.concat([Buffer.from('café '), Buffer.from([0xff, 0x41])])), 'café \\xffA');
    });

    it('cuts at max characters', () => {
      assert.equal(displayBytes(Buffer.from('x'.repeat(300)), 10), `${'x'.repeat(10)}…`);
      assert.equal(displayBytes(Buffer.from('é'.repeat(5_000)), 3), 'ééé…');
    });
  });

  describe('formatPayload: a multi-line display', () => {
    it('keeps text and its line breaks (CRLF as one), escapes escape sequences, lone CR and invalid bytes', () => {
      assert.equal(formatPayload(Buffer.from('+PONG\r\nhello\n')), '+PONG\nhello\n');
      assert.equal(formatPayload(Buffer.from('say "hi" \\ ok')), 'say "hi" \\ ok');
      assert.equal(formatPayload(Buffer.from('red \x1b[31mtext\x1b[0m here, ok')), 'red \\x1b[31mtext\\x1b[0m here, ok');
      assert.equal(formatPayload(Buffer.from([0x61, 0x62, 0x63, 0xff, 0x64, 0x0d, 0x65])), 'abc\\xffd\\re');
      assert.equal(formatPayload(Buffer.alloc(0)), '');
    });

    it('shows mostly-binary bytes as a hex dump, cut at maxHexBytes', () => {
      const buf = Buffer.from([...Array(40).keys()]);
      assert.ok(isMostlyBinary(buf));
      assert.equal(formatPayload(buf), hexDump(buf));
      const cut = formatPayload(buf, { maxHexBytes: 16 }).split('\n');
      assert.deepEqual(cut, ['00000000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  ................', '… 40 bytes in all']);
    });

    it('pretty-prints JSON when asked, and only then', () => {
      const body = Buffer.from(' {"a":[1,2],"b":"x"}');
      assert.equal(formatPayload(body, { json: true }), '{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}');
      assert.equal(formatPayload(body), ' {"a":[1,2],"b":"x"}');
      assert.equal(formatPayload(Buffer.from('{not json'), { json: true }), '{not json');
    });

    it('cuts long text at maxChars and says how long it was', () => {
      assert.equal(formatPayload(Buffer.from('abcdefghij'), { maxChars: 4 }), 'abcd… (10 characters in all)');
    });
  });

  describe('hexDump', () => {
    it('indents every line', () => {
      assert.equal(hexDump(Buffer.from('AB'), { indent: '  ' }), `  00000000  ${'41 42'.padEnd(47)}  AB`);
    });
  });
});
