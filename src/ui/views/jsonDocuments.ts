/**
 * The JSON documents of the `broker-redis-string` file system: a hash,
 * list, set or sorted set of up to brokerExplorer.redis.maxEditableItems
 * items, or a RedisJSON key. Reading renders the value; saving parses the
 * text (a problem is shown at its place and nothing is sent), then writes
 * the minimal change with a compare-and-set. The provider owns the
 * conflict flow; this file says what happened in one sentence.
 */
import * as vscode from 'vscode';
import { displayBytes } from '../../core/bytes';
import { readCollection, saveCollectionCas, TooLargeError, type CollectionSaveOutcome } from '../../core/redis/collectionEdit';
import {
  isEditableType,
  parseCollectionText,
  renderCollection,
  type CollectionValue,
  type EditableType,
} from '../../core/redis/collectionJson';
import { JsonSourceError, parseJsonSource } from '../../core/redis/jsonSource';
import { readJsonKey, REJSON_TYPE, saveJsonKey, type JsonSaveOutcome } from '../../core/redis/redisJsonDoc';
import type { RedisSession } from '../../core/redis/session';
import { formatCount } from '../../core/units';
import { LENGTH_COMMAND } from '../../core/redis/values';
import { typeNoun } from '../../core/redis/typeWords';

export type JsonDocumentBase = { kind: 'collection'; value: CollectionValue } | { kind: 'rejson'; text: string };

export function isJsonDocumentType(type: string): type is EditableType | typeof REJSON_TYPE {
  return isEditableType(type) || type === REJSON_TYPE;
}

/** Items in a collection (0 for a RedisJSON key). */
export async function itemCount(session: RedisSession, key: Buffer, type: string): Promise<number> {
  const command = isEditableType(type) ? LENGTH_COMMAND[type] : undefined;
  return command === undefined ? 0 : Number(await (await session.client()).call(command, key));
}

/** The sentence for a collection too large to edit as a document. */
export function tooLargeSentence(key: Buffer, type: string, length: number, max: number): string {
  return vscode.l10n.t(
    'The {0} "{1}" holds {2} items, more than brokerExplorer.redis.maxEditableItems ({3}), so it does not open as a JSON document: use "Open in Value Editor", or raise the setting.',
    typeNoun(type),
    displayBytes(key, 80),
    formatCount(length),
    formatCount(max),
  );
}

/** The document text of a key and the base a save compares with. */
export async function readJsonDocument(
  session: RedisSession,
  key: Buffer,
  type: EditableType | typeof REJSON_TYPE,
  maxItems: number,
): Promise<{ text: string; base: JsonDocumentBase }> {
  const client = await session.client();
  if (type === REJSON_TYPE) {
    const text = await readJsonKey(client, key, session.profile.name);
    return { text, base: { kind: 'rejson', text } };
  }
  try {
    const value = await readCollection(client, key, type, maxItems);
    return { text: renderCollection(value), base: { kind: 'collection', value } };
  } catch (err) {
    if (err instanceof TooLargeError) throw new TooLargeError(tooLargeSentence(key, type, err.length, maxItems), err.length);
    throw err;
  }
}

/** The first problem of a document's text, or undefined. */
export function checkJsonDocument(base: JsonDocumentBase, text: string): JsonSourceError | undefined {
  try {
    if (base.kind === 'collection') parseCollectionText(base.value.type, text);
    else parseJsonSource(text);
    return undefined;
  } catch (err) {
    if (err instanceof JsonSourceError) return err;
    throw err;
  }
}

export type JsonDocumentOutcome =
  | { outcome: 'saved'; base: JsonDocumentBase }
  | { outcome: 'conflict'; server: string }
  | { outcome: 'wrongType'; type: string }
  | { outcome: 'gone' }
  | { outcome: 'lengthChange'; from: number; to: number };

export interface JsonDocumentSave {
  force: boolean;
  allowLengthChange: boolean;
  maxItems: number;
}

/** Saves a document's text (already checked) over its key; the outcome carries what a conflict shows. */
export async function saveJsonDocument(
  session: RedisSession,
  key: Buffer,
  base: JsonDocumentBase,
  text: string,
  options: JsonDocumentSave,
): Promise<JsonDocumentOutcome> {
  if (base.kind === 'rejson') {
    const r: JsonSaveOutcome = await saveJsonKey(session, key, base.text, text, { force: options.force });
    if (r.outcome !== 'saved') return r.outcome === 'conflict' ? { outcome: 'conflict', server: r.current } : r;
    return { outcome: 'saved', base: { kind: 'rejson', text: await readJsonKey(await session.client(), key, session.profile.name) } };
  }
  const next = parseCollectionText(base.value.type, text);
  const r: CollectionSaveOutcome = await saveCollectionCas(session, key, base.value, next, {
    force: options.force,
    allowLengthChange: options.allowLengthChange,
    maxItems: options.maxItems,
  });
  if (r.outcome === 'saved') return { outcome: 'saved', base: { kind: 'collection', value: next } };
  if (r.outcome === 'conflict')
    return {
      outcome: 'conflict',
      server: r.current
        ? renderCollection(r.current)
        : vscode.l10n.t('(the {0} now holds more than {1} items)', typeNoun(base.value.type), formatCount(options.maxItems)),
    };
  return r;
}

/** Why a compare-and-set wrote nothing (a string or a JSON document), in a sentence naming the value (`what`); `opened`: the document was read from the key. */
export function notSavedSentence(
  what: string,
  saved: { outcome: 'gone' } | { outcome: 'wrongType'; type: string } | { outcome: 'conflict' },
  opened: boolean,
): string {
  if (saved.outcome === 'gone')
    return vscode.l10n.t(
      '{0} was deleted on the server since it was opened: it was not overwritten. Reload it, compare, or save again choosing Overwrite.',
      what,
    );
  if (saved.outcome === 'wrongType')
    return vscode.l10n.t(
      '{0} now holds a {1} on the server since it was opened: it was not overwritten. Reload it, compare, or save again choosing Overwrite.',
      what,
      saved.type,
    );
  return opened
    ? vscode.l10n.t(
        '{0} changed on the server since it was opened: it was not overwritten. Reload it, compare, or save again choosing Overwrite.',
        what,
      )
    : vscode.l10n.t(
        '{0} exists on the server and was not opened here since it was opened: it was not overwritten. Reload it, compare, or save again choosing Overwrite.',
        what,
      );
}

/** What a conflict shows as the server's side when the key is gone. */
export const keyGoneNote = (): string => vscode.l10n.t('(the key no longer exists)');

/** The question before a save that changes a list's length. */
export function lengthChangeQuestion(key: Buffer, from: number, to: number): string {
  const list = displayBytes(key, 80);
  return to < from
    ? vscode.l10n.t(
        'Saving changes the length of the list "{0}" from {1} to {2}: changed elements are set by index, then the list is trimmed.',
        list,
        formatCount(from),
        formatCount(to),
      )
    : vscode.l10n.t(
        'Saving changes the length of the list "{0}" from {1} to {2}: changed elements are set by index, then the list is extended at its end.',
        list,
        formatCount(from),
        formatCount(to),
      );
}
