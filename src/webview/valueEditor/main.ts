/**
 * The value editor page: a header (type, length, TTL, encoding, memory), a
 * toolbar (filter, jump, add, delete, refresh) and the virtual grid, paged
 * from the host as it scrolls. Lists and sorted sets are addressed by index /
 * rank (jump anywhere); hashes, sets and filtered values load in cursor order.
 */
// First: when the page began (bench row 20), then the page's language, before any module builds a sentence.
import { docStartedAt, frameFetchedAt, frameStartedAt, scriptStartedAt } from './marks';
import { pageData } from '../pageData';
import * as l10n from '@vscode/l10n';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { CODICON_STYLESHEET_ID } from '../protocol';
import { createRpcClient, HostError } from '../rpc';
import { FormatError, showCell } from './cellFormat';
import { CellEditor } from './cellEditor';
import { Grid, type GridModel } from './grid';
import { ROW_FORMS } from './addRow';
import {
  CELL_FORMATS,
  PAGE_ROWS,
  type CellFormat,
  type ValuePageResult,
  type ValueEditorInitial,
  type ValueEditorProtocol,
  type ValueEditorState,
  type ValueHeader,
  type ValueRow,
} from './protocol';
import { el, button, textfield } from './dom';
import { factsText, statusText } from './texts';
import './valueEditor.css';

const PAGE = PAGE_ROWS;

function isInitial(value: unknown): value is ValueEditorInitial {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ValueEditorInitial>;
  return typeof v.header === 'object' && v.header !== null && typeof v.page === 'object' && v.page !== null && Array.isArray(v.page.rows);
}

function start(): void {
  const buildAt = Date.now();
  const rpc = createRpcClient<ValueEditorProtocol, ValueEditorState>();
  const app = document.getElementById('app') ?? document.body;
  const saved = rpc.getState();
  let state: ValueEditorState | undefined = saved;
  // The first data the host wrote into the HTML, used by the page's first run only: when shown again
  // (the same HTML) or restored, the page has saved state and asks for fresh rows.
  const initial = saved === undefined && isInitial(pageData.initial) ? pageData.initial : undefined;

  const error = el('div', { className: 'be-error', role: 'alert' });
  const title = el('div', { className: 've-title' });
  const facts = el('div', { className: 've-facts' });
  const ttlField = textfield('ttl', l10n.t('TTL in seconds (empty: none)'), 've-ttl');
  const ttlSet = button(l10n.t('Set TTL'), 'clock');
  const filter = textfield('filter', l10n.t('Filter (MATCH pattern, e.g. user:*)'), 've-filter');
  const jump = textfield('jump', l10n.t('Go to index'), 've-jump');
  const add = button(l10n.t('Add Row'), 'add');
  const del = button(l10n.t('Delete Selected'), 'trash');
  const refresh = button(l10n.t('Refresh'), 'refresh');
  const status = el('span', { className: 've-status be-muted', role: 'status' });
  const toolbar = el('div', { className: 've-toolbar' }, filter, jump, add, del, refresh, status);
  const addForm = el('div', { className: 've-add', hidden: true });
  const conflict = el('div', { className: 've-conflict', role: 'alert', hidden: true });
  const gridHolder = el('div', { className: 've-gridholder' });
  app.append(
    el('header', { className: 've-header' }, title, facts, el('span', { className: 've-ttlbox' }, ttlField, ttlSet)),
    toolbar,
    error,
    conflict,
    addForm,
    gridHolder,
  );

  let info: ValueHeader | undefined;
  let formats: CellFormat[] = [];
  let match = saved?.match ?? '';
  let indexed = false;
  let rows = new Map<number, ValueRow>();
  let loadedCount = 0;
  let cursor = '0';
  let complete = false;
  let examined = 0;
  let fetches = 0;
  let generation = 0;
  const inFlight = new Set<number>();
  let firstRowsReported = false;

  const fail = (err: unknown): void => {
    error.textContent = err instanceof HostError || err instanceof FormatError ? err.message : String(err);
  };
  const persist = (patch: Partial<ValueEditorState>): void => {
    if (!info) return;
    state = { ...(state ?? { ref: info.ref }), ...patch, ref: info.ref };
    rpc.setState(state);
  };

  const showStatus = (): void => {
    if (!info) return;
    status.textContent = statusText({ length: info.length, indexed, loaded: loadedCount, examined, filtered: match !== '' });
    app.dataset.fetches = String(fetches);
    app.dataset.loaded = String(loadedCount);
    app.dataset.complete = String(complete);
  };

  const grid = new Grid(
    emptyModel(),
    {
      edit: (i, c) => void startEdit(i, c),
      deleteSelected: () => void deleteSelected(),
      copy: (text) => void rpc.request('copy', { text }).catch(fail),
      scrolled: (top) => persist({ scrollTop: top }),
    },
    l10n.t('Value'),
  );
  gridHolder.append(grid.element);
  const editor = new CellEditor(app);

  function emptyModel(): GridModel {
    return {
      columns: [],
      titles: [],
      rowCount: () => 0,
      row: () => undefined,
      ensure: () => undefined,
      cell: () => ({ text: '', className: '', title: '' }),
      headerControl: () => undefined,
    };
  }

  function formatSelect(column: number): HTMLElement {
    const select = el('select', {
      className: 've-format',
      title: l10n.t('Cell format of this column (remembered for keys like this one)'),
    });
    select.setAttribute('aria-label', l10n.t('Format of the {0} column', info?.titles[column] ?? ''));
    for (const f of CELL_FORMATS) select.append(el('option', { value: f, textContent: f }));
    select.value = formats[column] ?? 'text';
    select.addEventListener('change', () => {
      formats[column] = select.value as CellFormat;
      grid.render();
      void rpc.request('setFormats', { formats }).catch(fail);
    });
    return select;
  }

  async function loadIndexedBlock(block: number, gen: number): Promise<void> {
    if (inFlight.has(block)) return;
    inFlight.add(block);
    try {
      const t = performance.now();
      const page = await rpc.request('page', { cursor: String(block * PAGE), limit: PAGE });
      app.dataset.lastPageMs = (performance.now() - t).toFixed(1);
      fetches++;
      if (gen !== generation) return;
      takeBlock(block, page);
      grid.render();
      showStatus();
      reportFirstRows();
    } finally {
      inFlight.delete(block);
    }
  }

  function takeBlock(block: number, page: ValuePageResult): void {
    page.rows.forEach((r, i) => rows.set(block * PAGE + i, r));
    loadedCount = rows.size;
  }

  function takeNext(page: ValuePageResult): void {
    for (const r of page.rows) rows.set(loadedCount++, r);
    cursor = page.cursor;
    complete = page.complete;
    examined += page.examined;
  }

  async function loadNext(gen: number): Promise<void> {
    if (complete || inFlight.has(-1)) return;
    inFlight.add(-1);
    try {
      const t = performance.now();
      const page = await rpc.request('page', { cursor, limit: PAGE, ...(match ? { match } : {}) });
      app.dataset.lastPageMs = (performance.now() - t).toFixed(1);
      fetches++;
      if (gen !== generation) return;
      takeNext(page);
      grid.render();
      showStatus();
      reportFirstRows();
    } finally {
      inFlight.delete(-1);
    }
  }

  function reportFirstRows(): void {
    if (firstRowsReported) return;
    firstRowsReported = true;
    const marks = {
      frame: frameStartedAt,
      fetched: frameFetchedAt,
      doc: docStartedAt,
      script: scriptStartedAt,
      build: buildAt,
      rows: Date.now(),
    };
    void rpc.request('rendered', { rows: rows.size, marks }).then((r) => {
      if (r.phases !== undefined) app.dataset.phases = JSON.stringify(r.phases);
      if (r.firstRowsMs !== undefined) app.dataset.firstRowsMs = String(r.firstRowsMs);
    }, fail);
  }

  function model(h: ValueHeader): GridModel {
    return {
      columns: h.columns,
      titles: h.titles,
      rowCount: () => (indexed ? h.length : loadedCount + (complete ? 0 : 1)),
      row: (i) => rows.get(i),
      ensure: (first, last) => {
        const gen = generation;
        if (indexed) {
          for (let b = Math.floor(first / PAGE); b <= Math.floor(last / PAGE); b++) {
            if (!rows.has(b * PAGE) || !rows.has(Math.min(h.length - 1, b * PAGE + PAGE - 1))) void loadIndexedBlock(b, gen).catch(fail);
          }
        } else if (last >= loadedCount) void loadNext(gen).catch(fail);
      },
      cell: (row, c) => {
        const cellValue = row.cells[c] ?? '';
        const shown = showCell(cellValue, formats[c] ?? 'text');
        const binary = typeof cellValue !== 'string';
        return {
          text: shown.text,
          className: `${shown.shownAs !== 'text' ? 'be-mono' : ''}${shown.ok ? '' : ' ve-bad'}`,
          title: shown.ok ? (binary ? l10n.t('binary: shown as hex') : '') : l10n.t('not {0}: shown as hex', formats[c] ?? 'text'),
        };
      },
      headerControl: (c) => formatSelect(c),
    };
  }

  /** Reads the header and the rows again; `first` (the HTML's data) instead of asking, on the first run. */
  async function load(keepScroll: boolean, first?: ValueEditorInitial): Promise<void> {
    error.textContent = '';
    const top = keepScroll ? grid.scrollTop : (state?.scrollTop ?? 0);
    const h = first?.header ?? (await rpc.request('header', {}));
    info = h;
    generation++;
    formats = [...h.formats];
    indexed = h.type === 'list' || (h.type === 'zset' && !match);
    rows = new Map();
    loadedCount = 0;
    cursor = h.type === 'stream' ? '0' : '0';
    complete = false;
    examined = 0;
    persist({});
    title.replaceChildren(el('vscode-icon', { name: 'symbol-key' }), el('strong', { textContent: h.keyLabel }));
    facts.textContent = factsText(h);
    ttlField.value = h.ttl < 0 ? '' : String(h.ttl);
    filter.hidden = !h.hasMatch;
    filter.value = match;
    jump.hidden = !indexed;
    jump.placeholder = h.type === 'zset' ? l10n.t('Go to rank') : l10n.t('Go to index');
    for (const b of [add, del, ttlSet]) b.disabled = h.readOnly;
    ttlField.disabled = h.readOnly;
    if (first) fetches++;
    if (first && indexed) takeBlock(0, first.page);
    else if (first) takeNext(first.page);
    grid.setModel(model(h));
    if (first) {
      showStatus();
      reportFirstRows();
    } else if (!indexed) await loadNext(generation);
    if (top > 0) grid.scrollTop = top;
    showStatus();
  }

  async function startEdit(index: number, column: number): Promise<void> {
    if (!info) return;
    const row = rows.get(index);
    if (!row || !info.editable[column]) return;
    const anchor = grid.cellElement(index, column);
    const value = await editor.edit(
      anchor,
      row.cells[column] ?? '',
      formats[column] ?? 'text',
      l10n.t('{0} of {1}', info.titles[column] ?? '', showCell(row.id, 'text').text),
    );
    if (value === undefined) return grid.focusCell();
    await save(index, column, row, value, false);
  }

  async function save(index: number, column: number, row: ValueRow, value: ValueRow['cells'][number], force: boolean): Promise<void> {
    error.textContent = '';
    const result = await rpc.request('setCell', { row, column, value, force });
    if (result.outcome === 'saved') {
      conflict.hidden = true;
      const cells = [...row.cells];
      cells[column] = value;
      const renamed = info && (info.type === 'set' || (info.type === 'zset' && column === 0));
      rows.set(index, { id: renamed ? value : row.id, cells });
      grid.render();
      grid.focusCell();
      return;
    }
    const current = result.current;
    const f = formats[column] ?? 'text';
    const shownMine = showCell(value, f).text;
    const shownTheirs = current === null ? l10n.t('(deleted)') : showCell(current, f).text;
    conflict.replaceChildren(
      el('div', {
        textContent: l10n.t(
          '"{0}" changed on the server since it was shown; nothing was written. Choose which value to keep.',
          showCell(row.id, 'text').text,
        ),
      }),
      el(
        'div',
        { className: 've-both' },
        el(
          'div',
          {},
          el('strong', { textContent: l10n.t('Server now: ') }),
          el('code', { className: 've-theirs', textContent: shownTheirs }),
        ),
        el('div', {}, el('strong', { textContent: l10n.t('Yours: ') }), el('code', { className: 've-mine', textContent: shownMine })),
      ),
      el(
        'div',
        { className: 've-choices' },
        current === null
          ? el('span')
          : button(
              l10n.t('Overwrite with Mine'),
              'check',
              () => void save(index, column, { ...row, cells: withCell(row, column, current) }, value, true).catch(fail),
            ),
        button(l10n.t('Keep Server Value'), 'discard', () => {
          conflict.hidden = true;
          void load(true).catch(fail);
        }),
      ),
    );
    conflict.hidden = false;
  }

  function withCell(row: ValueRow, column: number, value: ValueRow['cells'][number]): ValueRow['cells'] {
    const cells = [...row.cells];
    cells[column] = value;
    return cells;
  }

  async function deleteSelected(): Promise<void> {
    if (!info || info.readOnly) return;
    const picked = grid.selectedRows();
    if (picked.length === 0) return;
    const result = await rpc.request('deleteRows', { rows: picked.map((p) => p.row) });
    if (!result.cancelled) await load(true);
  }

  function openAddForm(): void {
    if (!info) return;
    const form = ROW_FORMS[info.type];
    const fields = form.fields.map((f) => textfield(f.name, f.placeholder(), 've-addfield'));
    const end = el(
      'select',
      { className: 've-format', hidden: info.type !== 'list' },
      el('option', { value: 'tail', textContent: l10n.t('at the tail') }),
      el('option', { value: 'head', textContent: l10n.t('at the head') }),
    );
    end.setAttribute('aria-label', l10n.t('Where the element goes'));
    const submit = button(l10n.t('Add'), 'check', () => {
      error.textContent = '';
      void (async () => {
        const cells = form.cells(
          fields.map((f) => f.value),
          formats,
        );
        await rpc.request('addRow', { cells, end: end.value === 'head' ? 'head' : 'tail' });
        addForm.hidden = true;
        await load(false);
      })().catch(fail);
    });
    const cancel = button(l10n.t('Cancel'), 'close', () => (addForm.hidden = true));
    addForm.replaceChildren(...fields, end, submit, cancel);
    addForm.hidden = false;
    fields[0]?.focus();
  }

  add.addEventListener('click', openAddForm);
  del.addEventListener('click', () => void deleteSelected().catch(fail));
  refresh.addEventListener('click', () => void load(true).catch(fail));
  ttlSet.addEventListener('click', () => {
    const text = ttlField.value.trim();
    void rpc
      .request('setTtl', { seconds: text === '' ? -1 : Number(text) })
      .then(() => load(true))
      .catch(fail);
  });
  filter.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    match = filter.value.trim() === '*' ? '' : filter.value.trim();
    persist({ match, scrollTop: 0 });
    if (state) state.scrollTop = 0;
    void load(false).catch(fail);
  });
  jump.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const n = Number(jump.value.trim());
    if (!Number.isInteger(n) || n < 0 || !info || n >= info.length) {
      error.textContent = l10n.t('Give an index from 0 to {0}.', String(Math.max(0, (info?.length ?? 1) - 1)));
      return;
    }
    error.textContent = '';
    grid.scrollToRow(n);
  });
  rpc.onPush('changed', () => void load(true).catch(fail));
  rpc.ready();
  void load(false, initial).catch(fail);
  // The host inlines this page and links the codicons as `media="not all"` so they do not hold the first rows back.
  document.getElementById(CODICON_STYLESHEET_ID)?.setAttribute('media', 'all');
}

start();
