/**
 * Server insights as the lines of a results document: the keyspace
 * analysis (types, top keys, namespaces as an indented tree, TTLs), the
 * latency / memory report, configuration and clients.
 */
import type { BytesLike } from '../../core/bytes';
import type { ClientInfo } from '../../core/redis/clientList';
import { clientSummary } from '../../core/redis/clientList';
import type { KeyspaceAnalysis } from '../../core/redis/keyspaceAnalysis';
import type { PrefixStats } from '../../core/redis/keyspaceTally';
import type { LatencyEvent } from '../../core/redis/serverHealth';
import { humanValue } from '../../core/redis/serverInfo';
import { formatBytes, formatDuration } from '../../core/units';

const n = (v: number): string => v.toLocaleString('en-US');
const label = (b: BytesLike): string => (typeof b === 'string' ? b : `{hex ${b.hex}}`);
const share = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');

function prefixLines(stats: readonly PrefixStats[], total: number, depth: number, out: string[]): void {
  for (const s of stats) {
    const name = s.other
      ? `${label(s.prefix)} (other namespaces past the limit)`
      : s.prefix === ''
        ? '(keys without a prefix)'
        : label(s.prefix);
    out.push(`${'  '.repeat(depth)}${name}  ${n(s.keys)} keys  ${formatBytes(s.bytes)}  ${share(s.bytes, total)}`);
    if (s.children) prefixLines(s.children, total, depth + 1, out);
  }
}

/** The analysis as a report; `title` names the profile, db and pattern. */
export function analysisLines(a: KeyspaceAnalysis, title: string): string[] {
  const total = Object.values(a.byType).reduce((s, t) => s + t.bytes, 0);
  const out = [
    `# Keyspace analysis: ${title}`,
    `# ${n(a.scanned)} keys analysed, ${formatBytes(total)} by MEMORY USAGE${a.complete ? '' : ' (cancelled: partial figures)'}`,
    '',
  ];
  out.push('## By type');
  for (const [type, t] of Object.entries(a.byType).sort((x, y) => y[1].bytes - x[1].bytes)) {
    out.push(`${type.padEnd(10)}  ${n(t.keys).padStart(12)} keys  ${formatBytes(t.bytes).padStart(12)}  ${share(t.bytes, total)}`);
  }
  out.push('', '## Biggest keys by memory');
  for (const k of a.topKeys)
    out.push(`${formatBytes(k.bytes).padStart(12)}  ${k.type.padEnd(7)} length ${n(k.length).padEnd(10)} ${label(k.key)}`);
  out.push('', '## Longest keys per type (STRLEN, HLEN, LLEN, SCARD, ZCARD, XLEN)');
  for (const [type, keys] of Object.entries(a.topByLength)) {
    out.push(`### ${type}`);
    for (const k of keys) out.push(`${n(k.length).padStart(12)}  ${formatBytes(k.bytes).padStart(12)}  ${label(k.key)}`);
  }
  out.push('', '## Memory by namespace');
  prefixLines(a.byPrefix, total, 0, out);
  out.push('', '## Time to live', `no TTL  ${n(a.ttl.none)} keys`);
  let from = 0;
  for (const b of a.ttl.buckets) {
    const range = b.upToSeconds === null ? `over ${formatDuration(from)}` : `${formatDuration(from)} – ${formatDuration(b.upToSeconds)}`;
    out.push(`${range.padEnd(16)}  ${n(b.keys)} keys`);
    from = b.upToSeconds ?? from;
  }
  return out;
}

export function latencyMemoryLines(latency: readonly LatencyEvent[], stats: Record<string, string>, doctor: string): string[] {
  const out = ['# LATENCY LATEST'];
  if (latency.length === 0) out.push('(no spikes recorded: latency-monitor-threshold may be 0, which turns the monitor off)');
  for (const e of latency) {
    out.push(`${e.event.padEnd(24)}  latest ${e.latestMs} ms at ${new Date(e.time * 1000).toISOString()}  max ${e.maxMs} ms`);
  }
  out.push('', '# MEMORY STATS');
  const width = Math.min(48, Math.max(0, ...Object.keys(stats).map((k) => k.length)));
  for (const [name, value] of Object.entries(stats)) {
    const bytesField =
      /allocated|overhead|dataset\.bytes|keys\.bytes|clients\.|replication|aof\.buffer|lua|functions|fragmentation\.bytes|rss-bytes|allocator\.|hashtable/.test(
        name,
      );
    const human = bytesField && /^\d+$/.test(value) && Number(value) >= 1024 ? `  (${formatBytes(Number(value))})` : '';
    out.push(`${name.padEnd(width)}  ${value}${human}`);
  }
  out.push('', '# MEMORY DOCTOR', ...doctor.split(/\r?\n/));
  return out;
}

export function clientLines(clients: readonly ClientInfo[], sortedBy: string): string[] {
  return [`# ${n(clients.length)} clients, sorted by ${sortedBy}`, ...clients.map(clientSummary)];
}

export function configLine(name: string, value: string): string {
  const human = humanValue(name.replace(/-/g, '_'), value);
  return human !== undefined ? `${value} (${human})` : value;
}
