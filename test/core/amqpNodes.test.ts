/**
 * Several URLs on one profile without a cluster: closed ports and a server
 * answering HTTP 503 in front of the shared broker, to check which failures
 * hand a call to the next URL (refused, no answer) and which are answers
 * (any HTTP status, a refused login). The cluster itself is amqpCluster.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { amqpNodes, connectAnyNode } from '../../src/core/amqp/amqpNodes';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { AuthError, BrokerError, ConnectionError, NotFoundError } from '../../src/core/errors';
import { managementOverview } from '../../src/core/tcp/rabbitChecks';
import { MANAGEMENT_URL, PASSWORD, TestVhost } from './helpers/amqpBroker';
import { freePort } from './helpers/common';

describe('several RabbitMQ URLs on one profile (closed ports in front of the shared broker)', () => {
  let vh: TestVhost;
  let closed: number;
  let closedUrl: string;
  let busy: Server;
  let busyUrl: string;

  before(async () => {
    vh = await TestVhost.create('nodes');
    closed = await freePort();
    closedUrl = `amqp://guest@127.0.0.1:${closed}/${encodeURIComponent(vh.name)}`;
    busy = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'busy', reason: 'the test says so' }));
    });
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyUrl = `http://127.0.0.1:${(busy.address() as AddressInfo).port}`;
  });
  after(async () => {
    await vh.close();
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  });

  function brokerUrl(): string {
    return `amqp://guest@127.0.0.1:5672/${encodeURIComponent(vh.name)}`;
  }

  it('connects to the first URL that answers and says which node it is on', async () => {
    const profile = vh.profile({ url: undefined, urls: [closedUrl, brokerUrl()] });
    assert.deepEqual(
      amqpNodes(profile).map((n) => n.address),
      [`127.0.0.1:${closed}`, '127.0.0.1:5672'],
    );
    const { model, node } = await connectAnyNode(profile, { password: PASSWORD });
    await model.close();
    assert.equal(node.index, 1);
    const s = new AmqpSession(profile, { password: PASSWORD });
    try {
      await s.connection();
      assert.equal(s.connectedNode, '127.0.0.1:5672');
    } finally {
      await s.close();
    }
  });

  it('starts at the node it is told to and goes round the list from there', async () => {
    const profile = vh.profile({ url: undefined, urls: [brokerUrl(), closedUrl] });
    const { model, node } = await connectAnyNode(profile, { password: PASSWORD, startAt: 1 });
    await model.close();
    assert.equal(node.index, 0, 'after the closed node 1 it wraps round to node 0');
  });

  it('a refused login is final: the next node is not tried', async () => {
    const profile = vh.profile({ url: undefined, urls: [brokerUrl(), closedUrl] });
    await assert.rejects(connectAnyNode(profile, { password: 'wrong' }), (err: unknown) => {
      assert.ok(err instanceof AuthError, String(err));
      assert.doesNotMatch(err.message, /every node/);
      return true;
    });
  });

  it('the management client goes on to the next URL when one is refused, and stays with the one that answered', async () => {
    const s = vh.session({ managementUrl: undefined, managementUrls: [`http://127.0.0.1:${closed}`, MANAGEMENT_URL] });
    const m = s.management();
    const vhost = await m.getVhost(vh.name);
    assert.equal(vhost.name, vh.name);
    assert.equal(m.activeManagementUrl, MANAGEMENT_URL);
    // A 404 is an answer: it is not handed to another URL.
    await assert.rejects(m.getQueue(vh.name, 'no-such-queue'), NotFoundError);
    assert.equal(m.activeManagementUrl, MANAGEMENT_URL);
  });

  it('an HTTP error is an answer, not a reason to try the next management URL', async () => {
    const m = vh.session({ managementUrl: undefined, managementUrls: [busyUrl, MANAGEMENT_URL] }).management();
    await assert.rejects(m.overview(), (err: unknown) => {
      assert.ok(err instanceof BrokerError, String(err));
      assert.match(err.message, /HTTP 503 \(the test says so\)/);
      return true;
    });
    assert.equal(m.activeManagementUrl, busyUrl);
  });

  it('when no management URL answers, one sentence names each of them', async () => {
    const other = await freePort();
    const m = vh
      .session({ managementUrl: undefined, managementUrls: [`http://127.0.0.1:${closed}`, `http://127.0.0.1:${other}`] })
      .management();
    await assert.rejects(m.overview(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /failed on every management URL/);
      assert.ok(err.message.includes(`http://127.0.0.1:${closed}`) && err.message.includes(`http://127.0.0.1:${other}`), err.message);
      assert.equal(err.message.split('\n').length, 1);
      return true;
    });
  });

  it("Test Connection's management check uses the first management URL that can be reached", async () => {
    const profile = vh.profile({ managementUrl: undefined, managementUrls: [`http://127.0.0.1:${closed}`, MANAGEMENT_URL] });
    const o = await managementOverview(profile, PASSWORD, 3_000);
    assert.equal(o.answeredBy, MANAGEMENT_URL);
    assert.ok(o.rabbitmqVersion);
    const none = vh.profile({ managementUrl: undefined, managementUrls: [`http://127.0.0.1:${closed}`, `http://127.0.0.1:${closed}/x`] });
    await assert.rejects(managementOverview(none, PASSWORD, 3_000), (err: unknown) => {
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /^No management API of RabbitMQ profile "test" could be reached: /);
      return true;
    });
  });
});
