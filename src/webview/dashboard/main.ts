/**
 * The dashboard page: the newest sample as a table, live charts of the last
 * 10 minutes, and (Redis) the keyspace analysis as a treemap and a table of
 * the biggest keys. It only renders and asks: samples come as pushes from
 * the host, which polls (and stops polling while the panel is hidden).
 */
// First: the page's language, before any module builds a sentence.
import '../pageData';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import * as l10n from '@vscode/l10n';
import { formatCount, formatTime } from '../../core/units';
import { createRpcClient, HostError } from '../rpc';
import { LiveChart } from './liveChart';
import type { DashboardInfo, DashboardProtocol, DashboardSample, DashboardState } from './protocol';
import { dashboardSpec, type Readout } from './specs';
import { drawTreemap, topKeysTable } from './treemap';
import './dashboard.css';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}

const message = (err: unknown): string => (err instanceof HostError || err instanceof Error ? err.message : String(err));

function readoutTable(rows: readonly Readout[], sample: DashboardSample): HTMLTableElement {
  const table = el('table', 'dash-table dash-latest');
  table.dataset.sampleT = String(sample.t);
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    tr.dataset.field = r.field;
    tr.dataset.value = r.value === null ? '' : String(r.value);
    tr.insertCell().textContent = r.label;
    const td = tr.insertCell();
    td.className = 'dash-num';
    td.textContent = r.text;
  }
  return table;
}

async function start(): Promise<void> {
  const rpc = createRpcClient<DashboardProtocol, DashboardState>();
  const app = document.getElementById('app') ?? document.body;
  const title = el('h2', 'dash-title');
  const status = el('div', 'dash-status be-muted');
  status.setAttribute('aria-live', 'polite');
  const error = el('div', 'be-error');
  error.setAttribute('role', 'alert');
  const layout = el('div', 'dash-layout');
  const latest = el('section', 'dash-latest-box');
  latest.setAttribute('aria-label', l10n.t('Newest sample'));
  const charts = el('section', 'dash-charts');
  layout.append(latest, charts);
  app.append(title, status, error, layout);

  let info: DashboardInfo;
  try {
    info = await rpc.request('init', {});
  } catch (err) {
    error.textContent = message(err);
    return;
  }
  document.body.dataset.kind = info.kind;
  title.textContent = info.title;
  const spec = dashboardSpec(info.kind);
  const samples: DashboardSample[] = [...info.history];
  const capacity = Math.ceil(600_000 / info.intervalMs) + 1;
  const live = spec.charts.map((c) => new LiveChart(charts, c));

  const render = (): void => {
    const last = samples[samples.length - 1];
    if (!last) {
      status.textContent = l10n.t('Waiting for the first sample of {0}…', info.where);
      return;
    }
    status.textContent = l10n.t(
      '{0} · every {1} s · last sample {2} · {3} kept (10 minutes)',
      info.where,
      info.intervalMs / 1000,
      formatTime(last.t),
      formatCount(samples.length),
    );
    latest.replaceChildren(readoutTable(spec.readouts(last), last));
    for (const c of live) c.update(samples);
  };

  rpc.onPush('sample', (s) => {
    samples.push(s);
    if (samples.length > capacity) samples.splice(0, samples.length - capacity);
    error.textContent = '';
    render();
  });
  rpc.onPush('error', (e) => {
    error.textContent = e.message;
  });
  if (info.error) error.textContent = info.error;
  new ResizeObserver(() => {
    for (const c of live) c.resize();
  }).observe(charts);
  if (info.kind === 'redis') app.append(analysisSection(rpc, info.db ?? 0));
  render();
  rpc.ready();
}

function analysisSection(rpc: ReturnType<typeof createRpcClient<DashboardProtocol, DashboardState>>, defaultDb: number): HTMLElement {
  const state = rpc.getState() ?? {};
  const section = el('section', 'dash-analysis');
  const name = l10n.t('Keyspace analysis');
  section.setAttribute('aria-label', name);
  const heading = el('h3', '', name);
  const form = el('div', 'dash-form');
  const db = document.createElement('vscode-textfield');
  db.setAttribute('aria-label', l10n.t('Database'));
  db.className = 'dash-db';
  db.value = String(state.analysisDb ?? defaultDb);
  const match = document.createElement('vscode-textfield');
  match.setAttribute('aria-label', l10n.t('MATCH pattern'));
  match.className = 'dash-match';
  match.placeholder = l10n.t('MATCH pattern (every key when empty)');
  match.value = state.analysisMatch ?? '';
  const run = document.createElement('vscode-button');
  run.className = 'dash-analyze';
  run.textContent = l10n.t('Analyze');
  const note = el('span', 'be-muted dash-note');
  form.append(el('label', '', l10n.t('db')), db, match, run, note);
  const map = el('div', 'dash-treemap');
  map.setAttribute('role', 'img');
  map.setAttribute('aria-label', l10n.t('Memory by namespace'));
  const keys = el('div', 'dash-topkeys-box');
  section.append(heading, form, map, keys);

  const show = (dbNumber: number, a: NonNullable<DashboardState['analysis']>): void => {
    note.textContent = a.complete
      ? l10n.t('{0} keys analysed · memory by namespace, and the biggest keys (click one to open it)', formatCount(a.scanned))
      : l10n.t('{0} keys analysed (partial) · memory by namespace, and the biggest keys (click one to open it)', formatCount(a.scanned));
    section.dataset.scanned = String(a.scanned);
    requestAnimationFrame(() => drawTreemap(map, a, Math.max(300, map.clientWidth), 280));
    keys.replaceChildren(
      topKeysTable(a, (key) => {
        rpc.request('openKey', { db: dbNumber, key }).catch((err: unknown) => (note.textContent = message(err)));
      }),
    );
  };
  run.addEventListener('click', () => {
    const n = Number(db.value);
    if (!/^\d+$/.test(db.value.trim()) || n > 15_000) {
      note.textContent = l10n.t('Give the database as a whole number.');
      return;
    }
    const pattern = match.value.trim();
    note.textContent = l10n.t('Analyzing…');
    note.classList.remove('dash-failed');
    run.disabled = true;
    rpc
      .request('analyze', { db: n, ...(pattern ? { match: pattern } : {}) })
      .then((a) => {
        rpc.setState({ analysisDb: n, analysisMatch: pattern, analysis: a });
        show(n, a);
      })
      .catch((err: unknown) => {
        note.textContent = message(err);
        note.classList.add('dash-failed');
      })
      .finally(() => (run.disabled = false));
  });
  if (state.analysis) show(state.analysisDb ?? defaultDb, state.analysis);
  return section;
}

void start();
