import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { assertOneSentence, exec, plainRedis, rejects, sleep, uniqueName, waitFor } from './util';

const DB = 12;
const PREFIX = 'be-ext-grid:';

function valueEditorTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) =>
    g.tabs.filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('brokerExplorer.valueEditor')),
  );
}

export function registerValueEditorTests(): void {
  describe('Open in Value Editor through the command API (db 12)', () => {
    const name = uniqueName('grid');
    const seed = plainRedis(DB);

    before(async () => {
      await seed.del(`${PREFIX}h`, `${PREFIX}s`);
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
    });
    after(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await seed.del(`${PREFIX}h`, `${PREFIX}s`);
      seed.disconnect();
    });

    it('opens a hash in a value editor tab and returns its type and length, asking nothing', async () => {
      await seed.hset(`${PREFIX}h`, { a: '1', b: '2' });
      const result = await exec<unknown>('brokerExplorer.redis.openValueEditor', { profile: name, db: DB, key: `${PREFIX}h` });
      assert.deepEqual(result, { opened: true, type: 'hash', length: 2 });
      await waitFor('a value editor tab', () => valueEditorTabs().length === 1 || undefined);
      // Opening it again reveals the same tab.
      await exec('brokerExplorer.redis.openValueEditor', { profile: name, db: DB, key: `${PREFIX}h` });
      await sleep(300);
      assert.equal(valueEditorTabs().length, 1);
    });

    it('refuses a string key and a missing key with one sentence, opening nothing', async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await seed.set(`${PREFIX}s`, 'text');
      assertOneSentence(
        await rejects(exec('brokerExplorer.redis.openValueEditor', { profile: name, db: DB, key: `${PREFIX}s` }), /holds a string/),
      );
      assertOneSentence(
        await rejects(exec('brokerExplorer.redis.openValueEditor', { profile: name, db: DB, key: `${PREFIX}missing` }), /does not exist/),
      );
      await sleep(300);
      assert.equal(valueEditorTabs().length, 0);
    });
  });
}
