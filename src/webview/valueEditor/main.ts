/**
 * The value editor page: header (type, length, TTL, encoding, memory) and the
 * value's rows, paged from the host as the user asks for more.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { createRpcClient, HostError } from '../rpc';
import type { Cell, ValueEditorProtocol, ValueEditorState, ValueHeader } from './protocol';
import './valueEditor.css';

const PAGE = 200;

function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell : `0x${cell.hex}`;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
}

function start(): void {
  const rpc = createRpcClient<ValueEditorProtocol, ValueEditorState>();
  const app = document.getElementById('app') ?? document.body;
  const error = el('div', { className: 'be-error', role: 'alert' });
  const header = el('div', { className: 've-header' });
  const table = el('table', { className: 've-grid' });
  table.setAttribute('role', 'grid');
  const body = el('tbody');
  const more = document.createElement('vscode-button');
  more.textContent = 'Load more';
  const status = el('span', { className: 've-status be-muted' });
  app.append(header, error, table, el('div', { className: 've-footer' }, more, status));

  let cursor = '0';
  let loaded = 0;
  let info: ValueHeader | undefined;

  const fail = (err: unknown): void => {
    error.textContent = err instanceof HostError ? err.message : String(err);
  };

  async function loadMore(): Promise<void> {
    if (!info) return;
    const page = await rpc.request('page', { cursor, limit: PAGE });
    for (const row of page.rows) {
      const tr = el('tr');
      tr.setAttribute('role', 'row');
      for (const cell of row.cells) {
        const td = el('td', { className: typeof cell === 'string' ? '' : 'be-mono' }, cellText(cell));
        td.setAttribute('role', 'gridcell');
        tr.append(td);
      }
      body.append(tr);
    }
    loaded += page.rows.length;
    cursor = page.cursor;
    more.hidden = page.complete;
    status.textContent = `loaded ${loaded} of ${info.length}`;
  }

  async function load(): Promise<void> {
    error.textContent = '';
    info = await rpc.request('header', {});
    rpc.setState({ ref: info.ref });
    const ttl = info.ttl < 0 ? 'none' : `${info.ttl} s`;
    header.replaceChildren(
      el('strong', { className: 've-key' }, info.keyLabel),
      el(
        'span',
        { className: 'be-muted' },
        ` ${info.type} · ${info.length} · TTL ${ttl} · ${info.encoding ?? '?'} · ${info.memoryBytes ?? '?'} bytes`,
      ),
    );
    const head = el('thead', {}, el('tr', {}, ...info.columns.map((c) => el('th', { scope: 'col' }, c))));
    body.replaceChildren();
    table.replaceChildren(head, body);
    cursor = '0';
    loaded = 0;
    await loadMore();
  }

  more.addEventListener('click', () => void loadMore().catch(fail));
  rpc.onPush('changed', () => void load().catch(fail));
  rpc.ready();
  void load().catch(fail);
}

start();
