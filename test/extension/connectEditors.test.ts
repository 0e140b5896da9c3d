/**
 * `.redis` editors and the tails status bar in the real host: the file's
 * target in the status bar, a "Run ▶" lens above each command block that
 * runs just that block, Ctrl/Cmd+Enter's command running the current line,
 * and the status bar item that counts running tails and lists them.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, exec, plainRedis, uniqueName, waitFor } from './util';

const DB = 0;

export function registerConnectEditorTests(): void {
  describe('.redis editors: target in the status bar, run lenses, run line; the tails status bar', function () {
    this.timeout(60_000);
    const profile = uniqueName('editors');
    const prefix = `be-connect-${Date.now().toString(36)}`;
    const redis = plainRedis(DB);
    let editor: vscode.TextEditor;

    before(async () => {
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name: profile, host: '127.0.0.1', port: 6379, db: DB } });
      const doc = await vscode.workspace.openTextDocument({
        language: 'redis',
        content: [`SET ${prefix}:a 1`, `SET ${prefix}:b 2`, '', '# second block', `SET ${prefix}:c 3`, `INCR ${prefix}:c`].join('\n'),
      });
      editor = await vscode.window.showTextDocument(doc);
    });

    after(async () => {
      await redis.del(`${prefix}:a`, `${prefix}:b`, `${prefix}:c`);
      redis.disconnect();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: profile });
    });

    it("the status bar shows the file's target; choosing one through the command changes it", async () => {
      const a = await api();
      assert.equal(a.fileTargets.shown?.text, '$(database) Redis: no target');
      assert.deepEqual(await exec('brokerExplorer.redis.chooseFileTarget', { profile, db: DB }), { profile, db: DB });
      assert.equal(a.fileTargets.shown?.text, `$(database) ${profile} · db${DB}`);
      assert.match(a.fileTargets.shown?.tooltip ?? '', /Click to choose another profile or database/);
    });

    it('puts a "Run ▶" lens above each command block, and a lens runs only its block', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      const ours = lenses.filter((l) => l.command?.command === 'brokerExplorer.redis.runLines');
      assert.deepEqual(
        ours.map((l) => [l.range.start.line, l.command?.title]),
        [
          [0, 'Run ▶'],
          [4, 'Run ▶'],
        ],
      );
      const second = ours[1].command;
      assert.ok(second);
      const range = second.arguments?.[0] as vscode.Range;
      assert.deepEqual([range.start.line, range.end.line], [4, 5], 'the block is its two command lines');
      await vscode.commands.executeCommand(second.command, ...((second.arguments ?? []) as unknown[]));
      assert.equal(await redis.get(`${prefix}:c`), '4');
      assert.equal(await redis.exists(`${prefix}:a`, `${prefix}:b`), 0, 'the first block did not run');
    });

    it("Ctrl/Cmd+Enter's command runs the current line only, on the file's target", async () => {
      // The lens's run opened its results document: back to the .redis file, caret on line 2.
      editor = await vscode.window.showTextDocument(editor.document);
      editor.selection = new vscode.Selection(1, 3, 1, 3);
      const bindings = (
        vscode.extensions.getExtension('broker-explorer.broker-explorer')?.packageJSON as {
          contributes: { keybindings: { command: string; key: string; when: string }[] };
        }
      ).contributes.keybindings;
      assert.ok(
        bindings.some(
          (b) => b.command === 'brokerExplorer.redis.runLines' && b.key === 'ctrl+enter' && /editorLangId == redis/.test(b.when),
        ),
      );
      await vscode.commands.executeCommand('brokerExplorer.redis.runLines');
      assert.equal(await redis.get(`${prefix}:b`), '2');
      assert.equal(await redis.exists(`${prefix}:a`), 0, 'only the current line ran');
    });

    it('the tails status bar counts running tails, lists them through the API and hides when they stop', async () => {
      const a = await api();
      const before = a.tails.list().length;
      const { id } = await exec<{ id: string }>('brokerExplorer.redis.subscribe', { profile, channels: [`${prefix}:ch`], keep: true });
      try {
        const shown = await waitFor('the tails item', () => a.tailStatus.shown);
        assert.equal(shown.text, `$(broadcast) ${before + 1} ${before + 1 === 1 ? 'tail' : 'tails'}`);
        assert.match(shown.tooltip, new RegExp(`${prefix}:ch`));
        const listed = await exec<{ tails: { id: string; kind: string; label: string }[] }>('brokerExplorer.tails.running', {});
        assert.ok(
          listed.tails.some((t) => t.id === id && t.kind === 'redis'),
          JSON.stringify(listed),
        );
      } finally {
        await exec('brokerExplorer.tails.stop', { id });
      }
      if (before === 0) assert.equal(a.tailStatus.shown, undefined, 'hidden with nothing running');
    });
  });
}
