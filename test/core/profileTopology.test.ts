import assert from 'node:assert/strict';
import { resolveRabbitProfile, resolveRedisProfile, secretKey } from '../../src/core/profiles';

describe('profile topologies: cluster seeds, sentinels, RabbitMQ node lists', () => {
  it('a cluster profile takes its seeds, names the first as host:port and keeps db 0', () => {
    const p = resolveRedisProfile({ name: 'c', mode: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }, '10.0.0.2:7001'] });
    assert.equal(p.mode, 'cluster');
    assert.deepEqual(p.nodes, [
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    assert.equal(p.host, '10.0.0.1');
    assert.equal(p.port, 7000);
    assert.equal(p.db, 0);
  });

  it('a cluster profile without nodes uses host:port as its one seed', () => {
    const p = resolveRedisProfile({ name: 'c', mode: 'cluster', host: '10.0.0.9', port: 7005 });
    assert.deepEqual(p.nodes, [{ host: '10.0.0.9', port: 7005 }]);
  });

  it('refuses a database other than 0 on a cluster, with a sentence naming the field', () => {
    assert.throws(() => resolveRedisProfile({ name: 'c', mode: 'cluster', db: 3, nodes: ['a:1'] }), /only database 0, not 3: remove "db"/);
  });

  it('a sentinel profile needs its sentinels and the primary name', () => {
    const p = resolveRedisProfile({
      name: 's',
      mode: 'sentinel',
      sentinels: ['10.0.0.1', '10.0.0.2:26380'],
      sentinelName: 'mymaster',
      db: 2,
    });
    assert.deepEqual(p.sentinels, [
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
    ]);
    assert.equal(p.sentinelName, 'mymaster');
    assert.equal(p.db, 2);
    assert.equal(p.host, '10.0.0.1');
    assert.throws(() => resolveRedisProfile({ name: 's', mode: 'sentinel', sentinels: ['a'] }), /"sentinelName" is missing/);
    assert.throws(() => resolveRedisProfile({ name: 's', mode: 'sentinel', sentinelName: 'm' }), /"sentinels" must be a list/);
    assert.throws(
      () => resolveRedisProfile({ name: 's', mode: 'sentinel', sentinelName: 'm', sentinels: [{ host: 'a', port: 0 }] }),
      /"sentinels\[0\]": The port 0/,
    );
  });

  it('refuses fields of another mode and unknown modes', () => {
    assert.throws(() => resolveRedisProfile({ name: 'x', nodes: ['a:1'] }), /"nodes" belongs to mode "cluster"/);
    assert.throws(() => resolveRedisProfile({ name: 'x', sentinelName: 'm' }), /"sentinelName" belongs to mode "sentinel"/);
    assert.throws(() => resolveRedisProfile({ name: 'x', mode: 'replica' }), /"mode" "replica" is not a mode/);
  });

  it('binds secrets to every seed and sentinel, and keeps the standalone key unchanged', () => {
    const standalone = resolveRedisProfile({ name: 'prod', host: 'a', port: 1 });
    assert.equal(secretKey(standalone), 'brokerExplorer.password:["redis","prod","a",1,""]');
    const c1 = resolveRedisProfile({ name: 'prod', mode: 'cluster', nodes: ['a:1', 'b:2'] });
    const c2 = resolveRedisProfile({ name: 'prod', mode: 'cluster', nodes: ['a:1', 'evil:2'] });
    assert.notEqual(secretKey(c1), secretKey(c2));
    assert.notEqual(secretKey(c1), secretKey(standalone));
    const s1 = resolveRedisProfile({ name: 'prod', mode: 'sentinel', sentinels: ['a:1', 'b:2'], sentinelName: 'm' });
    const s2 = resolveRedisProfile({ name: 'prod', mode: 'sentinel', sentinels: ['a:1', 'b:2'], sentinelName: 'other' });
    assert.notEqual(secretKey(s1), secretKey(s2));
    assert.notEqual(secretKey(s1, 'sentinel'), secretKey(s1, 'password'));
  });

  it('a RabbitMQ profile takes a node list with one management URL per node by default', () => {
    const p = resolveRabbitProfile({ name: 'r', urls: ['amqp://u@h1:5672/v', 'amqp://u@h2:5673/v'] });
    assert.deepEqual(p.urls, ['amqp://u@h1:5672/v', 'amqp://u@h2:5673/v']);
    assert.equal(p.url, 'amqp://u@h1:5672/v');
    assert.equal(p.host, 'h1');
    assert.equal(p.vhost, 'v');
    assert.deepEqual(p.managementUrls, ['http://h1:15672', 'http://h2:15672']);
    assert.equal(p.managementUrl, 'http://h1:15672');
    const single = resolveRabbitProfile({ name: 'r' });
    assert.deepEqual(single.urls, [single.url]);
    assert.deepEqual(single.managementUrls, [single.managementUrl]);
  });

  it('refuses node lists that mix users or vhosts, and both url and urls', () => {
    assert.throws(() => resolveRabbitProfile({ name: 'r', urls: ['amqp://u@h1/v', 'amqp://w@h2/v'] }), /"urls\[1\]" has another user/);
    assert.throws(() => resolveRabbitProfile({ name: 'r', url: 'amqp://u@h1/v', urls: ['amqp://u@h1/v'] }), /either "url" or "urls"/);
    assert.throws(() => resolveRabbitProfile({ name: 'r', urls: [] }), /"urls" must be a list/);
    assert.throws(() => resolveRabbitProfile({ name: 'r', managementUrls: ['ftp://x'] }), /must start with http/);
  });

  it('binds a RabbitMQ secret to every node of the list', () => {
    const one = resolveRabbitProfile({ name: 'r', url: 'amqp://u@h1/' });
    const two = resolveRabbitProfile({ name: 'r', urls: ['amqp://u@h1/', 'amqp://u@h2/'] });
    const other = resolveRabbitProfile({ name: 'r', urls: ['amqp://u@h1/', 'amqp://u@evil/'] });
    assert.equal(secretKey(one), 'brokerExplorer.password:["rabbitmq","r","h1",5672,"u"]');
    assert.notEqual(secretKey(two), secretKey(one));
    assert.notEqual(secretKey(two), secretKey(other));
  });
});
