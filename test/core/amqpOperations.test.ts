import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { ManagementClient } from '../../src/core/amqp/managementClient';
import { brokerOverview, listChannels, listConsumers } from '../../src/core/amqp/managementBrowse';
import {
  deletePolicy,
  deleteUser,
  listAccess,
  listPolicies,
  listUsers,
  setPermissions,
  setPolicy,
  setUser,
} from '../../src/core/amqp/managementAdmin';
import { AuthError, InputError, ReadOnlyError } from '../../src/core/errors';
import { mgmt, PASSWORD, TestVhost, waitFor } from './helpers/amqpBroker';

describe('RabbitMQ operations through the management API (real RabbitMQ)', function () {
  this.timeout(60_000);
  let vh: TestVhost;
  let m: ManagementClient;
  let raw: ChannelModel;
  const user = `be-test-user-${randomBytes(4).toString('hex')}`;

  before(async () => {
    vh = await TestVhost.create('ops');
    m = new ManagementClient(vh.profile(), PASSWORD);
    raw = await vh.raw('ops consumer');
    const ch = await raw.createChannel();
    await ch.prefetch(7);
    await ch.assertQueue('ops.q');
    await ch.consume('ops.q', () => undefined, { consumerTag: 'ops-tag' });
  });
  after(async () => {
    m.dispose();
    await mgmt('DELETE', `/api/users/${encodeURIComponent(user)}`);
    await vh.close();
  });

  it("lists the vhost's connections, channels (prefetch, unacked) and consumers (with their queue)", async () => {
    const connections = await waitFor('the connection listed', async () => {
      const page = await m.listConnections({ vhost: vh.name });
      return page.items.some((c) => c.clientName === 'ops consumer') ? page : undefined;
    });
    assert.equal(connections.items.find((c) => c.clientName === 'ops consumer')?.user, 'guest');
    const channels = await waitFor(
      'the channel listed',
      async () => {
        const page = await listChannels(m, { vhost: vh.name });
        // The broker samples channel statistics every few seconds.
        return page.items[0]?.consumers === 1 && page.items[0].prefetch === 7 ? page : undefined;
      },
      20_000,
    );
    assert.equal(channels.items[0]?.prefetch, 7);
    assert.equal(channels.items[0]?.unacked, 0);
    assert.equal(channels.items[0]?.consumers, 1);
    const consumers = await waitFor(
      'the consumer listed',
      async () => {
        const page = await listConsumers(m, { vhost: vh.name });
        return page.items.length > 0 ? page : undefined;
      },
      20_000,
    );
    assert.deepEqual(
      consumers.items.map((c) => [c.queue, c.consumerTag, c.prefetch, c.ackRequired]),
      [['ops.q', 'ops-tag', 7, true]],
    );
    const everywhere = await listConsumers(m, { filter: 'ops-tag' });
    assert.ok(everywhere.items.some((c) => c.vhost === vh.name));
  });

  it('the overview gives versions, totals, the AMQP listener and no alarms', async () => {
    const o = await brokerOverview(m);
    assert.match(o.rabbitmqVersion ?? '', /^\d+\.\d+/);
    assert.ok(o.clusterName);
    assert.ok(o.listeners.some((l) => l.protocol === 'amqp' && l.port === 5672));
    assert.ok((o.objectTotals.connections ?? 0) >= 1);
    assert.deepEqual(o.alarms, []);
  });

  it('closing a connection with a reason ends it, and a read-only profile refuses', async () => {
    const victim = await connect(`amqp://guest:${PASSWORD}@127.0.0.1:5672/${encodeURIComponent(vh.name)}`, {
      clientProperties: { connection_name: 'ops victim' },
    });
    const closed = new Promise<string>((resolve) => victim.on('close', (err: unknown) => resolve(String(err))));
    victim.on('error', () => undefined);
    const name = await waitFor(
      'the victim listed',
      async () => (await m.listConnections({ vhost: vh.name })).items.find((c) => c.clientName === 'ops victim')?.name,
    );
    const ro = new ManagementClient(vh.profile({ name: 'ro', readOnly: true }), PASSWORD);
    await assert.rejects(ro.closeConnection(name, { reason: 'no' }), ReadOnlyError);
    ro.dispose();
    await m.closeConnection(name, { reason: 'maintenance window' });
    assert.match(await closed, /maintenance window/);
  });

  it('sets a policy and an operator policy, the queue shows both, and deletes them', async () => {
    await setPolicy(m, {
      vhost: vh.name,
      name: 'cap',
      pattern: '^ops\\.',
      applyTo: 'queues',
      definition: { 'max-length': 1000, overflow: 'reject-publish' },
    });
    await setPolicy(m, { vhost: vh.name, name: 'ttl', pattern: '^ops\\.', definition: '{ "message-ttl": 60000 }', operator: true });
    const policies = await listPolicies(m, vh.name);
    assert.deepEqual(
      policies.items.map((p) => [p.name, p.operator, p.applyTo]),
      [
        ['cap', false, 'queues'],
        ['ttl', true, 'all'],
      ],
    );
    const q = await waitFor('the queue to show its policy', async () => {
      const info = await m.getQueue(vh.name, 'ops.q');
      return info.policy === 'cap' && info.operatorPolicy === 'ttl' ? info : undefined;
    });
    assert.equal(q.effectivePolicy?.['max-length'], 1000);
    await deletePolicy(m, { vhost: vh.name, name: 'cap' });
    await deletePolicy(m, { vhost: vh.name, name: 'ttl', operator: true });
    assert.equal((await listPolicies(m, vh.name)).total, 0);
  });

  it('refuses a bad policy before anything is sent, and on a read-only profile', async () => {
    const bad = (definition: unknown, extra: Record<string, unknown> = {}): Promise<void> =>
      setPolicy(m, { vhost: vh.name, name: 'bad', pattern: '.*', definition, ...extra });
    await assert.rejects(bad({ 'max-lenght': 5 }), /The policy key "max-lenght" is not one RabbitMQ knows/);
    await assert.rejects(bad({ 'max-length': -1 }), /must be a whole number from 0/);
    await assert.rejects(bad({ overflow: 'explode' }), /must be one of drop-head/);
    await assert.rejects(bad('{nope'), /not valid JSON/);
    await assert.rejects(bad({ 'dead-letter-exchange': 'dlx' }, { operator: true }), /cannot be set by an operator policy/);
    await assert.rejects(bad({ 'max-length': 1 }, { pattern: '(' }), /not a valid regular expression/);
    await assert.rejects(bad({ 'ha-mode': 'exactly' }), /needs "ha-params"/);
    const ro = new ManagementClient(vh.profile({ name: 'ro', readOnly: true }), PASSWORD);
    await assert.rejects(setPolicy(ro, { vhost: vh.name, name: 'x', pattern: '.*', definition: { 'max-length': 1 } }), ReadOnlyError);
    ro.dispose();
    assert.equal((await listPolicies(m, vh.name)).total, 0);
  });

  it('creates a user whose password works, grants it the vhost, lists it, and deletes it', async () => {
    await setUser(m, { name: user, password: 's3cret-pw', tags: ['management'] });
    await setPermissions(m, { vhost: vh.name, user, configure: '', write: '^ops\\.', read: '.*' });
    const login = await connect(`amqp://${user}:s3cret-pw@127.0.0.1:5672/${encodeURIComponent(vh.name)}`);
    await login.close();
    assert.deepEqual((await listUsers(m, { filter: user })).items, [{ name: user, tags: ['management'] }]);
    const access = await listAccess(m, vh.name);
    assert.deepEqual(
      access.permissions.find((p) => p.user === user),
      { user, vhost: vh.name, configure: '', write: '^ops\\.', read: '.*' },
    );
    // Tags change, the password stays.
    await setUser(m, { name: user, tags: ['management', 'monitoring'] });
    await (await connect(`amqp://${user}:s3cret-pw@127.0.0.1:5672/${encodeURIComponent(vh.name)}`)).close();

    const notAdmin = new ManagementClient(
      vh.profile({ name: 'mine', url: `amqp://${user}@127.0.0.1:5672/${encodeURIComponent(vh.name)}` }),
      's3cret-pw',
    );
    await assert.rejects(
      listUsers(notAdmin),
      (err: unknown) =>
        err instanceof AuthError &&
        /^Listing users on profile "mine" needs a user with the "administrator" tag, and user "be-test-user-/.test(err.message),
    );
    notAdmin.dispose();
    await assert.rejects(setUser(m, { name: 'be-no-such-user-x', tags: [] }), /give a password to create it/);
    await assert.rejects(deleteUser(m, 'guest'), InputError);
    await deleteUser(m, user);
    await assert.rejects(deleteUser(m, user), /does not exist/);
  });
});
