/**
 * Small helpers for the benchmark: statistics, A/B alternation, child
 * processes, machine info and the result model. Benchmarks print figures;
 * they never fail on a time.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { cpus, totalmem, release, platform, arch, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { median, sleep } from '../core/helpers/common';

// One copy of each: the bench uses the test helpers of test/core/helpers.
export { median, sleep } from '../core/helpers/common';
export { MANAGEMENT_URL, mgmt } from '../core/helpers/mgmt';

export const HOST = '127.0.0.1';
export const REDIS_PORT = 6379;
export const AMQP_PORT = 5672;
export const RABBIT_USER = 'guest';
export const RABBIT_PASSWORD = 'guest';

export interface BenchConfig {
  quick: boolean;
  /** Redis database of the bench's own (flushed before and after). */
  db: number;
  /** RabbitMQ vhost of the bench's own (created and deleted). */
  vhost: string;
  /** Repetition multiplier (1 = default). */
  reps: number;
  /** Row ids to run (empty: all). */
  only: Set<string>;
  /** Run the code-server activation row even in --quick. */
  host: boolean;
  root: string;
}

/** One row of the results table. */
export interface Row {
  id: string;
  figure: string;
  ours: string;
  baseline: string;
  /** ours / baseline (time) or ours / baseline (rate), as the target is written. */
  ratio?: number;
  target: string;
  /** true: met, false: missed, null: nothing to meet (report only) or skipped. */
  met: boolean | null;
  note?: string;
  /** Raw figures for results.json. */
  data: Record<string, unknown>;
}

export function now(): number {
  return performance.now();
}

/** Nearest-rank percentile, p in (0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1];
}

/**
 * Median of per-repetition ratios a[i] / b[i]: runs of the same repetition
 * were measured next to each other, so slow drifts of the machine's load
 * cancel out.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) if (b[i] > 0 && Number.isFinite(a[i]) && Number.isFinite(b[i])) ratios.push(a[i] / b[i]);
  return median(ratios);
}

export function summary(values: readonly number[]): { median: number; min: number; max: number; n: number; runs: number[] } {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
    runs: values.map((v) => round(v, 3)),
  };
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function ms(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 100) return `${v.toFixed(0)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  return perSecond >= 10_000 ? `${(perSecond / 1000).toFixed(1)}k msg/s` : `${perSecond.toFixed(0)} msg/s`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function ratioText(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? '' : `${r.toFixed(2)}×`;
}

/**
 * Runs every variant `reps` times, rotating the order each repetition
 * (A B C, B C A, C A B, …) so drift and warm-up hit all of them alike.
 * Each variant returns its measurement; the results come back per variant.
 */
export async function alternate<K extends string>(
  reps: number,
  variants: Record<K, () => Promise<number>>,
  warmup = 1,
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[];
  const out = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let w = 0; w < warmup; w++) for (const n of names) await variants[n]();
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + r) % names.length];
      out[n].push(await variants[n]());
    }
  }
  return out;
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = now();
  await fn();
  return now() - t;
}

/** Waits for `done`, or until all `total` arrived, or until nothing arrived for `quietMs`. */
export async function waitUntilQuiet(done: Promise<void>, received: () => number, total: number, quietMs: number): Promise<void> {
  let last = received();
  let quietSince = now();
  while (received() < total) {
    const winner = await Promise.race([done.then(() => 'done'), sleep(100).then(() => 'tick')]);
    if (winner === 'done') return;
    if (received() !== last) {
      last = received();
      quietSince = now();
    } else if (now() - quietSince > quietMs) return;
  }
}

export interface FlowStats {
  rate: number;
  endToEndRate: number;
  received: number;
  lost: number;
  outOfOrder: number;
  ms: number;
  lastLineOk?: boolean;
}

/** Counts numbered messages as they arrive: order, first and last arrival, and a promise settled at the end. */
export class SeqCounter {
  expected = 0;
  outOfOrder = 0;
  received = 0;
  tFirst = 0;
  tLast = 0;
  private finish: () => void = () => undefined;
  readonly done: Promise<void>;

  constructor(readonly total: number) {
    this.done = new Promise<void>((r) => (this.finish = r));
  }

  /** Counts one message; true when it was the last. */
  see(seq: number): boolean {
    if (this.received === 0) this.tFirst = now();
    if (seq !== this.expected) this.outOfOrder++;
    this.expected = seq + 1;
    if (++this.received >= this.total) {
      this.tLast = now();
      return true;
    }
    return false;
  }

  end(): void {
    if (this.tLast === 0) this.tLast = now();
    this.finish();
  }

  stats(t0: number, extra: Partial<FlowStats> = {}): FlowStats {
    if (this.tLast === 0) this.tLast = now();
    return {
      rate: this.received / ((this.tLast - this.tFirst) / 1000),
      endToEndRate: this.received / ((this.tLast - t0) / 1000),
      received: this.received,
      lost: this.total - this.received,
      outOfOrder: this.outOfOrder,
      ms: this.tLast - t0,
      ...extra,
    };
  }
}

/** Children this process started, so an interrupted run can stop exactly them. */
const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export function killChildren(): void {
  for (const c of children) {
    if (c.pid !== undefined && c.exitCode === null) {
      try {
        c.kill('SIGTERM');
      } catch {
        // gone
      }
    }
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion, collecting its output (or only counting newlines with `countLines`). */
export function run(
  cmd: string,
  args: readonly string[],
  options: SpawnOptions & { input?: Buffer | string; countLines?: boolean; timeoutMs?: number } = {},
): Promise<RunResult & { lines: number }> {
  return new Promise((resolve, reject) => {
    const started = now();
    const child = track(spawn(cmd, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    let lines = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (options.countLines) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      } else stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs) timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: now() - started, lines });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

export async function commandExists(cmd: string): Promise<boolean> {
  try {
    const r = await run('sh', ['-c', `command -v ${cmd}`]);
    return r.code === 0;
  } catch {
    return false;
  }
}

export function machineInfo(): Record<string, unknown> {
  const c = cpus();
  return {
    cpuModel: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    loadAverageAtStart: loadavg().map((l) => round(l, 2)),
  };
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
