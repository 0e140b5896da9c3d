/**
 * brokerExplorer.redis.editString: opens a string value as an editable
 * document (exact bytes; saved with a compare-and-set that keeps the TTL).
 */
import * as vscode from 'vscode';
import { displayBytes } from '../../../core/bytes';
import { InputError, NotFoundError } from '../../../core/errors';
import type { CommandSpec } from '../registry';
import { stringUri } from '../../views/stringFileSystem';
import { resolveKey, type RedisUiDeps } from './redisTarget';

export function redisStringCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    {
      id: 'brokerExplorer.redis.editString',
      run: async (call) => {
        const k = await resolveKey(deps, call, 'Edit String');
        const client = await k.session.client();
        const type = String(await client.type(k.key));
        if (type === 'none')
          throw new NotFoundError(`The key "${displayBytes(k.key, 80)}" does not exist in db${k.db} of "${k.profile.name}".`);
        if (type !== 'string')
          throw new InputError(
            `The key "${displayBytes(k.key, 80)}" holds a ${type}, not a string: open it from the tree to see its items.`,
          );
        const uri = stringUri({ profile: k.profile.name, db: k.db, key: k.key });
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc, { preview: false });
        const length = await client.strlen(k.key);
        const max = deps.settings().maxValueBytes;
        if (length > max) {
          // Say why the editor is read-only and short, instead of leaving the user to guess.
          const notice = `The value of "${displayBytes(k.key, 80)}" is ${length.toLocaleString('en-US')} bytes, more than brokerExplorer.redis.maxValueBytes (${max.toLocaleString('en-US')}): it opened truncated to its first ${max.toLocaleString('en-US')} bytes, read-only.`;
          void vscode.window.showWarningMessage(notice);
          return { uri: uri.toString(), truncated: true, notice };
        }
        return { uri: uri.toString() };
      },
    },
  ];
}
