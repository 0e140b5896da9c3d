/** cluster-key-slot (a dependency of ioredis) ships no types: the two functions it exports. */
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0–16383) of a key, honouring a `{hash tag}`. */
  function generate(key: string | Buffer): number;
  namespace generate {
    /** The common slot of several keys, or -1 when they differ. */
    function generateMulti(keys: readonly (string | Buffer)[]): number;
  }
  export = generate;
}
