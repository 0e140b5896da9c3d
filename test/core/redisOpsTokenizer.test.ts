import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import { parseRedisText } from '../../src/core/redis/redisFile';
import { quoteArg, splitArgs, tokenize } from '../../src/core/redis/tokenizer';

const words = (line: string): string[] => splitArgs(line).map((b) => b.toString('latin1'));

describe('redis-cli argument splitting (sdssplitargs)', () => {
  it('splits on blanks and ignores leading, trailing and repeated ones', () => {
    assert.deepEqual(words('  SET   key\tvalue  '), ['SET', 'key', 'value']);
    assert.deepEqual(words(''), []);
    assert.deepEqual(words(' \t '), []);
  });

  it('understands \\n \\r \\t \\b \\a \\\\ \\" and \\xHH inside double quotes', () => {
    assert.deepEqual(splitArgs('"a\\nb\\rc\\td\\be\\af\\\\g\\"h"')[0], Buffer.from('a\nb\rc\td\be\x07f\\g"h', 'latin1'));
    assert.deepEqual(splitArgs('"\\x00\\xff\\x41"')[0], Buffer.from([0x00, 0xff, 0x41]));
  });

  it('keeps any other escaped character as itself, and \\x without two hex digits as x', () => {
    assert.deepEqual(words('"\\q\\x4g\\x"'), ['qx4gx']);
  });

  it("understands only \\' inside single quotes", () => {
    assert.deepEqual(words("'it\\'s' 'a\\nb' 'c\\\\d'"), ["it's", 'a\\nb', 'c\\\\d']);
  });

  it('gives empty arguments for empty quotes', () => {
    assert.deepEqual(words('SET k ""'), ['SET', 'k', '']);
    assert.deepEqual(words("SET k ''"), ['SET', 'k', '']);
  });

  it('joins a quoted part to the unquoted word it follows', () => {
    assert.deepEqual(words('a"b c"'), ['ab c']);
    assert.deepEqual(words("key'x y'"), ['keyx y']);
  });

  it('refuses a closing quote followed by something other than a blank', () => {
    assert.throws(
      () => splitArgs('SET k "a"b'),
      (err: Error) => err instanceof InputError && /closing quote at column 9/.test(err.message),
    );
    assert.throws(() => splitArgs("'a'b"), /closing quote at column 3/);
  });

  it('refuses an unterminated quote and names the column where it opens', () => {
    assert.throws(
      () => splitArgs('SET k "abc'),
      (err: Error) => err instanceof InputError && err.message === 'Unterminated quote at column 7: close it or escape it.',
    );
    assert.throws(() => splitArgs("ECHO 'abc\\'"), /Unterminated quote at column 6/);
    assert.throws(() => splitArgs('ECHO "ends with backslash\\'), /Unterminated quote at column 6/);
  });

  it('encodes text as UTF-8 and counts columns in characters', () => {
    const t = tokenize('SET 中文 "é"');
    assert.deepEqual(t[1].value, Buffer.from('中文', 'utf8'));
    assert.equal(t[1].value.length, 6);
    assert.deepEqual(t[2].value, Buffer.from('é', 'utf8'));
    assert.deepEqual(
      t.map((x) => x.column),
      [1, 5, 8],
    );
  });

  it('does not end an unquoted word at \\v or \\f (as redis-cli), but skips them between words', () => {
    assert.deepEqual(words('a\vb'), ['a\vb']);
    assert.deepEqual(words('\va b'), ['a', 'b']);
  });

  it('quotes any bytes so that splitting gives them back', () => {
    const samples = [
      Buffer.from('plain'),
      Buffer.from(''),
      Buffer.from('a b'),
      Buffer.from('"q"'),
      Buffer.from("it's"),
      Buffer.from([0, 1, 0xff, 0x5c, 0x0a]),
      Buffer.from('中', 'utf8'),
    ];
    for (const s of samples) assert.deepEqual(splitArgs(quoteArg(s))[0] ?? Buffer.alloc(0), s);
  });
});

describe('.redis file text', () => {
  it('skips comments and blank lines and keeps line numbers', () => {
    const entries = parseRedisText('# setup\n\nSET a 1\n   # indented comment\nGET "a"\r\nECHO "bad\n');
    assert.deepEqual(
      entries.map((e) => [e.line, e.argv?.map((b) => b.toString()), e.error]),
      [
        [3, ['SET', 'a', '1'], undefined],
        [5, ['GET', 'a'], undefined],
        [6, undefined, 'Line 6: Unterminated quote at column 6: close it or escape it.'],
      ],
    );
  });

  it('numbers a selection from its first line', () => {
    assert.equal(parseRedisText('PING', 42)[0].line, 42);
  });
});
