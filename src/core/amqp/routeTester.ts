/**
 * `brokerExplorer.rabbitmq.testRoute`: which queues and exchanges a message
 * would reach, computed from the bindings the management API reports.
 * Nothing is published.
 */
import * as l10n from '@vscode/l10n';
import { NotFoundError } from '../errors';
import { checkShortString, toAmqpTable } from './amqpTable';
import type { ManagementClient } from './managementClient';
import { computeRoute, type RouteBinding, type RouteExchange, type RouteResult, type RouteSource } from './topicMatcher';

export interface TestRouteArgs {
  exchange: string;
  routingKey: string;
  /** Message headers, for headers exchanges. */
  headers?: Record<string, unknown>;
}

/** A RouteSource over the management API, reading each exchange and its bindings once. */
export function managementRouteSource(management: ManagementClient, vhost: string, options: { signal?: AbortSignal } = {}): RouteSource {
  const req = options.signal ? { signal: options.signal } : {};
  return {
    async exchange(name: string): Promise<RouteExchange | undefined> {
      try {
        const x = await management.getExchange(vhost, name, req);
        return { name: x.name, type: x.type, arguments: x.arguments };
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }
    },
    async bindings(name: string): Promise<RouteBinding[]> {
      const list = await management.bindingsOf(vhost, { exchange: name }, req);
      return list.map((b) => ({
        destination: b.destination,
        destinationType: b.destinationType,
        routingKey: b.routingKey,
        arguments: voidArguments(b.arguments),
      }));
    },
    async queueExists(name: string): Promise<boolean> {
      try {
        await management.getQueue(vhost, name, req);
        return true;
      } catch (err) {
        if (err instanceof NotFoundError) return false;
        throw err;
      }
    },
  };
}

/**
 * The management API renders a void (no value) binding argument as the
 * string "undefined"; a headers binding uses void for "the header is present".
 */
function voidArguments(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[k] = v === 'undefined' ? null : v;
  return out;
}

export async function testRoute(
  management: ManagementClient,
  vhost: string,
  args: TestRouteArgs,
  options: { signal?: AbortSignal } = {},
): Promise<RouteResult> {
  const exchange = checkShortString(args.exchange, l10n.t('exchange name'), { allowEmpty: true });
  const routingKey = checkShortString(args.routingKey ?? '', l10n.t('routing key'), { allowEmpty: true });
  const headers = toAmqpTable(args.headers, 'headers');
  // The first exchange must exist: say so rather than answer "no queues".
  if (exchange !== '') await management.getExchange(vhost, exchange, options.signal ? { signal: options.signal } : {});
  return computeRoute(managementRouteSource(management, vhost, options), exchange, routingKey, headers);
}
