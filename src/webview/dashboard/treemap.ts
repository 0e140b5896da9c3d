/**
 * The keyspace analysis drawn: a treemap of memory by namespace (d3-hierarchy's
 * squarified layout; each namespace's own keys are its area, its children
 * nest inside it) and the table of the biggest keys, each row opening its key.
 */
import { hierarchy, treemap, type HierarchyRectangularNode } from 'd3-hierarchy';
import type { BytesLike } from '../../core/bytes';
import type { KeyspaceAnalysis } from '../../core/redis/keyspaceAnalysis';
import type { PrefixStats } from '../../core/redis/keyspaceTally';
import * as l10n from '@vscode/l10n';
import { formatBytes, formatCount } from '../../core/units';
import { seriesColor } from './liveChart';

interface Box {
  name: string;
  keys: number;
  /** Bytes of this namespace's own keys (not under a child namespace). */
  own: number;
  bytes: number;
  children?: Box[];
}

export const bytesLabel = (b: BytesLike): string => (typeof b === 'string' ? b : `{hex ${b.hex}}`);

function box(s: PrefixStats): Box {
  const children = (s.children ?? []).map(box);
  const inChildren = children.reduce((sum, c) => sum + c.bytes, 0);
  const name = s.other ? l10n.t('{0} (other)', bytesLabel(s.prefix)) : s.prefix === '' ? l10n.t('(no prefix)') : bytesLabel(s.prefix);
  return { name, keys: s.keys, bytes: s.bytes, own: Math.max(0, s.bytes - inChildren), ...(children.length > 0 ? { children } : {}) };
}

/** Draws the treemap into `target` (cleared first), `width` × `height` CSS pixels. */
export function drawTreemap(target: HTMLElement, analysis: KeyspaceAnalysis, width: number, height: number): void {
  target.replaceChildren();
  const top = analysis.byPrefix.map(box);
  const total = top.reduce((sum, b) => sum + b.bytes, 0);
  if (total === 0) {
    target.textContent = l10n.t('No keys.');
    return;
  }
  const root = hierarchy<Box>({ name: '', keys: 0, own: 0, bytes: total, children: top }, (b) => b.children).sum((b) => b.own);
  const laid: HierarchyRectangularNode<Box> = treemap<Box>()
    .size([width, height])
    .paddingInner(1)
    .paddingTop((n) => (n.depth > 0 && n.children ? 16 : 0))(root);
  for (const n of laid.descendants()) {
    if (n.depth === 0) continue;
    const w = n.x1 - n.x0;
    const h = n.y1 - n.y0;
    if (w < 2 || h < 2) continue;
    let branch: HierarchyRectangularNode<Box> = n;
    while (branch.depth > 1 && branch.parent) branch = branch.parent;
    const cell = document.createElement('div');
    cell.className = n.children ? 'tm-cell tm-parent' : 'tm-cell';
    cell.dataset.prefix = n.data.name;
    cell.dataset.bytes = String(n.data.bytes);
    cell.dataset.keys = String(n.data.keys);
    // Positions through the CSSOM (allowed by the page's CSP, unlike style attributes).
    cell.style.left = `${n.x0}px`;
    cell.style.top = `${n.y0}px`;
    cell.style.width = `${w}px`;
    cell.style.height = `${h}px`;
    cell.style.borderColor = seriesColor(laid.children?.indexOf(branch) ?? 0);
    const share = ((100 * n.data.bytes) / total).toFixed(1);
    const path = n
      .ancestors()
      .reverse()
      .slice(1)
      .map((a) => a.data.name)
      .join(' › ');
    cell.title = `${path}\n${l10n.t('{0} keys · {1} · {2}%', formatCount(n.data.keys), formatBytes(n.data.bytes), share)}`;
    if (w > 40 && h > 14) cell.textContent = `${n.data.name} ${formatBytes(n.data.bytes)}`;
    target.append(cell);
  }
}

/** The biggest keys by memory; clicking (or Enter on) a row calls `open` with its key. */
export function topKeysTable(analysis: KeyspaceAnalysis, open: (key: BytesLike) => void): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'dash-table dash-topkeys';
  const head = table.createTHead().insertRow();
  for (const title of [l10n.t('Key'), l10n.t('Type'), l10n.t('Memory'), l10n.t('Length')]) {
    const th = document.createElement('th');
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const k of analysis.topKeys) {
    const row = body.insertRow();
    row.tabIndex = 0;
    row.className = 'dash-link';
    row.dataset.key = bytesLabel(k.key);
    row.title = l10n.t('Open the key');
    for (const text of [bytesLabel(k.key), k.type, formatBytes(k.bytes), formatCount(k.length)]) row.insertCell().textContent = text;
    row.addEventListener('click', () => open(k.key));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') open(k.key);
    });
  }
  return table;
}
