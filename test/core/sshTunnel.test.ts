/**
 * SSH tunnels against real sshd processes of the test's own (Debian's
 * openssh-server): every auth method, host-key pinning and known_hosts, jump
 * hosts, a dropped tunnel coming back, and reference counting.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, ConnectionError } from '../../src/core/errors';
import { checkKnownHosts, hostKeyFingerprint } from '../../src/core/net/sshHostKeys';
import { directReach, tunnelReach } from '../../src/core/net/reach';
import { SshTunnels, type SshConfig, type SshSecrets, type SshTunnelOptions } from '../../src/core/net/sshTunnel';
import { OwnSshd, makeKeyPair, sshdAvailable, type KeyPair } from '../topology/sshTopology';
import { waitFor } from './helpers/common';

/** PING through a local endpoint to the shared Redis; resolves with the raw reply. */
function ping(endpoint: { host: string; port: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(endpoint, () => socket.write('PING\r\n'));
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.endsWith('\r\n')) {
        socket.end();
        resolve(got.trim());
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed before a reply (got "${got}")`)));
  });
}

describe('SSH tunnels (own sshd)', function () {
  this.timeout(60_000);
  let dir: string;
  let key: KeyPair;
  let lockedKey: KeyPair;
  let sshd: OwnSshd;
  let emptyKnownHosts: string;
  const tunnels = new SshTunnels();

  before(async function () {
    if (!sshdAvailable()) throw new Error('sshd is not installed: apt-get install openssh-server (.ci/run does it)');
    dir = mkdtempSync(join(tmpdir(), 'be-ssh-test-'));
    key = makeKeyPair(dir, 'plain');
    lockedKey = makeKeyPair(dir, 'locked', 'correct horse');
    sshd = await OwnSshd.start([key, lockedKey]);
    emptyKnownHosts = join(dir, 'known_hosts');
    writeFileSync(emptyKnownHosts, '');
  });

  after(async function () {
    tunnels.dispose();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until every tunnel has closed: the last connection through a forward closes a released tunnel a moment later. */
  async function allClosed(): Promise<void> {
    await waitFor('every released tunnel to close', () => tunnels.size === 0, 3_000, 20);
  }

  function options(secrets: SshSecrets = {}, extra: Partial<SshTunnelOptions> = {}): SshTunnelOptions {
    return { timeoutMs: 5_000, secrets: () => Promise.resolve(secrets), knownHostsPath: emptyKnownHosts, ...extra };
  }

  function bastion(extra: Partial<SshConfig> = {}): SshConfig {
    return {
      host: '127.0.0.1',
      port: sshd.port,
      username: sshd.keyUser,
      privateKeyPath: key.privateKeyPath,
      hostKey: sshd.hostKeyFingerprint,
      ...extra,
    };
  }

  it('forwards to Redis with key auth and a pinned host key', async function () {
    const tunnel = tunnels.acquire(bastion(), options());
    try {
      assert.equal(await ping(await tunnel.forward('127.0.0.1', 6379)), '+PONG');
    } finally {
      tunnel.release();
    }
  });

  it('logs in with an encrypted key and its passphrase, and says so when the passphrase is wrong', async function () {
    const good = tunnels.acquire(bastion({ privateKeyPath: lockedKey.privateKeyPath }), options({ passphrase: 'correct horse' }));
    try {
      assert.equal(await ping(await good.forward('127.0.0.1', 6379)), '+PONG');
    } finally {
      good.release();
    }
    await allClosed();
    const bad = tunnels.acquire(bastion({ privateKeyPath: lockedKey.privateKeyPath }), options({ passphrase: 'wrong' }));
    try {
      await assert.rejects(bad.ready(), (err: Error) => err instanceof AuthError && /passphrase is missing or wrong/.test(err.message));
    } finally {
      bad.release();
    }
  });

  it('logs in with a password (a throw-away user)', async function () {
    const user = sshd.addPasswordUser();
    const tunnel = tunnels.acquire(bastion({ username: user.username, privateKeyPath: undefined }), options({ password: user.password }));
    try {
      assert.equal(await ping(await tunnel.forward('127.0.0.1', 6379)), '+PONG');
    } finally {
      tunnel.release();
    }
    await allClosed();
    const wrong = tunnels.acquire(bastion({ username: user.username, privateKeyPath: undefined }), options({ password: 'not-it' }));
    try {
      await assert.rejects(
        wrong.ready(),
        (err: Error) => err instanceof AuthError && err.message.includes(`${user.username}@127.0.0.1:${sshd.port}`),
      );
    } finally {
      wrong.release();
    }
  });

  it('logs in through an ssh-agent', async function () {
    const agentDir = mkdtempSync(join(tmpdir(), 'be-agent-'));
    const socket = join(agentDir, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-a', socket], { encoding: 'utf8' });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      execFileSync('ssh-add', [key.privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
      process.env.SSH_AUTH_SOCK = socket;
      const tunnel = tunnels.acquire(bastion({ privateKeyPath: undefined, agent: true }), options());
      try {
        assert.equal(await ping(await tunnel.forward('127.0.0.1', 6379)), '+PONG');
      } finally {
        tunnel.release();
      }
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      if (pid > 0) process.kill(pid);
      rmSync(agentDir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown host key with the fingerprint to pin, and accepts it when the user does', async function () {
    const unpinned = tunnels.acquire(bastion({ hostKey: undefined }), options());
    try {
      await assert.rejects(
        unpinned.ready(),
        (err: Error) => err instanceof ConnectionError && err.message.includes(sshd.hostKeyFingerprint) && /pin it/.test(err.message),
      );
    } finally {
      unpinned.release();
    }
    const asked: string[] = [];
    const accepted = tunnels.acquire(
      bastion({ hostKey: undefined }),
      options({}, { onUnknownHostKey: (_hop, fp) => Promise.resolve(asked.push(fp) > 0) }),
    );
    try {
      assert.equal(await ping(await accepted.forward('127.0.0.1', 6379)), '+PONG');
      assert.deepEqual(asked, [sshd.hostKeyFingerprint]);
    } finally {
      accepted.release();
    }
    await allClosed();
  });

  it('counts a known_hosts entry as a pin, and refuses a changed key whether pinned or listed', async function () {
    const hostPub = execFileSync('cat', [`${sshd.hostKeyPath}.pub`], { encoding: 'utf8' })
      .trim()
      .split(' ');
    const knownHosts = join(dir, 'known_hosts_listed');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${hostPub[0]} ${hostPub[1]}\n`);
    const listed = tunnels.acquire(bastion({ hostKey: undefined }), options({}, { knownHostsPath: knownHosts }));
    try {
      assert.equal(await ping(await listed.forward('127.0.0.1', 6379)), '+PONG');
    } finally {
      listed.release();
    }
    await allClosed();
    const otherKey = makeKeyPair(dir, 'other-host');
    const wrongList = join(dir, 'known_hosts_wrong');
    writeFileSync(wrongList, `[127.0.0.1]:${sshd.port} ${otherKey.publicKey}\n`);
    const changedListed = tunnels.acquire(bastion({ hostKey: undefined }), options({}, { knownHostsPath: wrongList }));
    try {
      await assert.rejects(changedListed.ready(), /does not match .*Nothing was sent/);
    } finally {
      changedListed.release();
    }
    const pinnedWrong = tunnels.acquire(bastion({ hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), options());
    try {
      await assert.rejects(pinnedWrong.ready(), /has changed: it is SHA256:.*Nothing was sent/);
    } finally {
      pinnedWrong.release();
    }
  });

  it('says the SSH port is closed, naming it', async function () {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const tunnel = tunnels.acquire(bastion({ port: closed }), options());
    try {
      await assert.rejects(
        tunnel.ready(),
        (err: Error) => err instanceof ConnectionError && err.message.includes(`127.0.0.1:${closed}`) && /refused/.test(err.message),
      );
    } finally {
      tunnel.release();
    }
  });

  it('goes through a jump host to the bastion', async function () {
    const jump = await OwnSshd.start([key]);
    try {
      const config = bastion({
        jumpHosts: [
          {
            host: '127.0.0.1',
            port: jump.port,
            username: jump.keyUser,
            privateKeyPath: key.privateKeyPath,
            hostKey: jump.hostKeyFingerprint,
          },
        ],
      });
      const tunnel = tunnels.acquire(config, options());
      try {
        assert.equal(await ping(await tunnel.forward('127.0.0.1', 6379)), '+PONG');
        assert.equal(jump.sessionPids().length, 1, 'one session on the jump host');
        assert.equal(sshd.sessionPids().length >= 1, true, 'a session on the bastion');
      } finally {
        tunnel.release();
      }
    } finally {
      await jump.stop();
    }
  });

  it('comes back after its sshd session is killed, and closes with its last user', async function () {
    const config = bastion();
    const first = tunnels.acquire(config, options());
    const second = tunnels.acquire(config, options());
    assert.equal(first, second, 'one tunnel per chain');
    const local = await first.forward('127.0.0.1', 6379);
    assert.equal(await ping(local), '+PONG');
    assert.ok(sshd.killSessions() >= 1);
    let reply = '';
    for (let i = 0; i < 50 && reply !== '+PONG'; i++) {
      reply = await ping(local).catch(() => '');
      if (reply !== '+PONG') await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(reply, '+PONG', 'the same local endpoint answers again after the reconnect');
    first.release();
    assert.equal(await ping(local), '+PONG', 'still open while one user holds it');
    second.release();
    await allClosed();
    await assert.rejects(ping(local), /ECONNREFUSED|closed/);
  });

  it('keeps a released tunnel up while a connection through it is open, and closes it with that connection', async function () {
    const tunnel = tunnels.acquire(bastion(), options());
    const local = await tunnel.forward('127.0.0.1', 6379);
    const socket = net.connect(local);
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    const pong = async (): Promise<void> => {
      got = '';
      socket.write('PING\r\n');
      await waitFor('+PONG through the held connection', () => got === '+PONG\r\n', 5_000, 10);
    };
    try {
      await pong();
      tunnel.release();
      assert.deepEqual(tunnel.usage, { users: 0, connections: 1 });
      assert.equal(tunnels.size, 1, 'the open connection holds the tunnel');
      await pong();
    } finally {
      socket.destroy();
    }
    await allClosed();
    await assert.rejects(ping(local), /ECONNREFUSED|closed/);
  });

  it("reaches an address directly, or through the profile's bastion with the original name kept for TLS", async function () {
    const direct = await directReach({ name: 'd', connectTimeoutMs: 1000 }, '127.0.0.1', 6379);
    assert.deepEqual(
      { host: direct.host, port: direct.port, tunnelled: direct.tunnelled },
      { host: '127.0.0.1', port: 6379, tunnelled: false },
    );
    const reach = tunnelReach({ tunnels, secrets: () => Promise.resolve({}) });
    const profile = { name: 'behind', connectTimeoutMs: 5000, ssh: bastion() };
    const a = await reach(profile, 'localhost', 6379);
    const b = await reach(profile, 'localhost', 6379);
    assert.equal(a.tunnelled, true);
    assert.equal(a.servername, 'localhost');
    assert.equal(a.port, b.port, 'one forward per address');
    assert.notEqual(a.port, 6379);
    assert.equal(await ping(a), '+PONG');
    a.release();
    a.release(); // a second release of the same lease changes nothing
    assert.equal(tunnels.size, 1);
    b.release();
    await allClosed();
  });

  it('reads known_hosts like OpenSSH: hashed names, ports, negation and revoked keys', function () {
    const k = Buffer.from('host-key-blob');
    const other = Buffer.from('other-blob');
    const b64 = k.toString('base64');
    assert.equal(checkKnownHosts(`example.org ssh-ed25519 ${b64}\n`, 'example.org', 22, k), 'match');
    assert.equal(checkKnownHosts(`[example.org]:2222 ssh-ed25519 ${b64}\n`, 'example.org', 22, k), 'unknown');
    assert.equal(checkKnownHosts(`[example.org]:2222 ssh-ed25519 ${b64}\n`, 'example.org', 2222, k), 'match');
    assert.equal(checkKnownHosts(`*.org,!bad.org ssh-ed25519 ${b64}\n`, 'bad.org', 22, k), 'unknown');
    assert.equal(checkKnownHosts(`example.org ssh-ed25519 ${other.toString('base64')}\n`, 'example.org', 22, k), 'mismatch');
    assert.equal(checkKnownHosts(`@revoked example.org ssh-ed25519 ${b64}\n`, 'example.org', 22, k), 'mismatch');
    const salt = Buffer.from('0123456789abcdef0123');
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('example.org').digest('base64')}`;
    assert.equal(checkKnownHosts(`${hashed} ssh-ed25519 ${b64}\n`, 'example.org', 22, k), 'match');
    assert.match(hostKeyFingerprint(k), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
