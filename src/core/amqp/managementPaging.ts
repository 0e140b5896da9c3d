/**
 * Paging rules shared by every management list: page numbers and sizes
 * checked before anything is sent, and lists the broker returns unpaged
 * (bindings, a vhost's connections, nodes) paged here with the same filter.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from '../errors';
import type { Page } from './managementTypes';

export const DEFAULT_PAGE_SIZE = 100;
/** The broker refuses a larger page_size. */
export const MAX_PAGE_SIZE = 500;

export interface ListOptions {
  /** 1-based page number (default 1). */
  page?: number;
  /** 1 to 500 (default 100). */
  pageSize?: number;
  /** Name filter: a case-insensitive substring, or a regular expression with `regex`. */
  filter?: string;
  regex?: boolean;
  signal?: AbortSignal;
}

export function checkPaging(options: ListOptions): { page: number; pageSize: number } {
  const page = options.page ?? 1;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(page) || page < 1)
    throw new InputError(l10n.t('The page {0} is not valid: give a whole number from 1.', String(page)));
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new InputError(l10n.t('The page size {0} is not valid: give a whole number from 1 to {1}.', String(pageSize), MAX_PAGE_SIZE));
  }
  return { page, pageSize };
}

/** Pages a list on our side (for the unpaged binding endpoints), with the same filter rules. */
export function pageLocally<T>(all: readonly T[], options: ListOptions, texts: (item: T) => string[]): Page<T> {
  const { page, pageSize } = checkPaging(options);
  let matching: readonly T[] = all;
  const filter = options.filter ?? '';
  if (filter !== '') {
    let test: (s: string) => boolean;
    if (options.regex) {
      let re: RegExp;
      try {
        re = new RegExp(filter);
      } catch {
        throw new InputError(l10n.t('The filter "{0}" is not a valid regular expression: fix it, or filter by plain text.', filter));
      }
      test = (s) => re.test(s);
    } else {
      const needle = filter.toLowerCase();
      test = (s) => s.toLowerCase().includes(needle);
    }
    matching = all.filter((item) => texts(item).some(test));
  }
  const pageCount = Math.ceil(matching.length / pageSize);
  return {
    items: matching.slice((page - 1) * pageSize, page * pageSize),
    total: matching.length,
    page,
    pageCount,
    pageSize,
    unfilteredTotal: all.length,
  };
}

/** Plain code-unit order, the broker's own order for names. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
