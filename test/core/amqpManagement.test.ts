import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ManagementClient } from '../../src/core/amqp/managementClient';
import type { QueueInfo } from '../../src/core/amqp/managementTypes';
import { AuthError, InputError, NotFoundError, ReadOnlyError } from '../../src/core/errors';
import { PASSWORD, TestVhost, mgmt, waitFor } from './helpers/amqpBroker';

const QUEUES = 1_200;
const MAIL = 200;

function queueName(i: number): string {
  return i < QUEUES - MAIL ? `job.${String(i).padStart(4, '0')}` : `mail.${String(i).padStart(4, '0')}`;
}

describe('management API client (real RabbitMQ)', () => {
  let vh: TestVhost;
  let client: ManagementClient;

  before(async function () {
    this.timeout(120_000);
    vh = await TestVhost.create('management');
    client = new ManagementClient(vh.profile(), PASSWORD);
    // One definitions import creates every queue, exchange and binding at once.
    const queues = Array.from({ length: QUEUES }, (_, i) => ({ name: queueName(i), durable: false, auto_delete: false, arguments: {} }));
    const bindings = Array.from({ length: 250 }, (_, i) => ({
      source: 'fan',
      destination: queueName(i),
      destination_type: 'queue',
      routing_key: `key.${String(i).padStart(3, '0')}`,
      arguments: {},
    }));
    const reply = await mgmt('POST', `/api/definitions/${encodeURIComponent(vh.name)}`, {
      queues,
      exchanges: [{ name: 'fan', type: 'direct', durable: false, auto_delete: false, internal: false, arguments: {} }],
      bindings,
    });
    assert.ok(reply.status < 300, `definitions import: ${reply.status} ${JSON.stringify(reply.body)}`);
  });
  after(async () => {
    client?.dispose();
    await vh?.close();
  });

  it(`pages over ${QUEUES} queues, yielding every queue exactly once in name order`, async () => {
    const firstStarted = performance.now();
    const first = await client.listQueues(vh.name, { page: 1, pageSize: 100 });
    const firstMs = performance.now() - firstStarted;
    console.log(`      first page of 100 of ${QUEUES} queues: ${firstMs.toFixed(1)} ms`);
    assert.equal(first.items.length, 100);
    assert.equal(first.total, QUEUES);
    assert.equal(first.pageCount, 12);

    const seen: QueueInfo[] = [];
    let page = 1;
    for (;;) {
      const p = await client.listQueues(vh.name, { page, pageSize: 500 });
      seen.push(...p.items);
      if (page >= p.pageCount) break;
      page++;
    }
    assert.equal(page, 3);
    const names = seen.map((q) => q.name);
    assert.equal(names.length, QUEUES);
    assert.equal(new Set(names).size, QUEUES, 'no queue twice');
    assert.deepEqual(names, Array.from({ length: QUEUES }, (_, i) => queueName(i)).sort());
    const q = seen[0];
    assert.equal(q.type, 'classic');
    assert.equal(q.vhost, vh.name);
    assert.equal(q.durable, false);
  });

  it('filters queues by substring (case-insensitive) and by regular expression', async () => {
    const mail = await client.listQueues(vh.name, { filter: 'MAIL', pageSize: 500 });
    assert.equal(mail.total, MAIL);
    assert.equal(mail.unfilteredTotal, QUEUES);
    assert.ok(mail.items.every((q) => q.name.startsWith('mail.')));
    const re = await client.listQueues(vh.name, { filter: '^job\\.00[0-4]\\d$', regex: true, pageSize: 500 });
    assert.deepEqual(
      re.items.map((q) => q.name),
      Array.from({ length: 50 }, (_, i) => `job.${String(i).padStart(4, '0')}`),
    );
    await assert.rejects(client.listQueues(vh.name, { filter: '(((', regex: true }), InputError);
  });

  it('a page past the end is an empty page that still tells the totals', async () => {
    const past = await client.listQueues(vh.name, { page: 99, pageSize: 100 });
    assert.deepEqual(
      { ...past, items: past.items.length },
      { items: 0, total: QUEUES, page: 99, pageCount: 12, pageSize: 100, unfilteredTotal: QUEUES },
    );
    await assert.rejects(client.listQueues(vh.name, { pageSize: 501 }), /page size 501 is not valid: give a whole number from 1 to 500/);
    await assert.rejects(client.listQueues(vh.name, { page: 0 }), InputError);
  });

  it('lists vhosts and exchanges with their flags; built-in exchanges are marked', async () => {
    const vhosts = await client.listVhosts({ filter: vh.name });
    assert.deepEqual(
      vhosts.items.map((v) => v.name),
      [vh.name],
    );
    const exchanges = await client.listExchanges(vh.name, { pageSize: 500 });
    const byName = new Map(exchanges.items.map((x) => [x.name, x]));
    assert.equal(byName.get('fan')?.type, 'direct');
    assert.equal(byName.get('fan')?.builtIn, false);
    assert.equal(byName.get('amq.topic')?.builtIn, true);
    assert.equal(byName.get('')?.builtIn, true);
    const viaList = await client.list({ kind: 'exchanges', vhost: vh.name, filter: 'amq.', pageSize: 3 });
    assert.equal(viaList.items.length, 3);
    assert.equal(viaList.pageCount, Math.ceil(viaList.total / 3));
  });

  it('pages bindings on its side, by source exchange or by destination queue, with filters', async () => {
    const p1 = await client.listBindings(vh.name, { exchange: 'fan' }, { page: 1, pageSize: 100 });
    assert.equal(p1.total, 250);
    assert.equal(p1.pageCount, 3);
    const all = [];
    for (let page = 1; page <= 3; page++)
      all.push(...(await client.listBindings(vh.name, { exchange: 'fan' }, { page, pageSize: 100 })).items);
    assert.equal(new Set(all.map((b) => b.routingKey)).size, 250);
    const filtered = await client.listBindings(vh.name, { exchange: 'fan' }, { filter: 'key.01', pageSize: 100 });
    assert.equal(filtered.total, 10);
    const regex = await client.listBindings(vh.name, { exchange: 'fan' }, { filter: '^key\\.2[0-4]\\d$', regex: true });
    assert.equal(regex.total, 50);
    const toQueue = await client.list({ kind: 'bindings', vhost: vh.name, source: { queue: 'job.0007' } });
    assert.deepEqual(
      toQueue.items.map((b) => [b.source, b.routingKey]),
      [
        ['', 'job.0007'],
        ['fan', 'key.007'],
      ],
    );
    await assert.rejects(
      client.listBindings(vh.name, { queue: 'no-such-queue' }),
      (err: unknown) => err instanceof NotFoundError && /queue "no-such-queue" in vhost/.test(err.message),
    );
    await assert.rejects(client.list({ kind: 'bindings', vhost: vh.name }), InputError);
  });

  it('reads single entities, percent-encoding every name, and names what is missing', async () => {
    assert.equal((await client.getQueue(vh.name, 'mail.1100')).name, 'mail.1100');
    assert.equal((await client.getExchange(vh.name, '')).type, 'direct');
    assert.equal((await client.getVhost(vh.name)).name, vh.name);
    await assert.rejects(client.getQueue(vh.name, 'no/such queue'), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /queue "no\/such queue" in vhost "be-test\/management [0-9a-f]+" was not found/);
      return true;
    });
    await assert.rejects(
      client.listQueues('no-such-vhost'),
      (err: unknown) => err instanceof NotFoundError && /vhost "no-such-vhost" was not found/.test(err.message),
    );
    await assert.rejects(
      client.getQueue('no-such-vhost', 'q'),
      (err: unknown) => err instanceof NotFoundError && /vhost "no-such-vhost" was not found/.test(err.message),
    );
  });

  it('reads the overview', async () => {
    const o = await client.overview();
    assert.match(o.managementVersion, /^\d+\.\d+/);
    assert.equal(typeof o.objectTotals.queues, 'number');
  });

  it('a wrong password is an AuthError without the password', async () => {
    const bad = new ManagementClient(vh.profile(), 'wrong-password-123');
    await assert.rejects(
      bad.overview(),
      (err: unknown) => err instanceof AuthError && !err.message.includes('wrong-password-123') && /refused/.test(err.message),
    );
    bad.dispose();
  });

  it('lists connections of a vhost and closes one; a read-only profile may not close', async () => {
    const raw = await vh.raw('to be closed by the test');
    let closed = false;
    raw.on('close', () => {
      closed = true;
    });
    const conn = await waitFor('the connection to show up', async () => {
      const page = await client.listConnections({ vhost: vh.name });
      return page.items.find((c) => c.clientName === 'to be closed by the test');
    });
    assert.equal(conn.user, 'guest');
    const ro = new ManagementClient(vh.profile({ readOnly: true }), PASSWORD);
    await assert.rejects(ro.closeConnection(conn.name), ReadOnlyError);
    ro.dispose();
    await client.closeConnection(conn.name, { reason: 'test' });
    await waitFor('the connection to close', () => closed);
  });
});
