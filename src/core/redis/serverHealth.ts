/**
 * LATENCY LATEST, MEMORY STATS and MEMORY DOCTOR as plain data: the spikes
 * per event, the memory breakdown (nested maps flattened to dotted names),
 * and the doctor's report text.
 */
import type { Redis } from 'ioredis';

export interface LatencyEvent {
  event: string;
  /** Unix time in seconds of the latest spike. */
  time: number;
  latestMs: number;
  maxMs: number;
}

export async function latencyLatest(client: Redis): Promise<LatencyEvent[]> {
  const reply = await client.call('LATENCY', 'LATEST');
  if (!Array.isArray(reply)) return [];
  return reply.map((row: unknown): LatencyEvent => {
    const r = Array.isArray(row) ? row : [];
    return { event: String(r[0]), time: Number(r[1]), latestMs: Number(r[2]), maxMs: Number(r[3]) };
  });
}

/** MEMORY STATS as `{ name: value }`; nested maps (`db.0`) flattened to `db.0.overhead.hashtable.main`. */
export async function memoryStats(client: Redis): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = (pairs: unknown, prefix: string): void => {
    if (!Array.isArray(pairs)) return;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const name = `${prefix}${String(pairs[i])}`;
      const value: unknown = pairs[i + 1];
      if (Array.isArray(value)) walk(value, `${name}.`);
      else out[name] = String(value);
    }
  };
  walk(await client.call('MEMORY', 'STATS'), '');
  return out;
}

export async function memoryDoctor(client: Redis): Promise<string> {
  return String(await client.call('MEMORY', 'DOCTOR'));
}
