/**
 * A RabbitMQ node list behind an SSH bastion: every AMQP URL and every
 * management URL gets a forward of its own, so failing over to the next
 * node works through the tunnel as it does directly. The first node of the
 * list is a closed port here; the second is the shared broker.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { ManagementClient } from '../../src/core/amqp/managementClient';
import { reachProfile, tunnelReach } from '../../src/core/net/reach';
import { SshTunnels } from '../../src/core/net/sshTunnel';
import { resolveRabbitProfile, type ResolvedRabbitProfile } from '../../src/core/profiles';
import { OwnSshd, makeKeyPair, sshdAvailable, type KeyPair } from '../topology/sshTopology';
import { freePort } from './helpers/common';

describe('a RabbitMQ node list behind an SSH bastion (own sshd, shared broker as the second node)', function () {
  this.timeout(60_000);
  let dir: string;
  let key: KeyPair;
  let sshd: OwnSshd;
  const tunnels = new SshTunnels();

  before(async function () {
    if (!sshdAvailable()) throw new Error('sshd is not installed: apt-get install openssh-server (.ci/run does it)');
    dir = mkdtempSync(join(tmpdir(), 'be-ssh-rabbit-'));
    key = makeKeyPair(dir, 'plain');
    sshd = await OwnSshd.start([key]);
    writeFileSync(join(dir, 'known_hosts'), '');
  });

  after(async function () {
    tunnels.dispose();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function clusterProfile(): Promise<ResolvedRabbitProfile> {
    const closedAmqp = await freePort();
    const closedHttp = await freePort();
    return resolveRabbitProfile({
      name: 'behind-bastion',
      urls: [`amqp://guest@127.0.0.1:${closedAmqp}/`, 'amqp://guest@127.0.0.1:5672/'],
      managementUrls: [`http://127.0.0.1:${closedHttp}`, 'http://127.0.0.1:15672'],
      connectTimeoutMs: 5_000,
      ssh: {
        host: '127.0.0.1',
        port: sshd.port,
        username: sshd.keyUser,
        privateKeyPath: key.privateKeyPath,
        hostKey: sshd.hostKeyFingerprint,
      },
    });
  }

  it('forwards every node and management URL, and fails over to the second node through the tunnel', async () => {
    const profile = await clusterProfile();
    const reach = tunnelReach<ResolvedRabbitProfile>({
      tunnels,
      secrets: () => Promise.resolve({}),
      knownHostsPath: join(dir, 'known_hosts'),
    });
    const reached = await reachProfile(reach, profile);
    try {
      assert.equal(reached.profile.urlVias?.length, 2, 'one forward per AMQP URL');
      assert.equal(reached.profile.managementVias?.length, 2, 'one forward per management URL');
      for (const via of [...(reached.profile.urlVias ?? []), ...(reached.profile.managementVias ?? [])]) {
        assert.equal(via.host, '127.0.0.1');
        assert.ok(![5672, 15672].includes(via.port), `a local forward, not the broker's own port (${via.port})`);
      }
      const session = new AmqpSession(reached.profile, { password: 'guest' });
      try {
        const { model, node } = await session.openNodeConnection('ssh-failover-test');
        assert.equal(node.index, 1, 'the closed first node was skipped');
        assert.equal(node.address, '127.0.0.1:5672', 'messages name the node, not the forward');
        const channel = await model.createChannel();
        const q = await channel.assertQueue('', { exclusive: true });
        assert.match(q.queue, /^amq\.gen-/);
        await model.close();
      } finally {
        await session.close();
      }
      const management = new ManagementClient(reached.profile, 'guest');
      try {
        const vhosts = await management.list({ kind: 'vhosts' });
        assert.ok(vhosts.items.some((v) => v.name === '/'));
        assert.equal(management.activeManagementUrl, 'http://127.0.0.1:15672');
      } finally {
        management.dispose();
      }
    } finally {
      reached.release();
    }
  });
});
