/** The value editor page's header and status lines, in the display language. */
import * as l10n from '@vscode/l10n';
import { formatCount } from '../../core/units';
import type { ValueHeader } from './protocol';

/** The header's facts: "zset · 1,000 items · TTL none · encoding skiplist · memory 123 bytes". */
export function factsText(h: ValueHeader): string {
  const n = formatCount(h.length);
  const count =
    h.type === 'hash'
      ? h.length === 1
        ? l10n.t('{0} field', n)
        : l10n.t('{0} fields', n)
      : h.type === 'stream'
        ? h.length === 1
          ? l10n.t('{0} entry', n)
          : l10n.t('{0} entries', n)
        : h.length === 1
          ? l10n.t('{0} item', n)
          : l10n.t('{0} items', n);
  const facts = [
    h.type,
    count,
    l10n.t('TTL {0}', h.ttl < 0 ? l10n.t('none') : l10n.t('{0} s', formatCount(h.ttl))),
    l10n.t('encoding {0}', h.encoding ?? '?'),
    l10n.t('memory {0} bytes', h.memoryBytes === undefined ? '?' : formatCount(h.memoryBytes)),
  ];
  if (h.readOnly) facts.push(l10n.t('read-only profile'));
  return facts.join(' · ');
}

/** The status line: "500 rows" (indexed), "loaded 500 of 1,000", or with a filter "loaded 3 of 1,000 examined of 5,000 · 3 matching". */
export function statusText(s: { length: number; indexed: boolean; loaded: number; examined: number; filtered: boolean }): string {
  const length = formatCount(s.length);
  const loaded = s.indexed
    ? s.length === 1
      ? l10n.t('{0} row', length)
      : l10n.t('{0} rows', length)
    : s.filtered
      ? l10n.t('loaded {0} of {1} examined of {2}', formatCount(s.loaded), formatCount(s.examined), length)
      : l10n.t('loaded {0} of {1}', formatCount(s.loaded), length);
  return s.filtered ? l10n.t('{0} · {1} matching', loaded, formatCount(s.loaded)) : loaded;
}
