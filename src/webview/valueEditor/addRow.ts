/** The "Add Row" form of each type: its inputs, and how their text becomes the cells the host expects. */
import { parseCell } from './cellFormat';
import type { Cell, CellFormat, ValueType } from './protocol';

export interface RowForm {
  fields: { name: string; placeholder: string }[];
  cells(values: string[], formats: CellFormat[]): Cell[];
}

const v = (values: string[], i: number): string => values[i] ?? '';
const fmt = (formats: CellFormat[], i: number): CellFormat => formats[i] ?? 'text';

export const ROW_FORMS: Readonly<Record<ValueType, RowForm>> = {
  hash: {
    fields: [
      { name: 'field', placeholder: 'field' },
      { name: 'value', placeholder: 'value' },
    ],
    cells: (values, formats) => [parseCell(v(values, 0), fmt(formats, 0)), parseCell(v(values, 1), fmt(formats, 1))],
  },
  set: {
    fields: [{ name: 'member', placeholder: 'member' }],
    cells: (values, formats) => [parseCell(v(values, 0), fmt(formats, 0))],
  },
  zset: {
    fields: [
      { name: 'member', placeholder: 'member' },
      { name: 'score', placeholder: 'score (e.g. 1.5)' },
    ],
    cells: (values, formats) => [parseCell(v(values, 0), fmt(formats, 0)), v(values, 1)],
  },
  list: {
    fields: [{ name: 'element', placeholder: 'element' }],
    cells: (values, formats) => [parseCell(v(values, 0), fmt(formats, 1))],
  },
  stream: {
    fields: [
      { name: 'id', placeholder: 'entry id (* for a new one)' },
      { name: 'fields', placeholder: 'fields as JSON, e.g. {"name": "value"}' },
    ],
    cells: (values) => [v(values, 0).trim() || '*', v(values, 1)],
  },
};
