/**
 * SSH in the profile flows, in the real host against an sshd of the test's
 * own: the guided add flow's advanced step offers a bastion (key file and passphrase),
 * edit adds, changes and removes it; the bastion's password and passphrase
 * never reach settings, the log or an error sentence, even when the login
 * fails; bad SSH input is refused with one sentence and changes nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { OwnSshd, makeKeyPair, sshdAvailable, type KeyPair } from '../topology/sshTopology';
import { api, assertOneSentence, exec, KEEP_ANSWER, outputChannelText, rejects, runScripted, uniqueName } from './util';

const DB = 7;

function storedRedis(name: string): Record<string, unknown> | undefined {
  const list = vscode.workspace.getConfiguration('brokerExplorer').inspect<Record<string, unknown>[]>('redis.profiles')?.globalValue ?? [];
  return list.find((p) => p.name === name);
}

function settingsText(): string {
  const config = vscode.workspace.getConfiguration('brokerExplorer');
  return JSON.stringify(['redis.profiles', 'rabbitmq.profiles'].map((k) => config.inspect(k)));
}

const scripted = runScripted;

/** Edit Connection (the guided flow) on a standalone Redis profile, every answer kept, up to its advanced settings. */
const editUpToAdvanced = (name: string): string[] => [
  'Redis',
  name,
  'Redis',
  KEEP_ANSWER,
  KEEP_ANSWER,
  KEEP_ANSWER,
  KEEP_ANSWER,
  KEEP_ANSWER,
  'No TLS',
];

export function registerSshProfileFlowTests(): void {
  describe('SSH in the profile flows, secrets and bad input (an sshd of its own, db 7)', function () {
    this.timeout(60_000);
    let dir: string;
    let lockedKey: KeyPair;
    let sshd: OwnSshd;
    let user: { username: string; password: string };
    const passphrase = `Pp-${randomUUID()}`;
    const names: string[] = [];
    const fresh = (prefix: string): string => {
      const n = uniqueName(prefix);
      names.push(n);
      return n;
    };
    const ping = (profile: string): Promise<unknown> => exec('brokerExplorer.redis.runCommand', { profile, line: 'PING' });

    before(async () => {
      if (!sshdAvailable()) throw new Error('sshd is not installed: apt-get install openssh-server (.ci/run does it)');
      dir = mkdtempSync(join(tmpdir(), 'be-ssh-flow-'));
      lockedKey = makeKeyPair(dir, 'locked', passphrase);
      sshd = await OwnSshd.start([lockedKey]);
      user = sshd.addPasswordUser();
    });

    after(async () => {
      for (const name of names) await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await sshd?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the guided add flow offers a bastion (key file and passphrase, only in the secret storage); edit changes it to the agent, keeping the pin', async () => {
      const name = fresh('ssh-flow-add');
      const asked = await scripted('brokerExplorer.profiles.addRedis', [
        'Redis',
        name,
        '127.0.0.1:6379',
        String(DB),
        '',
        '',
        'No TLS',
        'SSH bastion',
        '127.0.0.1',
        String(sshd.port),
        sshd.keyUser,
        'Key file',
        lockedKey.privateKeyPath,
        passphrase,
        'Continue',
        ...(vscode.workspace.workspaceFolders?.length ? ['User settings'] : []),
        'Save anyway',
      ]);
      assert.ok(asked.includes('input: SSH bastion: host'), asked.join('\n'));
      assert.deepEqual(storedRedis(name)?.ssh, {
        host: '127.0.0.1',
        port: sshd.port,
        username: sshd.keyUser,
        privateKeyPath: lockedKey.privateKeyPath,
      });
      assert.ok(!settingsText().includes(passphrase), 'no passphrase in settings');
      const a = await api();
      assert.equal(await a.profiles.secret(a.profiles.redis(name), 'sshPassphrase'), passphrase);
      const ssh = { ...(storedRedis(name)?.ssh as Record<string, unknown>), hostKey: sshd.hostKeyFingerprint };
      await exec('brokerExplorer.profiles.edit', { kind: 'redis', name, changes: { ssh } });
      assert.equal(await ping(name), 'PONG', 'the encrypted key opens with the stored passphrase');

      const changed = await scripted('brokerExplorer.profiles.edit', [
        ...editUpToAdvanced(name),
        'SSH bastion',
        'Change the SSH bastion',
        '127.0.0.1',
        String(sshd.port),
        sshd.keyUser,
        'SSH agent',
        'Continue',
        'Save anyway',
      ]);
      assert.ok(changed.includes(`pick: SSH login of ${sshd.keyUser}@127.0.0.1`), changed.join('\n'));
      assert.deepEqual(storedRedis(name)?.ssh, {
        host: '127.0.0.1',
        port: sshd.port,
        username: sshd.keyUser,
        agent: true,
        hostKey: sshd.hostKeyFingerprint,
      });
      assert.equal(
        await a.profiles.secret(a.profiles.redis(name), 'sshPassphrase'),
        undefined,
        'the agent login leaves no passphrase behind',
      );
    });

    it('edit adds a bastion with a password login and removes it with its password', async () => {
      const name = fresh('ssh-flow-edit');
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
      await scripted('brokerExplorer.profiles.edit', [
        ...editUpToAdvanced(name),
        'SSH bastion',
        '127.0.0.1',
        String(sshd.port),
        user.username,
        'Password',
        user.password,
        'Continue',
        'Save anyway',
      ]);
      assert.deepEqual(storedRedis(name)?.ssh, { host: '127.0.0.1', port: sshd.port, username: user.username });
      const a = await api();
      assert.equal(await a.profiles.secret(a.profiles.redis(name), 'ssh'), user.password);
      assert.ok(!settingsText().includes(user.password), 'no SSH password in settings');
      const pinned = { ...(storedRedis(name)?.ssh as Record<string, unknown>), hostKey: sshd.hostKeyFingerprint };
      await exec('brokerExplorer.profiles.edit', { kind: 'redis', name, changes: { ssh: pinned } });
      const before = sshd.sessionPids().length;
      assert.equal(await ping(name), 'PONG');
      assert.ok(sshd.sessionPids().length > before, 'the password login opened an SSH session');

      const withBastion = a.profiles.redis(name);
      await scripted('brokerExplorer.profiles.edit', [
        ...editUpToAdvanced(name),
        'SSH bastion',
        'Remove the SSH bastion',
        'Continue',
        'Save anyway',
      ]);
      assert.equal(storedRedis(name)?.ssh, undefined);
      assert.equal(await a.profiles.secret(withBastion, 'ssh'), undefined, 'removing the bastion removes its password');
      assert.equal(await ping(name), 'PONG', 'straight to Redis again');
    });

    it('add from URL offers the bastion too, its password only in the secret storage', async () => {
      const name = fresh('ssh-flow-url');
      await scripted('brokerExplorer.profiles.addFromUrl', [
        'Redis',
        `redis://127.0.0.1:6379/${DB}`,
        name,
        'Yes',
        '127.0.0.1',
        String(sshd.port),
        user.username,
        'Password',
        user.password,
        ...(vscode.workspace.workspaceFolders?.length ? ['User settings'] : []),
      ]);
      assert.deepEqual(storedRedis(name)?.ssh, { host: '127.0.0.1', port: sshd.port, username: user.username });
      const a = await api();
      assert.equal(await a.profiles.secret(a.profiles.redis(name), 'ssh'), user.password);
      assert.ok(!settingsText().includes(user.password), 'no SSH password in settings');
    });

    it('a failed SSH login names the hop in one sentence; the password and passphrase reach no log, setting or message', async () => {
      const wrongPassword = `Wp-${randomUUID()}`;
      const wrongPassphrase = `Wq-${randomUUID()}`;
      const byPassword = fresh('ssh-audit-pw');
      const byKey = fresh('ssh-audit-key');
      const hop = { host: '127.0.0.1', port: sshd.port, hostKey: sshd.hostKeyFingerprint };
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: byPassword, host: '127.0.0.1', port: 6379, db: DB, ssh: { ...hop, username: user.username } },
      });
      await exec('brokerExplorer.profiles.setPassword', { kind: 'redis', name: byPassword, password: wrongPassword, secret: 'ssh' });
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: {
          name: byKey,
          host: '127.0.0.1',
          port: 6379,
          db: DB,
          ssh: { ...hop, username: sshd.keyUser, privateKeyPath: lockedKey.privateKeyPath },
        },
      });
      await exec('brokerExplorer.profiles.setPassword', { kind: 'redis', name: byKey, password: wrongPassphrase, secret: 'sshPassphrase' });
      const secrets = [wrongPassword, wrongPassphrase, user.password, passphrase];
      const refused = await rejects(ping(byPassword), /refused the login/);
      assert.ok(refused.includes(`${user.username}@127.0.0.1:${sshd.port}`), refused);
      assertOneSentence(refused, secrets);
      const undecrypted = await rejects(ping(byKey), /passphrase is missing or wrong/);
      assertOneSentence(undecrypted, secrets);
      const tested = JSON.stringify(await exec('brokerExplorer.profiles.test', { kind: 'redis', name: byPassword }));
      assert.match(tested, /refused the login/);
      const log = await outputChannelText('Broker Explorer');
      assert.match(log, /refused the login|passphrase is missing or wrong/, 'the log tells of the failed logins');
      const everything = [tested, settingsText(), log].join('\n');
      for (const s of secrets) assert.ok(!everything.includes(s), 'a secret leaked into a result, the settings or the log');
    });

    it('bad SSH input is refused with one sentence each and changes no setting', async () => {
      const name = fresh('ssh-bad');
      const base = { name, host: '127.0.0.1', port: 6379 };
      const add = (ssh: unknown): Promise<unknown> => exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { ...base, ssh } });
      const urlSecret = `Us-${randomUUID()}`;
      const cases: { name: string; run: () => Promise<unknown>; expect: RegExp }[] = [
        { name: 'missing username', run: () => add({ host: 'bastion' }), expect: /"ssh\.username" is missing/ },
        { name: 'bad port', run: () => add({ host: 'bastion', username: 'u', port: 70000 }), expect: /"ssh\.port"/ },
        {
          name: 'bad hostKey',
          run: () => add({ host: 'b', username: 'u', hostKey: 'md5:aa:bb' }),
          expect: /"ssh\.hostKey" must be a SHA256/,
        },
        {
          name: 'unknown jump host field',
          run: () => add({ host: 'b', username: 'u', jumpHosts: [{ host: 'j', username: 'u', proxyCommand: 'nc %h %p' }] }),
          expect: /"ssh\.jumpHosts\[0\]" has no field "proxyCommand"/,
        },
        { name: 'a password in settings', run: () => add({ host: 'b', username: 'u', password: urlSecret }), expect: /holds a secret/ },
        {
          name: 'agent not a boolean',
          run: () => add({ host: 'b', username: 'u', agent: 'yes' }),
          expect: /"ssh\.agent" must be true or false/,
        },
        {
          name: 'addFromUrl via without a user',
          run: () =>
            exec('brokerExplorer.profiles.addFromUrl', { kind: 'redis', name, url: 'redis://127.0.0.1', via: `ssh://:${urlSecret}@b` }),
          expect: /names no user/,
        },
        {
          name: 'tcp.open through a profile that does not exist',
          run: () => exec('brokerExplorer.tcp.open', { host: '127.0.0.1', port: 6379, profile: `${name}-none`, send: 'PING\r\n' }),
          expect: /TCP session: there is no profile/,
        },
        {
          name: 'tcp.open with an empty profile',
          run: () => exec('brokerExplorer.tcp.open', { host: '127.0.0.1', port: 6379, profile: '' }),
          expect: /"profile" must be the name of a profile/,
        },
      ];
      const before = settingsText();
      const failures: string[] = [];
      for (const c of cases) {
        try {
          const message = await rejects(c.run(), c.expect);
          assertOneSentence(message, [urlSecret]);
          if (settingsText() !== before) failures.push(`${c.name}: the settings changed`);
        } catch (err) {
          failures.push(`${c.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}
