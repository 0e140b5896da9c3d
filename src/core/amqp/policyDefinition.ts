/**
 * A policy's definition checked before it is sent: a JSON object whose keys
 * are the ones RabbitMQ knows (dead-lettering, TTLs, lengths, overflow,
 * queue mode and version, delivery limit, stream retention, classic mirroring
 * `ha-*`, federation, alternate exchange, leader locator), each with the
 * type the broker expects. Operator policies accept only the caps the broker
 * allows there. Patterns and permissions are regular expressions.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from '../errors';

type Check = (value: unknown, key: string) => unknown;

function whole(min: number): Check {
  return (value, key) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
      throw new InputError(l10n.t('The policy key "{0}" must be a whole number from {1}, not {2}.', key, min, JSON.stringify(value)));
    return value;
  };
}

function oneOf(...values: string[]): Check {
  return (value, key) => {
    if (typeof value !== 'string' || !values.includes(value))
      throw new InputError(l10n.t('The policy key "{0}" must be one of {1}, not {2}.', key, values.join(', '), JSON.stringify(value)));
    return value;
  };
}

const text: Check = (value, key) => {
  if (typeof value !== 'string' || value === '')
    throw new InputError(l10n.t('The policy key "{0}" must be a non-empty text, not {1}.', key, JSON.stringify(value)));
  return value;
};

const flag: Check = (value, key) => {
  if (typeof value !== 'boolean')
    throw new InputError(l10n.t('The policy key "{0}" must be true or false, not {1}.', key, JSON.stringify(value)));
  return value;
};

const haParams: Check = (value, key) => {
  const ok =
    (typeof value === 'number' && Number.isInteger(value) && value > 0) ||
    (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  if (!ok)
    throw new InputError(
      l10n.t('The policy key "{0}" must be a number of replicas or a list of node names, not {1}.', key, JSON.stringify(value)),
    );
  return value;
};

const LOCATORS = ['client-local', 'balanced', 'random', 'least-leaders', 'min-masters'];

export const POLICY_KEYS: Record<string, Check> = {
  'dead-letter-exchange': text,
  'dead-letter-routing-key': text,
  'dead-letter-strategy': oneOf('at-most-once', 'at-least-once'),
  'message-ttl': whole(0),
  expires: whole(1),
  'max-length': whole(0),
  'max-length-bytes': whole(0),
  overflow: oneOf('drop-head', 'reject-publish', 'reject-publish-dlx'),
  'queue-mode': oneOf('default', 'lazy'),
  'queue-version': whole(1),
  'delivery-limit': whole(0),
  'max-in-memory-length': whole(0),
  'max-in-memory-bytes': whole(0),
  'max-age': text,
  'stream-max-segment-size-bytes': whole(1),
  'queue-leader-locator': oneOf(...LOCATORS),
  'queue-master-locator': oneOf(...LOCATORS),
  'consumer-timeout': whole(1),
  'ha-mode': oneOf('all', 'exactly', 'nodes'),
  'ha-params': haParams,
  'ha-sync-mode': oneOf('manual', 'automatic'),
  'ha-sync-batch-size': whole(1),
  'ha-promote-on-shutdown': oneOf('when-synced', 'always'),
  'ha-promote-on-failure': oneOf('when-synced', 'always'),
  'federation-upstream': text,
  'federation-upstream-set': text,
  'alternate-exchange': text,
  'single-active-consumer': flag,
};

const OPERATOR_KEYS = [
  'expires',
  'message-ttl',
  'max-length',
  'max-length-bytes',
  'max-in-memory-length',
  'max-in-memory-bytes',
  'delivery-limit',
  'queue-version',
];

/** The definition as an object with every key known and typed; one InputError sentence otherwise. */
export function checkPolicyDefinition(definition: unknown, operator: boolean): Record<string, unknown> {
  let value = definition;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new InputError(l10n.t('The policy definition is not valid JSON: write an object such as { "max-length": 1000 }.'));
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(l10n.t('The policy definition must be a JSON object such as { "max-length": 1000 }.'));
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw new InputError(l10n.t('The policy definition is empty: give at least one key, such as "max-length".'));
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    const check = POLICY_KEYS[key];
    if (!check)
      throw new InputError(l10n.t('The policy key "{0}" is not one RabbitMQ knows: use {1}.', key, Object.keys(POLICY_KEYS).join(', ')));
    if (operator && !OPERATOR_KEYS.includes(key))
      throw new InputError(l10n.t('The key "{0}" cannot be set by an operator policy: use {1}.', key, OPERATOR_KEYS.join(', ')));
    out[key] = check(v, key);
  }
  if (out['ha-mode'] !== undefined && out['ha-mode'] !== 'all' && out['ha-params'] === undefined)
    throw new InputError(l10n.t('"ha-mode": {0} needs "ha-params" too.', JSON.stringify(out['ha-mode'])));
  return out;
}

/** A regular expression as text (policy pattern, permission), checked to compile. */
export function checkRegex(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new InputError(l10n.t('The {0} must be a regular expression as text, such as "^orders\\.".', what));
  try {
    new RegExp(value);
  } catch {
    throw new InputError(l10n.t('The {0} "{1}" is not a valid regular expression.', what, value));
  }
  return value;
}
