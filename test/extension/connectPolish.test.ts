/**
 * Edit Connection through the guided flow, and Publish Message offering the
 * composer, in the real host with the prompts answered by a script: the
 * flow starts from the profile's answers and saves over it (a rename moves
 * the password, a new address asks it again); a publish from the palette
 * asks first "Quick (one line)" or "Open Composer", and argument calls ask
 * nothing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { api, exec, freePort, KEEP_ANSWER, runScripted, scriptPrompts, uniqueName } from './util';

function stored(kind: 'redis' | 'rabbitmq', name: string): Record<string, unknown> | undefined {
  const list =
    vscode.workspace.getConfiguration('brokerExplorer').inspect<Record<string, unknown>[]>(`${kind}.profiles`)?.globalValue ?? [];
  return list.find((p) => p.name === name);
}

async function password(name: string): Promise<string | undefined> {
  const a = await api();
  return a.profiles.password(a.profiles.redis(name));
}

export function registerConnectPolishTests(): void {
  describe('Edit Connection through the guided flow (scripted prompts)', function () {
    this.timeout(60_000);
    const made: string[] = [];
    const fresh = (prefix: string): string => {
      const name = uniqueName(prefix);
      made.push(name);
      return name;
    };
    after(async () => {
      for (const name of made) await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
    });

    it("edits a profile's port: every step starts from the saved answer, and the test then save writes the new port", async () => {
      const name = fresh('edit-port');
      const port = await freePort();
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name, host: '127.0.0.1', port, db: 14, delimiter: '/', tls: { enabled: false, servername: 'kept.example' } },
      });
      const asked = await runScripted('brokerExplorer.profiles.edit', [
        'Redis',
        name,
        'Redis',
        KEEP_ANSWER,
        '127.0.0.1:6379',
        KEEP_ANSWER,
        KEEP_ANSWER,
        KEEP_ANSWER,
        'No TLS',
        'Continue',
        'Test, then Save',
      ]);
      assert.equal(asked[2], 'pick: Edit connection: kind [1/9]', asked.join('\n'));
      assert.equal(asked[3], `input: Edit Redis connection: name [2/9] = ${name}`, 'the name step shows the saved name');
      assert.equal(asked[5], `input: ${name}: database [4/9] = 14`, 'the database step shows the saved database');
      assert.equal(asked.at(-2), `pick: ${name}: save [9/9]`, 'no "save in" step: the profile stays where it is');
      assert.match(asked.at(-1) ?? '', /^info: Connected to ".*" and saved it \(server \d+\.\d+/);
      // The new port and the answers kept; "No TLS" drops the disabled TLS block.
      assert.deepEqual(stored('redis', name), { name, host: '127.0.0.1', port: 6379, db: 14, delimiter: '/' });
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, line: 'PING' }), 'PONG');
    });

    it('a rename moves the password; a new address asks it again (the step starts empty)', async () => {
      const name = fresh('edit-rename');
      const renamed = fresh('edit-renamed');
      const port = await freePort();
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name, host: '127.0.0.1', port, db: 3 },
        password: 's3cret',
      });
      const asked = await runScripted('brokerExplorer.profiles.edit', [
        'Redis',
        name,
        'Redis',
        renamed,
        KEEP_ANSWER,
        KEEP_ANSWER,
        KEEP_ANSWER,
        KEEP_ANSWER,
        'No TLS',
        'Continue',
        'Save anyway',
      ]);
      assert.ok(
        asked.includes(`input: ${renamed}: password (kept in the secret storage; empty for none) [6/9] = ••••••`),
        asked.join('\n'),
      );
      assert.equal(stored('redis', name), undefined, 'the old name is gone');
      assert.deepEqual(stored('redis', renamed), { name: renamed, host: '127.0.0.1', port, db: 3 });
      assert.equal(await password(renamed), 's3cret', 'the password moved with the rename');

      const other = await freePort();
      const again = await runScripted('brokerExplorer.profiles.edit', [
        'Redis',
        renamed,
        'Redis',
        KEEP_ANSWER,
        `127.0.0.1:${other}`,
        KEEP_ANSWER,
        KEEP_ANSWER,
        KEEP_ANSWER,
        'No TLS',
        'Continue',
        'Save anyway',
      ]);
      assert.ok(again.includes(`input: ${renamed}: password (kept in the secret storage; empty for none) [6/9] = `), again.join('\n'));
      assert.equal(stored('redis', renamed)?.port, other);
      assert.equal(await password(renamed), undefined, 'no password is carried to another server without being typed');
    });

    it('argument calls still change only the fields given, asking nothing', async () => {
      const name = fresh('edit-args');
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: 2 } });
      const s = await scriptPrompts([]);
      try {
        await exec('brokerExplorer.profiles.edit', { kind: 'redis', name, changes: { db: 5 } });
      } finally {
        s.restore();
      }
      assert.deepEqual(s.asked, []);
      assert.deepEqual(stored('redis', name), { name, host: '127.0.0.1', port: 6379, db: 5 });
    });
  });

  describe('Publish Message offers the composer (scripted prompts)', function () {
    this.timeout(60_000);
    const profile = uniqueName('publish-offer');
    before(async () => {
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: { name: profile, url: 'amqp://guest@127.0.0.1:5672/' },
        password: 'guest',
      });
    });
    after(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name: profile });
    });

    it('"Open Composer" opens the draft of the exchange picked next', async () => {
      const s = await scriptPrompts(['Open Composer (body, properties, headers)', profile, 'amq.fanout']);
      let result: { path?: string } | undefined;
      try {
        result = await vscode.commands.executeCommand<{ path?: string }>('brokerExplorer.rabbitmq.publish');
      } finally {
        s.restore();
      }
      assert.equal(s.asked[0], 'pick: Publish Message', s.asked.join('\n'));
      const path = result?.path ?? '';
      assert.ok(path.endsWith('.publish.json'), JSON.stringify(result));
      const draft = JSON.parse(await readFile(path, 'utf8')) as { target: unknown };
      assert.deepEqual(draft.target, { profile, vhost: '/', exchange: 'amq.fanout' });
      assert.equal(vscode.window.activeTextEditor?.document.fileName, path, 'the draft is open');
    });

    it('"Quick (one line)" goes on with the one-line publish, and an argument call asks nothing', async () => {
      const s = await scriptPrompts(['Quick (one line)', profile, undefined]);
      try {
        await vscode.commands.executeCommand('brokerExplorer.rabbitmq.publish');
      } finally {
        s.restore();
      }
      assert.equal(s.asked[0], 'pick: Publish Message', s.asked.join('\n'));
      assert.match(s.asked.at(-1) ?? '', /^pick: Publish to which exchange of /, s.asked.join('\n'));
      const quiet = await scriptPrompts([]);
      try {
        assert.deepEqual(await exec('brokerExplorer.rabbitmq.publish', { profile, exchange: 'amq.fanout', routingKey: '', body: 'x' }), {
          confirmed: true,
          routed: false,
        });
      } finally {
        quiet.restore();
      }
      assert.deepEqual(quiet.asked, []);
    });
  });
}
