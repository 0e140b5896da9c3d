/**
 * Units for people: byte sizes and durations. Pure functions with no imports, shared by the
 * extension side and the webview pages (which may import nothing else from core but types).
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1536` → `1.50 KiB`; below 1 KiB the plain count with `B`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  let n = Math.abs(bytes);
  let unit = 0;
  while (n >= 1024 && unit < BYTE_UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${sign}${n} B` : `${sign}${n.toFixed(2)} ${BYTE_UNITS[unit]}`;
}

/** `93784.5` seconds → `1d 2h 3m 4s`; under a second in ms, under a ms in µs. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s === 0) return '0s';
  if (s < 0.001) return `${sign}${Math.round(s * 1e6)}µs`;
  if (s < 1) return `${sign}${(s * 1000).toFixed(s < 0.01 ? 2 : 0)}ms`;
  if (s < 60) return `${sign}${Number.isInteger(s) ? s : s.toFixed(2)}s`;
  const parts: string[] = [];
  let rest = Math.floor(s);
  for (const [size, name] of [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}s`);
  return sign + parts.join(' ');
}
