/**
 * The inline cell editor: a text area over the cell, showing the value in the
 * column's format (JSON pretty-printed). Enter saves a one-line value,
 * Ctrl+Enter saves always, Escape cancels. What does not parse in the format
 * is refused here, before anything is sent.
 */
import * as l10n from '@vscode/l10n';
import { effectiveFormat, FormatError, parseCell, showCell } from './cellFormat';
import { button, el } from './dom';
import type { Cell, CellFormat } from './protocol';

export class CellEditor {
  private readonly box: HTMLDivElement;

  constructor(private readonly parent: HTMLElement) {
    this.box = el('div', { className: 've-editor', hidden: true });
    this.box.setAttribute('role', 'dialog');
    parent.append(this.box);
  }

  /** Resolves the new cell, or undefined when cancelled. */
  edit(anchor: HTMLElement | null, cell: Cell, format: CellFormat, label: string): Promise<Cell | undefined> {
    const shown = showCell(cell, format, true);
    const f = shown.ok ? effectiveFormat(cell, format) : 'hex';
    const area = el('textarea', { className: 've-edit be-mono', value: shown.text, spellcheck: false });
    area.setAttribute('aria-label', `${label} (${f})`);
    const problem = el('div', { className: 'be-error', role: 'alert' });
    const lines = Math.min(12, Math.max(1, shown.text.split('\n').length));
    area.rows = lines;
    return new Promise((resolve) => {
      const done = (value: Cell | undefined): void => {
        this.box.hidden = true;
        this.box.replaceChildren();
        resolve(value);
      };
      const save = (): void => {
        try {
          done(parseCell(area.value, f));
        } catch (err) {
          problem.textContent = err instanceof FormatError ? err.message : String(err);
        }
      };
      area.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          done(undefined);
        } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || (!e.shiftKey && !area.value.includes('\n')))) {
          e.preventDefault();
          save();
        }
      });
      this.box.replaceChildren(
        el('div', {
          className: 've-editlabel be-muted',
          textContent: f !== format ? l10n.t('{0} · {1} (binary: edited as {1})', label, f) : `${label} · ${f}`,
        }),
        area,
        problem,
        el(
          'div',
          { className: 've-choices' },
          button(l10n.t('Save'), 'check', save),
          button(l10n.t('Cancel'), 'close', () => done(undefined)),
        ),
      );
      const parentBox = this.parent.getBoundingClientRect();
      const at = anchor?.getBoundingClientRect();
      this.box.style.top = `${Math.max(0, (at?.top ?? 80) - parentBox.top + window.scrollY)}px`;
      this.box.style.left = `${Math.max(0, (at?.left ?? 12) - parentBox.left)}px`;
      this.box.style.width = `${Math.max(320, at?.width ?? 400)}px`;
      this.box.hidden = false;
      area.focus();
      area.select();
    });
  }
}
