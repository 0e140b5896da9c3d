import * as l10n from '@vscode/l10n';
/**
 * A strict JSON parser that remembers where each value sits in the text
 * (offset and length, in UTF-16 code units like an editor's), so a syntax
 * error or a value of the wrong shape can be pointed at. Numbers keep their
 * source text, so `1.50` can be written back exactly as typed.
 */

export interface JsonSpan {
  offset: number;
  length: number;
}

export type JsonNode =
  | (JsonSpan & { kind: 'object'; properties: JsonProperty[] })
  | (JsonSpan & { kind: 'array'; items: JsonNode[] })
  | (JsonSpan & { kind: 'string'; value: string })
  | (JsonSpan & { kind: 'number'; value: number; text: string })
  | (JsonSpan & { kind: 'boolean'; value: boolean })
  | (JsonSpan & { kind: 'null' });

export interface JsonProperty {
  key: JsonSpan & { value: string };
  value: JsonNode;
}

/** A problem at a place in the text: one sentence, and the span it is about; `syntax` when the text is not JSON at all. */
export class JsonSourceError extends Error {
  constructor(
    message: string,
    readonly span: JsonSpan,
    readonly syntax = false,
  ) {
    super(message);
    this.name = 'JsonSourceError';
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): JsonNode {
    this.skip();
    if (this.pos >= this.text.length) throw this.fail(l10n.t('The document is empty: write a JSON value.'), 0);
    const node = this.value();
    this.skip();
    if (this.pos < this.text.length)
      throw this.fail(l10n.t('Unexpected text after the end of the JSON value.'), this.text.length - this.pos);
    return node;
  }

  private fail(message: string, length = 1): JsonSourceError {
    return new JsonSourceError(message, { offset: Math.min(this.pos, this.text.length), length: Math.max(0, length) }, true);
  }

  private skip(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private value(): JsonNode {
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      const value = this.string();
      return { kind: 'string', value, offset: start, length: this.pos - start };
    }
    for (const [word, node] of [
      ['true', { kind: 'boolean', value: true }],
      ['false', { kind: 'boolean', value: false }],
      ['null', { kind: 'null' }],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { ...node, offset: start, length: word.length };
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m) {
      this.pos += m[0].length;
      return { kind: 'number', value: Number(m[0]), text: m[0], offset: start, length: m[0].length };
    }
    if (c === undefined) throw this.fail(l10n.t('The JSON ends too early: a value is missing.'), 0);
    throw this.fail(
      l10n.t('Unexpected character {0}: expected a value (a string in double quotes, a number, an object or an array).', JSON.stringify(c)),
    );
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) {
        this.pos = start;
        throw this.fail(l10n.t('This string is not closed: add the closing double quote.'), this.text.length - start);
      }
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1] ?? '';
        if (e === 'u') {
          const hex = this.text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.fail(l10n.t('A \\u escape needs four hex digits.'), 2);
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else if (ESCAPES[e] !== undefined) {
          out += ESCAPES[e];
          this.pos += 2;
        } else throw this.fail(l10n.t('"\\{0}" is not a JSON escape: use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX.', e), 2);
        continue;
      }
      if (c.charCodeAt(0) < 0x20)
        throw this.fail(l10n.t('A control character (such as a line break) inside a string must be escaped (\\n, \\t, …).'));
      out += c;
      this.pos++;
    }
  }

  private object(): JsonNode {
    const start = this.pos;
    this.pos++;
    const properties: JsonProperty[] = [];
    this.skip();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', properties, offset: start, length: this.pos - start };
    }
    for (;;) {
      this.skip();
      if (this.text[this.pos] !== '"')
        throw this.fail(
          this.text[this.pos] === '}'
            ? l10n.t('A trailing comma is not allowed in JSON.')
            : l10n.t('Expected a property name in double quotes.'),
        );
      const keyStart = this.pos;
      const key = this.string();
      const keyLength = this.pos - keyStart;
      this.skip();
      if (this.text[this.pos] !== ':') throw this.fail(l10n.t('Expected ":" after the property name.'));
      this.pos++;
      this.skip();
      const value = this.value();
      properties.push({ key: { value: key, offset: keyStart, length: keyLength }, value });
      this.skip();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { kind: 'object', properties, offset: start, length: this.pos - start };
      }
      throw this.fail(l10n.t('Expected "," or "}" after a property value.'));
    }
  }

  private array(): JsonNode {
    const start = this.pos;
    this.pos++;
    const items: JsonNode[] = [];
    this.skip();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items, offset: start, length: this.pos - start };
    }
    for (;;) {
      this.skip();
      if (this.text[this.pos] === ']') throw this.fail(l10n.t('A trailing comma is not allowed in JSON.'));
      items.push(this.value());
      this.skip();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (this.text[this.pos] === ']') {
        this.pos++;
        return { kind: 'array', items, offset: start, length: this.pos - start };
      }
      throw this.fail(l10n.t('Expected "," or "]" after an array item.'));
    }
  }
}

/** Parses JSON text; throws a JsonSourceError naming the place of the first problem. */
export function parseJsonSource(text: string): JsonNode {
  return new Parser(text).parseDocument();
}
