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
        const type = String(await (await deps.pool.get(k.profile.name, k.db)).type(k.key));
        if (type === 'none') throw new NotFoundError(`The key "${displayBytes(k.key, 80)}" does not exist in db${k.db} of "${k.profile.name}".`);
        if (type !== 'string') throw new InputError(`The key "${displayBytes(k.key, 80)}" holds a ${type}, not a string: open it from the tree to see its items.`);
        const uri = stringUri({ profile: k.profile.name, db: k.db, key: k.key });
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc, { preview: false });
        return { uri: uri.toString() };
      },
    },
  ];
}
