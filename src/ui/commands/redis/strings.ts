/**
 * brokerExplorer.redis.editString: opens a string value as an editable
 * document (exact bytes; saved with a compare-and-set that keeps the TTL).
 */
import * as vscode from 'vscode';
import { displayBytes } from '../../../core/bytes';
import { InputError, NotFoundError } from '../../../core/errors';
import { formatCount } from '../../../core/units';
import type { CommandSpec } from '../registry';
import { stringUri } from '../../views/stringFileSystem';
import { resolveKey, type RedisUiDeps } from './redisTarget';

export function redisStringCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    {
      id: 'brokerExplorer.redis.editString',
      run: async (call) => {
        const k = await resolveKey(deps, call, vscode.l10n.t('Edit String'));
        const client = await k.session.client();
        const type = String(await client.type(k.key));
        if (type === 'none')
          throw new NotFoundError(
            vscode.l10n.t('The key "{0}" does not exist in db{1} of "{2}".', displayBytes(k.key, 80), k.db, k.profile.name),
          );
        if (type !== 'string')
          throw new InputError(
            vscode.l10n.t(
              'The key "{0}" holds a {1}, not a string: open it from the tree to see its items.',
              displayBytes(k.key, 80),
              type,
            ),
          );
        const uri = stringUri({ profile: k.profile.name, db: k.db, key: k.key });
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc, { preview: false });
        const length = await client.strlen(k.key);
        const max = deps.settings().maxValueBytes;
        if (length > max) {
          // Say why the editor is read-only and short, instead of leaving the user to guess.
          const notice = vscode.l10n.t(
            'The value of "{0}" is {1} bytes, more than brokerExplorer.redis.maxValueBytes ({2}): it opened truncated to its first {2} bytes, read-only.',
            displayBytes(k.key, 80),
            formatCount(length),
            formatCount(max),
          );
          void vscode.window.showWarningMessage(notice);
          return { uri: uri.toString(), truncated: true, notice };
        }
        return { uri: uri.toString() };
      },
    },
  ];
}
