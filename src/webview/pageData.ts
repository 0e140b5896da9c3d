/**
 * The data the host wrote into the page (protocol.ts' PageData), read once. Importing this module
 * first (main.ts' first import) sets the page's language before any other module builds a sentence:
 * `l10n.t` from `@vscode/l10n` with the extension's bundle, and numbers through core/units.
 */
import * as l10n from '@vscode/l10n';
import { setDisplayLocale } from '../core/units';
import { PAGE_DATA_ID, type PageData } from './protocol';

function readPageData(): PageData {
  const text = document.getElementById(PAGE_DATA_ID)?.textContent;
  if (!text) return { language: 'en', l10n: undefined };
  return JSON.parse(text) as PageData;
}

/** What the host sent with the page. */
export const pageData: PageData = readPageData();

setDisplayLocale(pageData.language);
if (pageData.l10n) l10n.config({ contents: pageData.l10n });
