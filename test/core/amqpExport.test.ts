import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfirmChannel } from 'amqplib';
import { exportMessages } from '../../src/core/amqp/messageExport';
import { importMessages } from '../../src/core/amqp/messageImport';
import { InputError, ReadOnlyError } from '../../src/core/errors';
import { TestVhost } from './helpers/amqpBroker';

const HEADERS = {
  plain: 'text',
  small: 5,
  long5: { '!': 'long', value: 5 },
  short7: { '!': 'short', value: 7 },
  uint: { '!': 'unsignedint', value: 4_000_000_000 },
  ubyte: { '!': 'unsignedbyte', value: 200 },
  f: { '!': 'float', value: 1.5 },
  d2: { '!': 'double', value: 2 },
  pi: 3.25,
  when: { '!': 'timestamp', value: 1_700_000_000 },
  dec: { '!': 'decimal', value: { places: 2, digits: 12345 } },
  yes: true,
  nothing: null,
  raw: Buffer.from([0, 255, 1]),
  nested: { inner: { '!': 'long', value: 1 }, list: [1, 'a', { '!': 'short', value: 2 }] },
};

const PROPS = {
  contentType: 'application/octet-stream',
  contentEncoding: 'identity',
  deliveryMode: 2,
  priority: 3,
  correlationId: 'corr',
  replyTo: 'reply',
  expiration: '600000',
  messageId: 'id-1',
  timestamp: 1_700_000_001,
  type: 'kind',
  appId: 'app',
};

function lines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('exporting and importing messages (real RabbitMQ)', function () {
  this.timeout(120_000);
  let vh: TestVhost;
  let pub: ConfirmChannel;
  const dir = tmpdir();
  const files: string[] = [];
  const file = (name: string): string => {
    const p = join(dir, `be-export-${process.pid}-${name}.jsonl`);
    files.push(p);
    return p;
  };

  before(async () => {
    vh = await TestVhost.create('export');
    pub = await (await vh.raw('export fixture')).createConfirmChannel();
    await pub.assertQueue('rt.a');
    await pub.assertQueue('rt.b');
    pub.sendToQueue('rt.a', Buffer.from([0xff, 0xfe, 0x00, 0x41]), { ...PROPS, headers: HEADERS });
    pub.sendToQueue('rt.a', Buffer.from('héllo {"json": true}\n'), { contentType: 'text/plain' });
    pub.sendToQueue('rt.a', Buffer.alloc(0), { headers: { 'x-death-like': [{ count: { '!': 'long', value: 1 } }] } });
    await pub.waitForConfirms();
  });
  after(async () => {
    await vh.close();
    await Promise.all(files.map((f) => rm(f, { force: true })));
  });

  it('export (peek) → import → export (drain) reproduces bodies, properties and headers with their AMQP types', async () => {
    const session = vh.session();
    const first = file('first');
    const peeked = await exportMessages(session, { queue: 'rt.a', path: first, mode: 'peek' });
    assert.deepEqual(peeked, { exported: 3, path: first, typedHeaders: true, maxUnacked: 3, rotated: false });
    assert.equal((await pub.checkQueue('rt.a')).messageCount, 3, 'peek leaves the queue unchanged');
    const a = lines(await readFile(first, 'utf8'));
    assert.deepEqual(a[0]?.body, { hex: 'fffe0041' });
    assert.equal(a[1]?.body, 'héllo {"json": true}\n');
    const headers = (a[0]?.properties as { headers: Record<string, unknown> }).headers;
    assert.deepEqual(headers.long5, { '!': 'long', value: 5 });
    assert.deepEqual(headers.d2, { '!': 'double', value: 2 });
    assert.equal(headers.small, 5);
    assert.deepEqual(headers.raw, { hex: '00ff01' });
    assert.deepEqual(headers.nested, { inner: { '!': 'long', value: 1 }, list: [1, 'a', { '!': 'short', value: 2 }] });

    const imported = await importMessages(session, { path: first, exchange: '', routingKey: 'rt.b' });
    assert.deepEqual(imported, { published: 3, routed: 3 });
    const second = file('second');
    const drained = await exportMessages(session, { queue: 'rt.b', path: second, mode: 'drain' });
    assert.equal(drained.exported, 3);
    assert.equal((await pub.checkQueue('rt.b')).messageCount, 0, 'drain empties the queue');
    const b = lines(await readFile(second, 'utf8'));
    const strip = (m: Record<string, unknown>): unknown => ({ body: m.body, properties: m.properties });
    assert.deepEqual(b.map(strip), a.map(strip));
  });

  it('import says how many were routed, and refuses a bad line with its number', async () => {
    const session = vh.session();
    const path = file('mixed');
    await writeFile(
      path,
      `${JSON.stringify({ routingKey: 'rt.b', body: 'x' })}\n${JSON.stringify({ routingKey: 'nowhere', body: 'y' })}\n`,
    );
    assert.deepEqual(await importMessages(session, { path }), { published: 2, routed: 1 });
    const bad = file('bad');
    await writeFile(bad, `${JSON.stringify({ routingKey: 'rt.b', body: 'x' })}\n{oops\n`);
    await assert.rejects(importMessages(session, { path: bad }), /Line 2 of the file is not valid JSON\./);
    await writeFile(bad, `${JSON.stringify({ routingKey: 'rt.b', body: 'x', properties: { priority: 999 } })}\n`);
    await assert.rejects(importMessages(session, { path: bad }), /Line 1 of the file cannot be published: The property "priority"/);
  });

  it('refuses a bad mode, and drain and import on a read-only profile', async () => {
    const ro = vh.session({ name: 'ro', readOnly: true });
    await assert.rejects(exportMessages(ro, { queue: 'rt.a', path: file('x'), mode: 'all' as 'peek' }), InputError);
    await assert.rejects(exportMessages(ro, { queue: 'rt.a', path: file('x'), mode: 'drain' }), ReadOnlyError);
    await assert.rejects(importMessages(ro, { path: file('x') }), ReadOnlyError);
    const peek = await exportMessages(ro, { queue: 'rt.a', path: file('ro'), mode: 'peek', count: 1 });
    assert.equal(peek.exported, 1);
  });

  it('exports 20,000 messages at a measured rate', async () => {
    await pub.assertQueue('rate');
    for (let i = 0; i < 20_000; i++) pub.sendToQueue('rate', Buffer.alloc(200, 'r'), { messageId: String(i), headers: { n: i } });
    await pub.waitForConfirms();
    const session = vh.session();
    for (const mode of ['peek', 'drain'] as const) {
      const t = Date.now();
      const r = await exportMessages(session, { queue: 'rate', path: file(`rate-${mode}`), mode });
      const s = (Date.now() - t) / 1000;
      console.log(`      export ${mode}: ${r.exported} messages in ${s.toFixed(2)} s (${Math.round(r.exported / s)} msg/s)`);
      assert.equal(r.exported, 20_000);
    }
    assert.equal((await pub.checkQueue('rate')).messageCount, 0);
  });
});
