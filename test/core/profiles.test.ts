import assert from 'node:assert/strict';
import {
  mergeProfiles,
  parseAmqpUrl,
  parseRedisUrl,
  redactText,
  redactUrl,
  resolveRabbitProfile,
  resolveRedisProfile,
  secretKey,
  stripPassword,
} from '../../src/core/profiles';

describe('profiles', () => {
  it('resolves a Redis profile from a URL and lets explicit fields win', () => {
    const p = resolveRedisProfile({ name: 'a', url: 'rediss://bob@example.com:6380/3', port: 7000 });
    assert.equal(p.host, 'example.com');
    assert.equal(p.port, 7000);
    assert.equal(p.db, 3);
    assert.equal(p.username, 'bob');
    assert.equal(p.tls?.enabled, true);
    assert.equal(p.connectTimeoutMs, 10_000);
    assert.equal(p.delimiter, ':');
  });

  for (const [field, value, expected] of [
    ['port', 0, /out of range/],
    ['port', 70000, /out of range/],
    ['port', 'text', /not a number/],
    ['host', 'a host', /spaces/],
    ['db', -1, /not valid/],
    ['connectTimeoutMs', 5, /connect timeout/],
  ] as const) {
    it(`refuses ${field} = ${JSON.stringify(value)} with a sentence naming the profile`, () => {
      assert.throws(
        () => resolveRedisProfile({ name: 'bad', [field]: value }),
        (err: Error) => err.message.startsWith('Profile "bad"') && expected.test(err.message),
      );
    });
  }

  it('refuses a password in settings or in a saved URL', () => {
    assert.throws(() => resolveRedisProfile({ name: 'p', password: 'x' }), /secret storage/);
    assert.throws(() => resolveRedisProfile({ name: 'p', url: 'redis://:sekrit@h:1' }), /holds a password/);
    assert.throws(() => resolveRabbitProfile({ name: 'p', url: 'amqp://u:sekrit@h/' }), /holds a password/);
  });

  it('parses URLs with passwords, and strips and redacts them', () => {
    const r = parseRedisUrl('redis://alice:s%40cret@127.0.0.1:6390/2');
    assert.deepEqual(r, { host: '127.0.0.1', port: 6390, db: 2, username: 'alice', password: 's@cret', tls: false });
    const a = parseAmqpUrl('amqp://u:p@h:5673/%2Fv');
    assert.equal(a.vhost, '/v');
    assert.equal(parseAmqpUrl('amqp://guest@127.0.0.1:5672/').vhost, '/');
    assert.equal(stripPassword('amqp://u:p@h:5673/v'), 'amqp://u@h:5673/v');
    assert.equal(redactUrl('redis://alice:sekrit@h:1/0'), 'redis://alice:***@h:1/0');
    const text = redactText('failed amqp://u:sekrit@h/ with sekrit inside', ['sekrit']);
    assert.ok(!text.includes('sekrit'), text);
  });

  it('derives the management URL from the AMQP URL', () => {
    const p = resolveRabbitProfile({ name: 'r', url: 'amqp://guest@10.0.0.1/' });
    assert.equal(p.managementUrl, 'http://10.0.0.1:15672');
    assert.equal(p.vhost, '/');
  });

  it('merges by name with the workspace winning, and ignores workspace profiles when untrusted', () => {
    const g = [{ name: 'prod', host: 'a' }, { name: 'dev' }];
    const w = [
      { name: 'prod', host: 'b' },
      { name: 'x', port: 0 },
    ];
    const trusted = mergeProfiles(g, w, true, resolveRedisProfile);
    assert.equal(trusted.profiles.find((p) => p.name === 'prod')?.host, 'b');
    assert.equal(trusted.problems.length, 1);
    assert.match(trusted.problems[0].message, /Profile "x"/);
    const untrusted = mergeProfiles(g, w, false, resolveRedisProfile);
    assert.equal(untrusted.profiles.find((p) => p.name === 'prod')?.host, 'a');
  });

  it('binds the secret to kind, name, host, port and user', () => {
    const a = resolveRedisProfile({ name: 'prod', host: 'a' });
    const b = resolveRedisProfile({ name: 'prod', host: 'b' });
    const c = resolveRedisProfile({ name: 'prod', host: 'a', username: 'u' });
    assert.notEqual(secretKey(a), secretKey(b));
    assert.notEqual(secretKey(a), secretKey(c));
    assert.equal(secretKey(a), secretKey(resolveRedisProfile({ name: 'prod', host: 'A' })));
  });

  it('keeps the password key of a profile without SSH as it always was', () => {
    const p = resolveRedisProfile({ name: 'prod', host: 'a', port: 6380, username: 'u' });
    assert.equal(secretKey(p), 'brokerExplorer.password:["redis","prod","a",6380,"u"]');
  });

  const pin = 'SHA256:WK5+8QtYGCtIOuimlWeYdKPAu7XiDw2dwqFfW88kG58';

  it('reads an SSH bastion with jump hosts, and refuses secrets and bad pins in settings', () => {
    const p = resolveRabbitProfile({
      name: 'prod',
      url: 'amqp://app@10.0.0.5:5672/',
      ssh: {
        host: 'bastion.example.com',
        username: 'ops',
        hostKey: pin,
        jumpHosts: [{ host: 'edge.example.com', port: 2222, username: 'ops', agent: true }],
      },
    });
    assert.deepEqual(p.ssh, {
      host: 'bastion.example.com',
      username: 'ops',
      hostKey: pin,
      jumpHosts: [{ host: 'edge.example.com', port: 2222, username: 'ops', agent: true }],
    });
    assert.throws(
      () => resolveRedisProfile({ name: 'x', ssh: { host: 'b', username: 'u', password: 'p' } }),
      /holds a secret: remove it and use "Set Password"/,
    );
    assert.throws(() => resolveRedisProfile({ name: 'x', ssh: { host: 'b' } }), /"ssh.username" is missing/);
    assert.throws(
      () => resolveRedisProfile({ name: 'x', ssh: { host: 'b', username: 'u', hostKey: 'md5:aa' } }),
      /SHA256 fingerprint as OpenSSH prints it/,
    );
    assert.throws(
      () => resolveRedisProfile({ name: 'x', ssh: { host: 'b c', username: 'u' } }),
      /"ssh.host": The host "b c" contains spaces/,
    );
    assert.throws(
      () => resolveRedisProfile({ name: 'x', ssh: { host: 'b', username: 'u', jumpHosts: [{ host: 'j', username: 'u', port: 0 }] } }),
      /"ssh.jumpHosts\[0\].port"/,
    );
  });

  it("binds every secret to the SSH chain too, so a workspace bastion never receives prod's password", () => {
    const direct = resolveRedisProfile({ name: 'prod', host: '10.0.0.5' });
    const viaOurs = resolveRedisProfile({ name: 'prod', host: '10.0.0.5', ssh: { host: 'bastion', username: 'ops' } });
    const viaTheirs = resolveRedisProfile({ name: 'prod', host: '10.0.0.5', ssh: { host: 'evil', username: 'ops' } });
    const viaJump = resolveRedisProfile({
      name: 'prod',
      host: '10.0.0.5',
      ssh: { host: 'bastion', username: 'ops', jumpHosts: [{ host: 'j', username: 'x' }] },
    });
    const keys = [direct, viaOurs, viaTheirs, viaJump].map((p) => secretKey(p));
    assert.equal(new Set(keys).size, 4);
    assert.notEqual(secretKey(viaOurs, 'ssh'), secretKey(viaOurs, 'password'));
    assert.notEqual(secretKey(viaOurs, 'ssh'), secretKey(viaTheirs, 'ssh'));
    assert.notEqual(secretKey(viaOurs, 'sshPassphrase'), secretKey(viaOurs, 'ssh'));
    assert.equal(
      secretKey(viaOurs, 'ssh'),
      secretKey(resolveRedisProfile({ name: 'prod', host: '10.0.0.5', ssh: { host: 'BASTION', username: 'ops', port: 22 } }), 'ssh'),
    );
  });
});
