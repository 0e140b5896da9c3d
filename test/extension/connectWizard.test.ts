/**
 * The guided Add Connection flow in the real host, answered by a script
 * injected into the prompts service: numbered steps, Back keeping the
 * answers, "Test, then Save" against the real servers, a failed test that
 * says why and still offers "Save anyway", and the profile fields each kind
 * (standalone, cluster, sentinel, RabbitMQ) writes to settings.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, BACK_ANSWER, exec, freePort, runScripted, uniqueName, type Answer } from './util';

function stored(kind: 'redis' | 'rabbitmq', name: string): Record<string, unknown> | undefined {
  const list =
    vscode.workspace.getConfiguration('brokerExplorer').inspect<Record<string, unknown>[]>(`${kind}.profiles`)?.globalValue ?? [];
  return list.find((p) => p.name === name);
}

const wizard = runScripted;

/** The "save in" step is asked only when a workspace is open. */
const target = (): Answer[] => (vscode.workspace.workspaceFolders?.length ? ['User settings'] : []);

export function registerConnectWizardTests(): void {
  describe('the guided Add Connection flow (scripted prompts)', function () {
    this.timeout(60_000);
    const made: { kind: 'redis' | 'rabbitmq'; name: string }[] = [];
    const fresh = (kind: 'redis' | 'rabbitmq', prefix: string): string => {
      const name = uniqueName(prefix);
      made.push({ kind, name });
      return name;
    };
    after(async () => {
      for (const p of made) await exec('brokerExplorer.profiles.remove', p);
    });

    it('numbers its steps, goes Back keeping the answers, then tests and saves a Redis profile', async () => {
      const name = fresh('redis', 'wiz');
      const asked = await wizard('brokerExplorer.profiles.add', [
        'Redis',
        name,
        '127.0.0.1:6379',
        BACK_ANSWER, // on "database": back to the address
        '127.0.0.1:6379',
        '5',
        '',
        '',
        'No TLS',
        'Read-only',
        'Continue',
        ...target(),
        'Test, then Save',
      ]);
      const total = target().length ? 10 : 9;
      assert.equal(asked[0], `pick: New connection: kind [1/${total}]`, asked.join('\n'));
      assert.equal(asked[1], `input: New Redis connection: name [2/${total}]`);
      assert.equal(asked[2], `input: ${name}: Host and port, or a redis:// URL [3/${total}]`);
      assert.equal(asked[3], `input: ${name}: database [4/${total}]`);
      assert.equal(asked[4], `input: ${name}: Host and port, or a redis:// URL [3/${total}]`, 'Back shows the address step again');
      assert.equal(asked.at(-2), `pick: ${name}: save [${total}/${total}]`);
      assert.match(asked.at(-1) ?? '', /^info: Connected to ".*" and saved it \(server \d+\.\d+/);
      assert.deepEqual(stored('redis', name), { name, host: '127.0.0.1', port: 6379, db: 5, readOnly: true });
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, line: 'PING' }), 'PONG');
    });

    it('a failed test says why on the save step and still offers Save anyway', async () => {
      const name = fresh('redis', 'wiz-down');
      const port = await freePort();
      const asked = await wizard('brokerExplorer.profiles.addRedis', [
        'Redis',
        name,
        `127.0.0.1:${port}`,
        '0',
        '',
        '',
        'No TLS',
        'Connect timeout',
        '2000',
        'Continue',
        ...target(),
        'Test, then Save',
        'Save anyway',
      ]);
      assert.ok(
        asked.some((a) => a.startsWith(`pick: ${name}: the test failed — Back to change a setting`)),
        asked.join('\n'),
      );
      assert.deepEqual(stored('redis', name), { name, host: '127.0.0.1', port, db: 0, connectTimeoutMs: 2000 });
    });

    it('dismissing a step saves nothing', async () => {
      const name = uniqueName('wiz-gone');
      await wizard('brokerExplorer.profiles.add', ['Redis', name, undefined]);
      assert.equal(stored('redis', name), undefined);
    });

    it('writes a cluster seed list, and a sentinel profile with its primary, CA file and sentinel password (secret storage only)', async () => {
      const cluster = fresh('redis', 'wiz-cluster');
      const clusterAsked = await wizard('brokerExplorer.profiles.add', [
        'Redis Cluster',
        cluster,
        '127.0.0.1:7000, 127.0.0.1:7001',
        '',
        '',
        'No TLS',
        'Continue',
        ...target(),
        'Save anyway',
      ]);
      assert.ok(!clusterAsked.some((a) => a.includes(': database')), 'a cluster has no database step');
      assert.deepEqual(stored('redis', cluster), {
        name: cluster,
        mode: 'cluster',
        nodes: [
          { host: '127.0.0.1', port: 7000 },
          { host: '127.0.0.1', port: 7001 },
        ],
      });

      const sentinel = fresh('redis', 'wiz-sentinel');
      const secret = uniqueName('sentinel-pw');
      await wizard('brokerExplorer.profiles.add', [
        'Redis Sentinel',
        sentinel,
        '10.0.0.1:26379 10.0.0.2',
        'orders',
        '2',
        'app',
        '',
        'TLS with a CA file…',
        '/etc/ssl/private-ca.pem',
        'Sentinel password',
        secret,
        'Continue',
        ...target(),
        'Save anyway',
      ]);
      assert.deepEqual(stored('redis', sentinel), {
        name: sentinel,
        mode: 'sentinel',
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26379 },
        ],
        sentinelName: 'orders',
        db: 2,
        username: 'app',
        tls: { enabled: true, ca: '/etc/ssl/private-ca.pem' },
      });
      const a = await api();
      assert.equal(await a.profiles.secret(a.profiles.redis(sentinel), 'sentinel'), secret);
      assert.ok(!JSON.stringify(stored('redis', sentinel)).includes(secret));
    });

    it('refuses a bad address in its step, and a RabbitMQ profile is tested with its password and saved', async () => {
      const name = fresh('rabbitmq', 'wiz-rabbit');
      // The scripted box throws its validator's sentence, as the real box would keep refusing it: nothing is saved.
      await wizard('brokerExplorer.profiles.add', ['RabbitMQ', name, 'amqp://guest:guest@127.0.0.1:5672/']);
      assert.equal(stored('rabbitmq', name), undefined, 'a URL with a password is refused in its step');

      const asked = await wizard('brokerExplorer.profiles.addRabbitmq', [
        name,
        'amqp://guest@127.0.0.1:5672/',
        'guest',
        'No TLS',
        'Continue',
        ...target(),
        'Test, then Save',
      ]);
      assert.ok(asked[0].startsWith('input: New RabbitMQ connection: name [1/'), asked.join('\n'));
      assert.ok(
        asked.includes(`input: ${name}: password of "guest" (kept in the secret storage; empty for none) [3/${target().length ? 7 : 6}]`),
      );
      assert.deepEqual(stored('rabbitmq', name), { name, url: 'amqp://guest@127.0.0.1:5672/' });
      const a = await api();
      assert.equal(await a.profiles.password(a.profiles.rabbit(name)), 'guest');
    });
  });
}
