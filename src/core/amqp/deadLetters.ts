import * as l10n from '@vscode/l10n';
/**
 * Where a dead-lettered message was first published, read from the headers
 * the broker added when it dead-lettered it, and the headers a moved copy
 * carries. The exchange is `x-first-death-exchange`; the routing key is the
 * first of `routing-keys` in the `x-death` entry whose `queue` and `reason`
 * equal `x-first-death-queue` / `x-first-death-reason` (`x-death` is newest
 * first, and `routing-keys` also holds the CC / BCC keys, which are not
 * republished).
 */

/** A route to publish to. */
export interface MoveRoute {
  exchange: string;
  routingKey: string;
}

/** The header every moved or replayed copy carries: one id per run. */
export const MOVE_ID_HEADER = 'x-be-move-id';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** amqplib decodes a long string as text, a byte array as a Buffer: either is accepted as text here. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

/**
 * The original route of a dead-lettered message, or the reason it has none
 * (a phrase such as `it has no "x-first-death-exchange" header`).
 */
export function deadLetterRoute(headers: unknown): MoveRoute | { missing: string } {
  const h = isRecord(headers) ? headers : {};
  const exchange = text(h['x-first-death-exchange']);
  const queue = text(h['x-first-death-queue']);
  const reason = text(h['x-first-death-reason']);
  if (exchange === undefined) return { missing: l10n.t('it has no "x-first-death-exchange" header (it was not dead-lettered)') };
  if (queue === undefined || reason === undefined)
    return { missing: l10n.t('it has no "x-first-death-queue" or "x-first-death-reason" header') };
  const deaths = Array.isArray(h['x-death']) ? (h['x-death'] as unknown[]) : [];
  const first = deaths.find((d) => isRecord(d) && text(d.queue) === queue && text(d.reason) === reason);
  if (!isRecord(first)) return { missing: l10n.t('its "x-death" header has no entry for queue "{0}" and reason "{1}"', queue, reason) };
  const keys = Array.isArray(first['routing-keys']) ? first['routing-keys'] : [];
  const routingKey = text(keys[0]);
  if (routingKey === undefined) return { missing: l10n.t('its "x-death" entry for queue "{0}" has no routing key', queue) };
  return { exchange, routingKey };
}

/**
 * The headers of the moved copy: the original ones, without CC / BCC (the
 * broker would route the copy to those keys again), plus the run's id.
 */
export function movedHeaders(headers: unknown, moveId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isRecord(headers)) {
    for (const [k, v] of Object.entries(headers)) if (k !== 'CC' && k !== 'BCC' && v !== undefined) out[k] = v;
  }
  out[MOVE_ID_HEADER] = moveId;
  return out;
}
