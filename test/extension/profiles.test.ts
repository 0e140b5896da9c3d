import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import * as vscode from 'vscode';
import type { ErrorNode } from '../../src/ui/tree/treeNode';
import { api, contextOf, exec, outputChannelText, plainRedis, rejects, scriptPrompts, uniqueName, waitFor } from './util';

interface TestResult {
  ok: boolean;
  steps: { step: string; ok: boolean; ms: number; error?: string }[];
  serverVersion?: string;
  error?: string;
}

function redisSettings(scope: 'global' | 'workspace'): Record<string, unknown>[] {
  const inspected = vscode.workspace.getConfiguration('brokerExplorer').inspect<Record<string, unknown>[]>('redis.profiles');
  return (scope === 'global' ? inspected?.globalValue : inspected?.workspaceValue) ?? [];
}

export function registerProfileTests(): void {
  describe('profiles', () => {
    it('adds a Redis profile, stores its password only in the secret storage and tests it step by step', async () => {
      const seed = plainRedis(0);
      const user = uniqueName('be-user');
      const password = uniqueName('pw');
      await seed.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
      try {
        const name = uniqueName('acl');
        const added = await exec<{ name: string }>('brokerExplorer.profiles.add', {
          kind: 'redis',
          profile: { name, host: '127.0.0.1', port: 6379, username: user },
        });
        assert.equal(added.name, name);
        await exec('brokerExplorer.profiles.setPassword', { kind: 'redis', name, password });
        const settingsText = JSON.stringify(redisSettings('global'));
        assert.ok(settingsText.includes(name));
        assert.ok(!settingsText.includes(password), 'the password is not in settings');
        const result = await exec<TestResult>('brokerExplorer.profiles.test', { kind: 'redis', name });
        assert.equal(result.ok, true, JSON.stringify(result));
        assert.deepEqual(
          result.steps.map((s) => s.step),
          ['dns', 'tcp', 'auth', 'greeting'],
        );
        assert.match(result.serverVersion ?? '', /^\d+\.\d+/);
        assert.ok(!JSON.stringify(result).includes(password));
        assert.deepEqual(await exec('brokerExplorer.profiles.remove', { kind: 'redis', name }), { removed: true });
        assert.deepEqual(await exec('brokerExplorer.profiles.remove', { kind: 'redis', name }), { removed: false });
      } finally {
        await seed.call('ACL', 'DELUSER', user);
        seed.disconnect();
      }
    });

    it('Test Connection from the palette shows the timed steps in a document and in the log; with arguments it returns them', async () => {
      const name = uniqueName('steps');
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379 } });
      const prompts = await scriptPrompts(['Redis', name]);
      try {
        await vscode.commands.executeCommand('brokerExplorer.profiles.test');
      } finally {
        prompts.restore();
      }
      assert.deepEqual(prompts.asked, ['pick: Connection kind', 'pick: Redis profile']);
      const doc = vscode.window.activeTextEditor?.document;
      assert.ok(doc, 'a document is shown');
      const text = doc.getText();
      assert.match(text, new RegExp(`Redis profile "${name}"`));
      assert.match(text, /^✓ tcp +[\d.]+ ms +connected 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:6379$/m);
      assert.match(text, /^✓ greeting +[\d.]+ ms +PONG in/m);
      await waitFor('the steps in the extension log', async () => {
        const log = await outputChannelText('Broker Explorer');
        return new RegExp(`Test Connection.*"${name}"[\\s\\S]*✓ tcp +[\\d.]+ ms`).test(log) ? true : undefined;
      });
      const result = await exec<TestResult>('brokerExplorer.profiles.test', { kind: 'redis', name });
      assert.equal(result.ok, true);
      assert.deepEqual(
        result.steps.map((s) => s.step),
        ['dns', 'tcp', 'greeting'],
      );
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
    });

    it('Test Connection shows a failed step with its sentence', async () => {
      const server: Server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      const name = uniqueName('badsteps');
      try {
        await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port } });
        const a = await api();
        await a.redisTree.children(undefined);
        const node = a.redisTree.profileNode(name);
        assert.ok(node, 'the profile has a tree node');
        await vscode.commands.executeCommand('brokerExplorer.profiles.test', node);
        const text = vscode.window.activeTextEditor?.document.getText() ?? '';
        assert.match(text, /^✓ tcp +[\d.]+ ms/m);
        assert.match(text, /^✗ greeting +[\d.]+ ms +.*did not answer PING like a Redis server: it sent "HTTP\/1\.1 400 Bad Request/m);
      } finally {
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
        server.close();
      }
    });

    it('moves a password typed inside a URL to the secret storage', async () => {
      const a = await api();
      const name = uniqueName('url');
      await exec('brokerExplorer.profiles.addFromUrl', { kind: 'redis', name, url: 'redis://someone:hunter2@127.0.0.1:6379/3' });
      const saved = redisSettings('global').find((p) => p.name === name);
      assert.equal(saved?.url, 'redis://someone@127.0.0.1:6379/3');
      const profile = a.profiles.redis(name);
      assert.equal(profile.db, 3);
      assert.equal(await a.profiles.password(profile), 'hunter2');
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      assert.equal(await a.profiles.password(profile), undefined, 'removing a profile removes its password');
    });

    it('refuses bad input with one sentence and saves nothing', async () => {
      const before = JSON.stringify(redisSettings('global'));
      await rejects(
        exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name: 'p0', port: 70000 } }),
        /^Profile "p0": The port 70000 is out of range/,
      );
      await rejects(exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name: 'p1', host: 'a host' } }), /contains spaces/);
      await rejects(
        exec('brokerExplorer.profiles.add', { kind: 'kafka', profile: { name: 'p2' } }),
        /"kind" must be "redis" or "rabbitmq"/,
      );
      await rejects(exec('brokerExplorer.profiles.test', { kind: 'redis', name: 'nope' }), /There is no Redis profile "nope"/);
      assert.equal(JSON.stringify(redisSettings('global')), before);
    });

    it('shows a wrong password as an error node with Retry, and the profile works once the password is right', async () => {
      const a = await api();
      const seed = plainRedis(0);
      const user = uniqueName('be-user');
      await seed.call('ACL', 'SETUSER', user, 'on', '>right-one', '~*', '&*', '+@all');
      const name = uniqueName('badpw');
      try {
        await exec('brokerExplorer.profiles.add', {
          kind: 'redis',
          profile: { name, host: '127.0.0.1', port: 6379, username: user },
          password: 'wrong-one',
        });
        await a.redisTree.children(undefined);
        const node = a.redisTree.profileNode(name);
        assert.ok(node);
        const children = await a.redisTree.children(node);
        assert.equal(children.length, 1);
        assert.equal(await contextOf(children[0]), 'be:error+login');
        assert.match((children[0] as ErrorNode).message, /refused the login: wrong user name or password/);
        assert.ok(!(children[0] as ErrorNode).message.includes('wrong-one'));
        const item = await a.redisTree.treeItem(children[0]);
        assert.equal(item.label, 'Login refused — Set Password…');
        assert.equal(item.command?.command, 'brokerExplorer.profiles.setPassword');
        await exec('brokerExplorer.profiles.setPassword', { kind: 'redis', name, password: 'right-one' });
        const fixed = await a.redisTree.children(a.redisTree.profileNode(name));
        const kinds = await Promise.all(fixed.map(contextOf));
        assert.ok(
          kinds.some((k) => k.startsWith('be:redis:db')) &&
            kinds.every((k) => k.startsWith('be:redis:db') || k.startsWith('be:redis:server')),
          `the Server node and the databases are listed, no error: ${kinds.join(',')}`,
        );
      } finally {
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
        await seed.call('ACL', 'DELUSER', user);
        seed.disconnect();
      }
    });

    it("never gives a global profile's password to a workspace profile that redefines its host", async () => {
      const a = await api();
      assert.ok(vscode.workspace.workspaceFolders?.length, 'the test host opened a workspace folder');
      const received: Buffer[] = [];
      const server: Server = createServer((socket) => {
        socket.on('data', (d) => {
          received.push(d);
          socket.write('-ERR not a real server\r\n');
        });
        socket.on('error', () => undefined);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      const name = uniqueName('shadow');
      const secret = uniqueName('global-secret');
      try {
        await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379 }, password: secret });
        assert.equal(await a.profiles.password(a.profiles.redis(name)), secret);
        await exec('brokerExplorer.profiles.add', {
          kind: 'redis',
          profile: { name, host: 'localhost', port, connectTimeoutMs: 2000 },
          target: 'workspace',
        });
        const shadow = a.profiles.redis(name);
        assert.equal(shadow.scope, 'workspace');
        assert.equal(shadow.port, port);
        assert.equal(await a.profiles.password(shadow), undefined);
        await exec('brokerExplorer.profiles.test', { kind: 'redis', name });
        await a.redisTree.children(undefined);
        await a.redisTree.children(a.redisTree.profileNode(name));
        const sent = Buffer.concat(received).toString('latin1');
        assert.ok(sent.length > 0, 'the impostor was contacted');
        assert.ok(!sent.includes(secret), 'the impostor never saw the global password');
      } finally {
        await vscode.workspace.getConfiguration('brokerExplorer').update('redis.profiles', undefined, vscode.ConfigurationTarget.Workspace);
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
        server.close();
      }
    });
  });
}
