import assert from 'node:assert/strict';
import * as l10n from '@vscode/l10n';
import { configureLanguage } from '../../src/core/l10n';
import { formatBytes, formatCount, formatTime, getDisplayLocale, setDisplayLocale } from '../../src/core/units';
import { bundleProblems, LANGUAGES, manifestProblems, sourceMessages, unextractableCalls } from './helpers/l10nBundles';

describe('localization (English in tests; 简体中文 shipped)', function () {
  this.timeout(120_000);

  for (const language of LANGUAGES) {
    it(`every manifest string (%key% in package.json) has English and ${language} text with the same placeholders`, () => {
      assert.deepEqual(manifestProblems(language), { undefinedKeys: [], untranslated: [], unused: [], placeholderMismatch: [] });
    });

    it(`every l10n.t message in src (extension, core, webview pages) has a ${language} translation, and the bundle holds no stale ones`, async () => {
      const { missing, stale, placeholderMismatch } = await bundleProblems(language);
      assert.deepEqual({ missing: [...missing.keys()], stale, placeholderMismatch }, { missing: [], stale: [], placeholderMismatch: [] });
    });
  }

  it('every l10n.t call has a literal message, so extraction sees it', async () => {
    assert.deepEqual(unextractableCalls(), []);
    assert.ok((await sourceMessages()).size > 0, 'the sources localize something');
  });

  it('core sentences and numbers follow the configured language; unconfigured they are English and en-US', () => {
    assert.equal(l10n.t('Key {0} not found.', 'a'), 'Key a not found.');
    assert.equal(formatCount(1234567), '1,234,567');
    const before = getDisplayLocale();
    try {
      configureLanguage('de', { 'Key {0} not found.': 'Schlüssel {0} nicht gefunden.' });
      assert.equal(l10n.t('Key {0} not found.', 'a'), 'Schlüssel a nicht gefunden.');
      assert.equal(formatCount(1234567), '1.234.567');
      assert.match(formatTime(Date.UTC(2026, 0, 1, 13, 4, 5)), /^\d{2}:04:05$/);
      setDisplayLocale('not a locale!');
      assert.equal(getDisplayLocale(), 'en-US', 'an unknown tag falls back to en-US');
      assert.equal(formatBytes(1536), '1.50 KiB');
    } finally {
      l10n.config({ contents: {} });
      setDisplayLocale(before);
    }
  });
});
