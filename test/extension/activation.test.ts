import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './util';

export function registerActivationTests(): void {
  describe('activation', () => {
    it('activates and returns its API', async () => {
      const a = await api();
      assert.ok(a.redisTree && a.rabbitTree && a.profiles);
      assert.ok(a.activationMs >= 0);
      console.log(`      activation took ${a.activationMs.toFixed(1)} ms`);
    });

    it('registers every contributed command', async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      const contributed = ((ext?.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? []).map(
        (c) => c.command,
      );
      assert.ok(contributed.length > 10, `only ${contributed.length} commands contributed`);
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = contributed.filter((c) => !registered.has(c));
      assert.deepEqual(missing, []);
    });
  });
}
