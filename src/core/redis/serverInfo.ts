/**
 * INFO parsed into sections, and the units of its fields: byte counts shown
 * human-readable (KiB, MiB, …), seconds and micro/milliseconds as durations.
 * The parsed values stay the server's strings (exact past 2^53); units only
 * change how a field is rendered.
 */
import type { Redis } from 'ioredis';
import { formatBytes, formatDuration } from '../units';

/** `{ [section]: { [field]: value } }`, section names in lower case as `INFO <section>` takes them. */
export type InfoSections = Record<string, Record<string, string>>;

export type InfoUnit = 'bytes' | 'seconds' | 'milliseconds' | 'microseconds';

/**
 * Parses the text of INFO: `# Section` headings, then `field:value` lines.
 * A field before any heading goes to section "default"; a value keeps any
 * `:` it holds (`executable:/usr/bin/redis-server`, `cmdstat_get:calls=…`).
 */
export function parseInfo(text: string): InfoSections {
  const sections: InfoSections = {};
  let current: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) {
      const name = line.slice(1).trim().toLowerCase();
      current = sections[name] ??= {};
      continue;
    }
    const at = line.indexOf(':');
    if (at <= 0) continue;
    current ??= sections.default ??= {};
    current[line.slice(0, at)] = line.slice(at + 1);
  }
  return sections;
}

/** INFO (all sections, or the one named) parsed. */
export async function readInfo(client: Redis, section?: string): Promise<InfoSections> {
  const text = section === undefined ? await client.info('everything') : await client.info(section);
  return parseInfo(text);
}

const NOT_A_QUANTITY = /(_human|_perc|_ratio|_policy|_count|_lua_caches?|_scripts?|_keys|_objects|_per_sec)$/;

/** The unit of an INFO field from its name, when its value is a quantity with one. */
export function infoUnit(field: string): InfoUnit | undefined {
  if (NOT_A_QUANTITY.test(field) || field === 'server_time_usec') return undefined;
  if (/_usec$|_us$/.test(field)) return 'microseconds';
  if (/_msec$|_ms$/.test(field)) return 'milliseconds';
  if (/_in_seconds$|_seconds_ago$|_secs?$|_seconds$/.test(field)) return 'seconds';
  if (/memory|_bytes$|^mem_|_rss|_buffer$|_buf$|allocator_(allocated|active|resident)$|_size$/.test(field)) return 'bytes';
  return undefined;
}

/** The value with its unit made readable (`33154024` → `31.62 MiB`); undefined when it has none or is not a number. */
export function humanValue(field: string, value: string): string | undefined {
  const unit = infoUnit(field);
  if (unit === undefined || !/^-?\d+(\.\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  switch (unit) {
    case 'bytes':
      return n < 1024 && n > -1024 ? undefined : formatBytes(n);
    case 'seconds':
      return n < 60 ? undefined : formatDuration(n);
    case 'milliseconds':
      return formatDuration(n / 1000);
    case 'microseconds':
      return formatDuration(n / 1e6);
  }
}

/** The sections as aligned text lines: `# Memory`, then `used_memory  33154024  (31.62 MiB)`. */
export function renderInfo(sections: InfoSections): string[] {
  const lines: string[] = [];
  for (const [name, fields] of Object.entries(sections)) {
    if (lines.length > 0) lines.push('');
    lines.push(`# ${name.charAt(0).toUpperCase()}${name.slice(1)}`);
    const width = Math.min(40, Math.max(0, ...Object.keys(fields).map((f) => f.length)));
    for (const [field, value] of Object.entries(fields)) {
      const human = humanValue(field, value);
      lines.push(`${field.padEnd(width)}  ${value}${human !== undefined ? `  (${human})` : ''}`);
    }
  }
  return lines;
}
