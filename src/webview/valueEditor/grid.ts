/**
 * A virtual grid: only the rows in view exist in the DOM, laid out at fixed
 * height inside a spacer as tall as every row, so a million-row value scrolls
 * like a short one. Keyboard: arrows, Page Up/Down, Ctrl+Home/End move the
 * focused cell; Enter or F2 edits it; Space selects the row; Delete deletes
 * the selection; Ctrl+C copies the cell, Ctrl+Shift+C the row.
 */
import * as l10n from '@vscode/l10n';
import type { ValueRow } from './protocol';

export const ROW_HEIGHT = 24;

export interface GridModel {
  /** Column ids (the layout follows them: index / id first, score second). */
  columns: readonly string[];
  /** Column titles as shown. */
  titles: readonly string[];
  /** Rows to lay out (loaded or not). */
  rowCount(): number;
  /** The row at `index`, or undefined while it loads. */
  row(index: number): ValueRow | undefined;
  /** Rows first..last are in view: load the missing ones. */
  ensure(first: number, last: number): void;
  /** A cell's text, class and tooltip as shown. */
  cell(row: ValueRow, column: number): { text: string; className: string; title: string };
  /** The format chooser of a column's header, if any. */
  headerControl(column: number): HTMLElement | undefined;
}

export interface GridActions {
  edit(index: number, column: number): void;
  deleteSelected(): void;
  copy(text: string): void;
  scrolled(scrollTop: number): void;
}

export class Grid {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly head: HTMLElement;
  private focusRow = 0;
  private focusCol = 0;
  private anchor = 0;
  readonly selection = new Set<number>();
  private scheduled = false;

  constructor(
    private model: GridModel,
    private readonly actions: GridActions,
    label: string,
  ) {
    this.element = document.createElement('div');
    this.element.className = 've-grid';
    this.element.setAttribute('role', 'grid');
    this.element.setAttribute('aria-label', label);
    this.element.setAttribute('aria-multiselectable', 'true');
    this.head = document.createElement('div');
    this.head.className = 've-row ve-headrow';
    this.head.setAttribute('role', 'row');
    this.head.setAttribute('aria-rowindex', '1');
    this.viewport = document.createElement('div');
    this.viewport.className = 've-viewport';
    this.spacer = document.createElement('div');
    this.spacer.className = 've-spacer';
    this.viewport.append(this.spacer);
    this.element.append(this.head, this.viewport);
    this.viewport.addEventListener('scroll', () => {
      this.schedule();
      this.actions.scrolled(this.viewport.scrollTop);
    });
    this.viewport.addEventListener('keydown', (e) => this.key(e));
    // Delegated, so the cells can be rebuilt between the two clicks of a double click.
    this.spacer.addEventListener('mousedown', (e) => {
      const at = this.cellAt(e.target);
      if (at) this.click(at.row, at.col, e);
    });
    this.spacer.addEventListener('dblclick', (e) => {
      const at = this.cellAt(e.target);
      if (at) this.actions.edit(at.row, at.col);
    });
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  setModel(model: GridModel): void {
    this.model = model;
    this.selection.clear();
    this.focusRow = 0;
    this.focusCol = 0;
    this.renderHead();
    this.render();
  }

  get scrollTop(): number {
    return this.viewport.scrollTop;
  }

  set scrollTop(top: number) {
    this.viewport.scrollTop = top;
    this.render();
  }

  scrollToRow(index: number): void {
    this.focusRow = Math.max(0, Math.min(index, this.model.rowCount() - 1));
    this.viewport.scrollTop = this.focusRow * ROW_HEIGHT;
    this.render();
    this.focusCell();
  }

  /** The selected rows (or the focused one when none is selected) that are loaded. */
  selectedRows(): { index: number; row: ValueRow }[] {
    const indexes = this.selection.size ? [...this.selection].sort((a, b) => a - b) : [this.focusRow];
    return indexes.flatMap((index) => {
      const row = this.model.row(index);
      return row ? [{ index, row }] : [];
    });
  }

  /** The cell element of (index, column) when it is in view. */
  cellElement(index: number, column: number): HTMLElement | null {
    return this.spacer.querySelector(`[data-row="${index}"] [data-col="${column}"]`);
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  private renderHead(): void {
    const template = this.template();
    this.head.style.gridTemplateColumns = template;
    this.head.replaceChildren(
      ...this.model.titles.map((title, c) => {
        const h = document.createElement('div');
        h.className = 've-colhead';
        h.setAttribute('role', 'columnheader');
        const span = document.createElement('span');
        span.textContent = title;
        h.append(span);
        const control = this.model.headerControl(c);
        if (control) h.append(control);
        return h;
      }),
    );
  }

  private template(): string {
    const cols = this.model.columns;
    if (cols[0] === 'index' || cols[0] === 'id') return `minmax(90px, 180px) 1fr`;
    if (cols[1] === 'score') return `1fr minmax(120px, 220px)`;
    return cols.length === 2 ? `minmax(120px, 1fr) 2fr` : '1fr';
  }

  render(): void {
    const count = this.model.rowCount();
    this.spacer.style.height = `${count * ROW_HEIGHT}px`;
    this.element.setAttribute('aria-rowcount', String(count + 1));
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - 2);
    const last = Math.min(count - 1, Math.ceil((this.viewport.scrollTop + height) / ROW_HEIGHT) + 2);
    const hadFocus = this.viewport.contains(document.activeElement);
    const template = this.template();
    const rows: HTMLElement[] = [];
    let missing = false;
    for (let i = first; i <= last; i++) {
      const row = this.model.row(i);
      const r = document.createElement('div');
      r.className = 've-row';
      r.setAttribute('role', 'row');
      r.setAttribute('aria-rowindex', String(i + 2));
      r.dataset.row = String(i);
      r.style.top = `${i * ROW_HEIGHT}px`;
      r.style.gridTemplateColumns = template;
      if (this.selection.has(i)) r.classList.add('selected');
      r.setAttribute('aria-selected', String(this.selection.has(i)));
      if (!row) {
        missing = true;
        const c = document.createElement('div');
        c.className = 've-cell be-muted';
        c.setAttribute('role', 'gridcell');
        c.textContent = l10n.t('Loading…');
        r.append(c);
      } else {
        for (let col = 0; col < this.model.columns.length; col++) {
          const shown = this.model.cell(row, col);
          const c = document.createElement('div');
          c.className = `ve-cell ${shown.className}`;
          c.setAttribute('role', 'gridcell');
          c.dataset.col = String(col);
          c.textContent = shown.text;
          c.title = shown.title;
          c.tabIndex = i === this.focusRow && col === this.focusCol ? 0 : -1;
          r.append(c);
        }
      }
      rows.push(r);
    }
    this.spacer.replaceChildren(...rows);
    if (missing || count === 0) this.model.ensure(first, last);
    if (hadFocus) this.focusCell();
  }

  private cellAt(target: EventTarget | null): { row: number; col: number } | undefined {
    const cell = target instanceof HTMLElement ? target.closest<HTMLElement>('[data-col]') : null;
    const row = cell?.closest<HTMLElement>('[data-row]');
    if (!cell || !row) return undefined;
    return { row: Number(row.dataset.row), col: Number(cell.dataset.col) };
  }

  /** Selection and focus shown on the rows in view, without rebuilding them. */
  private paintSelection(): void {
    for (const r of this.spacer.querySelectorAll<HTMLElement>('[data-row]')) {
      const i = Number(r.dataset.row);
      r.classList.toggle('selected', this.selection.has(i));
      r.setAttribute('aria-selected', String(this.selection.has(i)));
      for (const c of r.querySelectorAll<HTMLElement>('[data-col]'))
        c.tabIndex = i === this.focusRow && Number(c.dataset.col) === this.focusCol ? 0 : -1;
    }
  }

  private click(index: number, col: number, e: MouseEvent): void {
    if (e.shiftKey) {
      const [a, b] = [Math.min(this.anchor, index), Math.max(this.anchor, index)];
      for (let i = a; i <= b; i++) this.selection.add(i);
    } else if (e.ctrlKey || e.metaKey) {
      if (this.selection.has(index)) this.selection.delete(index);
      else this.selection.add(index);
      this.anchor = index;
    } else {
      this.selection.clear();
      this.selection.add(index);
      this.anchor = index;
    }
    this.focusRow = index;
    this.focusCol = col;
    this.paintSelection();
    this.focusCell();
  }

  focusCell(): void {
    const el = this.cellElement(this.focusRow, this.focusCol);
    el?.focus({ preventScroll: true });
  }

  private move(row: number, col: number): void {
    const count = this.model.rowCount();
    this.focusRow = Math.max(0, Math.min(row, count - 1));
    this.focusCol = Math.max(0, Math.min(col, this.model.columns.length - 1));
    const top = this.focusRow * ROW_HEIGHT;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > this.viewport.scrollTop + this.viewport.clientHeight)
      this.viewport.scrollTop = top + ROW_HEIGHT - this.viewport.clientHeight;
    this.render();
    this.focusCell();
  }

  private key(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
    const ctrl = e.ctrlKey || e.metaKey;
    const handled = (): void => e.preventDefault();
    switch (e.key) {
      case 'ArrowDown':
        handled();
        return this.move(this.focusRow + 1, this.focusCol);
      case 'ArrowUp':
        handled();
        return this.move(this.focusRow - 1, this.focusCol);
      case 'ArrowRight':
        handled();
        return this.move(this.focusRow, this.focusCol + 1);
      case 'ArrowLeft':
        handled();
        return this.move(this.focusRow, this.focusCol - 1);
      case 'PageDown':
        handled();
        return this.move(this.focusRow + page, this.focusCol);
      case 'PageUp':
        handled();
        return this.move(this.focusRow - page, this.focusCol);
      case 'Home':
        handled();
        return this.move(ctrl ? 0 : this.focusRow, 0);
      case 'End':
        handled();
        return this.move(ctrl ? this.model.rowCount() - 1 : this.focusRow, this.model.columns.length - 1);
      case 'Enter':
      case 'F2':
        handled();
        return this.actions.edit(this.focusRow, this.focusCol);
      case ' ':
        handled();
        if (this.selection.has(this.focusRow)) this.selection.delete(this.focusRow);
        else this.selection.add(this.focusRow);
        return this.paintSelection();
      case 'Delete':
        handled();
        return this.actions.deleteSelected();
      default:
        break;
    }
    if (ctrl && (e.key === 'c' || e.key === 'C')) {
      const row = this.model.row(this.focusRow);
      if (!row) return;
      handled();
      const texts = this.model.columns.map((_, c) => this.model.cell(row, c).text);
      this.actions.copy(e.shiftKey ? texts.join('\t') : texts[this.focusCol]);
    }
  }
}
