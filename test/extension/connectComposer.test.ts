/**
 * The message composer in the real host: a draft per exchange in the
 * extension's storage, sent with its body, properties and headers.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { exec, uniqueName } from './util';

export function registerConnectComposerTests(): void {
  describe('the message composer (a JSON draft per exchange)', function () {
    this.timeout(60_000);
    const profile = uniqueName('composer');
    const queue = uniqueName('be-composer-q');

    before(async () => {
      await exec('brokerExplorer.profiles.add', {
        kind: 'rabbitmq',
        profile: { name: profile, url: 'amqp://guest@127.0.0.1:5672/' },
        password: 'guest',
      });
      await exec('brokerExplorer.rabbitmq.declareQueue', { profile, name: queue, durable: false, autoDelete: false });
    });

    after(async () => {
      await exec('brokerExplorer.rabbitmq.deleteQueue', { profile, name: queue }).catch(() => undefined);
      await exec('brokerExplorer.profiles.remove', { kind: 'rabbitmq', name: profile });
    });

    it('keeps one draft per exchange and sends its body, properties and headers', async () => {
      const { path } = await exec<{ path: string }>('brokerExplorer.rabbitmq.composeMessage', { profile, exchange: '' });
      const again = await exec<{ path: string }>('brokerExplorer.rabbitmq.composeMessage', { profile, exchange: '' });
      assert.equal(again.path, path, 'the same exchange opens the same draft');
      const other = await exec<{ path: string }>('brokerExplorer.rabbitmq.composeMessage', { profile, exchange: 'amq.topic' });
      assert.notEqual(other.path, path);
      const draft = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(draft.target, { profile, vhost: '/', exchange: '' });
      draft.routingKey = queue;
      draft.body = { order: 42 };
      draft.headers = { 'x-source': 'composer' };
      await writeFile(path, JSON.stringify(draft));
      const result = await exec<{ confirmed: boolean; routed: boolean }>('brokerExplorer.rabbitmq.sendDraft', { path });
      assert.deepEqual(result, { confirmed: true, routed: true });
      const { messages } = await exec<{ messages: { body: unknown; properties: Record<string, unknown> }[] }>(
        'brokerExplorer.rabbitmq.peek',
        {
          profile,
          queue,
          count: 5,
        },
      );
      assert.equal(messages.length, 1);
      assert.equal(messages[0].body, '{"order":42}');
      assert.equal(messages[0].properties.contentType, 'application/json');
      assert.deepEqual((messages[0].properties.headers as Record<string, unknown>)['x-source'], 'composer');
    });

    it('refuses a draft that is not JSON with one sentence', async () => {
      const { path } = await exec<{ path: string }>('brokerExplorer.rabbitmq.composeMessage', { profile, exchange: 'amq.direct' });
      await writeFile(path, '{ not json');
      await assert.rejects(exec('brokerExplorer.rabbitmq.sendDraft', { path }), /The draft is not valid JSON/);
    });
  });
}
