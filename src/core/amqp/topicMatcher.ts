import * as l10n from '@vscode/l10n';
/**
 * AMQP routing as RabbitMQ does it, computed from bindings: exact topic
 * semantics (words split on ".", `*` exactly one word, `#` zero or more,
 * empty words are words, the empty key has no words), direct, fanout and
 * headers (x-match all / any, `x-` arguments ignored, a void argument
 * matching presence), exchange-to-exchange bindings followed with cycle
 * detection, and alternate exchanges.
 */

/** The words of a routing key or binding pattern ("" has none; "a..b" has an empty middle word). */
export function topicWords(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

/** Compiles a topic binding pattern to a matcher over routing keys. */
export function compileTopicPattern(pattern: string): (routingKey: string) => boolean {
  const p = topicWords(pattern);
  // Adjacent "#" words match the same as one.
  const words = p.filter((w, i) => !(w === '#' && p[i - 1] === '#'));
  return (routingKey: string): boolean => {
    const k = topicWords(routingKey);
    // reachable[j]: pattern prefix so far can consume exactly the first j words of the key.
    let reachable: boolean[] = new Array<boolean>(k.length + 1).fill(false);
    reachable[0] = true;
    for (const w of words) {
      const next: boolean[] = new Array<boolean>(k.length + 1).fill(false);
      if (w === '#') {
        let any = false;
        for (let j = 0; j <= k.length; j++) {
          any = any || reachable[j] === true;
          next[j] = any;
        }
      } else {
        for (let j = 0; j < k.length; j++) {
          if (reachable[j] && (w === '*' || w === k[j])) next[j + 1] = true;
        }
      }
      reachable = next;
    }
    return reachable[k.length] === true;
  };
}

/** True when the topic binding `pattern` matches `routingKey`. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  return compileTopicPattern(pattern)(routingKey);
}

function unwrap(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && '!' in value && 'value' in value) {
    return (value as { value: unknown }).value;
  }
  return value;
}

function sameValue(a: unknown, b: unknown): boolean {
  const x = unwrap(a);
  const y = unwrap(b);
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  return canonicalJson(x) === canonicalJson(y);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(unwrap(o[k]))}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Headers exchange matching, as RabbitMQ's: `x-match` "all" (the default) or
 * "any" ("all-with-x" / "any-with-x" also compare `x-` arguments); binding
 * arguments starting with `x-` are otherwise ignored; a null (void) argument
 * matches the header's presence; "all" with no arguments matches everything,
 * "any" with none matches nothing.
 */
export function headersMatch(bindingArguments: Record<string, unknown>, headers: Record<string, unknown>): boolean {
  const xMatch = unwrap(bindingArguments['x-match']);
  const any = xMatch === 'any' || xMatch === 'any-with-x';
  const withX = xMatch === 'all-with-x' || xMatch === 'any-with-x';
  let all = true;
  let some = false;
  for (const [key, expected] of Object.entries(bindingArguments)) {
    if (key === 'x-match' || (!withX && key.startsWith('x-'))) continue;
    const present = Object.prototype.hasOwnProperty.call(headers, key);
    const matched = present && (unwrap(expected) === null || sameValue(expected, headers[key]));
    if (matched) some = true;
    else all = false;
  }
  return any ? some : all;
}

export interface RouteBinding {
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: Record<string, unknown>;
}

export interface RouteExchange {
  name: string;
  type: string;
  arguments?: Record<string, unknown>;
}

/**
 * True when a binding of an exchange of `type` takes a message; undefined for
 * exchange types whose routing is not known here (plugins).
 */
export function bindingMatches(
  type: string,
  binding: RouteBinding,
  routingKey: string,
  headers: Record<string, unknown>,
): boolean | undefined {
  switch (type) {
    case 'direct':
      return binding.routingKey === routingKey;
    case 'fanout':
      return true;
    case 'topic':
      return topicMatches(binding.routingKey, routingKey);
    case 'headers':
      return headersMatch(binding.arguments, headers);
    default:
      return undefined;
  }
}

/** Where the route tester reads the topology from (the management API, or a fixture in tests). */
export interface RouteSource {
  /** The exchange, or undefined when it does not exist. */
  exchange(name: string): Promise<RouteExchange | undefined>;
  /** The bindings whose source is this exchange. */
  bindings(exchange: string): Promise<RouteBinding[]>;
  /** For the default exchange: whether the queue named by the routing key exists. */
  queueExists(name: string): Promise<boolean>;
}

export interface RouteResult {
  /** Queues the message would reach, sorted, each once. */
  queues: string[];
  /** Exchanges it would pass through after the first one (exchange-to-exchange bindings, alternate exchanges), sorted. */
  exchanges: string[];
  /** What could not be computed (a plugin's exchange type, a missing alternate exchange). */
  notes: string[];
}

/** The queues and exchanges a message with this routing key and headers would reach from `exchange`. */
export async function computeRoute(
  source: RouteSource,
  exchange: string,
  routingKey: string,
  headers: Record<string, unknown> = {},
): Promise<RouteResult> {
  const queues = new Set<string>();
  const exchanges = new Set<string>();
  const notes: string[] = [];
  const seen = new Set<string>();
  // Breadth-first over exchanges, each visited once, as the broker does.
  const work: string[] = [exchange];
  while (work.length > 0) {
    const name = work.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    if (name !== exchange) exchanges.add(name);
    if (name === '') {
      if (await source.queueExists(routingKey)) queues.add(routingKey);
      continue;
    }
    const info = await source.exchange(name);
    if (!info) {
      notes.push(l10n.t('exchange "{0}" does not exist', name));
      continue;
    }
    let matchedAny = false;
    for (const binding of await source.bindings(name)) {
      const m = bindingMatches(info.type, binding, routingKey, headers);
      if (m === undefined) {
        notes.push(l10n.t('exchange "{0}" has type "{1}", whose routing is not computed here', name, info.type));
        break;
      }
      if (!m) continue;
      matchedAny = true;
      if (binding.destinationType === 'queue') queues.add(binding.destination);
      else work.push(binding.destination);
    }
    const alternate = info.arguments?.['alternate-exchange'];
    if (!matchedAny && typeof alternate === 'string' && alternate !== '') work.push(alternate);
  }
  return { queues: [...queues].sort(), exchanges: [...exchanges].sort(), notes };
}
