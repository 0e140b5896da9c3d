/**
 * AMQP field tables (headers, queue / exchange / binding arguments) in and
 * out: JSON values with typed numbers, `{ "!": "long", value }` for an
 * explicit AMQP type, `{ hex }` for byte arrays; Buffers come back as `{ hex }`.
 * Also the checks of names and of the queue arguments that have a known type.
 */
import * as l10n from '@vscode/l10n';
import { isHexBytes } from '../bytes';
import { InputError } from '../errors';

/** Types that amqplib accepts in `{ "!": type, value }`. */
export const AMQP_FIELD_TYPES: readonly string[] = [
  'string',
  'boolean',
  'double',
  'float64',
  'float',
  'byte',
  'int8',
  'unsignedbyte',
  'uint8',
  'short',
  'int16',
  'unsignedshort',
  'uint16',
  'int',
  'int32',
  'unsignedint',
  'uint32',
  'long',
  'int64',
  'timestamp',
  'decimal',
];

/** A short string (exchange, queue, routing key): at most 255 UTF-8 bytes. */
export function checkShortString(value: unknown, what: string, options: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw new InputError(l10n.t('The {0} must be text.', what));
  if (!options.allowEmpty && value === '') throw new InputError(l10n.t('The {0} is empty: give a name.', what));
  if (Buffer.byteLength(value, 'utf8') > 255)
    throw new InputError(l10n.t('The {0} "{1}…" is longer than 255 bytes: shorten it.', what, value.slice(0, 40)));
  return value;
}

/** A name the user may declare: not empty, not the reserved `amq.` prefix. */
export function checkDeclarableName(value: unknown, what: 'exchange' | 'queue', allowEmpty = false): string {
  const name = checkShortString(value, what === 'exchange' ? l10n.t('exchange name') : l10n.t('queue name'), { allowEmpty });
  if (name.startsWith('amq.'))
    throw new InputError(
      what === 'exchange'
        ? l10n.t('The exchange name "{0}" starts with "amq.", which the broker reserves: choose another name.', name)
        : l10n.t('The queue name "{0}" starts with "amq.", which the broker reserves: choose another name.', name),
    );
  return name;
}

function convertValue(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError(l10n.t('The value of {0} is not a finite number.', path));
    return value;
  }
  if (Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map((v, i) => convertValue(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    if (isHexBytes(value) && Object.keys(value).length === 1) {
      const hex = value.hex.replace(/\s+/g, '');
      if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new InputError(l10n.t('The value of {0} is not valid hex.', path));
      return Buffer.from(hex, 'hex');
    }
    const o = value as Record<string, unknown>;
    if ('!' in o) {
      const type = o['!'];
      if (typeof type !== 'string' || !AMQP_FIELD_TYPES.includes(type)) {
        throw new InputError(
          l10n.t('The type of {0} ("{1}") is not an AMQP field type: use one of {2}.', path, String(type), AMQP_FIELD_TYPES.join(', ')),
        );
      }
      const v = o.value;
      if (type === 'decimal') {
        if (typeof v !== 'object' || v === null)
          throw new InputError(l10n.t('The value of {0} must be { places, digits } for a decimal.', path));
        return { '!': type, value: v };
      }
      if (
        type === 'string'
          ? typeof v !== 'string'
          : type === 'boolean'
            ? typeof v !== 'boolean'
            : typeof v !== 'number' || !Number.isFinite(v)
      ) {
        throw new InputError(l10n.t('The value of {0} does not fit its type "{1}".', path, type));
      }
      if (/int|byte|short|long|timestamp/.test(type) && !Number.isInteger(v))
        throw new InputError(l10n.t('The value of {0} must be a whole number for type "{1}".', path, type));
      return { '!': type, value: v };
    }
    return toAmqpTable(o, path);
  }
  throw new InputError(
    l10n.t('The value of {0} cannot be sent in an AMQP table: use text, a number, true / false, null, a list or an object.', path),
  );
}

/** Checks and converts a JSON object to what amqplib encodes as a field table. */
export function toAmqpTable(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw new InputError(l10n.t('The {0} must be an object such as { "key": "value" }.', what));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (Buffer.byteLength(k, 'utf8') > 255)
      throw new InputError(l10n.t('The key "{0}…" in the {1} is longer than 255 bytes.', k.slice(0, 40), what));
    if (v === undefined) continue;
    out[k] = convertValue(v, l10n.t('"{0}" in the {1}', k, what));
  }
  return out;
}

/** A decoded table as plain JSON: Buffers become `{ hex }` (or text when valid UTF-8 is not assumed). */
export function tableToJson(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { hex: value.toString('hex') };
  if (Array.isArray(value)) return value.map(tableToJson);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = tableToJson(v);
    return out;
  }
  return value;
}

// ---------------------------------------------------------------- typed queue arguments

type ArgCheck = (value: unknown, key: string) => unknown;

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): ArgCheck {
  return (value, key) => {
    const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new InputError(
        max < Number.MAX_SAFE_INTEGER
          ? l10n.t('The queue argument "{0}" must be a whole number from {1} to {2}, not {3}.', key, min, max, JSON.stringify(value))
          : l10n.t('The queue argument "{0}" must be a whole number from {1}, not {2}.', key, min, JSON.stringify(value)),
      );
    }
    return n;
  };
}

function oneOf(values: readonly string[]): ArgCheck {
  return (value, key) => {
    if (typeof value !== 'string' || !values.includes(value)) {
      throw new InputError(l10n.t('The queue argument "{0}" must be one of {1}, not {2}.', key, values.join(', '), JSON.stringify(value)));
    }
    return value;
  };
}

const text: ArgCheck = (value, key) => {
  if (typeof value !== 'string')
    throw new InputError(l10n.t('The queue argument "{0}" must be text, not {1}.', key, JSON.stringify(value)));
  return value;
};

const flag: ArgCheck = (value, key) => {
  if (value === 'true' || value === 'false') return value === 'true';
  if (typeof value !== 'boolean')
    throw new InputError(l10n.t('The queue argument "{0}" must be true or false, not {1}.', key, JSON.stringify(value)));
  return value;
};

const QUEUE_ARGUMENTS: Record<string, ArgCheck> = {
  'x-message-ttl': wholeNumber(0, 2 ** 32 - 1),
  'x-expires': wholeNumber(1, 2 ** 32 - 1),
  'x-max-length': wholeNumber(0),
  'x-max-length-bytes': wholeNumber(0),
  'x-max-priority': wholeNumber(1, 255),
  'x-delivery-limit': wholeNumber(0),
  'x-dead-letter-exchange': text,
  'x-dead-letter-routing-key': text,
  'x-queue-type': oneOf(['classic', 'quorum', 'stream']),
  'x-overflow': oneOf(['drop-head', 'reject-publish', 'reject-publish-dlx']),
  'x-queue-mode': oneOf(['default', 'lazy']),
  'x-single-active-consumer': flag,
  'x-max-age': text,
  'x-stream-max-segment-size-bytes': wholeNumber(1),
  'x-queue-leader-locator': oneOf(['client-local', 'balanced', 'random', 'least-leaders']),
};

/** Queue arguments with the known ones checked and converted (`"60000"` → 60000 for x-message-ttl). */
export function queueArguments(value: unknown): Record<string, unknown> {
  const table = toAmqpTable(value, l10n.t('queue arguments'));
  for (const [key, v] of Object.entries(table)) {
    const check = QUEUE_ARGUMENTS[key];
    if (check) table[key] = check(v, key);
  }
  return table;
}
