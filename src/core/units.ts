/**
 * Units for people: counts, times, byte sizes and durations, in the display language. No imports,
 * shared by the extension side and the webview pages (which may import nothing else from core but types).
 */

/**
 * The display language numbers and times are written in. The one process-wide setting, like
 * @vscode/l10n's bundle: activate() sets it once from `vscode.env.language` (core/l10n.ts), and each
 * webview page from what its host sent. Unset (plain Node: the tests), numbers are written as en-US.
 */
let displayLocale = 'en-US';

/** Sets the display language (a BCP 47 tag such as `zh-cn`); one Intl does not know leaves en-US. */
export function setDisplayLocale(locale: string): void {
  try {
    displayLocale = Intl.NumberFormat.supportedLocalesOf([locale])[0] ?? 'en-US';
  } catch {
    displayLocale = 'en-US'; // not a well-formed tag
  }
}

/** The language numbers and times are written in. */
export function getDisplayLocale(): string {
  return displayLocale;
}

/** `1234567` → `1,234,567` (grouped as the display language groups). */
export function formatCount(n: number): string {
  return n.toLocaleString(displayLocale);
}

/** A wall-clock time of day (epoch ms) in the display language: `14:03:07`. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(displayLocale);
}

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
