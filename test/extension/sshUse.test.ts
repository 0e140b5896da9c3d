/**
 * What rides on a profile's SSH tunnel besides the pools, in the real host,
 * against an sshd of the test's own: a raw TCP session (tcp.open with
 * `profile`), an RPC call, and a subscription that keeps its forward while
 * the pool session of its profile is invalidated by a settings change. The
 * Redis profile here logs in as a throw-away password user, so its tunnel is
 * its own and the sshd's sessions show when that tunnel opens and closes.
 */
import assert from 'node:assert/strict';
import { connect, type ChannelModel } from 'amqplib';
import { OwnSshd, sshdAvailable } from '../topology/sshTopology';
import * as vscode from 'vscode';
import {
  api,
  exec,
  freePort,
  outputChannelText,
  plainRedis,
  plainText,
  rabbitMgmt as mgmt,
  RABBIT_MANAGEMENT,
  scriptPrompts,
  uniqueName,
  waitFor,
} from './util';

const DB = 7;

interface TcpResult {
  id: string;
  events: string[];
  received?: string | { hex: string };
  error?: string;
}

export function registerSshUseTests(): void {
  describe('SSH tunnels carry TCP sessions, RPC and subscriptions (an sshd of its own, db 7)', function () {
    this.timeout(60_000);
    let sshd: OwnSshd;
    let responder: ChannelModel | undefined;
    const redisProfile = uniqueName('ssh-own-tunnel');
    const rabbitProfile = uniqueName('ssh-rpc');
    const vhost = `be-ext/${uniqueName('ssh-rpc')}`;
    const seed = plainRedis(DB);

    /** The sshd's live connections, once they stop changing for a moment. */
    const sessionsSettleAt = (n: number, what: string): Promise<true> =>
      waitFor(what, () => (sshd.sessionPids().length === n ? true : undefined), 10_000);

    before(async () => {
      if (!sshdAvailable()) throw new Error('sshd is not installed: apt-get install openssh-server (.ci/run does it)');
      sshd = await OwnSshd.start();
      const user = sshd.addPasswordUser();
      const ssh = { host: '127.0.0.1', port: sshd.port, username: user.username, hostKey: sshd.hostKeyFingerprint };
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: redisProfile, host: '127.0.0.1', port: 6379, db: DB, connectTimeoutMs: 5000, ssh },
      });
      await exec('brokerExplorer.profiles.setPassword', { kind: 'redis', name: redisProfile, password: user.password, secret: 'ssh' });
      const v = encodeURIComponent(vhost);
      await mgmt('PUT', `/api/vhosts/${v}`, { description: 'Broker Explorer SSH RPC test' });
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
      });
      await exec('brokerExplorer.profiles.setPassword', { kind: 'rabbitmq', name: rabbitProfile, password: 'guest' });
      await exec('brokerExplorer.profiles.setPassword', { kind: 'rabbitmq', name: rabbitProfile, password: user.password, secret: 'ssh' });
    });

    after(async () => {
      const a = await api();
      for (const t of [...a.tails.list(undefined, redisProfile), ...a.tails.list(undefined, rabbitProfile)])
        await exec('brokerExplorer.tails.stop', { id: t.id });
      await responder?.close().catch(() => undefined);
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: redisProfile });
      await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name: rabbitProfile });
      await mgmt('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
      seed.disconnect();
      await sshd?.stop();
    });

    it("tcp.open with a profile PINGs Redis through that profile's tunnel, which closes with the session", async () => {
      const before = sshd.sessionPids().length;
      const opened = await exec<TcpResult>('brokerExplorer.tcp.open', {
        host: '127.0.0.1',
        port: 6379,
        profile: redisProfile,
        send: 'PING\r\n',
        take: 7,
        timeoutMs: 10_000,
        keep: true,
      });
      assert.equal(opened.error, undefined);
      assert.equal(opened.received, '+PONG\r\n');
      assert.match(
        opened.events[0],
        new RegExp(`^connectionMade \\S+ -> 127\\.0\\.0\\.1:6379 through SSH \\w+@127\\.0\\.0\\.1:${sshd.port}$`),
      );
      assert.equal(sshd.sessionPids().length, before + 1, 'the session rides on one SSH connection');
      assert.deepEqual(await exec('brokerExplorer.tails.stop', { id: opened.id }), { stopped: true });
      await sessionsSettleAt(before, 'the tunnel to close with its only user, the TCP session');
    });

    it('tcp.open without keep through the tunnel returns what came back and lets go of the tunnel', async () => {
      const before = sshd.sessionPids().length;
      const r = await exec<TcpResult>('brokerExplorer.tcp.open', {
        host: '127.0.0.1',
        port: 6379,
        profile: redisProfile,
        send: 'ECHO through\r\n',
        take: 13,
      });
      assert.equal(r.received, '$7\r\nthrough\r\n');
      assert.equal(r.id, '');
      await sessionsSettleAt(before, 'the tunnel to close after the session');
    });

    it('tcp.open through the tunnel to a port the bastion cannot reach shows the reset, and the log says why', async () => {
      const closed = await freePort();
      const r = await exec<TcpResult>('brokerExplorer.tcp.open', {
        host: '127.0.0.1',
        port: closed,
        profile: redisProfile,
        send: 'PING\r\n',
        take: 1,
        timeoutMs: 5_000,
      });
      assert.match(r.events.at(-1) ?? '', /^connectionLost: connection reset/, r.events.join(' | '));
      await waitFor('the reason in the extension log', async () =>
        (await outputChannelText('Broker Explorer')).includes(`could not open a connection to 127.0.0.1:${closed}`) ? true : undefined,
      );
    });

    it("a TCP terminal opened from the profile's node goes through its tunnel and lets go of it on Ctrl+C", async () => {
      const a = await api();
      const before = sshd.sessionPids().length;
      const prompts = await scriptPrompts(['\\r\\n']);
      let terminal: vscode.Terminal | undefined;
      try {
        await a.redisTree.children(undefined);
        const node = a.redisTree.profileNode(redisProfile);
        assert.ok(node);
        const result = await exec<{ id: string; events: string[] }>('brokerExplorer.tcp.open', node);
        assert.match(result.events[0] ?? '', / -> 127\.0\.0\.1:6379 through SSH /);
        terminal = vscode.window.terminals.find((t) => t.name === 'TCP ⟫ 127.0.0.1:6379');
        assert.ok(terminal, vscode.window.terminals.map((t) => t.name).join(', '));
        const pty = (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty;
        let out = '';
        const listening = pty.onDidWrite((text) => (out += text));
        pty.handleInput?.('PING\r');
        await waitFor('+PONG in the terminal', () => (plainText(out).includes('+PONG') ? true : undefined), 5_000);
        pty.handleInput?.('\x03');
        await waitFor('the tail to stop', () => (a.tails.list('tcp').some((t) => t.id === result.id) ? undefined : true), 5_000);
        listening.dispose();
        await sessionsSettleAt(before, 'the tunnel to close with the terminal session');
      } finally {
        prompts.restore();
        terminal?.dispose();
      }
    });

    it('rpcCall through the bastion gets the reply of an amqplib responder', async () => {
      responder = await connect(`amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`);
      responder.on('error', () => undefined);
      const ch = await responder.createChannel();
      await ch.assertQueue('ssh_rpc', { durable: false });
      await ch.consume('ssh_rpc', (msg) => {
        if (!msg) return;
        ch.sendToQueue(String(msg.properties.replyTo), Buffer.from(`pong:${msg.content.toString()}`), {
          correlationId: String(msg.properties.correlationId),
        });
        ch.ack(msg);
      });
      const before = sshd.sessionPids().length;
      const reply = await exec<{ body: unknown; elapsedMs: number }>('brokerExplorer.rabbitmq.rpcCall', {
        profile: rabbitProfile,
        routingKey: 'ssh_rpc',
        body: 'ping',
        timeoutMs: 10_000,
      });
      assert.equal(reply.body, 'pong:ping');
      assert.ok(sshd.sessionPids().length >= Math.max(before, 1), 'an SSH session carried the call');
      const callback = await exec<{ body: unknown }>('brokerExplorer.rabbitmq.rpcCall', {
        profile: rabbitProfile,
        routingKey: 'ssh_rpc',
        body: 'again',
        replyMode: 'callbackQueue',
      });
      assert.equal(callback.body, 'pong:again');
    });

    it('a subscription through the tunnel keeps receiving while its profile is invalidated by a settings change', async () => {
      const channel = `ssh-use:${uniqueName('inv')}`;
      const { id } = await exec<{ id: string }>('brokerExplorer.redis.subscribe', {
        profile: redisProfile,
        channels: [channel],
        keep: true,
      });
      const read = async (): Promise<string[]> => {
        const r = await exec<{ messages: { message: string }[]; running: boolean }>('brokerExplorer.tails.read', {
          id,
          take: 1,
          timeoutMs: 5_000,
        });
        assert.equal(r.running, true);
        return r.messages.map((m) => m.message);
      };
      assert.equal(await seed.publish(channel, 'before'), 1);
      assert.deepEqual(await read(), ['before']);
      const sessions = sshd.sessionPids().length;
      // A settings change of the profile: its pool sessions close and let go of their forwards.
      await exec('brokerExplorer.profiles.edit', { kind: 'redis', name: redisProfile, changes: { delimiter: '/' } });
      await exec('brokerExplorer.profiles.edit', { kind: 'rabbitmq', name: rabbitProfile, changes: { connectTimeoutMs: 6000 } });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await seed.publish(channel, 'after'), 1, 'the subscriber is still connected');
      assert.deepEqual(await read(), ['after']);
      assert.equal(sshd.sessionPids().length, sessions, 'the same SSH connection still carries it');
      assert.equal(
        await exec('brokerExplorer.redis.runCommand', { profile: redisProfile, line: `PUBSUB NUMSUB ${channel}` }).then((r) =>
          JSON.stringify(r),
        ),
        JSON.stringify([channel, 1]),
        'a new pool session shares the tunnel with the subscription',
      );
      await exec('brokerExplorer.tails.stop', { id });
    });
  });
}
