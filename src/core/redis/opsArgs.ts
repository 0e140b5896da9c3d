/**
 * The argument object of an operation, typed from its spec table: what
 * `runOperation(session, "zadd", { … })` accepts, checked by the compiler.
 */
import type { BytesLike } from '../bytes';
import type { ArgSpec, OperationSpec } from './opsSpec';

export type PairsInput = readonly Record<string, BytesLike>[] | Readonly<Record<string, BytesLike>>;
export interface ScoreMemberInput {
  member: BytesLike;
  score: number | string;
}
type ValueOf<A extends ArgSpec> = A['kind'] extends 'key' | 'bytes' | 'lexBound'
  ? BytesLike | Buffer
  : A['kind'] extends 'keys' | 'bytesList'
    ? readonly (BytesLike | Buffer)[]
    : A['kind'] extends 'integer'
      ? number | string
      : A['kind'] extends 'float' | 'scoreBound' | 'bound'
        ? number | string
        : A['kind'] extends 'floats'
          ? readonly (number | string)[]
          : A['kind'] extends 'enum'
            ? A extends { values: readonly (infer V)[] }
              ? V | Lowercase<V & string>
              : string
            : A['kind'] extends 'flag'
              ? boolean
              : A['kind'] extends 'pairs'
                ? PairsInput
                : A['kind'] extends 'scoreMembers'
                  ? readonly ScoreMemberInput[]
                  : never;
type Simplify<T> = { [K in keyof T]: T[K] };
/** The argument object an operation spec accepts. */
export type ArgsOf<S extends OperationSpec> = Simplify<
  { [A in S['args'][number] as A extends { optional: true } ? never : A['name']]: ValueOf<A> } & {
    [A in S['args'][number] as A extends { optional: true } ? A['name'] : never]?: ValueOf<A>;
  }
>;
