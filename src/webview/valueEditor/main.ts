/**
 * The value editor page: a header (type, length, TTL, encoding, memory), a
 * toolbar (filter, jump, add, delete, refresh) and the virtual grid, paged
 * from the host as it scrolls. Lists and sorted sets are addressed by index /
 * rank (jump anywhere); hashes, sets and filtered values load in cursor order.
 */
// First: the page's language, before any module builds a sentence.
import '../pageData';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { createRpcClient, HostError } from '../rpc';
import { FormatError, showCell } from './cellFormat';
import { CellEditor } from './cellEditor';
import { Grid, type GridModel } from './grid';
import { ROW_FORMS } from './addRow';
import {
  CELL_FORMATS,
  PAGE_ROWS,
  type CellFormat,
  type ValueEditorProtocol,
  type ValueEditorState,
  type ValueHeader,
  type ValueRow,
} from './protocol';
import { el, button, textfield } from './dom';
import './valueEditor.css';

const PAGE = PAGE_ROWS;

function start(): void {
  const rpc = createRpcClient<ValueEditorProtocol, ValueEditorState>();
  const app = document.getElementById('app') ?? document.body;
  const saved = rpc.getState();
  let state: ValueEditorState | undefined = saved;

  const error = el('div', { className: 'be-error', role: 'alert' });
  const title = el('div', { className: 've-title' });
  const facts = el('div', { className: 've-facts' });
  const ttlField = textfield('ttl', 'TTL in seconds (empty: none)', 've-ttl');
  const ttlSet = button('Set TTL', 'clock');
  const filter = textfield('filter', 'Filter (MATCH pattern, e.g. user:*)', 've-filter');
  const jump = textfield('jump', 'Go to index', 've-jump');
  const add = button('Add Row', 'add');
  const del = button('Delete Selected', 'trash');
  const refresh = button('Refresh', 'refresh');
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
    const loaded = indexed ? `${info.length} rows` : `loaded ${loadedCount} of ${match ? `${examined} examined of ` : ''}${info.length}`;
    status.textContent = `${loaded}${match ? ` · ${loadedCount} matching` : ''}`;
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
    'Value',
  );
  gridHolder.append(grid.element);
  const editor = new CellEditor(app);

  function emptyModel(): GridModel {
    return {
      columns: [],
      rowCount: () => 0,
      row: () => undefined,
      ensure: () => undefined,
      cell: () => ({ text: '', className: '', title: '' }),
      headerControl: () => undefined,
    };
  }

  function formatSelect(column: number): HTMLElement {
    const select = el('select', { className: 've-format', title: 'Cell format of this column (remembered for keys like this one)' });
    select.setAttribute('aria-label', `Format of the ${info?.columns[column] ?? ''} column`);
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
      page.rows.forEach((r, i) => rows.set(block * PAGE + i, r));
      loadedCount = rows.size;
      grid.render();
      showStatus();
      reportFirstRows();
    } finally {
      inFlight.delete(block);
    }
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
      for (const r of page.rows) rows.set(loadedCount++, r);
      cursor = page.cursor;
      complete = page.complete;
      examined += page.examined;
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
    void rpc.request('rendered', { rows: rows.size }).then((r) => {
      if (r.firstRowsMs !== undefined) app.dataset.firstRowsMs = String(r.firstRowsMs);
    }, fail);
  }

  function model(h: ValueHeader): GridModel {
    return {
      columns: h.columns,
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
          title: shown.ok ? (binary ? 'binary: shown as hex' : '') : `not ${formats[c]}: shown as hex`,
        };
      },
      headerControl: (c) => formatSelect(c),
    };
  }

  async function load(keepScroll: boolean): Promise<void> {
    error.textContent = '';
    const top = keepScroll ? grid.scrollTop : (state?.scrollTop ?? 0);
    const h = await rpc.request('header', {});
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
    const ttl = h.ttl < 0 ? 'none' : `${h.ttl} s`;
    facts.textContent = `${h.type} · ${h.length} ${h.type === 'hash' ? 'fields' : h.type === 'stream' ? 'entries' : 'items'} · TTL ${ttl} · encoding ${h.encoding ?? '?'} · memory ${h.memoryBytes ?? '?'} bytes${h.readOnly ? ' · read-only profile' : ''}`;
    ttlField.value = h.ttl < 0 ? '' : String(h.ttl);
    filter.hidden = !h.hasMatch;
    filter.value = match;
    jump.hidden = !indexed;
    jump.placeholder = h.type === 'zset' ? 'Go to rank' : 'Go to index';
    for (const b of [add, del, ttlSet]) b.disabled = h.readOnly;
    ttlField.disabled = h.readOnly;
    grid.setModel(model(h));
    if (!indexed) await loadNext(generation);
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
      `${info.columns[column]} of ${showCell(row.id, 'text').text}`,
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
    const shownTheirs = current === null ? '(deleted)' : showCell(current, f).text;
    conflict.replaceChildren(
      el('div', {
        textContent: `"${showCell(row.id, 'text').text}" changed on the server since it was shown; nothing was written. Choose which value to keep.`,
      }),
      el(
        'div',
        { className: 've-both' },
        el('div', {}, el('strong', { textContent: 'Server now: ' }), el('code', { className: 've-theirs', textContent: shownTheirs })),
        el('div', {}, el('strong', { textContent: 'Yours: ' }), el('code', { className: 've-mine', textContent: shownMine })),
      ),
      el(
        'div',
        { className: 've-choices' },
        current === null
          ? el('span')
          : button(
              'Overwrite with Mine',
              'check',
              () => void save(index, column, { ...row, cells: withCell(row, column, current) }, value, true).catch(fail),
            ),
        button('Keep Server Value', 'discard', () => {
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
    const fields = form.fields.map((f) => textfield(f.name, f.placeholder, 've-addfield'));
    const end = el(
      'select',
      { className: 've-format', hidden: info.type !== 'list' },
      el('option', { value: 'tail', textContent: 'at the tail' }),
      el('option', { value: 'head', textContent: 'at the head' }),
    );
    end.setAttribute('aria-label', 'Where the element goes');
    const submit = button('Add', 'check', () => {
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
    const cancel = button('Cancel', 'close', () => (addForm.hidden = true));
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
      error.textContent = `Give an index from 0 to ${Math.max(0, (info?.length ?? 1) - 1)}.`;
      return;
    }
    error.textContent = '';
    grid.scrollToRow(n);
  });
  rpc.onPush('changed', () => void load(true).catch(fail));
  rpc.ready();
  void load(false).catch(fail);
}

start();
