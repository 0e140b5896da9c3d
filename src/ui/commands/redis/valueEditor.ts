/**
 * "Open in Value Editor": the paged grid editor of a hash, list, set, sorted
 * set or stream, from a key node, the palette (profile, database, key asked)
 * or the API ({ profile, db?, key } → { opened, type, length }).
 */
import * as vscode from 'vscode';
import type { ValueEditors } from '../../views/valueEditor';
import type { CommandSpec } from '../registry';
import { resolveKey, type RedisUiDeps } from './redisTarget';

export function redisValueEditorCommands(deps: Pick<RedisUiDeps, 'profiles' | 'pool'>, editors: ValueEditors): CommandSpec[] {
  return [
    {
      id: 'brokerExplorer.redis.openValueEditor',
      run: async (call) => {
        const t = await resolveKey(deps, call, vscode.l10n.t('Open in Value Editor'));
        return editors.openEditor(t.profile.name, t.db, t.key);
      },
    },
  ];
}
