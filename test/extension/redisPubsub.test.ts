import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, exec, plainRedis, rejects, uniqueName, waitFor } from './util';

const DB = 5;

interface Message {
  channel: string | { hex: string };
  pattern?: string;
  message: string | { hex: string };
}

export function registerRedisPubSubTests(): void {
  describe('Redis publish and subscribe (db 5)', () => {
    const name = uniqueName('pubsub');
    const pub = plainRedis(DB);
    const prefix = uniqueName('ch');

    async function subscribers(channel: string): Promise<number> {
      const reply = (await pub.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
      return Number(reply[1]);
    }

    before(async () => {
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
    });
    after(async () => {
      const a = await api();
      for (const t of a.tails.list('redis', name)) await a.tails.stop(t.id);
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      pub.disconnect();
    });

    it('publish returns the receiver count', async () => {
      assert.deepEqual(await exec('brokerExplorer.redis.publish', { profile: name, channel: `${prefix}:nobody`, message: 'hi' }), {
        receivers: 0,
      });
    });

    it('subscribe with take resolves once subscribed, returns the messages and stops', async () => {
      const channel = `${prefix}:take`;
      const started = exec<{ id: string; messages: Message[] }>('brokerExplorer.redis.subscribe', {
        profile: name,
        channels: [channel],
        take: 3,
        timeoutMs: 10_000,
      });
      await waitFor('the subscription', async () => ((await subscribers(channel)) === 1 ? true : undefined));
      for (const m of ['one', '{"a":1}'])
        assert.deepEqual(await exec('brokerExplorer.redis.publish', { profile: name, channel, message: m }), { receivers: 1 });
      await exec('brokerExplorer.redis.publish', { profile: name, channel, message: { hex: '00ff' } });
      const result = await started;
      assert.deepEqual(
        result.messages.map((m) => m.message),
        ['one', '{"a":1}', { hex: '00ff' }],
      );
      assert.equal(result.messages[0].channel, channel);
      const a = await api();
      assert.ok(!a.tails.list('redis', name).some((t) => t.id === result.id), 'stopped after take');
      await waitFor('the unsubscribe', async () => ((await subscribers(channel)) === 0 ? true : undefined));
    });

    it('receives 10,000 messages in order with none lost, read back with tails.read', async () => {
      const channel = `${prefix}:bulk`;
      const { id } = await exec<{ id: string }>('brokerExplorer.redis.subscribe', { profile: name, channels: [channel] });
      const a = await api();
      const tail = a.tails.list('redis', name).find((t) => t.id === id);
      assert.ok(tail, 'listed as a tail under its profile');
      assert.equal(await subscribers(channel), 1, 'subscribed before the start call resolved');
      const p = pub.pipeline();
      for (let i = 0; i < 10_000; i++) p.publish(channel, String(i));
      await p.exec();
      const read = await exec<{ messages: Message[]; running: boolean }>('brokerExplorer.tails.read', {
        id,
        take: 10_000,
        timeoutMs: 20_000,
      });
      assert.equal(read.running, true);
      assert.equal(read.messages.length, 10_000);
      read.messages.forEach((m, i) => assert.equal(m.message, String(i)));
      assert.equal(tail.count(), 10_000);
      assert.deepEqual(await exec('brokerExplorer.tails.stop', { id }), { stopped: true });
      assert.deepEqual(await exec('brokerExplorer.tails.stop', { id }), { stopped: false });
      const after = await exec<{ messages: Message[]; running: boolean }>('brokerExplorer.tails.read', { id, take: 1 });
      assert.equal(after.running, false);
    });

    it('pattern subscriptions report the pattern and the channel', async () => {
      const started = exec<{ id: string; messages: Message[] }>('brokerExplorer.redis.subscribe', {
        profile: name,
        patterns: [`${prefix}:news.*`],
        take: 2,
        timeoutMs: 10_000,
      });
      const a = await api();
      await waitFor('the pattern subscription', () =>
        a.tails.list('redis', name).some((t) => t.label.includes('news.*')) ? true : undefined,
      );
      await pub.publish(`${prefix}:sport`, 'ignored');
      await pub.publish(`${prefix}:news.tech`, 'a');
      await pub.publish(`${prefix}:news.art`, 'b');
      const result = await started;
      assert.deepEqual(
        result.messages.map((m) => [m.pattern, m.channel, m.message]),
        [
          [`${prefix}:news.*`, `${prefix}:news.tech`, 'a'],
          [`${prefix}:news.*`, `${prefix}:news.art`, 'b'],
        ],
      );
    });

    it('a stopped tail stays readable until 20 tails stopped after it (the one retention rule)', async () => {
      const channel = `${prefix}:retained`;
      const { id } = await exec<{ id: string }>('brokerExplorer.redis.subscribe', { profile: name, channels: [channel] });
      await pub.publish(channel, 'kept');
      const a = await api();
      await waitFor('the message', () =>
        a.tails
          .list('redis', name)
          .find((t) => t.id === id)
          ?.count() === 1
          ? true
          : undefined,
      );
      assert.deepEqual(await exec('brokerExplorer.tails.stop', { id }), { stopped: true });
      for (let i = 0; i < 19; i++) {
        const other = await exec<{ id: string }>('brokerExplorer.redis.subscribe', { profile: name, channels: [`${channel}:${i}`] });
        await exec('brokerExplorer.tails.stop', { id: other.id });
      }
      const read = await exec<{ messages: Message[]; running: boolean; dropped: number }>('brokerExplorer.tails.read', { id, take: 1 });
      assert.deepEqual(
        read.messages.map((m) => m.message),
        ['kept'],
      );
      assert.equal(read.running, false);
      const last = await exec<{ id: string }>('brokerExplorer.redis.subscribe', { profile: name, channels: [`${channel}:last`] });
      await exec('brokerExplorer.tails.stop', { id: last.id });
      await rejects(exec('brokerExplorer.tails.read', { id, take: 1 }), /no running tail/);
    });

    describe('with brokerExplorer.tailBufferSize 50', () => {
      const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('brokerExplorer');
      before(async () => {
        await config().update('tailBufferSize', 50, vscode.ConfigurationTarget.Global);
      });
      after(async () => {
        await config().update('tailBufferSize', undefined, vscode.ConfigurationTarget.Global);
      });

      it('subscribe with take 300 returns the first 300 messages in order, none lost', async () => {
        const channel = `${prefix}:take-big`;
        const started = exec<{ id: string; messages: Message[] }>('brokerExplorer.redis.subscribe', {
          profile: name,
          channels: [channel],
          take: 300,
          timeoutMs: 15_000,
        });
        await waitFor('the subscription', async () => ((await subscribers(channel)) === 1 ? true : undefined));
        const p = pub.pipeline();
        for (let i = 0; i < 400; i++) p.publish(channel, String(i));
        await p.exec();
        const result = await started;
        assert.deepEqual(
          result.messages.map((m) => m.message),
          Array.from({ length: 300 }, (_, i) => String(i)),
        );
      });

      it('tails.read reports what the ring dropped since the last read, and the tree node shows the count', async () => {
        const channel = `${prefix}:dropping`;
        const { id } = await exec<{ id: string }>('brokerExplorer.redis.subscribe', { profile: name, channels: [channel] });
        const a = await api();
        const tail = a.tails.list('redis', name).find((t) => t.id === id);
        assert.ok(tail);
        const p = pub.pipeline();
        for (let i = 0; i < 80; i++) p.publish(channel, String(i));
        await p.exec();
        await waitFor('80 messages', () => (tail.count() === 80 ? true : undefined));
        const read = await exec<{ messages: Message[]; running: boolean; dropped: number }>('brokerExplorer.tails.read', { id, take: 100 });
        assert.deepEqual(
          read.messages.map((m) => m.message),
          Array.from({ length: 50 }, (_, i) => String(30 + i)),
        );
        assert.equal(read.dropped, 30);
        await a.redisTree.children(undefined);
        const node = (await a.redisTree.profileNode(name)?.tailsFolder.getChildren())?.find((n) => n.id === `tail/${id}`);
        assert.ok(node, 'listed under Running');
        assert.match(String((await a.redisTree.treeItem(node)).description), /30 dropped/);
        const again = await exec<{ messages: Message[]; dropped: number }>('brokerExplorer.tails.read', { id, take: 1 });
        assert.deepEqual(again, { messages: [], running: true, dropped: 0 });
        assert.deepEqual(await exec('brokerExplorer.tails.stop', { id }), { stopped: true });
      });
    });

    it('refuses a subscription with nothing to subscribe to', async () => {
      await rejects(exec('brokerExplorer.redis.subscribe', { profile: name }), /at least one channel/);
    });
  });
}
