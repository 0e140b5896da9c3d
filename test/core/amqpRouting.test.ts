/**
 * The topic matcher and route tester: exact semantics by table, then
 * checked against the broker's own routing on a throwaway binding set.
 */
import assert from 'node:assert/strict';
import type { AmqpSession } from '../../src/core/amqp/amqpSession';
import { publish } from '../../src/core/amqp/publisher';
import { testRoute } from '../../src/core/amqp/routeTester';
import { computeRoute, headersMatch, topicMatches, type RouteSource } from '../../src/core/amqp/topicMatcher';
import { bind, declareExchange, declareQueue } from '../../src/core/amqp/topology';
import { NotFoundError } from '../../src/core/errors';
import { TestVhost } from './helpers/amqpBroker';

interface Case {
  key: string;
  headers?: Record<string, unknown>;
}

/** Publishes every case (body = its index) and reads back which queues each reached. */
async function observeRouting(
  vh: TestVhost,
  session: AmqpSession,
  exchange: string,
  cases: readonly Case[],
  queues: readonly string[],
): Promise<string[][]> {
  const reached: string[][] = cases.map(() => []);
  for (const [i, c] of cases.entries()) {
    await publish(session, { exchange, routingKey: c.key, body: String(i), properties: c.headers ? { headers: c.headers } : {} });
  }
  const raw = await vh.raw();
  const ch = await raw.createChannel();
  for (const q of queues) {
    for (;;) {
      const msg = await ch.get(q, { noAck: true });
      if (msg === false) break;
      reached[Number(msg.content.toString())].push(q);
    }
  }
  await ch.close();
  return reached.map((r) => r.sort());
}

describe('topic matcher (exact AMQP semantics)', () => {
  const table: [string, string, boolean][] = [
    ['*.orange.*', 'quick.orange.rabbit', true],
    ['*.orange.*', 'quick.orange.male.rabbit', false],
    ['*.orange.*', 'orange', false],
    ['*.*.rabbit', 'lazy.pink.rabbit', true],
    ['lazy.#', 'lazy', true],
    ['lazy.#', 'lazy.orange.male.rabbit', true],
    ['lazy.#', 'lazyx', false],
    ['#', '', true],
    ['#', 'a.b.c', true],
    ['*', '', false],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['', '', true],
    ['', 'a', false],
    ['a.#.b', 'a.b', true],
    ['a.#.b', 'a.x.y.b', true],
    ['a.#.b', 'a.x.y.c', false],
    ['#.a.#', 'a', true],
    ['#.a.#', 'x.a.y', true],
    ['#.#', '', true],
    ['#.*', '', false],
    ['#.*', 'a', true],
    ['a..b', 'a..b', true],
    ['a.*.b', 'a..b', true],
    ['*.a', '.a', true],
    ['a.*', 'a.', true],
    ['a.*', 'a', false],
    ['a*', 'ab', false],
    ['a*', 'a*', true],
    ['a.#', 'a.', true],
  ];
  for (const [pattern, key, expected] of table) {
    it(`"${pattern}" ${expected ? 'matches' : 'does not match'} "${key}"`, () => {
      assert.equal(topicMatches(pattern, key), expected);
    });
  }

  it('headers: x-match all / any, x- arguments ignored, null means "present", types matter', () => {
    assert.equal(headersMatch({ 'x-match': 'all', a: 1, b: 'two' }, { a: 1, b: 'two', c: 3 }), true);
    assert.equal(headersMatch({ 'x-match': 'all', a: 1, b: 'two' }, { a: 1 }), false);
    assert.equal(headersMatch({ a: 1 }, { a: 1 }), true, 'all is the default');
    assert.equal(headersMatch({ 'x-match': 'any', a: 1, c: true }, { c: true }), true);
    assert.equal(headersMatch({ 'x-match': 'any', a: 1 }, { a: '1' }), false);
    assert.equal(headersMatch({ 'x-match': 'any' }, { a: 1 }), false);
    assert.equal(headersMatch({}, {}), true);
    assert.equal(headersMatch({ 'x-foo': 'bar' }, {}), true);
    assert.equal(headersMatch({ present: null }, { present: 'anything' }), true);
    assert.equal(headersMatch({ present: null }, {}), false);
  });

  it('follows exchange-to-exchange bindings once each, and uses the alternate exchange when nothing matched', async () => {
    const exchanges: Record<string, { type: string; arguments?: Record<string, unknown> }> = {
      front: { type: 'direct', arguments: { 'alternate-exchange': 'ae' } },
      mid: { type: 'fanout' },
      ae: { type: 'fanout' },
    };
    const bindings: Record<string, { destination: string; destinationType: 'queue' | 'exchange'; routingKey: string }[]> = {
      front: [
        { destination: 'mid', destinationType: 'exchange', routingKey: 'k' },
        { destination: 'q-front', destinationType: 'queue', routingKey: 'k2' },
      ],
      mid: [
        { destination: 'q-mid', destinationType: 'queue', routingKey: '' },
        { destination: 'front', destinationType: 'exchange', routingKey: '' },
      ],
      ae: [{ destination: 'q-ae', destinationType: 'queue', routingKey: '' }],
    };
    const source: RouteSource = {
      exchange: (name) => Promise.resolve(exchanges[name] ? { name, ...exchanges[name] } : undefined),
      bindings: (name) => Promise.resolve((bindings[name] ?? []).map((b) => ({ ...b, arguments: {} }))),
      queueExists: (name) => Promise.resolve(name === 'q-front'),
    };
    assert.deepEqual(await computeRoute(source, 'front', 'k'), { queues: ['q-mid'], exchanges: ['mid'], notes: [] });
    assert.deepEqual(await computeRoute(source, 'front', 'k2'), { queues: ['q-front'], exchanges: [], notes: [] });
    assert.deepEqual(await computeRoute(source, 'front', 'other'), { queues: ['q-ae'], exchanges: ['ae'], notes: [] });
    assert.deepEqual(await computeRoute(source, '', 'q-front'), { queues: ['q-front'], exchanges: [], notes: [] });
  });
});

describe('route tester against the broker (real RabbitMQ)', () => {
  let vh: TestVhost;
  let session: AmqpSession;

  before(async () => {
    vh = await TestVhost.create('routing');
    session = vh.session();
  });
  after(async () => {
    await vh.close();
  });

  it('computes, from the bindings alone, exactly the queues a topic exchange routes to', async () => {
    const patterns = [
      '',
      '#',
      '*',
      '#.#',
      '*.*',
      'a',
      'a.b',
      'a.*',
      'a.#',
      '#.b',
      '*.b',
      'a.#.b',
      'a.*.b',
      '*.#',
      '#.*',
      '#.a.#',
      'a..b',
      '.a',
      'a.',
      '*.',
      '.*',
      '#.',
      '.#',
      'a.*.#',
      '#.*.#',
      '*.*.*',
      'a*',
      'lazy.#',
      '*.orange.*',
    ];
    const keys = [
      '',
      'a',
      'b',
      'a.b',
      'a.a',
      'b.a',
      'a.b.c',
      'a.x.b',
      'a.x.y.b',
      'a..b',
      '.a',
      'a.',
      '.',
      '..',
      'x.a.y',
      'a.b.b',
      'a*',
      'lazy',
      'quick.orange.rabbit',
      'orange',
    ];
    await declareExchange(session, { name: 'topics', type: 'topic', durable: false });
    const queues = patterns.map((_, i) => `t${String(i).padStart(2, '0')}`);
    for (const [i, pattern] of patterns.entries()) {
      await declareQueue(session, { name: queues[i], durable: false });
      await bind(session, { source: 'topics', destination: queues[i], destinationType: 'queue', routingKey: pattern });
    }
    const cases = keys.map((key) => ({ key }));
    const observed = await observeRouting(vh, session, 'topics', cases, queues);
    for (const [i, key] of keys.entries()) {
      const computed = await testRoute(session.management(), vh.name, { exchange: 'topics', routingKey: key });
      assert.deepEqual(
        computed.queues,
        observed[i],
        `routing key "${key}": computed ${JSON.stringify(computed.queues.map((q) => patterns[queues.indexOf(q)]))}, broker ${JSON.stringify(observed[i].map((q) => patterns[queues.indexOf(q)]))}`,
      );
      // And the pure matcher agrees pattern by pattern.
      assert.deepEqual(
        queues.filter((_, j) => topicMatches(patterns[j], key)),
        observed[i],
      );
    }
  });

  it('computes headers routing (all / any / presence / x- arguments), exchange-to-exchange bindings and alternate exchanges as the broker does', async () => {
    await declareExchange(session, { name: 'hx', type: 'headers', durable: false });
    const headerBindings: [string, Record<string, unknown>][] = [
      ['h-all', { 'x-match': 'all', a: 1, b: 'two' }],
      ['h-any', { 'x-match': 'any', a: 1, c: true }],
      ['h-present', { 'x-match': 'all', present: null }],
      ['h-empty-all', {}],
      ['h-empty-any', { 'x-match': 'any' }],
      ['h-x-only', { 'x-match': 'all', 'x-foo': 'bar' }],
    ];
    for (const [q, args] of headerBindings) {
      await declareQueue(session, { name: q, durable: false });
      await bind(session, { source: 'hx', destination: q, destinationType: 'queue', arguments: args });
    }
    await declareExchange(session, { name: 'ae', type: 'fanout', durable: false });
    await declareExchange(session, { name: 'front', type: 'direct', durable: false, arguments: { 'alternate-exchange': 'ae' } });
    await declareExchange(session, { name: 'mid', type: 'fanout', durable: false });
    for (const q of ['e-front', 'e-mid', 'e-ae']) await declareQueue(session, { name: q, durable: false });
    await bind(session, { source: 'front', destination: 'mid', destinationType: 'exchange', routingKey: 'k' });
    await bind(session, { source: 'front', destination: 'e-front', destinationType: 'queue', routingKey: 'k2' });
    await bind(session, { source: 'front', destination: 'hx', destinationType: 'exchange', routingKey: 'h' });
    await bind(session, { source: 'mid', destination: 'e-mid', destinationType: 'queue' });
    await bind(session, { source: 'mid', destination: 'front', destinationType: 'exchange' }); // a cycle
    await bind(session, { source: 'ae', destination: 'e-ae', destinationType: 'queue' });

    const allQueues = [...headerBindings.map(([q]) => q), 'e-front', 'e-mid', 'e-ae'];
    const headerCases: Case[] = [
      { key: '', headers: { a: 1, b: 'two' } },
      { key: '', headers: { a: 1 } },
      { key: '', headers: { c: true } },
      { key: '', headers: { present: 'anything' } },
      { key: '', headers: {} },
      { key: '', headers: { a: '1' } },
      { key: '', headers: { a: 1, b: 'two', c: false } },
      { key: '', headers: { 'x-foo': 'zzz' } },
    ];
    const hxObserved = await observeRouting(vh, session, 'hx', headerCases, allQueues);
    for (const [i, c] of headerCases.entries()) {
      const computed = await testRoute(session.management(), vh.name, { exchange: 'hx', routingKey: c.key, headers: c.headers ?? {} });
      assert.deepEqual(computed.queues, hxObserved[i], `headers ${JSON.stringify(c.headers)}`);
    }
    const frontCases: Case[] = [{ key: 'k' }, { key: 'k2' }, { key: 'nothing' }, { key: 'h', headers: { a: 1, b: 'two' } }];
    const frontObserved = await observeRouting(vh, session, 'front', frontCases, allQueues);
    assert.deepEqual(frontObserved[0], ['e-mid']);
    assert.deepEqual(frontObserved[2], ['e-ae']);
    for (const [i, c] of frontCases.entries()) {
      const computed = await testRoute(session.management(), vh.name, { exchange: 'front', routingKey: c.key, headers: c.headers ?? {} });
      assert.deepEqual(computed.queues, frontObserved[i], `front with "${c.key}"`);
    }
    assert.deepEqual((await testRoute(session.management(), vh.name, { exchange: 'front', routingKey: 'nothing' })).exchanges, ['ae']);
    assert.deepEqual(
      (await testRoute(session.management(), vh.name, { exchange: 'front', routingKey: 'h', headers: { c: true } })).exchanges,
      ['hx'],
    );
  });

  it('the default exchange reaches the queue named by the routing key; a missing first exchange is an error', async () => {
    await declareQueue(session, { name: 'named', durable: false });
    assert.deepEqual(await testRoute(session.management(), vh.name, { exchange: '', routingKey: 'named' }), {
      queues: ['named'],
      exchanges: [],
      notes: [],
    });
    assert.deepEqual((await testRoute(session.management(), vh.name, { exchange: '', routingKey: 'unnamed' })).queues, []);
    await assert.rejects(testRoute(session.management(), vh.name, { exchange: 'no-such', routingKey: 'k' }), NotFoundError);
  });
});
