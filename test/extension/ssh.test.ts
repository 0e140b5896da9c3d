/**
 * Profiles behind an SSH bastion, in the real host: an sshd of the test's own
 * (own port, host key and authorized keys) forwards to the shared Redis and
 * RabbitMQ. Browsing, commands, a tail and Test Connection go through it; an
 * unknown host key is refused with its fingerprint; a dropped tunnel comes
 * back; the bastion's password never reaches settings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { OwnSshd, makeKeyPair, sshdAvailable, type KeyPair } from '../topology/sshTopology';
import { registerSshProfileFlowTests } from './sshProfileFlow.test';
import { registerSshUseTests } from './sshUse.test';
import { api, exec, plainRedis, rabbitMgmt as mgmt, RABBIT_MANAGEMENT, rejects, uniqueName, waitFor } from './util';

const DB = 7;

interface TestResult {
  ok: boolean;
  steps: { step: string; ok: boolean; detail?: string; error?: string }[];
  error?: string;
}

export function registerSshTests(): void {
  describe('SSH tunnels (an sshd of its own, db 7)', function () {
    this.timeout(60_000);
    let dir: string;
    let key: KeyPair;
    let sshd: OwnSshd;
    const redisProfile = uniqueName('ssh-redis');
    const rabbitProfile = uniqueName('ssh-rabbit');
    const vhost = `be-ext/${uniqueName('ssh')}`;
    const seed = plainRedis(DB);

    before(async () => {
      if (!sshdAvailable()) throw new Error('sshd is not installed: apt-get install openssh-server (.ci/run does it)');
      dir = mkdtempSync(join(tmpdir(), 'be-ssh-ext-'));
      key = makeKeyPair(dir, 'user');
      sshd = await OwnSshd.start([key]);
      const ssh = {
        host: '127.0.0.1',
        port: sshd.port,
        username: sshd.keyUser,
        privateKeyPath: key.privateKeyPath,
        hostKey: sshd.hostKeyFingerprint,
      };
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: redisProfile, host: '127.0.0.1', port: 6379, db: DB, connectTimeoutMs: 5000, ssh },
      });
      const v = encodeURIComponent(vhost);
      await mgmt('PUT', `/api/vhosts/${v}`, { description: 'Broker Explorer SSH test' });
      await mgmt('PUT', `/api/permissions/${v}/guest`, { configure: '.*', write: '.*', read: '.*' });
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: {
          name: rabbitProfile,
          url: `amqp://guest@127.0.0.1:5672/${v}`,
          managementUrl: RABBIT_MANAGEMENT,
          connectTimeoutMs: 5000,
          ssh,
        },
        password: 'guest',
      });
      await seed.flushdb();
    });

    after(async () => {
      const a = await api();
      for (const t of a.tails.list()) if (t.profile === rabbitProfile) await exec('brokerExplorer.tails.stop', { id: t.id });
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: redisProfile });
      await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name: rabbitProfile });
      await mgmt('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
      await seed.flushdb();
      seed.disconnect();
      await sshd?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('browses Redis and runs commands through the bastion (the connections come from sshd)', async () => {
      await seed.set('ssh:a', '1');
      await seed.hset('ssh:h', 'f', 'v');
      const page = await exec<{ keys: { key: string; type: string }[] }>('brokerExplorer.redis.scanKeys', {
        profile: redisProfile,
        match: 'ssh:*',
      });
      assert.deepEqual(page.keys.map((k) => `${k.key}=${k.type}`).sort(), ['ssh:a=string', 'ssh:h=hash']);
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: redisProfile, line: 'INCR ssh:a' }), 2);
      assert.ok(sshd.sessionPids().length >= 1, 'an SSH session carries the traffic');
    });

    it('publishes, tails and peeks RabbitMQ through the bastion, management API included', async () => {
      const run = <T>(id: string, args: Record<string, unknown>): Promise<T> => exec<T>(id, { profile: rabbitProfile, ...args });
      await run('brokerExplorer.rabbitmq.declareExchange', { name: 'ssh.fan', type: 'fanout' });
      await run('brokerExplorer.rabbitmq.declareQueue', { name: 'ssh.q' });
      await run('brokerExplorer.rabbitmq.bind', { source: 'ssh.fan', destination: 'ssh.q', destinationType: 'queue' });
      const tail = await run<{ id: string }>('brokerExplorer.rabbitmq.tail', { exchange: 'ssh.fan', keep: true });
      assert.deepEqual(await run('brokerExplorer.rabbitmq.publish', { exchange: 'ssh.fan', routingKey: '', body: 'through the tunnel' }), {
        confirmed: true,
        routed: true,
      });
      const read = await exec<{ messages: { body: string }[] }>('brokerExplorer.tails.read', { id: tail.id, take: 1, timeoutMs: 5000 });
      assert.deepEqual(
        read.messages.map((m) => m.body),
        ['through the tunnel'],
      );
      const peeked = await run<{ messages: { body: string }[] }>('brokerExplorer.rabbitmq.peek', { queue: 'ssh.q', count: 1 });
      assert.equal(peeked.messages[0]?.body, 'through the tunnel');
      const listed = await run<{ items: { name: string }[] }>('brokerExplorer.rabbitmq.list', { kind: 'queues', filter: 'ssh.' });
      assert.deepEqual(
        listed.items.map((q) => q.name),
        ['ssh.q'],
      );
      await exec('brokerExplorer.tails.stop', { id: tail.id });
    });

    it('a tail resumes after its SSH session is killed', async () => {
      const run = <T>(id: string, args: Record<string, unknown>): Promise<T> => exec<T>(id, { profile: rabbitProfile, ...args });
      await run('brokerExplorer.rabbitmq.declareExchange', { name: 'ssh.drop', type: 'fanout' });
      const tail = await run<{ id: string }>('brokerExplorer.rabbitmq.tail', { exchange: 'ssh.drop', keep: true });
      assert.ok(sshd.killSessions() >= 1, 'killed the tunnel');
      const received: string[] = [];
      await waitFor(
        'a message published after the loss to arrive in the resumed tail',
        async () => {
          await run('brokerExplorer.rabbitmq.publish', { exchange: 'ssh.drop', routingKey: '', body: 'after' }).catch(() => undefined);
          const r = await exec<{ messages: { body: string }[] }>('brokerExplorer.tails.read', { id: tail.id, take: 1, timeoutMs: 500 });
          received.push(...r.messages.map((m) => m.body));
          return received.includes('after') ? true : undefined;
        },
        30_000,
      );
      await exec('brokerExplorer.tails.stop', { id: tail.id });
    });

    it('Test Connection times the ssh, host key, login and forward steps before the protocol ones', async () => {
      const result = await exec<TestResult>('brokerExplorer.profiles.test', { kind: 'redis', name: redisProfile });
      assert.equal(result.ok, true, result.error);
      assert.deepEqual(
        result.steps.map((s) => s.step),
        ['ssh', 'hostKey', 'sshAuth', 'forward', 'dns', 'tcp', 'greeting'],
      );
      assert.match(result.steps[1].detail ?? '', new RegExp(`${sshd.hostKeyFingerprint.replace(/[+/]/g, '\\$&')} trusted`));
    });

    it('refuses an unknown host key in a call with arguments, giving the fingerprint to pin, and sends nothing', async () => {
      const name = uniqueName('ssh-unpinned');
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: {
          name,
          host: '127.0.0.1',
          port: 6379,
          db: DB,
          connectTimeoutMs: 5000,
          ssh: { host: '127.0.0.1', port: sshd.port, username: sshd.keyUser, privateKeyPath: key.privateKeyPath },
        },
      });
      try {
        const before = sshd.sessionPids().length;
        const message = await rejects(exec('brokerExplorer.redis.runCommand', { profile: name, line: 'SET ssh:never 1' }), /is not known/);
        assert.ok(message.includes(sshd.hostKeyFingerprint), message);
        assert.equal(await seed.exists('ssh:never'), 0);
        const tcp = await exec<{ events: string[]; error?: string }>('brokerExplorer.tcp.open', {
          host: '127.0.0.1',
          port: 6379,
          profile: name,
          send: 'SET ssh:never 1\r\n',
        });
        assert.match(tcp.error ?? '', /is not known: its fingerprint is SHA256:/);
        assert.match(tcp.events[0] ?? '', /^connectionFailed: The host key of /);
        assert.equal(await seed.exists('ssh:never'), 0);
        const steps = await exec<TestResult>('brokerExplorer.profiles.test', { kind: 'redis', name });
        assert.equal(steps.ok, false);
        assert.deepEqual(
          steps.steps.map((s) => `${s.step}:${s.ok}`),
          ['ssh:true', 'hostKey:false'],
        );
        assert.ok(sshd.sessionPids().length <= before + 1);
      } finally {
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      }
    });

    it('keeps the bastion password in the secret storage, bound to the SSH chain', async () => {
      const name = uniqueName('ssh-url');
      await exec('brokerExplorer.profiles.addFromUrl', {
        kind: 'redis',
        name,
        url: 'redis://127.0.0.1:6379/7',
        via: `ssh://ops:s3cr3t-bastion@127.0.0.1:${sshd.port}`,
      });
      try {
        const settings = JSON.stringify(vscode.workspace.getConfiguration('brokerExplorer').get('redis.profiles'));
        assert.ok(!settings.includes('s3cr3t-bastion'), 'no SSH password in settings');
        assert.match(settings, new RegExp(`"ssh":\\{"host":"127.0.0.1","username":"ops","port":${sshd.port}\\}`));
        const a = await api();
        const profile = a.profiles.redis(name);
        assert.equal(await a.profiles.secret(profile, 'ssh'), 's3cr3t-bastion');
        assert.equal(await a.profiles.secret(profile, 'password'), undefined);
      } finally {
        await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      }
    });
  });
  registerSshUseTests();
  registerSshProfileFlowTests();
}
