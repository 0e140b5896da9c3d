/**
 * One dashboard sample of a Redis server from INFO: gauges as read (memory,
 * clients, keys per db) and rates from the difference of two reads' counters
 * (commands, network bytes, evicted and expired keys, keyspace hits and
 * misses) over the time between them. A counter that went down (the server
 * restarted, or CONFIG RESETSTAT) gives no rate for that sample.
 */
import type { Redis } from 'ioredis';
import { parseInfo, type InfoSections } from './serverInfo';

/** The counters a sample keeps, as INFO gave them (cumulative since start or RESETSTAT). */
export interface RedisCounters {
  totalCommands: number;
  netInputBytes: number;
  netOutputBytes: number;
  evictedKeys: number;
  expiredKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

export interface RedisSample {
  /** When INFO answered, ms since the epoch. */
  t: number;
  usedMemory: number;
  /** `maxmemory`; 0 means no limit. */
  maxMemory: number;
  connectedClients: number;
  blockedClients: number;
  /** `dbN` → keys, for each database INFO keyspace lists. */
  keysPerDb: Record<string, number>;
  /** Per second since the sample before; null for the first sample or after a counter reset. */
  opsPerSec: number | null;
  netInPerSec: number | null;
  netOutPerSec: number | null;
  evictedPerSec: number | null;
  expiredPerSec: number | null;
  /** Hits / (hits + misses) since the sample before, 0…1; null when there were no lookups. */
  hitRatio: number | null;
  /** Hits / (hits + misses) since the counters started; null when there were none. */
  hitRatioTotal: number | null;
  counters: RedisCounters;
}

const num = (fields: Record<string, string> | undefined, name: string): number => {
  const v = Number(fields?.[name]);
  return Number.isFinite(v) ? v : 0;
};

/** `keys=12,expires=0,avg_ttl=0` of each `dbN` line. */
export function keysPerDb(keyspace: Record<string, string> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [db, line] of Object.entries(keyspace ?? {})) {
    const m = /(?:^|,)keys=(\d+)/.exec(line);
    if (/^db\d+$/.test(db) && m) out[db] = Number(m[1]);
  }
  return out;
}

/** The counters of an INFO reply. */
export function infoCounters(info: InfoSections): RedisCounters {
  const stats = info.stats;
  return {
    totalCommands: num(stats, 'total_commands_processed'),
    netInputBytes: num(stats, 'total_net_input_bytes'),
    netOutputBytes: num(stats, 'total_net_output_bytes'),
    evictedKeys: num(stats, 'evicted_keys'),
    expiredKeys: num(stats, 'expired_keys'),
    keyspaceHits: num(stats, 'keyspace_hits'),
    keyspaceMisses: num(stats, 'keyspace_misses'),
  };
}

/** A sample from INFO read at `t`, with rates against the sample before (when given). */
export function redisSample(info: InfoSections, t: number, before?: RedisSample): RedisSample {
  const counters = infoCounters(info);
  const seconds = before ? (t - before.t) / 1000 : 0;
  const rate = (name: keyof RedisCounters): number | null => {
    if (!before || seconds <= 0) return null;
    const delta = counters[name] - before.counters[name];
    return delta < 0 ? null : delta / seconds;
  };
  const ratio = (hits: number, misses: number): number | null => (hits + misses > 0 ? hits / (hits + misses) : null);
  const hits = before ? counters.keyspaceHits - before.counters.keyspaceHits : -1;
  const misses = before ? counters.keyspaceMisses - before.counters.keyspaceMisses : -1;
  return {
    t,
    usedMemory: num(info.memory, 'used_memory'),
    maxMemory: num(info.memory, 'maxmemory'),
    connectedClients: num(info.clients, 'connected_clients'),
    blockedClients: num(info.clients, 'blocked_clients'),
    keysPerDb: keysPerDb(info.keyspace),
    opsPerSec: rate('totalCommands'),
    netInPerSec: rate('netInputBytes'),
    netOutPerSec: rate('netOutputBytes'),
    evictedPerSec: rate('evictedKeys'),
    expiredPerSec: rate('expiredKeys'),
    hitRatio: hits < 0 || misses < 0 ? null : ratio(hits, misses),
    hitRatioTotal: ratio(counters.keyspaceHits, counters.keyspaceMisses),
    counters,
  };
}

/**
 * Reads samples from one server: INFO's default sections (fast; not
 * `everything`, whose commandstats grow with the commands used), each
 * sample's rates against the one before.
 */
export class RedisInfoReader {
  private before: RedisSample | undefined;

  constructor(private readonly client: Pick<Redis, 'info'>) {}

  async read(): Promise<RedisSample> {
    const text = await this.client.info();
    const sample = redisSample(parseInfo(text), Date.now(), this.before);
    this.before = sample;
    return sample;
  }
}
