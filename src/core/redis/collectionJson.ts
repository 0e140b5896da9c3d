/**
 * Collections as JSON documents, both ways. A hash is an object when every
 * field is UTF-8 text, otherwise `[{ field, value }]`; a list an array; a set
 * a sorted array; a sorted set `[{ member, score }]` by rank. Bytes that are
 * not UTF-8 are `{ "hex": "…" }` (COMMANDS.md). One item per line, so a
 * change shows as a one-line diff. Parsing refuses the wrong shape with the
 * place of the problem, so the editor can point at it.
 */
import * as l10n from '@vscode/l10n';
import { typeWord } from './typeWords';
import { isUtf8 } from '../bytes';
import { JsonSourceError, parseJsonSource, type JsonNode, type JsonSpan } from './jsonSource';

export type EditableType = 'hash' | 'list' | 'set' | 'zset';

export interface HashEntry {
  field: Buffer;
  value: Buffer;
}
export interface ZsetEntry {
  member: Buffer;
  /** A double; ±Infinity for "inf" / "-inf". */
  score: number;
}

export type CollectionValue =
  | { type: 'hash'; entries: HashEntry[] }
  | { type: 'list'; items: Buffer[] }
  | { type: 'set'; members: Buffer[] }
  | { type: 'zset'; entries: ZsetEntry[] };

export function isEditableType(type: string): type is EditableType {
  return type === 'hash' || type === 'list' || type === 'set' || type === 'zset';
}

/** How many items a collection value holds. */
export function collectionSize(value: CollectionValue): number {
  return value.type === 'list' ? value.items.length : value.type === 'set' ? value.members.length : value.entries.length;
}

// ------------------------------------------------------------------ rendering

function bytesJson(buf: Buffer): string {
  return isUtf8(buf) ? JSON.stringify(buf.toString('utf8')) : `{ "hex": "${buf.toString('hex')}" }`;
}

export function scoreJson(score: number): string {
  return score === Infinity ? '"inf"' : score === -Infinity ? '"-inf"' : JSON.stringify(score);
}

function lines(open: string, items: string[], close: string): string {
  return items.length === 0 ? `${open}${close}\n` : `${open}\n${items.map((i) => `  ${i}`).join(',\n')}\n${close}\n`;
}

/** The document text of a collection. */
export function renderCollection(value: CollectionValue): string {
  switch (value.type) {
    case 'hash': {
      const sorted = [...value.entries].sort((a, b) => Buffer.compare(a.field, b.field));
      if (sorted.every((e) => isUtf8(e.field)))
        return lines(
          '{',
          sorted.map((e) => `${JSON.stringify(e.field.toString('utf8'))}: ${bytesJson(e.value)}`),
          '}',
        );
      return lines(
        '[',
        sorted.map((e) => `{ "field": ${bytesJson(e.field)}, "value": ${bytesJson(e.value)} }`),
        ']',
      );
    }
    case 'list':
      return lines('[', value.items.map(bytesJson), ']');
    case 'set':
      return lines('[', [...value.members].sort((a, b) => Buffer.compare(a, b)).map(bytesJson), ']');
    case 'zset':
      return lines(
        '[',
        value.entries.map((e) => `{ "member": ${bytesJson(e.member)}, "score": ${scoreJson(e.score)} }`),
        ']',
      );
  }
}

// ------------------------------------------------------------------ parsing

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function at(span: JsonSpan, message: string): JsonSourceError {
  return new JsonSourceError(message, { offset: span.offset, length: span.length });
}

function nodeBytes(node: JsonNode, what: string): Buffer {
  if (node.kind === 'string') {
    if (LONE_SURROGATE.test(node.value))
      throw at(node, l10n.t('This {0} is not valid UTF-8 text (a lone surrogate): write it as { "hex": "…" }.', what));
    return Buffer.from(node.value, 'utf8');
  }
  // A number is taken as typed ("1.50" stays "1.50"), since Redis stores text.
  if (node.kind === 'number') return Buffer.from(node.text, 'utf8');
  if (node.kind === 'object' && node.properties.length === 1 && node.properties[0]?.key.value === 'hex') {
    const hex = node.properties[0].value;
    if (hex.kind !== 'string' || hex.value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex.value))
      throw at(hex, l10n.t('A "hex" value must be a string of an even number of 0-9 / a-f digits.'));
    return Buffer.from(hex.value, 'hex');
  }
  throw at(node, l10n.t('A {0} must be a string or { "hex": "…" }.', what));
}

function nodeScore(node: JsonNode): number {
  if (node.kind === 'number' && Number.isFinite(node.value)) return node.value;
  if (node.kind === 'string') {
    const t = node.value.trim().toLowerCase();
    if (t === 'inf' || t === '+inf') return Infinity;
    if (t === '-inf') return -Infinity;
  }
  throw at(node, l10n.t('A score must be a number, "inf" or "-inf".'));
}

function asArray(root: JsonNode, shape: string): JsonNode[] {
  if (root.kind !== 'array') throw at(root, l10n.t('This document must be {0}.', shape));
  return root.items;
}

/** Named properties of an object node; anything else is an error at its place. */
function record(node: JsonNode, names: readonly string[], shape: string): Map<string, JsonNode> {
  if (node.kind !== 'object') throw at(node, l10n.t('Each item must be {0}.', shape));
  const found = new Map<string, JsonNode>();
  for (const p of node.properties) {
    if (!names.includes(p.key.value)) throw at(p.key, l10n.t('Unknown property "{0}": an item is {1}.', p.key.value, shape));
    if (found.has(p.key.value)) throw at(p.key, l10n.t('The property "{0}" appears twice in this item.', p.key.value));
    found.set(p.key.value, p.value);
  }
  for (const name of names) if (!found.has(name)) throw at(node, l10n.t('This item has no "{0}": an item is {1}.', name, shape));
  return found;
}

/** Refuses a second occurrence of the same bytes, at its place. */
function unique(seen: Set<string>, buf: Buffer, span: JsonSpan, message: string): void {
  const id = buf.toString('latin1');
  if (seen.has(id)) throw at(span, message);
  seen.add(id);
}

function parseHash(root: JsonNode): CollectionValue {
  const seen = new Set<string>();
  const entries: HashEntry[] = [];
  if (root.kind === 'object') {
    for (const p of root.properties) {
      const field = nodeBytes({ kind: 'string', value: p.key.value, offset: p.key.offset, length: p.key.length }, l10n.t('field'));
      unique(seen, field, p.key, l10n.t('The field {0} appears twice: a hash holds each field once.', JSON.stringify(p.key.value)));
      entries.push({ field, value: nodeBytes(p.value, l10n.t('hash value')) });
    }
    return { type: 'hash', entries };
  }
  const shape = '{ "field": …, "value": … }';
  if (root.kind !== 'array') throw at(root, l10n.t('This document must be an object of fields, or an array of {0}.', shape));
  for (const item of root.items) {
    const r = record(item, ['field', 'value'], shape);
    const fieldNode = r.get('field') as JsonNode;
    const field = nodeBytes(fieldNode, l10n.t('field'));
    unique(seen, field, fieldNode, l10n.t('This field appears twice: a hash holds each field once.'));
    entries.push({ field, value: nodeBytes(r.get('value') as JsonNode, l10n.t('hash value')) });
  }
  return { type: 'hash', entries };
}

function parseByType(type: EditableType, root: JsonNode): CollectionValue {
  switch (type) {
    case 'hash':
      return parseHash(root);
    case 'list':
      return {
        type,
        items: asArray(root, l10n.t('an array of the list\'s elements (strings or { "hex": "…" })')).map((n) =>
          nodeBytes(n, l10n.t('list element')),
        ),
      };
    case 'set': {
      const seen = new Set<string>();
      const members = asArray(root, l10n.t('an array of the set\'s members (strings or { "hex": "…" })')).map((n) => {
        const member = nodeBytes(n, l10n.t('member'));
        unique(seen, member, n, l10n.t('This member appears twice: a set holds each member once.'));
        return member;
      });
      return { type, members };
    }
    case 'zset': {
      const shape = '{ "member": …, "score": … }';
      const seen = new Set<string>();
      const entries = asArray(root, l10n.t('an array of {0}', shape)).map((item) => {
        const r = record(item, ['member', 'score'], shape);
        const memberNode = r.get('member') as JsonNode;
        const member = nodeBytes(memberNode, l10n.t('member'));
        unique(seen, member, memberNode, l10n.t('This member appears twice: a sorted set holds each member once.'));
        return { member, score: nodeScore(r.get('score') as JsonNode) };
      });
      return { type, entries };
    }
  }
}

/**
 * The collection a document describes. Throws a JsonSourceError at the
 * place of the first problem: bad JSON, the wrong shape, a duplicate, or an
 * empty collection (Redis deletes an empty key; delete it from the tree).
 */
export function parseCollectionText(type: EditableType, text: string): CollectionValue {
  const root = parseJsonSource(text);
  const value = parseByType(type, root);
  if (collectionSize(value) === 0)
    throw at(
      root,
      l10n.t(
        'An empty {0} cannot exist in Redis: add an item, or delete the key from the Redis view.',
        type === 'zset' ? l10n.t('sorted set') : typeWord(type),
      ),
    );
  return value;
}
