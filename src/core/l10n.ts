/**
 * Core's sentences in the display language. Core cannot import `vscode`, so it localizes with
 * `@vscode/l10n` (`import * as l10n from '@vscode/l10n'`, then `l10n.t('… {0} …', arg)`): the same
 * calls, and the same bundle (`l10n/bundle.l10n.<language>.json`), as the ui layer's `vscode.l10n.t`.
 * activate() hands that bundle over once, here. Unconfigured (plain Node: the tests), `t` returns
 * the English message with its arguments filled in.
 */
import * as l10n from '@vscode/l10n';
import { setDisplayLocale } from './units';

/** Sets core's language: `language` for numbers and times, `bundle` (undefined in English) for sentences. */
export function configureLanguage(language: string, bundle: Record<string, string> | undefined): void {
  setDisplayLocale(language);
  if (bundle) l10n.config({ contents: bundle });
}
