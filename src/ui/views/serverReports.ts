/**
 * Server insights as the lines of a results document: the keyspace
 * analysis (types, top keys, namespaces as an indented tree, TTLs), the
 * latency / memory report, configuration and clients.
 */
import * as vscode from 'vscode';
import type { BytesLike } from '../../core/bytes';
import type { ClientInfo } from '../../core/redis/clientList';
import { clientSummary } from '../../core/redis/clientList';
import type { KeyspaceAnalysis } from '../../core/redis/keyspaceAnalysis';
import type { PrefixStats } from '../../core/redis/keyspaceTally';
import type { LatencyEvent } from '../../core/redis/serverHealth';
import { humanValue } from '../../core/redis/serverInfo';
import { formatBytes, formatCount as n, formatDuration } from '../../core/units';

const label = (b: BytesLike): string => (typeof b === 'string' ? b : `{hex ${b.hex}}`);
const keyCount = (count: string): string => vscode.l10n.t('{0} keys', count);
const share = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');

function prefixLines(stats: readonly PrefixStats[], total: number, depth: number, out: string[]): void {
  for (const s of stats) {
    const name = s.other
      ? vscode.l10n.t('{0} (other namespaces past the limit)', label(s.prefix))
      : s.prefix === ''
        ? vscode.l10n.t('(keys without a prefix)')
        : label(s.prefix);
    out.push(`${'  '.repeat(depth)}${name}  ${keyCount(n(s.keys))}  ${formatBytes(s.bytes)}  ${share(s.bytes, total)}`);
    if (s.children) prefixLines(s.children, total, depth + 1, out);
  }
}

/** The analysis as a report; `title` names the profile, db and pattern. */
export function analysisLines(a: KeyspaceAnalysis, title: string): string[] {
  const total = Object.values(a.byType).reduce((s, t) => s + t.bytes, 0);
  const out = [
    vscode.l10n.t('# Keyspace analysis: {0}', title),
    a.complete
      ? vscode.l10n.t('# {0} keys analysed, {1} by MEMORY USAGE', n(a.scanned), formatBytes(total))
      : vscode.l10n.t('# {0} keys analysed, {1} by MEMORY USAGE (cancelled: partial figures)', n(a.scanned), formatBytes(total)),
    '',
  ];
  out.push(vscode.l10n.t('## By type'));
  for (const [type, t] of Object.entries(a.byType).sort((x, y) => y[1].bytes - x[1].bytes)) {
    out.push(`${type.padEnd(10)}  ${keyCount(n(t.keys).padStart(12))}  ${formatBytes(t.bytes).padStart(12)}  ${share(t.bytes, total)}`);
  }
  out.push('', vscode.l10n.t('## Biggest keys by memory'));
  for (const k of a.topKeys)
    out.push(
      `${formatBytes(k.bytes).padStart(12)}  ${k.type.padEnd(7)} ${vscode.l10n.t('length {0}', n(k.length).padEnd(10))} ${label(k.key)}`,
    );
  out.push('', vscode.l10n.t('## Longest keys per type (STRLEN, HLEN, LLEN, SCARD, ZCARD, XLEN)'));
  for (const [type, keys] of Object.entries(a.topByLength)) {
    out.push(`### ${type}`);
    for (const k of keys) out.push(`${n(k.length).padStart(12)}  ${formatBytes(k.bytes).padStart(12)}  ${label(k.key)}`);
  }
  out.push('', vscode.l10n.t('## Memory by namespace'));
  prefixLines(a.byPrefix, total, 0, out);
  out.push('', vscode.l10n.t('## Time to live'), vscode.l10n.t('no TTL  {0} keys', n(a.ttl.none)));
  let from = 0;
  for (const b of a.ttl.buckets) {
    const range =
      b.upToSeconds === null
        ? vscode.l10n.t('over {0}', formatDuration(from))
        : `${formatDuration(from)} – ${formatDuration(b.upToSeconds)}`;
    out.push(`${range.padEnd(16)}  ${keyCount(n(b.keys))}`);
    from = b.upToSeconds ?? from;
  }
  return out;
}

export function latencyMemoryLines(latency: readonly LatencyEvent[], stats: Record<string, string>, doctor: string): string[] {
  const out = ['# LATENCY LATEST'];
  if (latency.length === 0)
    out.push(vscode.l10n.t('(no spikes recorded: latency-monitor-threshold may be 0, which turns the monitor off)'));
  for (const e of latency) {
    const when = new Date(e.time * 1000).toISOString();
    out.push(`${e.event.padEnd(24)}  ${vscode.l10n.t('latest {0} ms at {1}  max {2} ms', e.latestMs, when, e.maxMs)}`);
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
  return [vscode.l10n.t('# {0} clients, sorted by {1}', n(clients.length), sortedBy), ...clients.map(clientSummary)];
}

export function configLine(name: string, value: string): string {
  const human = humanValue(name.replace(/-/g, '_'), value);
  return human !== undefined ? `${value} (${human})` : value;
}
