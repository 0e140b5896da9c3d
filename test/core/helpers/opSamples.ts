/**
 * Valid arguments for any typed operation, made from its own schema, so a
 * test can run every operation of the OPERATIONS table (only a guard can refuse them).
 */
import type { ArgSpec, OperationSpec } from '../../../src/core/redis/opsSpec';

/** A valid value for an argument of an operation's schema, so only the guard can refuse it. */
export function sampleValue(a: ArgSpec): unknown {
  switch (a.kind) {
    case 'key':
      return 'str';
    case 'keys':
      return ['str'];
    case 'bytes':
      return 'w';
    case 'bytesList':
      return ['w'];
    case 'integer':
    case 'float':
      return Math.max(a.min ?? 1, 1);
    case 'floats':
      return [1];
    case 'enum':
      return (a.values ?? [])[0];
    case 'flag':
      return false;
    case 'pairs': {
      const [x, y] = a.pairNames ?? ['field', 'value'];
      return [{ [x]: 'f', [y]: 'v' }];
    }
    case 'scoreMembers':
      return [{ member: 'm', score: 1 }];
    case 'scoreBound':
      return '1';
    case 'lexBound':
      return '[a';
    case 'bound':
      return 0;
  }
}

export function sampleArgs(op: OperationSpec): Record<string, unknown> {
  return Object.fromEntries(op.args.filter((a) => !a.optional).map((a) => [a.name, sampleValue(a)]));
}
