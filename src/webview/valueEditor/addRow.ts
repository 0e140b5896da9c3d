/** The "Add Row" form of each type: its inputs, and how their text becomes the cells the host expects. */
import * as l10n from '@vscode/l10n';
import { parseCell } from './cellFormat';
import type { Cell, CellFormat, ValueType } from './protocol';

export interface RowForm {
  /** The inputs: a name, and their placeholder (a function: sentences are built once the page's language is set). */
  fields: { name: string; placeholder: () => string }[];
  cells(values: string[], formats: CellFormat[]): Cell[];
}

const v = (values: string[], i: number): string => values[i] ?? '';
const fmt = (formats: CellFormat[], i: number): CellFormat => formats[i] ?? 'text';

export const ROW_FORMS: Readonly<Record<ValueType, RowForm>> = {
  hash: {
    fields: [
      { name: 'field', placeholder: () => l10n.t('field') },
      { name: 'value', placeholder: () => l10n.t('value') },
    ],
    cells: (values, formats) => [parseCell(v(values, 0), fmt(formats, 0)), parseCell(v(values, 1), fmt(formats, 1))],
  },
  set: {
    fields: [{ name: 'member', placeholder: () => l10n.t('member') }],
    cells: (values, formats) => [parseCell(v(values, 0), fmt(formats, 0))],
  },
  zset: {
    fields: [
      { name: 'member', placeholder: () => l10n.t('member') },
      { name: 'score', placeholder: () => l10n.t('score (e.g. 1.5)') },
    ],
    cells: (values, formats) => [parseCell(v(values, 0), fmt(formats, 0)), v(values, 1)],
  },
  list: {
    fields: [{ name: 'element', placeholder: () => l10n.t('element') }],
    cells: (values, formats) => [parseCell(v(values, 0), fmt(formats, 1))],
  },
  stream: {
    fields: [
      { name: 'id', placeholder: () => l10n.t('entry id (* for a new one)') },
      { name: 'fields', placeholder: () => l10n.t('fields as JSON, e.g. {"name": "value"}') },
    ],
    cells: (values) => [v(values, 0).trim() || '*', v(values, 1)],
  },
};
