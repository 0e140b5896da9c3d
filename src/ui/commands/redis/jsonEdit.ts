/**
 * brokerExplorer.redis.editJson: opens a hash, list, set or sorted set of up
 * to brokerExplorer.redis.maxEditableItems items, or a RedisJSON key, as an
 * editable JSON document (saved with the minimal change and a
 * compare-and-set that keeps the TTL). A larger collection is offered the
 * Value Editor instead, when that command exists.
 */
import * as vscode from 'vscode';
import { displayBytes, fromBuffer } from '../../../core/bytes';
import { InputError, NotFoundError, PreconditionError } from '../../../core/errors';
import type { CommandCall, CommandSpec } from '../registry';
import { isJsonDocumentType, itemCount, tooLargeSentence } from '../../views/jsonDocuments';
import { stringUri } from '../../views/stringFileSystem';
import { resolveKey, type KeyTarget, type RedisUiDeps } from './redisTarget';

/** The grid of helper "grid" (issue 13 part 2); used only when it is registered. */
export const VALUE_EDITOR_COMMAND = 'brokerExplorer.redis.openValueEditor';

export async function hasValueEditor(): Promise<boolean> {
  return (await vscode.commands.getCommands(true)).includes(VALUE_EDITOR_COMMAND);
}

/** Opens the Value Editor on a key, for a collection too large for a document. */
export function openInValueEditor(k: Pick<KeyTarget, 'profile' | 'db' | 'key'>): Thenable<unknown> {
  return vscode.commands.executeCommand(VALUE_EDITOR_COMMAND, { profile: k.profile.name, db: k.db, key: fromBuffer(k.key) });
}

async function editJson(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const k = await resolveKey(deps, call, vscode.l10n.t('Edit Value as JSON'));
  const name = displayBytes(k.key, 80);
  const type = k.type ?? String(await (await k.session.client()).type(k.key));
  if (type === 'none')
    throw new NotFoundError(vscode.l10n.t('The key "{0}" does not exist in db{1} of "{2}".', name, k.db, k.profile.name));
  if (!isJsonDocumentType(type))
    throw new InputError(
      type === 'string'
        ? vscode.l10n.t('The key "{0}" holds a string: use "Edit String Value…", which saves its exact bytes.', name)
        : vscode.l10n.t(
            'The key "{0}" holds a {1}, which does not open as an editable JSON document: open it from the tree to read it.',
            name,
            type,
          ),
    );
  const length = await itemCount(k.session, k.key, type);
  const max = deps.settings().maxEditableItems;
  if (length > max) {
    const sentence = tooLargeSentence(k.key, type, length, max);
    if (call.interactive && (await hasValueEditor())) {
      await call.prompts.choose(sentence, [vscode.l10n.t('Open in Value Editor')]);
      return openInValueEditor(k);
    }
    throw new PreconditionError(sentence);
  }
  const uri = stringUri({ profile: k.profile.name, db: k.db, key: k.key }, true);
  // Read once before opening, so the editor's first look at the file (size, time) already matches
  // what it shows and it does not read it again behind the user's back.
  await vscode.workspace.fs.readFile(uri);
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== 'json') await vscode.languages.setTextDocumentLanguage(doc, 'json');
  await vscode.window.showTextDocument(doc, { preview: false });
  return { uri: uri.toString(), type, length, readOnly: k.profile.readOnly };
}

export function redisJsonEditCommands(deps: RedisUiDeps): CommandSpec[] {
  return [{ id: 'brokerExplorer.redis.editJson', run: (call) => editJson(deps, call) }];
}
